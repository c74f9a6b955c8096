"""Released drafts: the transmitted telegram's layout, parse(render(released)) == released,
and gapless, unique serials under concurrent releases (drafting/released.py, desk.py)."""

from __future__ import annotations

import copy
import datetime as dt
import multiprocessing
import os
import time

from cablebase import generate as gen
from cablebase import render
from cablebase.access.accounts import Accounts
from cablebase.access.policy import Access
from cablebase.access.settings import get_policy
from cablebase.archive.store import open_store
from cablebase.drafting.desk import Desk, post_key
from cablebase.drafting.draft import draft_from_text
from cablebase.drafting.released import PAGING, released_record, telegram, to_form
from cablebase.drafting.store import DraftStore
from cablebase.parse import parse_text
from cablebase.record import Cable, Paragraph
from tests.test_drafting import BASE
from tests.test_drafting_store import FAST, PW
from tests.test_roundtrip import FORMS, comparable

WHEN = dt.datetime(2026, 6, 2, 14, 5, tzinfo=dt.UTC)


def as_draft(cable: Cable) -> str:
    """A generated cable as its drafter wrote it: no DTG, no serial, no transmission header."""
    d = copy.deepcopy(cable)
    for key in ("transmission_id", "station", "security", "dtg", "reference_id", "created",
                "created_from", "sections", "released", "title", "precedence",
                "info_precedence"):  # fmt: skip
        setattr(d, key, None)
    d.routing = []
    for r in d.recipients:
        r.serial = None
    return render.to_telegram(d)


def release_generated(cable: Cable, serial: int) -> Cable:
    when = dt.datetime.fromisoformat(cable.created.replace("Z", "+00:00"))
    draft = draft_from_text(as_draft(cable), date=when.date())
    return released_record(draft, post=post_key(draft.cable.post), serial=serial, when=when)


# -- layout --------------------------------------------------------------------------------


def _pages(text: str, post: str) -> tuple[list[str], list[int]]:
    """(marker labels, lines on each page) of a telegram body (from the banner on)."""
    lines = text.rstrip("\n").split("\n")
    body = lines[lines.index("") + 1 :]  # the header ends at the first blank line
    labels, sizes, cur = [], [], []
    for line in body:
        if line.startswith(post + " 000"):
            labels.append(line.split()[-3])
            sizes.append(len(cur))
            cur = []
        else:
            cur.append(line)
    sizes.append(len(cur))
    # the blank lines a marker stands between belong to neither page
    return labels, [n for n in sizes]


def _one_line_paragraphs(n: int) -> Cable:
    c = release_generated(gen.cable_at(0, seed=3), 7)
    c.references, c.captions, c.handling, c.classified_by = [], [], [], None
    c.eo = c.declassify_on = c.declassify_rule = None
    c.classification, c.tags, c.subject, c.signers = "UNCLASSIFIED", ["PREL"], "TEST", []
    c.paragraphs = [Paragraph(number=i, portion="U", text="Text.") for i in range(1, n + 1)]
    return render.paged(c, PAGING)


def test_page_of_twenty_lines_by_hand():
    # banner, blank, TAGS, SUBJECT, blank = 5 lines; each paragraph one line and a blank.
    # 8 paragraphs: 5 + 8 + 7 blanks = 20 lines, one page.
    c = _one_line_paragraphs(8)
    assert c.sections is None
    labels, sizes = _pages(telegram(c), c.post)
    assert labels == [] and sizes == [20]
    # 9 paragraphs: 22 lines; the break stands on the blank line before paragraph 9
    # (the line above ends a sentence): page 1 holds 20 lines, page 2 the last paragraph
    c = _one_line_paragraphs(9)
    text = telegram(c)
    labels, sizes = _pages(text, c.post)
    assert labels == ["001.2"] and c.sections is None
    assert "UNCLAS " + c.post in text  # one section: no SECTION in the banner
    assert sizes == [21, 2]  # 20 lines and the blank before the marker; the blank, ¶9


def test_sections_hold_at_most_five_pages():
    c = _one_line_paragraphs(80)  # 5 + 80 + 79 = 164 lines: 9 pages of 20, 2 sections
    text = telegram(c)
    labels, sizes = _pages(text, c.post)
    assert labels == ["001.2", "001.3", "001.4", "001.5", "002", "002.2", "002.3", "002.4"]
    assert c.sections is not None and (c.sections.number, c.sections.total) == (1, 2)
    assert f"UNCLAS SECTION 01 OF 02 {c.post} 000007" in text
    assert all(
        line.endswith("OF 002") for line in text.split("\n") if line.startswith(c.post + " 000")
    )
    # every page: at most 20 lines of text, not counting the blank lines around a marker
    assert max(n - 2 for n in sizes[1:-1]) <= 20 and sizes[0] - 1 <= 20
    assert text.count(c.dtg) == 1  # one DTG for every section


def test_generated_drafts_keep_page_limits():
    for i, cable in enumerate(gen.generate(60, seed=5)):
        rel = release_generated(cable, i + 1)
        text = telegram(rel)
        labels, sizes = _pages(text, rel.post)
        body = [n - (1 if k == 0 else 2) for k, n in enumerate(sizes)]
        assert max(body) <= 20 or len(body) == 1 and body[0] <= 20, (i, sizes)
        sections = rel.sections.total if rel.sections else 1
        assert sections == -(-(len(labels) + 1) // 5)
        # one DTG: the header's, and one banner
        assert text.count(rel.dtg) == 1
        assert (
            sum(line.startswith(("UNCLAS", "C O N F", "S E C R E T")) for line in text.split("\n"))
            == 1
        )


# -- parse(render(released)) == released -------------------------------------------------


def test_released_drafts_read_back_as_released_1000():
    bad = []
    for i, cable in enumerate(gen.generate(1000, seed=11)):
        rel = release_generated(cable, i + 1)
        back = parse_text(telegram(rel), form="telegram")
        if comparable(back, "telegram") != comparable(rel, "telegram"):
            bad.append(rel.reference_id)
    assert bad == []


def test_released_drafts_read_back_in_every_form():
    for i, cable in enumerate(gen.generate(60, seed=12)):
        rel = release_generated(cable, i + 1)
        for form in FORMS:
            back = parse_text(to_form(rel, form), form=form)
            a, b = comparable(back, form), comparable(rel, form)
            if form == "html":  # a Cablegate page states a title and a release date of its own
                for key in ("title", "released"):
                    a.pop(key), b.pop(key)
            assert a == b, (rel.reference_id, form)


def test_released_record_by_hand():
    draft = draft_from_text(BASE, date=WHEN.date())
    rel = released_record(draft, post="BAMAKO", serial=42, when=WHEN)
    assert (rel.reference_id, rel.dtg, rel.created) == (
        "26BAMAKO42",
        "021405Z JUN 26",
        "2026-06-02T14:05:00Z",
    )
    head = telegram(rel).split("\n")
    assert head[0] == "VZCZCXRO0042"
    assert head[1] == "OO RUEHC RUEHNK RUEHNM"
    assert head[2].startswith("DE RUEHBP #0042 153")  # Bamako's RI; day 153 of 2026
    assert head[3:6] == ["ZNY CCCCC ZZH", "O P 021405Z JUN 26", "FM AMEMBASSY BAMAKO"]
    assert "C O N F I D E N T I A L BAMAKO 000042" in head


# -- numbering under concurrent releases ---------------------------------------------------


def _worker(path: str, n: int, out) -> None:  # type: ignore[no-untyped-def]
    store = open_store(path)
    accounts = Accounts(store.conn, hasher=FAST)
    desks = {}
    for name in ("ann", "rita"):
        viewer = accounts.get_user(name).viewer
        access = Access(get_policy(store.conn), viewer)
        desks[name] = Desk(DraftStore(store.conn, access), store, viewer)
    serials = []
    for _ in range(n):
        did = desks["ann"].store.new(BASE, "text").id
        desks["ann"].submit(did, [])
        serials.append(desks["rita"].release(did, when=WHEN).serial)
    store.close()
    out.put(serials)


def test_concurrent_releases_are_gapless_and_unique(empty_archive):
    """8 processes releasing at one post, on each store (SQLite: one writer at a time;
    PostgreSQL: concurrent transactions waiting on the post's counter row).  The suite runs
    8 x 15; CABLEBASE_RELEASE_BENCH=1 runs the full 8 x 1,000 (docs/drafting.md gives its
    figures)."""
    per = 1000 if os.environ.get("CABLEBASE_RELEASE_BENCH") else 15
    procs = 8
    path = empty_archive
    store = open_store(path)
    accounts = Accounts(store.conn, hasher=FAST)
    for name, role in (("ann", "reader"), ("rita", "reader"), ("boss", "admin")):
        accounts.add_user(name, PW, role=role, clearance="S")
    boss = accounts.get_user("boss").viewer
    admin = Desk(DraftStore(store.conn, Access(get_policy(store.conn), boss)), store, boss)
    admin.add_member("release:BAMAKO", "rita")
    store.close()  # the workers open their own connections; none is shared across the fork
    # fork: the workers start without importing the package again (spawn's start-up was
    # most of the suite's run)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    started = time.perf_counter()
    workers = [ctx.Process(target=_worker, args=(path, per, queue)) for _ in range(procs)]
    for w in workers:
        w.start()
    got = [queue.get(timeout=3600) for _ in workers]
    for w in workers:
        w.join()
    took = time.perf_counter() - started
    store = open_store(path)
    total = procs * per
    every = sorted(s for serials in got for s in serials)
    assert every == list(range(1, total + 1))  # no gap, no duplicate
    assert all(serials == sorted(serials) for serials in got)  # each process saw them rise
    rows = store.conn.execute("SELECT serial, reference_id FROM draft_releases").fetchall()
    assert sorted(r[0] for r in rows) == every
    assert store.conn.execute("SELECT last FROM post_serials").fetchall() == [(total,)]
    assert store.count() == total  # every released cable is in the archive
    assert {r[1] for r in rows} == {f"26BAMAKO{n}" for n in every}
    print(f"{total} releases by {procs} processes in {took:.1f} s ({total / took:.0f}/s)")
    store.close()
