"""One cable from many sources (archive/merge.py, docs/sources.md).

An invented cable, 09ZENDA123, written here by hand in two published forms: a Cablegate page
(release date; created with the page's corrupt minute; no header, as some pages have) and a
cables.csv row (the ACP-127 header with the DTG 041527Z MAR 09; a subject reading HARBOR where
the page reads HARBOUR).  Expected values are read off these texts.
"""

from __future__ import annotations

import sqlite3
import tarfile
from pathlib import Path

import pytest

from cablebase.archive.api import Archive
from cablebase.archive.ingest import ingest
from cablebase.archive.merge import DISAGREE, expansions, merge
from cablebase.archive.sqlite import SQLiteStore, full_json
from cablebase.archive.store import open_store
from cablebase.parse import parse_text
from cablebase.record import Cable, Paragraph, Source

RID = "09ZENDA123"
HEADER = """VZCZCXRO5521
PP RUEHWEB
DE RUEHZE #0123/01 0631527
ZNY CCCCC ZZH
P 041527Z MAR 09
FM AMEMBASSY ZENDA
TO RUEHC/SECSTATE WASHDC PRIORITY 4410
INFO RUEHRL/AMEMBASSY BERLIN PRIORITY 0077"""
BODY = """C O N F I D E N T I A L ZENDA 000123

SIPDIS

E.O. 12958: DECL: 03/04/2019
TAGS: PGOV PREL ZE
SUBJECT: ZENDA: MINISTER REVIEWS {word} PLAN WITH AMBASSADOR

Classified By: Ambassador Rudolf Rassendyll, reasons 1.4 (b) and (d).

1. (C) The Minister of Works told the Ambassador on March 3 that the
new harbour plan would go to cabinet in April.

2. (C) Comment: the plan has stalled twice before. End comment.

RASSENDYLL"""

SHARED = Path(__file__).resolve().parents[2] / "shared"


def page() -> str:
    """The Cablegate page: the site's minute bug (15:03 for 15:27), released 2010-11-28 18:06."""
    body = BODY.format(word="HARBOUR").replace("\n", "&#x000A;")
    return f"""<html><body><div class='pane big'>
<h3>Viewing cable {RID}, ZENDA: MINISTER REVIEWS HARBOUR PLAN WITH AMBASSADOR</h3>
<table class='cable'>
<tr><th>Reference ID</th><th>Created</th><th>Released</th><th>Classification</th><th>Origin</th></tr>
<tr><td><a href='/cable/2009/03/{RID}.html'>{RID}</a></td>
<td><a href='/date/2009-03_0.html'>2009-03-04 15:03</a></td>
<td><a href='/reldate/2010-11-28_0.html'>2010-11-28 18:06</a></td>
<td><a href='/classification/1_0.html'>CONFIDENTIAL</a></td>
<td><a href='/origin/1_0.html'>Embassy Zenda</a></td></tr>
</table>
<code><pre></pre></code>
<code><pre>{body}</pre></code>
</div></body></html>
"""


def row(word: str = "HARBOR") -> str:
    fields = ["4242", "3/4/2009 15:27", RID, "Embassy Zenda", "CONFIDENTIAL", ""]
    fields += [HEADER + "\n", BODY.format(word=word) + "\n"]
    return ",".join('"' + f.replace('"', '\\"') + '"' for f in fields) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    html = tmp_path / f"{RID}.html"
    html.write_text(page())
    csv = tmp_path / "cables.csv"
    csv.write_text(row())
    return html, csv


def _archive(location, *inputs: Path):  # -> the store (SQLiteStore or PgStore)
    """The store of `location` (a SQLite file, or conftest.archive_store's location on either
    store) after ingesting each input in turn."""
    for p in inputs:
        ingest([p], location, workers=1)
    return open_store(location)


def _snapshot(store) -> tuple:
    c = store.conn
    return (
        c.execute("SELECT * FROM cables ORDER BY id").fetchall(),
        c.execute("SELECT * FROM paragraphs ORDER BY cable_id, position").fetchall(),
        c.execute("SELECT * FROM tags ORDER BY cable_id, tag").fetchall(),
        c.execute("SELECT * FROM sources ORDER BY cable_id").fetchall(),
        c.execute("SELECT * FROM texts ORDER BY cable_id").fetchall(),
        c.execute(
            'SELECT reference_id, form, path, "offset", digest, superseded FROM cable_sources'
            " ORDER BY id"
        ).fetchall(),
        c.execute(
            "SELECT reference_id, version, source_hash FROM cable_versions ORDER BY version"
        ).fetchall(),
    )


# -- the archive ------------------------------------------------------------------------


def test_page_and_row_in_either_order_give_one_merged_record(archive_store, files) -> None:
    html, csv = files
    with _archive(archive_store([]), html, csv) as a, _archive(archive_store([]), csv, html) as b:
        one, other = a.get(RID), b.get(RID)
        assert one is not None and other is not None
        assert full_json(one) == full_json(other)
        assert one.source.path == other.source.path  # the same body source chosen
        for store in (a, b):
            got = {(s.form, s.path, s.offset) for s in store.sources(RID)}
            assert got == {("html", str(html), None), ("csv", str(csv), 0)}
            assert store.count() == 1


def test_fields_only_one_form_has_survive(archive_store, files) -> None:
    html, csv = files
    for order in ((html, csv), (csv, html)):
        with _archive(archive_store([]), *order) as store:
            c = store.get(RID)
            assert c is not None
            # Only the page states the release date (its minute is the site's bug: 18:00).
            assert c.released == "2010-11-28T18:00:00Z"
            # Only the row has the header: its DTG gives the minute the page lacks.
            assert (c.created, c.created_from) == ("2009-03-04T15:27:00Z", "dtg")
            assert c.dtg == "041527Z MAR 09" and c.sender == "AMEMBASSY ZENDA"
            assert [r.name for r in c.recipients] == ["SECSTATE WASHDC", "AMEMBASSY BERLIN"]
            assert c.source.header and c.source.header.startswith("VZCZCXRO5521")
            # The page's own "minute unknown" is moot: the row's DTG gave the minute.
            page_own = {s.form: r for s, r in store.source_records(RID)}["html"]
            assert "meta.created_minute_unknown" in {w.code for w in page_own.warnings}
            assert "meta.created_minute_unknown" not in {w.code for w in c.warnings}
            assert c.title == "ZENDA: MINISTER REVIEWS HARBOUR PLAN WITH AMBASSADOR"
            assert c.tags == ["PGOV", "PREL", "ZE"]
            assert c.signers == ["RASSENDYLL"]
            (col,) = store.conn.execute("SELECT released FROM cables").fetchone()
            assert col == "2010-11-28T18:00:00Z"


def test_a_disagreement_is_a_warning_naming_field_and_sources(archive_store, files) -> None:
    html, csv = files
    with _archive(archive_store([]), csv, html) as store:
        c = store.get(RID)
        assert c is not None
        # The page ranks first among forms: its subject is kept, the row's is reported.
        assert c.subject == "ZENDA: MINISTER REVIEWS HARBOUR PLAN WITH AMBASSADOR"
        found = [w for w in c.warnings if w.code == DISAGREE]
        assert [w.where for w in found] == ["subject"]
        msg = found[0].message
        assert f"html {html.name}" in msg and "csv cables.csv#row0" in msg
        assert "HARBOR" in msg and "HARBOUR" in msg
        n = store.conn.execute("SELECT n_warnings FROM cables").fetchone()[0]
        assert n == len(c.warnings)


def test_reingesting_is_idempotent(tmp_path, files, archive_store) -> None:
    html, csv = files
    db = archive_store([])
    with _archive(db, html, csv) as store:
        before = _snapshot(store)
    again = ingest([html, csv], db, workers=1)
    assert (again.added, again.updated, again.unchanged, again.sources) == (0, 0, 2, 0)
    # The same files under other names (a copy): the same content, not a new source.
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / html.name).write_text(html.read_text())
    assert ingest([copy], db, workers=1).unchanged == 1
    with open_store(db) as store:
        assert _snapshot(store) == before


def test_a_changed_source_supersedes_its_old_read_and_nothing_is_lost(archive_store, files) -> None:
    html, csv = files
    db = archive_store([])
    _archive(db, html, csv).close()
    csv.write_text(row(word="HARBOUR"))  # the row corrected: the sources now agree
    summary = ingest([csv], db, workers=1)
    assert (summary.updated, summary.sources) == (1, 1)
    with open_store(db) as store:
        c = store.get(RID)
        assert not [w for w in c.warnings if w.code == DISAGREE]
        assert len(store.sources(RID)) == 2
        every = store.sources(RID, superseded=True)
        assert len(every) == 3 and sum(s.superseded is not None for s in every) == 1
        # The old read is kept, with its own record; the earlier merges are versions.
        old = next(s for s in every if s.superseded)
        assert "HARBOR PLAN" in store._source_record(old).subject
        assert [v for v, _ in store.versions(RID)] == [1, 2]
    # The old row again: current again, no duplicate row.
    csv.write_text(row())
    ingest([csv], db, workers=1)
    with open_store(db) as store:
        assert len(store.sources(RID, superseded=True)) == 3
        assert [w.where for w in store.get(RID).warnings if w.code == DISAGREE] == ["subject"]


def test_source_records_are_each_sources_own(archive_store, files) -> None:
    html, csv = files
    with _archive(archive_store([]), html, csv) as store:
        records = {s.form: r for s, r in store.source_records(RID)}
        assert records["html"].released == "2010-11-28T18:00:00Z"
        assert records["html"].header_kind == "none" and records["html"].dtg is None
        assert records["csv"].released is None and records["csv"].dtg == "041527Z MAR 09"
        assert records["csv"].source.path == str(csv) and records["csv"].source.offset == 0
        (info,) = [s for s in store.sources(RID) if s.form == "html"]
        assert info.released == "2010-11-28T18:00:00Z" and info.file == str(html)


def test_an_archive_from_before_sources_adopts_its_record_as_a_source(tmp_path, files) -> None:
    html, csv = files
    db = tmp_path / "a.db"
    _archive(db, html).close()
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM cable_sources")  # as migration 4 leaves an older archive
    conn.commit()
    conn.close()
    ingest([csv], db, workers=1)
    with SQLiteStore(db) as store:
        assert {s.form for s in store.sources(RID)} == {"html", "csv"}
        assert store.get(RID).released == "2010-11-28T18:00:00Z"


def test_released_is_searchable(archive_store, files) -> None:
    html, csv = files
    db = archive_store([])
    _archive(db, html, csv).close()
    with Archive.open(db) as a:
        for q in (
            "released:2010-11",
            "released:2010",
            "released:2010-11-28",
            "released:2010-11..2011-09",
        ):
            assert [h.reference_id for h in a.search(q)] == [RID], q
            assert a.count(q) == 1, q
        for q in ("released:2010-12", "released:2010-11-29..2011-09", "-released:2010-11"):
            assert a.count(q) == 0, q
        assert a.count("released:2010-11 harbour") == 1


def test_cable_page_shows_release_date_sources_and_disagreement(
    tmp_path, files, archive_store
) -> None:
    from fastapi.testclient import TestClient

    from cablebase.web.app import create_app

    html, csv = files
    db = archive_store([])
    _archive(db, html, csv).close()
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        r = client.get(f"/cable/{RID}")
        doc = client.get(f"/api/cables/{RID}")
    assert doc.status_code == 200  # the merged record passes the API's model
    assert "merge.disagree" in {w["code"] for w in doc.json()["warnings"]}
    assert doc.json()["released"] == "2010-11-28T18:00:00Z"
    assert r.status_code == 200
    assert 'id="meta-released">28 November 2010<' in r.text
    assert 'id="sources"' in r.text and html.name in r.text and "cables.csv" in r.text
    assert str(tmp_path) not in r.text  # no folder of the server reaches a reader
    assert "HARBOR" in r.text.split('id="sources"')[1]


# -- releases still work over sources ------------------------------------------------------


def test_a_published_release_stays_and_new_reads_of_its_sources_change_nothing(
    files, archive_store
):
    from cablebase.access import releases as R

    html, csv = files
    db = archive_store([])
    _archive(db, html, csv).close()
    with open_store(db) as store:
        r = R.prepare(store, RID, withheld=[1], by="alice")
        R.review(store, r.id, by="bob")
        R.publish(store, r.id, by="bob")
    summary = ingest([html, csv], db, workers=1)
    assert (summary.updated, summary.unchanged) == (0, 2)
    with open_store(db) as store:
        assert R.provenance(store, RID) is not None
        assert store.get(RID).source.form == "release"


# -- the rule, on records ------------------------------------------------------------------


def _rec(form: str, path: str, **kw) -> Cable:
    kw.setdefault("reference_id", RID)
    return Cable(source=Source(form=form, path=path), **kw)


def test_the_merged_record_validates_against_the_record_schema(files, archive_store) -> None:
    import json
    from importlib import resources

    import jsonschema

    schema = json.loads(
        resources.files("cablebase").joinpath("schema/cable.schema.json").read_text()
    )
    html, csv = files
    with _archive(archive_store([]), html, csv) as store:
        jsonschema.validate(json.loads(store.get(RID).to_json()), schema)


def test_one_source_is_its_own_merged_record() -> None:
    c = _rec("html", "a.html", subject="X")
    assert merge([c]) is c


def test_the_rule_does_not_depend_on_arrival_order() -> None:
    a = _rec("html", "p.html", subject="A", tags=["PGOV"], released="2010-11-28T18:00:00Z")
    b = _rec("csv", "c.csv", subject="B", tags=["PGOV", "Political Affairs"])
    c = _rec("markdown", "m.md", subject="A", signers=["ROE"])
    first = merge([a, b, c])
    for order in ([c, b, a], [b, a, c], [c, a, b]):
        assert full_json(merge(order)) == full_json(first)


def test_codes_over_expansions() -> None:
    csv = _rec("csv", "c.csv", tags=["PGOV", "ECON", "BR", "Economic Policy & General Analysis"])
    page = _rec("markdown", "m.md", tags=["PGOV", "ECON", "BR"])
    assert merge([csv, page]).tags == ["PGOV", "ECON", "BR"]
    assert expansions(["FREE TRADE AGREEMENT OF AMERICA (FTAA)", "OVIP", "CLINTON, HILLARY"]) == 1
    assert expansions(["GAZA DISENGAGEMENT", "KPAL", "OVIP BIDEN JOSEPH"]) == 0


def test_access_fields_take_the_strictest_source() -> None:
    a = _rec("html", "p.html", classification="CONFIDENTIAL", handling=["SIPDIS", "EXDIS"])
    b = _rec("csv", "c.csv", classification="SECRET", handling=["NOFORN", "SIPDIS"])
    m = merge([a, b])
    assert (m.classification, m.handling) == ("SECRET", ["SIPDIS", "EXDIS", "NOFORN"])
    assert [w.where for w in m.warnings if w.code == DISAGREE] == ["classification", "handling"]
    # A container's caveat the text lacks (SECRET//NOFORN) is more, not a contradiction.
    c = _rec("csv", "c.csv", classification="CONFIDENTIAL", handling=["SIPDIS", "EXDIS", "NOFORN"])
    m = merge([a, c])
    assert m.handling == ["SIPDIS", "EXDIS", "NOFORN"]
    assert not [w for w in m.warnings if w.code == DISAGREE]


def test_forms_of_one_record_do_not_disagree() -> None:
    """The published forms of one cable, rendered from one record: no false disagreement
    (white space, a container's caveats, the page's unknown minute)."""
    from cablebase.generate import generate
    from cablebase.render import to_form

    for cable in generate(40, seed=21):
        records = []
        for form in ("html", "csv", "telegram"):
            r = parse_text(to_form(cable, form), form=form, reference_id=cable.reference_id)
            r.source.path = f"{cable.reference_id}.{form}"
            records.append(r)
        m = merge(records)
        assert not [w.message for w in m.warnings if w.code == DISAGREE], cable.reference_id
        assert m.released == cable.released[:14] + "00:00Z"  # the page's, to the hour


def test_created_from_the_best_founded_time_and_the_longest_complete_body() -> None:
    meta = _rec(
        "html",
        "p.html",
        created="2009-03-04T15:00:00Z",
        created_from="meta",
        partial=True,
        paragraphs=[Paragraph(number=1, text="This record is a partial extract and longer.")],
    )
    dtg = _rec(
        "csv",
        "c.csv",
        created="2009-03-04T15:27:00Z",
        created_from="dtg",
        paragraphs=[Paragraph(number=1, text="Whole text.")],
        summary="S",
    )
    m = merge([meta, dtg])
    assert (m.created, m.created_from) == ("2009-03-04T15:27:00Z", "dtg")
    assert [p.text for p in m.paragraphs] == ["Whole text."] and not m.partial
    # The same hour: no disagreement (the page's minute is unknown, not different).
    assert not [w for w in m.warnings if w.code == DISAGREE]


# -- the real seed and its Cablegate page --------------------------------------------------

SEED = SHARED / "seed" / "000_a14579bc8f05333a.txt"
TAR = SHARED / "corpus" / "cablegate-html-dev.tar.xz"
MEMBER = "cable/2009/12/09BAMAKO776.html"


@pytest.mark.skipif(not SEED.exists() or not TAR.exists(), reason="../shared is not present")
@pytest.mark.parametrize("seed_first", [False, True])
def test_the_seed_and_its_cablegate_page_keep_the_release_date(archive_store, seed_first) -> None:
    with tarfile.open(TAR) as tar:
        member = tar.extractfile(MEMBER)
        assert member is not None
        page_cable = parse_text(member.read().decode("utf-8"), form="html")
    page_cable.source.path = f"{TAR}!{MEMBER}"
    db = archive_store([])
    if seed_first:
        ingest([SEED], db, workers=1)
    with open_store(db) as store:
        store.put_many([page_cable])
    if not seed_first:
        ingest([SEED], db, workers=1)
    with open_store(db) as store:
        c = store.get("09BAMAKO776")
        # Read off the page: Released 2010-12-14 21:09 (the minute is the site's bug).
        assert c.released == "2010-12-14T21:00:00Z"
        assert (c.created, c.subject) == (
            "2009-12-01T16:39:00Z",
            "AMBASSADOR AND GENERAL WARD MEET WITH MALIAN PRESIDENT AMADOU TOUMANI TOURE",
        )
        forms = sorted(s.form for s in store.sources("09BAMAKO776"))
        assert len(forms) == 2 and forms[0] == "html"
        assert {s.member for s in store.sources("09BAMAKO776")} >= {MEMBER}


def test_a_partial_view_keeps_the_release_date() -> None:
    from cablebase.access.policy import Access, Policy, Viewer, view

    c = Cable(
        reference_id=RID,
        classification="SECRET",
        released="2010-11-28T18:00:00Z",
        paragraphs=[
            Paragraph(number=1, portion="U", text="Open."),
            Paragraph(number=2, portion="S", text="Shut."),
        ],
    )
    decision, shown = view(
        c, Access(Policy("controlled", portions=True), Viewer("u", "reader", 0, 0))
    )
    assert decision == "partial" and shown is not None
    assert shown.released == "2010-11-28T18:00:00Z"
    assert [p.text for p in shown.paragraphs][
        0
    ] == "Open." and "Shut." not in shown.to_json().decode()


def test_access_columns_judge_the_merged_record(archive_store) -> None:
    from cablebase.access.policy import caveat_bits

    page = _rec("html", "p.html", classification="CONFIDENTIAL", handling=["SIPDIS"])
    row = _rec("csv", "c.csv", classification="SECRET", handling=["SIPDIS", "NOFORN"])
    with open_store(archive_store([])) as store:
        store.put_many([page])
        assert store.columns(RID)[1].rank == 1
        assert store.put_many([row]).updated == 1
        cols = store.columns(RID)[1]
        assert cols.rank == 2 and cols.bits & caveat_bits(["NOFORN"])
        assert store.conn.execute("SELECT classification FROM cables").fetchone() == ("SECRET",)


def test_a_reread_single_source_is_stored_once(files, archive_store) -> None:
    """A cable with one source keeps its record once (as the cable's version), also when the
    file is read again changed: both reads found by digest among the versions."""
    html, _ = files
    db = archive_store([])
    _archive(db, html).close()
    html.write_text(page().replace("2010-11-28 18:06", "2010-12-01 09:09"))
    assert ingest([html], db, workers=1).updated == 1
    with open_store(db) as store:
        every = store.sources(RID, superseded=True)
        assert [s.record_json for s in every] == [None, None]
        got = sorted(store._source_record(s).released for s in every)
        assert got == ["2010-11-28T18:00:00Z", "2010-12-01T09:00:00Z"]
        assert store.get(RID).released == "2010-12-01T09:00:00Z"


def test_show_lists_the_sources_and_disagreements(files, archive_store) -> None:
    from click.testing import CliRunner

    from cablebase.cli import main

    html, csv = files
    db = archive_store([])
    _archive(db, html, csv).close()
    out = CliRunner().invoke(main, ["show", RID, "--archive", str(db)]).output
    listed = out.split("-- sources --")[1].splitlines()
    assert f"html      {html}   released 2010-11-28" in listed
    assert f"csv       {csv}#row0" in listed
    assert any(line.startswith("disagree  subject: ") for line in listed)


def test_every_field_of_the_record_is_merged() -> None:
    """Each field of the record is set by the merge: a source that alone has a value of any
    field (one added to the record later too) gives it to the merged record."""
    from dataclasses import fields

    full = Cable.from_dict(parse_text(page(), form="html").to_dict())
    for f in fields(Cable):
        if f.name in ("source", "warnings", "reference_id"):
            continue
        value = getattr(full, f.name)
        if value in (None, [], False):
            continue
        bare = _rec("csv", "c.csv")
        only = _rec("markdown", "m.md", **{f.name: value})
        assert getattr(merge([bare, only]), f.name) == value, f.name


@pytest.mark.parametrize(
    "mark, statement",
    [("C/NF", ""), ("S//NOFORN/ORCON", ""), ("C", "CONFIDENTIAL//NOFORN - ENTIRE TEXT. ")],
)
def test_the_merged_record_requires_what_every_source_requires(mark, statement):
    """The merged body comes from one source, but the record quotes the others (its
    disagreements): a caveat a shorter source states only in a portion mark or an ENTIRE
    TEXT statement is the merged record's too (found by tests/test_access_probe.py)."""
    from cablebase.access.policy import (
        ALL_BITS,
        ENTIRE_TEXT,
        _bit,
        portion_requirement,
        requirement,
    )

    long = Cable(
        reference_id="09X1",
        classification="CONFIDENTIAL",
        paragraphs=[Paragraph(number=1, portion="C", text="A long paragraph of the body. " * 5)],
        source=Source(form="html", path="a.html"),
    )
    short = Cable(
        reference_id="09X1",
        classification="CONFIDENTIAL",
        paragraphs=[Paragraph(number=1, portion=mark, text=f"{statement}The short one.")],
        source=Source(form="csv", path="b.csv", offset=1),
    )
    merged = merge([long, short])
    assert merged.paragraphs == long.paragraphs
    assert any(w.code == DISAGREE and "The short one" in w.message for w in merged.warnings)
    need = requirement(merged)
    for source in (long, short):
        assert requirement(source).bits & ALL_BITS & ~need.bits == 0, merged.handling
    # A whole-text statement covers the merged body's portions too: its (C) paragraph then
    # needs what the statement names, in a partial view as well.
    body = portion_requirement(merged.paragraphs[0].portion, need)
    assert bool(body.bits & _bit("NOFORN")) == bool(statement)
    assert bool(need.bits & ENTIRE_TEXT) == bool(statement)
