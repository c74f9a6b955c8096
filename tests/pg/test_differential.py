"""Differential: the PostgreSQL store answers every query as the SQLite Archive does.

The same inputs — generated cables in two forms, the bundled sample cable and the search
tests' hand-written records (accents, apostrophes, hyphens, an undated cable) — go through
the normal ingest into a SQLite archive, and their prepared rows (what ingest's workers make)
into PostgreSQL.  For every operator of the query language, enumerated from archive/query.py
(every field, every comparison a field takes, every prefix field, every keyword, and the
free-text forms), representative queries must give the same exact counts and the same hits in
date order (a page of them too), the same hit sets in relevance order (bm25 and ts_rank rank
differently), and the same facets — for an unrestricted reader and for readers of several
clearances, with and without partial views.  A new field or operator fails
`test_every_operator_has_cases` until it has cases here.

Query values are taken from the stored data (the most frequent tag, a signer's name, a cited
id...), so that cases hit; `test_cases_hit` checks that every operator's cases hit somewhere.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from cablebase import render
from cablebase.access.policy import ANONYMOUS, Access, Policy, Viewer, caveat_bits
from cablebase.archive import query as Q
from cablebase.archive.api import Archive
from cablebase.archive.ingest import _parsed, ingest
from cablebase.archive.snippets import words
from cablebase.archive.sqlite import Prepared
from cablebase.forms.sources import iter_items
from cablebase.generate import generate, member_name
from cablebase.record import Cable, ClassifiedBy, Paragraph, Recipient, Reference, Station
from tests.pg_server import url as pg_url
from tests.test_search import HANDWRITTEN

# Written for this test: what the generator does not make (a person tag, LIMITED OFFICIAL USE,
# a REF block with items that are no cable, a cable of unknown classification and date), so
# that the two-valued conditions and the person: tags are compared too.
EDGES = [
    Cable(
        reference_id="09OSLO501",
        created="2009-06-30T23:59:00Z",
        subject="NORWAY: SECRETARY'S VISIT PREPARATIONS",
        paragraphs=[Paragraph(number=1, text="Oslo prepares for the Secretary's visit.")],
        origin="Embassy Oslo",
        post="OSLO",
        classification="LIMITED OFFICIAL USE",
        handling=["SBU"],
        tags=["PREL", "NO", "OVIP", "CLINTON, HILLARY"],
        signers=["WHITNEY"],
        sender="AMEMBASSY OSLO",
        station=Station(route="RUEHNY", serial="501"),
        recipients=[Recipient(role="to", route="RUEHC", name="SECSTATE WASHDC")],
        references=[
            Reference(letter="A", text="PARIS 9001", kind="cable", id="09PARIS9001"),
            Reference(letter="B", text="EMAIL OF MAY 2", kind="email"),
        ],
    ),
    Cable(
        reference_id="09OSLO502",
        created=None,
        subject="UNDATED NOTE ON FISHERIES",
        paragraphs=[Paragraph(number=1, text="Fisheries quotas, unmarked and undated.")],
        origin="Embassy Oslo",
        post="OSLO",
        classification=None,
        tags=["EFIS", "NO"],
        signers=["WHITNEY"],
        classified_by=ClassifiedBy(text="DCM Kevin Johnson", name="Kevin Johnson"),
    ),
]
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "cablebase" / "samples" / "sample.txt"
TODAY = "2026-11-27"
READERS = {
    "all": None,  # unrestricted
    "anonymous": Access(Policy("controlled"), ANONYMOUS, TODAY),
    "unclassified": Access(Policy("controlled"), Viewer("u", "reader", 0, 0), TODAY),
    "confidential-whole": Access(
        Policy("controlled", portions=False), Viewer("c", "reader", 1, 0), TODAY
    ),
    "secret-noforn": Access(
        Policy("controlled", declassify="automatic"),
        Viewer("s", "reader", 2, caveat_bits(["NOFORN"])),
        TODAY,
    ),
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory, pg_server_dsn):
    """(the Archive over SQLite, the Archive over PostgreSQL) over the same cables."""
    psycopg = pytest.importorskip("psycopg")
    from cablebase.archive.pg.store import PgStore

    tmp = tmp_path_factory.mktemp("differential")
    # One generated sequence (distinct ids), every other cable as a Cablegate page (release
    # dates) and the rest as telegrams (routing, addressees); the hand-written records as an
    # export of whole records (JSON Lines), which ingest stores as they are.
    for i, c in enumerate(generate(1000, seed=21)):
        form = "html" if i % 2 else "telegram"
        path = tmp / "cables" / member_name(c, form)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render.to_form(c, form))
    hand = tmp / "hand.jsonl"
    hand.write_bytes(b"".join(orjson.dumps(c) + b"\n" for c in [*HANDWRITTEN, *EDGES]))
    paths = [tmp / "cables", hand, SAMPLE]
    summary = ingest(paths, tmp / "archive.db", workers=1)
    items = (item for p in paths for item in iter_items(p, raw=True))
    prepared = [p for p in _parsed(items, 1) if isinstance(p, Prepared) and p.reference_id]
    # Distinct reference ids: no cable is a further source of another (SQLite would merge).
    assert len({p.reference_id for p in prepared}) == len(prepared) == summary.added
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS differential WITH (FORCE)")
        conn.execute("CREATE DATABASE differential")
    dsn = pg_server_dsn.replace("dbname=cablebase_test", "dbname=differential")
    with PgStore(dsn) as store:
        for i in range(0, len(prepared), 300):
            store.put_many(prepared[i : i + 300])
    with Archive.open(pg_url(dsn)) as pg, Archive.open(tmp / "archive.db") as archive:
        assert len(pg) == len(archive)
        yield archive, pg


def _top(conn, sql: str) -> str:
    return conn.execute(sql).fetchone()[0]


def _word(value: str, i: int = -1) -> str:
    return words(value)[i]


def _frequent_words(conn, n: int) -> list[str]:
    counts: Counter = Counter()
    for (subject,) in conn.execute("SELECT subject FROM cables WHERE subject IS NOT NULL"):
        counts.update(w for w in set(words(subject)) if w.isalpha() and len(w) > 4)
    return [w for w, _ in counts.most_common(n)]


def cases(conn) -> dict[str, list[str]]:
    """Operator -> queries exercising it, with values read from the SQLite archive."""
    tag = _top(conn, "SELECT tag FROM tags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 1")
    spaced = conn.execute("SELECT tag FROM tags WHERE tag LIKE '% %' LIMIT 1").fetchone()
    origin = _top(
        conn, "SELECT origin FROM cables WHERE origin IS NOT NULL GROUP BY origin"
        " ORDER BY count(*) DESC, origin LIMIT 1",
    )  # fmt: skip
    caveat = _top(conn, "SELECT caveat FROM handling GROUP BY caveat ORDER BY count(*) DESC")
    signer = _top(conn, "SELECT name FROM people WHERE role = 'signer' GROUP BY name"
                  " ORDER BY count(*) DESC, name")  # fmt: skip
    classifier = _top(conn, "SELECT name FROM people WHERE role = 'classified_by'"
                      " GROUP BY name ORDER BY count(*) DESC, name")  # fmt: skip
    sender = _top(conn, "SELECT name FROM recipients WHERE role = 'from' GROUP BY name"
                  " ORDER BY count(*) DESC, name")  # fmt: skip
    to = _top(conn, "SELECT name FROM recipients WHERE role = 'to' GROUP BY name"
              " ORDER BY count(*) DESC, name")  # fmt: skip
    info = _top(conn, "SELECT name FROM recipients WHERE role = 'info' GROUP BY name"
                " ORDER BY count(*) DESC, name")  # fmt: skip
    route = _top(conn, "SELECT route FROM recipients WHERE role = 'to' AND route IS NOT NULL"
                 " GROUP BY route ORDER BY count(*) DESC, route")  # fmt: skip
    cited = _top(conn, "SELECT target FROM refs WHERE target IS NOT NULL GROUP BY target"
                 " ORDER BY count(*) DESC, target")  # fmt: skip
    citing = _top(conn, "SELECT c.reference_id FROM refs r JOIN cables c ON c.id = r.cable_id"
                  " WHERE r.target IN (SELECT reference_id FROM cables) ORDER BY c.id LIMIT 1")  # fmt: skip
    refid = _top(conn, "SELECT reference_id FROM cables ORDER BY id LIMIT 1 OFFSET 7")
    released = _top(conn, "SELECT released FROM cables WHERE released IS NOT NULL"
                    " GROUP BY released ORDER BY count(*) DESC LIMIT 1")  # fmt: skip
    # The median year (cables before and after it), its most frequent month and day.
    (n,) = conn.execute("SELECT count(*) FROM cables WHERE created IS NOT NULL").fetchone()
    year = _top(conn, "SELECT substr(created, 1, 4) FROM cables WHERE created IS NOT NULL"
                f" ORDER BY created LIMIT 1 OFFSET {n // 2}")  # fmt: skip
    month = _top(conn, "SELECT substr(created, 1, 7) FROM cables WHERE created LIKE"
                 f" '{year}-%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")  # fmt: skip
    day = _top(conn, "SELECT substr(created, 1, 10) FROM cables WHERE created LIKE"
               f" '{month}-%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")  # fmt: skip
    w1, w2, w3 = _frequent_words(conn, 3)
    subj = _top(conn, "SELECT subject FROM cables WHERE subject IS NOT NULL ORDER BY id LIMIT 1")
    s_words = words(subj)
    phrase = " ".join(s_words[:2])
    o = _word(origin)
    ry, rm = released[:4], released[:7]
    return {
        # free text
        "word": [w1, "cafe", "CAFÉ", "well-known", "o'brien", "sao"],
        "stemmed": [w2, "negotiation", "prices", "visited"],
        "phrase": [f'"{phrase}"', '"well known"', f'"{w3}"'],
        "prefix": [f"{w1[:3]}*", "caf*", "o'bri*"],
        "prefix phrase": [f'"{s_words[0]} {s_words[1][:2]}"*'],
        "parentheses": [f"({w1} OR {w2}) {w3}", f"(tag:{tag} OR {w1}) -({w2})"],
        "minus": [f"-{w1}", f"{w2} -{w1}", f"-tag:{tag}"],
        # keywords (query.KEYWORDS)
        "AND": [f"{w1} AND {w2}", f"tag:{tag} AND class:c"],
        "&&": [f"{w1} && tag:{tag}"],
        "OR": [f"{w1} OR {w2}", f"tag:{tag} OR {w3}", f"class:s OR origin:{o}"],
        "||": [f"{w1} || {w2}"],
        "NOT": [
            f"NOT {w1}",
            f"NOT tag:{tag}",
            f"{w2} NOT {w1}",
            f"NOT (class:s OR {w1})",
            "NOT fisheries",
            "NOT class:<s",
            "-class:u",
            "NOT class:lou",
            "NOT year:2009",
            "NOT citedby:09OSLO501",
            f"NOT released:{rm}",
            "NOT origin:oslo",
            "NOT person:hillary",
        ],
        # fields (query.FIELDS) and what each takes
        "id:": [f"id:{refid}", f"id:{refid.lower()}"],
        "id:*": [f"id:{refid[:4]}*", "id:09*"],
        "origin:": [f"origin:{o}", "origin:sanjose", "origin:paulo"],
        "origin:*": [f"origin:{o[:3]}*"],
        "tag:": [f"tag:{tag}", f"tag:{tag.lower()}"] + ([f'tag:"{spaced[0]}"'] if spaced else []),
        "tag:*": [f"tag:{tag[:2]}*"],
        "class:": ["class:u", "class:confidential", "class:s", "class:ts", "class:lou"],
        "class:=": ["class:=secret"],
        "class:<": ["class:<s"],
        "class:<=": ["class:<=c"],
        "class:>": ["class:>c"],
        "class:>=": ["class:>=confidential", f"-class:>=s {w1}"],
        "handling:": [f"handling:{caveat.lower()}", "handling:fouo", "handling:sbu"],
        "subject:": [f"subject:{s_words[0]}", f'subject:"{phrase}"', f"subject:{w2}"],
        "subject:*": [f"subject:{s_words[0][:3]}*", f'subject:"{phrase}"*'],
        "signer:": [f"signer:{_word(signer)}", "signer:rivkin"],
        "classifiedby:": [f"classifiedby:{_word(classifier)}", "classifiedby:rivkin"],
        "person:": [
            f"person:{_word(signer)}",
            f"person:{_word(classifier)}",
            "person:clinton",
            'person:"hillary clinton"',
            "person:johnson",
        ],
        "sender:": [f"sender:{_word(sender)}", f'sender:"{sender.lower()}"'],
        "addressee:": [f"addressee:{_word(to, 0)}", f"addressee:{route}"],
        "info:": [f"info:{_word(info, 0)}"],
        "from:": [f"from:{month}", f"from:{_word(sender)}", f"from:{o}"],
        "to:": [f"to:{month}", f"to:{_word(to, 0)}", f"from:{year} to:{month}"],
        "date:": [f"date:{day}", f"date:{month}", f"date:{year}..{month}", f"date:..{month}"],
        "date:<": [f"date:<{month}"],
        "date:<=": [f"date:<={day}"],
        "date:>": [f"date:>{year}"],
        "date:>=": [f"date:>={month}"],
        "date:=": [f"date:={day}"],
        "month:": [f"month:{month}", f"month:{year}-01..{month}"],
        "month:<": [f"month:<{month}"],
        "month:<=": [f"month:<={month}"],
        "month:>": [f"month:>{month}"],
        "month:>=": [f"month:>={month}"],
        "month:=": [f"month:={month}"],
        "year:": [f"year:{year}", f"year:{int(year) - 2}..{year}"],
        "year:=": [f"year:={year}"],
        "year:<": [f"year:<{year}", f"NOT year:<{year}"],
        "year:<=": [f"year:<={year}"],
        "year:>": [f"year:>{year}"],
        "year:>=": [f"year:>={year}"],
        "cites:": [f"cites:{cited}", f"NOT cites:{cited}"],
        "citedby:": [f"citedby:{citing}", "citedby:09PARIS9001", "citedby:09OSLO501"],
        "released:": [f"released:{ry}", f"released:{rm}", f"released:{ry}..{int(ry) + 1}"],
        # the empty query: every cable
        "all": [""],
    }


def _lexed(query: str) -> set[str]:
    """The operators a query's text uses, in the keys of `cases`."""
    found: set[str] = set()
    for tok in Q._lex(query):
        if tok.kind == "field":
            found.add(f"{tok.text}:")
            after = query[tok.pos + len(tok.text) + 1 :]
            if after.startswith(tok.op):  # a comparison written out (= included)
                found.add(f"{tok.text}:{tok.op}")
            if tok.value.endswith("*"):
                found.add(f"{tok.text}:*")
        elif tok.kind in ("and", "or", "not"):
            found.add(tok.text)  # the keyword as written (AND, &&, OR, ||, NOT)
    return found


def _required() -> set[str]:
    """Every operator of the language, from archive/query.py."""
    keys = {f"{name}:" for name in Q.FIELDS}
    keys |= {f"{name}:*" for name in Q.PREFIX_FIELDS}
    keys |= {f"{name}:{op}" for name in (*Q.COMPARABLE, "date", "month") for op in Q._OPS}
    keys |= set(Q.KEYWORDS)
    keys |= {"word", "stemmed", "phrase", "prefix", "prefix phrase", "parentheses", "minus"}
    keys |= {"all"}
    return keys


def test_every_operator_has_cases(stores):
    archive, _ = stores
    got = cases(archive.conn)
    assert _required() <= set(got), f"operators without cases: {_required() - set(got)}"
    for key, queries in got.items():
        for q in queries:
            Q.parse_query(q)  # every case is a valid query
        if ":" in key or key in Q.KEYWORDS:
            used = set().union(*(_lexed(q) for q in queries))
            assert key in used, f"{key}: no case uses it"


def test_cases_hit(stores):
    """Every case finds something for the unrestricted reader, and less than everything
    (no comparison of two empty or two complete answers)."""
    archive, _ = stores
    total = len(archive)
    for key, queries in cases(archive.conn).items():
        for q in queries:
            n = archive.count(q)
            assert n > 0 and (n < total or key == "all"), (key, q, n)


def mismatches(archive: Archive, pg: Archive, access: Access | None, queries: dict) -> list[tuple]:
    """Where the Archive over PostgreSQL answers `access` otherwise than over SQLite."""
    sqlite = archive if access is None else archive.with_access(access)
    pg = pg if access is None else pg.with_access(access)
    out = []
    for key, qs in queries.items():
        for q in qs:
            want, got = sqlite.count(q), pg.count(q)
            if want != got:
                out.append((key, q, "count", want, got))
                continue
            for sort in ("date", "-date"):
                a = [h.reference_id for h in sqlite.search(q, sort=sort)]
                b = [h.reference_id for h in pg.search(q, sort=sort)]
                if a != b:
                    out.append((key, q, sort, a[:5], b[:5]))
            page = [h.reference_id for h in sqlite.search(q, sort="date", limit=7, offset=3)]
            other = [h.reference_id for h in pg.search(q, sort="date", limit=7, offset=3)]
            if page != other:
                out.append((key, q, "page", page, other))
            ranked = {h.reference_id for h in sqlite.search(q)}
            if ranked != {h.reference_id for h in pg.search(q)}:
                out.append((key, q, "relevance set", len(ranked), None))
            subjects = {(h.reference_id, h.subject) for h in sqlite.search(q, limit=50)}
            if not subjects <= {(h.reference_id, h.subject) for h in pg.search(q)}:
                out.append((key, q, "subjects as the reader sees them", None, None))
    return out


@pytest.mark.parametrize("reader", list(READERS))
def test_same_answers(stores, reader):
    archive, pg = stores
    found = mismatches(archive, pg, READERS[reader], cases(archive.conn))
    assert not found, "\n".join(map(str, found[:20]))


@pytest.mark.parametrize("reader", ["all", "unclassified", "secret-noforn"])
def test_same_facets(stores, reader):
    archive, pg = stores
    access = READERS[reader]
    sqlite = archive if access is None else archive.with_access(access)
    pg = pg if access is None else pg.with_access(access)
    for key in ("all", "word", "tag:", "class:>=", "NOT", "OR", "person:"):
        for q in cases(archive.conn)[key]:
            assert pg.facets(q) == sqlite.facets(q), (key, q)
            assert pg.facets(q, top=None) == sqlite.facets(q, top=None), (key, q)
