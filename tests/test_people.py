"""People (archive/people.py): the key that makes a signer, a classifier and a person tag one
person, the people and addressee facets, a person's cables, a post's correspondents, and
the pages over them (web/people_pages.py).

The archive is a handful of cables written here; every expected count is read off the table
below by hand.

    cable        origin           signer   classified by        person tag                 TO / INFO
    10PARIS1     Embassy Paris    CLINTON  Hillary R. Clinton   OVIP + CLINTON, HILLARY    SECSTATE WASHDC / AMEMBASSY LONDON
    10PARIS2     Embassy Paris    BURNS    Hillary Clinton      -                          SECSTATE WASHDC
    10LONDON3    Embassy London   BURNS    William J. Burns     -                          SECSTATE WASHDC / AMEMBASSY PARIS
    09STATE4     Secretary of St. -        Nicholas Burns       OVIP + BURNS, NICHOLAS     AMEMBASSY PARIS / AMEMBASSY LONDON
    08LONDON5    Embassy London   BURNS    -                    -                          AMEMBASSY PARIS (2008)

FM lines: AMEMBASSY PARIS, AMEMBASSY LONDON, SECSTATE WASHDC by origin.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from cablebase.archive import browse, people
from cablebase.archive.api import Archive
from cablebase.archive.people import person_key, person_tag
from cablebase.archive.store import is_dsn
from cablebase.record import Cable, ClassifiedBy, Paragraph, Recipient

FM = {
    "Embassy Paris": "AMEMBASSY PARIS",
    "Embassy London": "AMEMBASSY LONDON",
    "Secretary of State": "SECSTATE WASHDC",
}


def cable(rid, origin, year, signer, classifier, tag, to, info=None) -> Cable:
    recipients = [Recipient(role="to", name=to)]
    if info:
        recipients.append(Recipient(role="info", name=info))
    return Cable(
        reference_id=rid,
        created=f"{year}-03-0{rid[-1]}T10:00:00Z",
        origin=origin,
        post=origin.split()[-1].upper(),
        classification="UNCLASSIFIED",
        sender=FM[origin],
        recipients=recipients,
        classified_by=ClassifiedBy(text="", name=classifier) if classifier else None,
        signers=[signer] if signer else [],
        tags=["PREL"] + (["OVIP", tag] if tag else []),  # the TAGS `OVIP (CLINTON, HILLARY)`
        subject=f"SUBJECT OF {rid}",
        paragraphs=[Paragraph(number=1, portion="U", text=f"Text of {rid}.")],
    )


CABLES = [
    cable(
        "10PARIS1",
        "Embassy Paris",
        2010,
        "CLINTON",
        "Hillary R. Clinton",
        "CLINTON, HILLARY",
        "SECSTATE WASHDC",
        "AMEMBASSY LONDON",
    ),
    cable("10PARIS2", "Embassy Paris", 2010, "BURNS", "Hillary Clinton", None, "SECSTATE WASHDC"),
    cable(
        "10LONDON3",
        "Embassy London",
        2010,
        "BURNS",
        "William J. Burns",
        None,
        "SECSTATE WASHDC",
        "AMEMBASSY PARIS",
    ),
    cable(
        "09STATE4",
        "Secretary of State",
        2009,
        None,
        "Nicholas Burns",
        "BURNS, NICHOLAS",
        "AMEMBASSY PARIS",
        "AMEMBASSY LONDON",
    ),
    cable("08LONDON5", "Embassy London", 2008, "BURNS", None, None, "AMEMBASSY PARIS"),
]


@pytest.fixture(scope="module")
def path(archive_store) -> str:
    """The archive of CABLES, on SQLite and on PostgreSQL (conftest.archive_store)."""
    return archive_store(CABLES)


@pytest.fixture(scope="module")
def archive(path: Path):
    with Archive.open(path, readonly=True) as a:
        yield a


# -- the key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("CLINTON, HILLARY", "HILLARY CLINTON"),
        ("Hillary Clinton", "HILLARY CLINTON"),
        ("Hillary R. Clinton", "HILLARY CLINTON"),
        ("STEINBERG, JAMES B.", "JAMES STEINBERG"),
        ("N. Khoury", "N KHOURY"),  # a first initial stays
        ("MR. MORRIS ARNOLD FREDERICK", "MORRIS ARNOLD FREDERICK"),
        ("Smith, Jr.", "SMITH JR"),  # a suffix after the comma is no given name
        ("O'Brien, Pat", "PAT O'BRIEN"),
        ("EL-BARADEI", "EL-BARADEI"),
        ("CLINTON", "CLINTON"),
        ("", None),
        (" . , ", None),
        ("1234", None),
    ],
)
def test_person_key(written: str, key: str | None) -> None:
    assert person_key(written) == key


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("OVIP (CLINTON, HILLARY)", "CLINTON, HILLARY"),
        ("CLOK (CANAHUATI YACAMAN MIGUEL FELIPE)", "CANAHUATI YACAMAN MIGUEL FELIPE"),
        ("KCRM SP (BERARDUCCI, CHRISTOPHER", "BERARDUCCI, CHRISTOPHER"),  # cut at a line end
        ("SP (EL", None),  # cut, and no comma: not a name one can trust
        ("(ALI,", None),
        ("SP ()", None),
        ("PREL", None),
        # the tags of today's reader: the group's content is a tag of its own
        ("CLINTON, HILLARY", "CLINTON, HILLARY"),
        ("STEINBERG, JAMES B.", "STEINBERG, JAMES B."),
        ("EL-SAYED, RABEI OSMAN ET AL", "EL-SAYED, RABEI OSMAN ET AL"),
        ("NOVO, GUILLERMO, REMON, PEDRO", "NOVO, GUILLERMO, REMON, PEDRO"),  # read at the first
        ("NOVO, GUILLERMO", "NOVO, GUILLERMO"),  # a page's person tag, brackets lost
        ("MQADHAFI", None),  # a name without a comma is not told from a free tag
        ("HUMAN RIGHTS", None),
        ("FOO, 12", None),
    ],
)
def test_person_tag(tag: str, name: str | None) -> None:
    assert person_tag(tag) == name


# -- facets, index, a person ----------------------------------------------------------------


def test_a_bare_person_tag_names_its_person(archive_store) -> None:
    # a Cablegate page's TAGS line loses the brackets: `VANCE SUSAN` is read `VANCE, SUSAN`
    p = archive_store(
        [cable("10PARIS1", "Embassy Paris", 2010, None, None, "VANCE, SUSAN", "SECSTATE WASHDC")]
    )
    with Archive.open(p, readonly=True) as a:
        assert dict(people.facets(a, a.parse(""), top=None)["person"]) == {"SUSAN VANCE": 1}


def test_people_facet_counts_cables_once_per_person(archive: Archive) -> None:
    got = dict(people.facets(archive, archive.parse(""), top=None)["person"])
    assert got == {
        "HILLARY CLINTON": 2,  # 10PARIS1 (classifier and tag: one cable), 10PARIS2
        "BURNS": 3,  # signed 10PARIS2, 10LONDON3, 08LONDON5
        "CLINTON": 1,  # a surname alone stays apart
        "WILLIAM BURNS": 1,
        "NICHOLAS BURNS": 1,  # 09STATE4: classifier and tag
    }
    facet = people.facets(archive, archive.parse("year:2010"), top=2)["person"]
    assert facet == [("BURNS", 2), ("HILLARY CLINTON", 2)]  # ties by name


def test_addressee_facet(archive: Archive) -> None:
    got = people.facets(archive, archive.parse(""), ("addressee",), top=None)["addressee"]
    # ties by name; the FM line is no addressee
    assert got == [
        ("AMEMBASSY PARIS", 3),
        ("SECSTATE WASHDC", 3),
        ("AMEMBASSY LONDON", 2),
    ]


def test_index(archive: Archive) -> None:
    rows = {p.key: p for p in people.index(archive)}
    assert rows["HILLARY CLINTON"] == people.PersonCount("HILLARY CLINTON", 2, 0, 2, 1)
    assert rows["BURNS"] == people.PersonCount("BURNS", 3, 3, 0, 0)
    assert [p.key for p in people.index(archive)][:2] == ["BURNS", "HILLARY CLINTON"]


def test_a_person_and_the_names_that_may_be_them(archive: Archive) -> None:
    p = people.person(archive, "HILLARY CLINTON")
    assert p is not None
    assert p.cables == 2
    assert p.roles["classified_by"] == (2, ["Hillary Clinton", "Hillary R. Clinton"])
    assert p.roles["tag"] == (1, ["CLINTON, HILLARY"])
    assert "signer" not in p.roles
    assert p.years == [("2010", 2)] and p.months == [("2010-03", 2)]
    assert p.related == [("CLINTON", 1)]
    burns = people.person(archive, "BURNS")
    assert burns is not None and burns.related == [("NICHOLAS BURNS", 1), ("WILLIAM BURNS", 1)]
    assert people.person(archive, "NOBODY") is None


def test_person_queries_find_a_name_by_its_key(archive: Archive) -> None:
    """person: and classifiedby: read `CLINTON, HILLARY` and `Hillary R. Clinton` as HILLARY
    CLINTON too: the search behind a person's count finds their cables."""
    assert archive.count('person:"hillary clinton"') == 2
    assert archive.count('classifiedby:"hillary clinton"') == 2
    assert archive.count('person:"nicholas burns"') == 1
    # As written still works: the tag's own order.
    assert archive.count('person:"clinton hillary"') == 1
    # The query's name is read as a key too: surname first with a comma, a middle initial.
    assert archive.count('person:"Clinton, Hillary"') == 2
    assert archive.count('classifiedby:"Clinton, Hillary R."') == 2
    assert archive.count('classifiedby:"hillary x. clinton"') == 2
    assert archive.count('person:"Burns, Nicholas"') == 1
    assert archive.count('signer:"Burns, Nicholas"') == 0  # he classified, signed nothing


def test_correspondents(archive: Archive) -> None:
    c = browse.correspondents(archive, "Embassy Paris")
    assert c.names == ["AMEMBASSY PARIS"]
    assert c.sends_to == [
        ("SECSTATE WASHDC", 2, "Secretary of State"),
        ("AMEMBASSY LONDON", 1, "Embassy London"),
    ]
    # 10LONDON3 (info), 09STATE4 (to), 08LONDON5 (to)
    assert c.receives_from == [("Embassy London", 2), ("Secretary of State", 1)]
    assert c.received_by_year == [("2008", 1), ("2009", 1), ("2010", 1)]


# -- the pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(path: Path):
    from fastapi.testclient import TestClient

    from cablebase.web.app import create_app

    with TestClient(create_app(path), follow_redirects=False) as c:
        yield c


def search_count(client, url: str) -> int:
    q = parse_qs(urlsplit(url).query)["q"][0]
    return client.get("/search.json", params={"q": q}, follow_redirects=True).json()["total"]


def test_person_page(client) -> None:
    res = client.get("/person/Clinton,%20Hillary")
    assert res.status_code == 301 and res.headers["location"] == "/person/HILLARY%20CLINTON"
    res = client.get("/person/HILLARY%20CLINTON")
    assert res.status_code == 200
    assert 'id="person-total">2<' in res.text
    data = client.get("/person/HILLARY%20CLINTON.json").json()
    assert data["cables"] == 2
    assert search_count(client, data["search"]) == 2
    classified = next(r for r in data["roles"] if r["role"] == "classified_by")
    assert classified["cables"] == search_count(client, classified["search"]) == 2
    tagged = next(r for r in data["roles"] if r["role"] == "tag")
    assert [w for w, _ in tagged["written"]] == ["CLINTON, HILLARY"]
    assert search_count(client, tagged["written"][0][1]) == 1
    assert data["related"] == [{"person": "CLINTON", "cables": 1, "href": "/person/CLINTON"}]
    csv_rows = client.get("/person/HILLARY%20CLINTON.csv").text.splitlines()
    assert csv_rows[:3] == [
        "what,value,cables",
        "all,HILLARY CLINTON,2",
        "classified_by,HILLARY CLINTON,2",
    ]
    # A name with a full stop is the page (redirected to its key), not a twin.
    res = client.get("/person/Hillary%20R.%20Clinton")
    assert res.status_code == 301 and res.headers["location"] == "/person/HILLARY%20CLINTON"
    assert client.get("/person/NOBODY").status_code == 404
    assert client.get("/person/NOBODY.json").status_code == 404


def test_people_index_and_twins(client) -> None:
    res = client.get("/browse/people")
    assert res.status_code == 200
    names = [
        unquote(h.split('"')[0]) for h in res.text.split('class="person-link" href="/person/')[1:]
    ]
    assert names[:2] == ["BURNS", "HILLARY CLINTON"]
    rows = client.get("/browse/people.json").json()
    assert rows[1] == {
        "person": "HILLARY CLINTON",
        "cables": 2,
        "signed": 0,
        "classified": 2,
        "tagged": 1,
    }
    assert client.get("/browse/people.csv").text.splitlines()[1] == "BURNS,3,3,0,0"
    assert client.get("/browse/people.xml").status_code == 404
    assert client.get("/browse/people?page=2").status_code == 404


def test_people_and_addressee_facets_on_the_search_page(client) -> None:
    page = client.get("/search", params={"q": ""}).text
    assert 'id="facet-person"' in page and 'id="facet-addressee"' in page
    assert "/search?q=person%3A%22hillary+clinton%22" in page
    assert "/search?q=addressee%3A%22secstate+washdc%22" in page
    # Typed by hand, surname first: the facet value is highlighted all the same.
    page = client.get("/search", params={"q": 'person:"Clinton, Hillary"'}).text
    facet = page.split('id="facet-person"')[1].split("</section>")[0]
    assert '<li class="active">' in facet
    assert 'data-value="HILLARY CLINTON" aria-current="true"' in facet
    page = client.get("/search", params={"q": "", "more": "addressee"}).text
    assert "AMEMBASSY LONDON" in page.split('id="facet-addressee"')[1].split("</section>")[0]


def test_post_page_correspondents(client) -> None:
    page = client.get("/browse/posts/Embassy%20Paris").text
    sends = page.split('id="post-sends-to"')[1].split("</section>")[0]
    assert sends.index("SECSTATE WASHDC") < sends.index("AMEMBASSY LONDON")
    assert 'href="/browse/posts/Secretary%20of%20State"' in sends
    data = client.get("/browse/posts/Embassy%20Paris.json").json()
    assert [(s["name"], s["cables"]) for s in data["receives_from"]] == [
        ("Embassy London", 2),
        ("Secretary of State", 1),
    ]
    for s in data["sends_to"] + data["receives_from"]:
        assert search_count(client, s["search"]) == s["cables"], s
    assert data["received_by_year"] == [["2008", 1], ["2009", 1], ["2010", 1]]
    assert client.get("/browse/posts/Embassy%20Paris.csv").text.startswith("what,value,cables\n")
    assert client.get("/browse/posts/Embassy%20Nowhere.json").status_code == 404


def test_csv_twin_cells_never_run_as_formulas() -> None:
    from cablebase.web.people_pages import _csv

    res = _csv(
        [{"what": "sends_to", "value": "=HYPERLINK(1)", "cables": 1}],
        ["what", "value", "cables"],
        "x.csv",
    )
    assert res.body.decode().splitlines()[1] == "sends_to,'=HYPERLINK(1),1"


def test_a_readonly_archive_reads_its_names_outside_the_asking_thread(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table of names is read by a thread of its own for the web server's (read-only)
    archives: its seconds on a large archive do not count against the CPU budget of the
    request that asks first (archive/budget.py counts the request thread's CPU time)."""
    import threading

    if is_dsn(path):
        pytest.skip("PostgreSQL has no CPU budget per request: the asking thread reads it")

    readers: list[str] = []
    read = people._read

    def spy(conn, state):  # type: ignore[no-untyped-def]
        readers.append(threading.current_thread().name)
        return read(conn, state)

    monkeypatch.setattr(people, "_read", spy)
    monkeypatch.setattr(people, "_TABLES", {})
    with Archive.open(path, readonly=True) as a:
        assert dict(people.facets(a, a.parse(""), top=1)["person"]) == {"BURNS": 3}
    assert readers == ["people-table"]


def test_a_partial_view_shows_its_signer_and_tags_not_its_classifier(archive_store) -> None:
    """A cable read partially shows its signers and TAGS but not its "Classified by" line
    (access/policy.view): its classifier is no person of that reader's pages, and a hidden
    cable names nobody at all."""
    from cablebase.access.policy import Access, Policy, Viewer, open_access

    def marked(rid, classification, marks, signer, classifier, tag):  # type: ignore[no-untyped-def]
        c = cable(rid, "Embassy Paris", 2010, signer, classifier, tag, "SECSTATE WASHDC")
        c.classification = classification
        c.paragraphs = [
            Paragraph(number=k + 1, portion=m, text=f"Part {k} of {rid}.")
            for k, m in enumerate(marks)
        ]
        c.subject_portion = marks[-1]
        return c

    # The reader's access is given whole below (the archive's stored policy is not read).
    path = archive_store(
        [
            marked(
                "10PARIS7",
                "CONFIDENTIAL",
                ["C", "U"],
                "PARTSIGNER",
                "Vera Hidden",
                "TAGGED, TINA",
            ),
            marked("10PARIS8", "UNCLASSIFIED", ["U"], "OPENSIGNER", "Olga Open", None),
            marked("10PARIS9", "SECRET", ["S"], "GHOSTSIGNER", "Gus Ghost", None),
        ]
    )
    reader = Access(Policy("controlled", True), Viewer("u", "reader", 0, 0), "2026-11-27")
    with Archive.open(path, readonly=True) as base:
        a = base.with_access(reader)
        assert [a.decision(r) for r in ("10PARIS7", "10PARIS8", "10PARIS9")] == [
            "partial",
            "full",
            "none",
        ]
        shown = {"PARTSIGNER", "TINA TAGGED", "OPENSIGNER", "OLGA OPEN"}
        assert {p.key for p in people.index(a)} == shown
        assert {k for k, _ in people.facets(a, a.parse(""), top=None)["person"]} == shown
        assert people.person(a, "VERA HIDDEN") is None
        assert people.person(a, "GUS GHOST") is None
        part = people.person(a, "PARTSIGNER")
        assert part is not None and part.cables == 1 and list(part.roles) == ["signer"]
        # Read whole by a reader of everything: every name.
        every = {p.key for p in people.index(base.with_access(open_access()))}
        assert every == shown | {"VERA HIDDEN", "GUS GHOST", "GHOSTSIGNER"}


def test_the_cable_page_links_its_signer_and_classifier_to_their_pages(client) -> None:
    page = client.get("/cable/10PARIS1").text
    signers = page.split('id="meta-signers"')[1].split("</dd>")[0]
    assert '<a class="person-link" href="/person/CLINTON">CLINTON</a>' in signers
    assert 'href="/person/HILLARY%20CLINTON"' in page  # Hillary R. Clinton, by her key
    assert client.get("/person/CLINTON").status_code == 200
