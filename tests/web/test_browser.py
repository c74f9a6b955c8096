"""The reading room in a real browser: Playwright driving Debian's Chromium headless against a
uvicorn server on loopback, over the shared test archive (conftest.py).

Every test is a user's path through the pages, asserting what the user sees; expected numbers
and ids come from the archive library itself (or, for the hand-written ATLANTIS cables, from
reading them in conftest.py).  Screenshots of the main pages are written to $CABLEBASE_ARTIFACTS
(default build/screenshots/) as test artefacts.

Skipped when /usr/bin/chromium or the playwright package is missing (CI installs both); the
browser is never downloaded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(
        "no Chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = sync_api.expect

from cablebase.archive.api import Archive  # noqa: E402
from tests.web.conftest import TOTAL, UNIQUE_WORD, on_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous: a loaded CI machine, never a sleep
PER_PAGE = 20  # hits per search page (web/pages.py)
LOOPBACK = "127.0.0.1"

expect.set_options(timeout=TIMEOUT_MS)


# -- the server, the browser, the page ---------------------------------------------------


@contextlib.contextmanager
def served(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`app` served by uvicorn in a thread, on a free loopback port: its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))  # the OS picks a free port; uvicorn serves this very socket
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:  # startup is a few milliseconds; the thread sets the flag
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        thread.join(0.01)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def server(web_archive: Path) -> Iterator[str]:
    """The reading room served by uvicorn in a thread, on a free loopback port."""
    from cablebase.web.app import create_app

    with served(create_app(web_archive)) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """One headless Chromium per module (Debian's; Playwright's own browsers are never used)."""
    pw = sync_api.sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


class Watch:
    """What went wrong in the browser behind the page's back: script errors, failed assets,
    requests off the loopback server (every asset must come from the app: no CDN)."""

    def __init__(self) -> None:
        self.script_errors: list[str] = []
        self.failed_assets: list[str] = []
        self.off_host: list[str] = []


@pytest.fixture
def page(chromium, server: str) -> Iterator:
    """A fresh browser context and tab per test, watched (see Watch) and checked at teardown."""
    context = chromium.new_context(
        base_url=server, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch()

    def gate(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOOPBACK or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watch.off_host.append(url)
            route.abort()

    context.route("**/*", gate)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: watch.script_errors.append(str(exc)))
    pg.on(
        "response",
        lambda r: (
            watch.failed_assets.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    try:
        yield pg
    finally:
        context.close()
    assert not watch.script_errors, watch.script_errors
    assert not watch.failed_assets, watch.failed_assets
    assert not watch.off_host, watch.off_host


@pytest.fixture(scope="module")
def archive(web_archive: Path) -> Iterator[Archive]:
    """The archive the server reads, opened here for the expected numbers."""
    a = Archive.open(web_archive, readonly=True)
    try:
        yield a
    finally:
        a.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    out = Path(os.environ.get("CABLEBASE_ARTIFACTS") or ROOT / "build" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def shoot(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


# -- helpers -----------------------------------------------------------------------------


def search(page, query: str) -> None:
    """Type a query in the search box and submit it, as a user does."""
    box = page.locator("#q")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator("#q")).to_have_value(query)


def hit_ids(page) -> list[str]:
    return page.locator(".hit a.cable-link").all_inner_texts()


def shown_total(page) -> int:
    return int(page.locator("#result-count strong").inner_text().replace(",", ""))


def ids(archive: Archive, query: str, sort: str = "relevance") -> list[str]:
    return [h.reference_id for h in archive.search(query, sort=sort)]


def cable_url(rid: str) -> re.Pattern:
    return re.compile(rf"/cable/{rid}$")


# -- 1. search -> facet -> cable -> reference -> back ------------------------------------


def test_search_facet_cable_reference_and_back(page, archive: Archive, shots: Path) -> None:
    page.goto("/")
    search(page, "harbour")
    # "harbour" is in the three HARBOUR TALKS cables only (conftest.py).
    expect(page.locator("#result-count")).to_contain_text("3 cables match harbour")
    assert sorted(hit_ids(page)) == ["97ATLANTIS100", "97ATLANTIS101", "97ATLANTIS102"]
    assert hit_ids(page) == ids(archive, "harbour")
    expect(page.locator(".hit mark").first).to_have_text(re.compile("harbour", re.I))

    # Classification facet: two confidential, one secret (ROUND 1).
    secret = page.locator('#facet-classification a[data-value="SECRET"]')
    expect(secret.locator(".fc")).to_have_text("1")
    expect(page.locator('#facet-classification a[data-value="CONFIDENTIAL"] .fc')).to_have_text("2")
    shoot(page, shots, "search")
    secret.click()
    page.wait_for_url(re.compile(r"class%3Asecret"))
    expect(page.locator("#q")).to_have_value("harbour class:secret")
    expect(page.locator("#result-count code.qshow")).to_have_text("harbour class:secret")
    assert shown_total(page) == archive.count("harbour class:secret") == 1
    expect(page.locator("#facet-classification li.active")).to_contain_text("Secret")
    assert hit_ids(page) == ["97ATLANTIS100"]
    results_url = page.url

    # The cable page.
    page.locator(".hit a.cable-link").first.click()
    page.wait_for_url(cable_url("97ATLANTIS100"))
    expect(page.locator("#meta-id")).to_have_text("97ATLANTIS100")
    expect(page.locator("#subject")).to_have_text("ATLANTIS: HARBOUR TALKS, ROUND 1")
    expect(page).to_have_title(re.compile(r"^97ATLANTIS100: ATLANTIS: HARBOUR TALKS, ROUND 1"))
    expect(page.locator(".classbar")).to_have_text("SECRET // SIPDIS // NOFORN")
    expect(page.locator("#meta-date")).to_contain_text("10 March 1997, 09:30 UTC")
    expect(page.locator("#meta-date")).to_contain_text("100930Z MAR 97")
    expect(page.locator("#meta-origin")).to_contain_text("Embassy Atlantis")
    expect(page.locator("#meta-origin")).to_contain_text("AMEMBASSY ATLANTIS")
    expect(page.locator("#meta-class")).to_have_text("Secret")
    expect(page.locator("#meta-handling a.caveat")).to_have_text(["SIPDIS", "NOFORN"])
    expect(page.locator("#meta-tags a.tag")).to_have_text(["PREL", "PGOV", "AT"])
    meta = page.locator("aside.meta")
    expect(meta).to_contain_text("SECSTATE WASHDC")
    expect(meta).to_contain_text("12958")
    expect(meta).to_contain_text("Ada Quill")
    expect(meta).to_contain_text("1.5(b), 1.5(d)")
    # Portion marks: paragraph 1 is (C), paragraph 2 is (U), each a visible styled badge.
    p1, p2 = page.locator("#p1 abbr.pm"), page.locator("#p2 abbr.pm")
    expect(p1).to_have_text("C")
    expect(p1).to_have_class(re.compile(r"\bpm-c\b"))
    expect(p1).to_have_attribute("title", "confidential")
    expect(p2).to_have_text("U")
    expect(p2).to_have_class(re.compile(r"\bpm-u\b"))
    expect(p1).to_be_visible()
    c_bg = p1.evaluate("e => getComputedStyle(e).backgroundColor")
    u_bg = p2.evaluate("e => getComputedStyle(e).backgroundColor")
    assert c_bg != u_bg, "confidential and unclassified marks look the same"
    expect(page.locator("#p1 .ptext")).to_contain_text(f"a {UNIQUE_WORD} toast")
    # References: A is archived (a link), B is missing, C is a memo.
    refs = page.locator("#refs li.ref")
    expect(refs).to_have_count(3)
    expect(refs.nth(0).locator("a.ref-link")).to_have_attribute("href", "/cable/97ATLANTIS101")
    expect(refs.nth(1)).to_contain_text("96ATLANTIS99")
    expect(refs.nth(1).locator(".badge.missing")).to_have_text("not in archive")
    expect(refs.nth(2).locator(".badge.kind")).to_have_text("memo")
    expect(page.locator("#unresolved")).to_contain_text("96ATLANTIS99")
    expect(page.locator("#cited-by")).to_contain_text("No cable in this archive cites")
    expect(page.locator("#prev-cable")).to_contain_text("97ATLANTIS101")
    expect(page.locator("#next-cable")).to_contain_text("97ATLANTIS103")
    expect(page.locator("#permalink")).to_have_attribute(
        "href", re.compile(r"/cable/97ATLANTIS100$")
    )
    shoot(page, shots, "cable")

    # Follow reference A to the cited cable, which lists both of its citers.
    page.locator("#refs a.ref-link").first.click()
    page.wait_for_url(cable_url("97ATLANTIS101"))
    expect(page.locator("#meta-id")).to_have_text("97ATLANTIS101")
    expect(page.locator("#subject")).to_have_text("ATLANTIS: HARBOUR TALKS, ROUND 2")
    expect(page.locator("#cited-by a.ref-link")).to_have_text(["97ATLANTIS100", "97ATLANTIS103"])
    expect(page.locator("#cited-by li").first).to_contain_text("ref. A")

    # Back to the citing cable, then back to the results.
    page.go_back()
    page.wait_for_url(cable_url("97ATLANTIS100"))
    expect(page.locator("#meta-id")).to_have_text("97ATLANTIS100")
    page.go_back()
    page.wait_for_url(results_url)
    expect(page.locator("#q")).to_have_value("harbour class:secret")
    assert hit_ids(page) == ["97ATLANTIS100"]


def test_facet_of_a_broad_query_gives_the_exact_count(page, archive: Archive, shots: Path) -> None:
    """Broad queries show exact facet counts; clicking one narrows the search to that count."""
    page.goto("/")
    search(page, "talks")
    total = archive.count("talks")
    assert total > 1000  # a broad query
    assert shown_total(page) == total
    counts = [
        f"{n:,}" for _, n in archive.facets("talks", names=("classification",))["classification"]
    ]
    expect(page.locator("#facet-classification .fc")).to_have_text(counts)
    expect(page.locator("#histogram svg rect.bar").first).to_be_attached()
    shoot(page, shots, "search-broad")
    page.locator('#facet-classification a[data-value="SECRET"]').click()
    page.wait_for_url(re.compile(r"class%3Asecret"))
    expect(page.locator("#q")).to_have_value("talks class:secret")
    narrowed = archive.count("talks class:secret")
    assert 0 < narrowed < total
    assert shown_total(page) == narrowed
    expect(page.locator("#facet-classification .fc")).to_have_text([f"{narrowed:,}"])
    assert hit_ids(page) == ids(archive, "talks class:secret")[:PER_PAGE]


# -- 2. export ---------------------------------------------------------------------------


def test_export_downloads_every_hit(page, archive: Archive, tmp_path: Path) -> None:
    query = "talks class:secret"
    page.goto("/")
    search(page, query)
    total = shown_total(page)
    want = ids(archive, query, sort="date")  # the export's default order
    assert total == len(want) > PER_PAGE  # more than one page: the export is not the page

    with page.expect_download() as info:
        page.locator("#export-csv").click()
    dl = info.value
    assert dl.failure() is None
    assert dl.suggested_filename.endswith(".csv")
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == total
    assert [r["reference_id"] for r in rows] == want
    assert {r["classification"] for r in rows} == {"SECRET"}

    with page.expect_download() as info:
        page.locator("#export-jsonl").click()
    dl = info.value
    assert dl.failure() is None
    assert dl.suggested_filename.endswith(".jsonl")
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == total
    assert [r["reference_id"] for r in records] == want
    # `talks` finds its inflections too (docs/search.md: stems): every record holds one
    assert all("talk" in json.dumps(r).lower() for r in records)
    # Downloading leaves the user on the results.
    expect(page.locator("#q")).to_have_value(query)


# -- 3. paging ---------------------------------------------------------------------------


def test_last_page_holds_the_last_hits(page, archive: Archive) -> None:
    query = "talks"
    page.goto("/")
    search(page, query)
    page.locator("a.sort--date").click()  # newest first: a total order a user can check
    page.wait_for_url(re.compile(r"sort=-date"))
    want = ids(archive, query, sort="-date")
    pages = -(-len(want) // PER_PAGE)
    assert pages > 2
    assert hit_ids(page) == want[:PER_PAGE]

    page.locator("a.pg-last").first.click()
    page.wait_for_url(re.compile(rf"page={pages}\b"))
    expect(page.locator(".pg-now")).to_have_text(f"Page {pages:,} of {pages:,}")
    last = len(want) - (pages - 1) * PER_PAGE
    assert hit_ids(page) == want[-last:]
    expect(page.locator("ol.hits")).to_have_attribute("start", str((pages - 1) * PER_PAGE + 1))
    expect(page.locator(".pg-next")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#result-count")).to_contain_text(f"{len(want):,}")

    page.locator("a.pg-prev").click()
    page.wait_for_url(re.compile(rf"page={pages - 1}\b"))
    assert hit_ids(page) == want[-last - PER_PAGE : -last]


# -- 4. bad requests ---------------------------------------------------------------------


def test_malformed_query_shows_the_fault_with_a_caret(page, shots: Path) -> None:
    query = "talks from:2009-13"  # no thirteenth month; the date starts at position 11
    page.goto("/")
    box = page.locator("#q")
    box.fill(query)
    with page.expect_response(lambda r: "/search?" in r.url) as info:
        box.press("Enter")
    assert info.value.status == 400
    err = page.locator("#query-error")
    expect(err).to_be_visible()
    expect(err).to_contain_text("2009-13")
    expect(err).to_have_attribute("data-position", "11")
    caret = page.locator("#query-error pre.caret").inner_text().split("\n")
    assert caret[0] == query
    assert caret[1] == " " * 11 + "^"
    expect(page.locator("#query-error .fault")).to_have_text("2")
    # The box keeps the query, with the text cursor at the fault (app.js, which may still be
    # loading when the page's own markup is there: waited for, as a reader's eye would).
    expect(box).to_have_value(query)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()  # app.js focuses it and sets the cursor in one step
    assert box.evaluate("e => e.selectionStart") == 11
    expect(page.locator(".hit")).to_have_count(0)
    expect(page.locator("#error")).to_have_count(0)
    shoot(page, shots, "query-error")


def test_unknown_cable_and_absurd_page_get_clear_pages(page, shots: Path) -> None:
    resp = page.goto("/cable/99NOWHERE1")
    assert resp.status == 404
    expect(page.locator("#error")).to_have_attribute("data-status", "404")
    expect(page.locator("#error h1")).to_have_text("Not found")
    expect(page.locator("#error .lede")).to_contain_text("99NOWHERE1")
    shoot(page, shots, "not-found")
    # A link on the error page leads back to a working search.
    page.locator("#error a", has_text="Back to search").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#q")).to_be_visible()

    resp = page.goto("/search?q=talks&page=999")
    assert resp.status == 404
    expect(page.locator("#error .lede")).to_contain_text("no page 999")
    resp = page.goto("/search?q=talks&page=99999999999")
    assert resp.status == 422
    expect(page.locator("#error")).to_have_attribute("data-status", "422")


# -- 5. stats, graph, telegram -----------------------------------------------------------


def test_stats_page_draws_its_charts(page, shots: Path) -> None:
    page.goto("/stats")
    expect(page.locator("#totals")).to_contain_text(f"{TOTAL:,} cables")
    months = page.locator("#chart-months svg")
    expect(months).to_be_visible()
    assert months.locator("rect").count() > 0
    for chart in ("#chart-posts", "#chart-tags"):
        expect(page.locator(f"{chart} svg")).to_be_visible()
        assert page.locator(f"{chart} svg rect.bar").count() > 0
    box = months.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 50
    shoot(page, shots, "stats")


def test_graph_and_telegram_views(page, shots: Path) -> None:
    page.goto("/cable/97ATLANTIS101")
    page.locator("#view-graph").click()
    page.wait_for_url(re.compile(r"/cable/97ATLANTIS101/graph"))
    svg = page.locator("#graph svg")
    expect(svg).to_be_visible()
    # Two hops around 101: citers 100 and 103, cited 102, and 100's missing 96ATLANTIS99.
    expect(svg.locator("circle.node")).to_have_count(5)
    expect(svg.locator("circle.node.centre")).to_have_count(1)
    expect(svg.locator("circle.node.missing")).to_have_count(1)
    expect(svg.locator("line.edge")).to_have_count(4)
    labels = sorted(svg.locator("text.nlabel").all_text_contents())
    assert labels == [
        "96ATLANTIS99",
        "97ATLANTIS100",
        "97ATLANTIS101",
        "97ATLANTIS102",
        "97ATLANTIS103",
    ]
    shoot(page, shots, "graph")
    # A node is a link to its cable.
    page.locator('#graph a.gnode[href="/cable/97ATLANTIS102"]').click()
    page.wait_for_url(cable_url("97ATLANTIS102"))
    expect(page.locator("#meta-id")).to_have_text("97ATLANTIS102")

    page.goto("/cable/97ATLANTIS100")
    page.locator("#view-telegram").click()
    page.wait_for_url(re.compile(r"/cable/97ATLANTIS100/telegram"))
    tel = page.locator("pre.telegram")
    expect(tel).to_be_visible()
    expect(tel).to_contain_text("S E C R E T")
    expect(tel).to_contain_text("TAGS: PREL PGOV AT")
    expect(tel).to_contain_text("SUBJECT: ATLANTIS: HARBOUR TALKS, ROUND 1")
    expect(tel).to_contain_text("REF: A. ATLANTIS 101")
    expect(tel).to_contain_text("1. (C) The harbour master")
    assert tel.evaluate("e => getComputedStyle(e).whiteSpace").startswith("pre")
    shoot(page, shots, "telegram")


# -- 6. keyboard -------------------------------------------------------------------------


def test_slash_focuses_the_search_box(page) -> None:
    # A cable page has only the header's box.
    page.goto("/cable/97ATLANTIS100")
    page.locator("#subject").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-q"
    assert page.locator("#top-q").input_value() == ""  # the slash was not typed

    # The search page's own box, with its query selected for replacing.
    page.goto("/search?q=harbour")
    page.locator("#result-count").click()  # away from the autofocused box
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    box = page.locator("#q")
    expect(box).to_be_focused()
    expect(box).to_have_value("harbour")
    assert box.evaluate("e => [e.selectionStart, e.selectionEnd]") == [0, len("harbour")]
    # In the box, "/" is just a character.
    page.keyboard.press("End")
    page.keyboard.press("/")
    expect(box).to_have_value("harbour/")


def test_api_docs_render_offline(page, shots: Path) -> None:
    """The OpenAPI page lists every operation with Swagger UI's files served by the app itself:
    the page's watch fails the test on any request to another origin (it once loaded the CDN
    and was blank without internet)."""
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=TIMEOUT_MS)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/search" in p for p in paths), paths
    assert any("/api/cables/{reference_id}" in p.replace("\u200b", "") for p in paths), paths
    shoot(page, shots, "api-docs")


# -- issue 12: find by id, facets that work, the keyboard, the phone, the header ------------


def shoot_at(page, shots: Path, name: str, width: int) -> None:
    """A screenshot of the page as it stands, at one viewport width (1280 desktop, 390 phone)."""
    page.set_viewport_size({"width": width, "height": 900})
    shoot(page, shots, f"{name}-{width}")


def test_a_typed_reference_id_opens_the_cable(page) -> None:
    page.goto("/")
    box = page.locator("#q")
    box.fill("97 atlantis 101")
    box.press("Enter")
    page.wait_for_url(cable_url("97ATLANTIS101"))
    expect(page.locator("#meta-id")).to_have_text("97ATLANTIS101")
    # An id the archive lacks is searched as text, as any query.
    page.goto("/")
    search(page, "97ATLANTIS999")
    expect(page.locator("#result-count")).to_contain_text("No cables match")


def test_more_values_select_and_remove_a_facet_in_one_click(
    page, archive: Archive, shots: Path
) -> None:
    every = [t for t, _ in archive.facets("", names=("tag",), top=None)["tag"]]
    assert len(every) > 10
    page.goto("/")
    expect(page.locator("#facet-tag li")).to_have_count(10)
    page.locator("#facet-tag a.facet-more").click()
    page.wait_for_url(re.compile(r"more=tag"))
    expect(page.locator("#facet-tag li")).to_have_count(min(len(every), 500))
    # A value beyond the first ten, picked: it is shown as selected, and as a chip.
    eleventh = every[10]
    page.locator(f'#facet-tag a[data-value="{eleventh}"]').click()
    page.wait_for_url(re.compile(r"q=tag%3A"))
    expect(page.locator("#q")).to_have_value(f"tag:{eleventh}")
    active = page.locator("#facet-tag li.active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text(eleventh)
    expect(page.locator("#filters .chip code")).to_have_text([f"tag:{eleventh}"])
    assert shown_total(page) == archive.count(f"tag:{eleventh}")
    shoot_at(page, shots, "search-filter", 1280)
    # One click on the × of the selected value removes it.
    active.locator("a.fx").click()
    page.wait_for_url(re.compile(r"/search\?q=$"))
    expect(page.locator("#filters")).to_have_count(0)
    assert shown_total(page) == TOTAL
    # Typed by hand (another case): highlighted all the same, and removable from its chip.
    search(page, "harbour CLASS:Secret")
    expect(page.locator("#facet-classification li.active")).to_contain_text("Secret")
    page.locator("#filters a.chip-x").click()
    page.wait_for_url(re.compile(r"q=harbour$"))
    assert shown_total(page) == archive.count("harbour") == 3


def test_tab_reaches_the_first_hit_through_the_skip_link(page) -> None:
    page.goto("/search?q=talks")
    page.locator("#q").focus()
    # From the search box: past the help toggle and the button to the skip link.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "skip-results":
            break
    assert page.evaluate("document.activeElement.id") == "skip-results"
    expect(page.locator("#skip-results")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.hit') ? 1 : 0")
    assert focused == 1, "Tab after the skip link is not on the first hit"
    first = page.locator(".hit a.cable-link").first.inner_text()
    assert page.evaluate("document.activeElement.textContent.trim()") == first


def test_results_per_page_on_the_page(page, archive: Archive) -> None:
    page.goto("/search?q=talks")
    expect(page.locator(".hit")).to_have_count(20)
    page.locator('#perpage a[data-per="50"]').click()
    page.wait_for_url(re.compile(r"per=50"))
    expect(page.locator(".hit")).to_have_count(50)
    assert hit_ids(page) == ids(archive, "talks")[:50]
    page.locator(".pager a.pg-next").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".hit")).to_have_count(50)
    assert hit_ids(page) == ids(archive, "talks")[50:100]


def _noforn_cable(archive: Archive) -> str:
    """A cable of the archive with a caveat in a paragraph's portion mark (S/NF, C/NF...)."""
    for hit in archive.search("handling:noforn", sort="date", limit=200):
        cable = archive.get(hit.reference_id)
        if cable and any(p.portion and "/" in p.portion for p in cable.paragraphs):
            return hit.reference_id
    pytest.fail("no cable with a caveat in a portion mark in the test archive")


def test_phone_first_hit_near_the_top_and_facets_after(page, shots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search?q=talks")
    first = page.locator(".hit").first.bounding_box()
    assert first["y"] < 600, f"the first hit is {first['y']:.0f} px down"
    last = page.locator(".hit").last.bounding_box()
    assert page.locator("#facets").bounding_box()["y"] > last["y"]
    # No sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot_at(page, shots, "search", 390)
    shoot_at(page, shots, "search", 1280)


def test_phone_cable_text_first_and_badges_clear_of_the_text(
    page, archive: Archive, shots: Path
) -> None:
    rid = _noforn_cable(archive)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"/cable/{rid}")
        paras = page.locator(".para")
        assert paras.count() > 0
        for i in range(paras.count()):
            para = paras.nth(i)
            text = para.locator(".ptext").bounding_box()
            for badge in para.locator("abbr.pm").all():
                box = badge.bounding_box()
                assert box["x"] + box["width"] <= text["x"] + 0.5, (
                    f"{rid} ¶{i + 1}: a portion badge runs into the text at {width} px"
                )
        shoot(page, shots, f"cable-{width}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/cable/{rid}")
    top = page.locator(".ptext").first.bounding_box()["y"]
    assert top < 900, f"the text starts {top:.0f} px down on a phone"
    assert (
        page.locator(".ptext").first.bounding_box()["y"]
        < page.locator("aside.meta").bounding_box()["y"]
    )


def test_phone_graph_labels_are_readable(page, shots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/cable/97ATLANTIS101/graph")
    labels = page.locator(".graph .nlabel")
    assert labels.count() >= 3
    # The rendered size of the label text, not its size in the drawing's units.
    heights = [
        labels.nth(i).evaluate("e => e.getBBox().height * e.getScreenCTM().a")
        for i in range(labels.count())
    ]
    assert min(heights) >= 10, f"graph labels {min(heights):.1f} px tall on a phone"
    shoot(page, shots, "graph-390")


@pytest.fixture(scope="module")
def open_admin_server(web_archive: Path, tmp_path_factory) -> Iterator[str]:
    """The reading room over a copy of the archive (open policy) holding an admin account,
    on each store."""
    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store
    from cablebase.web.app import create_app
    from tests.web.conftest import PASSWORD, cheap_hasher, copy_archive

    path = copy_archive(web_archive, tmp_path_factory.mktemp("admin"))
    with open_store(path) as store:
        Accounts(store.conn, hasher=cheap_hasher()).add_user(
            "administrator", PASSWORD, "admin", "TOP SECRET"
        )
        if not on_postgres(path):
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with served(create_app(path, hasher=cheap_hasher())) as url:
        yield url


def test_login_page_on_an_open_archive_and_the_header_logged_in(
    page, open_admin_server: str, shots: Path
) -> None:
    from tests.web.conftest import PASSWORD

    page.goto(open_admin_server + "/login")
    expect(page.locator("#login-note")).to_contain_text(
        "every cable can be read without an account"
    )
    panel = page.locator("#login").bounding_box()
    assert panel["width"] < 500, "the login form spans the page"
    assert page.locator("#login-name").bounding_box()["width"] > 250
    shoot_at(page, shots, "login", 1280)
    shoot_at(page, shots, "login", 390)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#login-name", "administrator")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_contain_text("administrator")
    for path in ("/", "/cable/97ATLANTIS100", "/stats"):
        page.goto(open_admin_server + path)
        header = page.locator("header.top").bounding_box()
        assert header["height"] < 70, f"the header wraps on {path}: {header['height']:.0f} px"
    shoot_at(page, shots, "cable-logged-in", 1280)


# -- accessibility: the serious rules of axe-core, checked in the page ----------------------

# In the page: the checks of axe-core's serious and critical rules that apply to these pages
# (document-title, html-has-lang, duplicate-id for labels, label, link-name, button-name,
# image-alt / svg-img-alt, color-contrast for text), each violation as "rule: where".
A11Y_AUDIT = r"""
() => {
  const out = [];
  const where = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const visible = (e) => {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden') return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !e.closest('[aria-hidden="true"], details:not([open]) > :not(summary)');
  };
  const name = (e) => {
    if (e.getAttribute('aria-label')) return e.getAttribute('aria-label').trim();
    const by = e.getAttribute('aria-labelledby');
    if (by) return by.split(/\s+/).map(i => (document.getElementById(i) || {}).textContent || '').join(' ').trim();
    if (e.id) { const l = document.querySelector(`label[for="${e.id}"]`); if (l) return l.textContent.trim(); }
    if (e.closest('label')) return e.closest('label').textContent.trim();
    const t = (e.textContent || '').trim() || e.getAttribute('title') || '';
    if (t) return t.trim();
    const img = e.querySelector('img[alt], svg[aria-label], title');
    return img ? (img.getAttribute('alt') || img.getAttribute('aria-label') || img.textContent || '').trim() : '';
  };
  if (!document.title.trim()) out.push('document-title');
  if (!document.documentElement.lang) out.push('html-has-lang');
  const ids = {};
  document.querySelectorAll('[id]').forEach(e => { ids[e.id] = (ids[e.id] || 0) + 1; });
  Object.entries(ids).filter(([, n]) => n > 1).forEach(([id]) => out.push('duplicate-id: ' + id));
  document.querySelectorAll('a[href]').forEach(e => { if (!name(e)) out.push('link-name: ' + where(e)); });
  document.querySelectorAll('button').forEach(e => { if (!name(e)) out.push('button-name: ' + where(e)); });
  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(e => {
    if (!name(e)) out.push('label: ' + where(e));
  });
  document.querySelectorAll('img').forEach(e => { if (!e.hasAttribute('alt')) out.push('image-alt: ' + where(e)); });
  document.querySelectorAll('svg[role=img]').forEach(e => {
    if (!e.getAttribute('aria-label') && !e.querySelector(':scope > title')) out.push('svg-img-alt: ' + where(e));
  });
  // Colour contrast of text (WCAG AA: 4.5, or 3 for large text), on opaque backgrounds.
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      if (c.length === 4 && c[3] > 0) return null;  // translucent: not judged (as axe: "needs review")
      if (getComputedStyle(n).backgroundImage !== 'none') return null;
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    // As axe: text of disabled controls and of graphics (a redaction bar is role=img) is exempt.
    if (!t.textContent.trim() || !e || seen.has(e) || !visible(e)) continue;
    if (e.closest('svg, .sr-only, .skip, [role=img], [aria-disabled=true], :disabled')) continue;
    seen.add(e);
    const s = getComputedStyle(e);
    const bg = background(e);
    const fg = rgb(s.color);
    if (!bg || (fg.length === 4 && fg[3] < 1)) continue;
    const [a, b] = [lum(fg.slice(0, 3)), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need - 0.01) out.push(`color-contrast ${ratio.toFixed(2)} < ${need}: ${where(e)} "${t.textContent.trim().slice(0, 30)}"`);
  }
  return out;
}
"""


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=harbour+class%3Aconfidential",
        "/search?q=talks&more=tag",
        "/cable/97ATLANTIS100",
        "/cable/97ATLANTIS101/graph",
        "/cable/97ATLANTIS100/telegram",
        "/browse/posts",
        "/browse/tags",
        "/browse/months",
        "/stats",
        "/about",
        "/login",
        "/search?q=handling%3Anoforn",
    ],
)
def test_main_pages_pass_the_serious_accessibility_rules(page, path: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path)
        violations = page.evaluate(A11Y_AUDIT)
        assert not violations, f"{path} at {width} px: {violations[:12]}"


def test_phone_histogram_axis_is_readable(page, shots: Path) -> None:
    page.goto("/search?q=talks")
    expect(page.locator("#histogram .chart-axis")).to_be_hidden()  # the drawing's own labels
    page.set_viewport_size({"width": 390, "height": 844})
    axis = page.locator("#histogram .chart-axis span")
    expect(axis.first).to_be_visible()
    labels = axis.all_inner_texts()
    # The drawing's first text is its top count, then the bar labels.
    years = page.locator("#histogram svg text.axis").all_text_contents()[1:]
    assert labels[0] == years[0] and labels[-1].isdigit() and int(labels[-1]) >= int(years[-1])
    size = axis.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 12, f"axis labels {size}px on a phone"
    expect(page.locator("#histogram svg text.axis").first).to_be_hidden()
