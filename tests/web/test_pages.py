"""The reading room's HTML pages, through the real app over a real archive.

The archive is the shared test archive (conftest.py: generated cables plus the hand-written
ATLANTIS cables) copied, with two more hand-written cables of this module: one whose subject,
heading, text and origin are hostile HTML, and one whose text holds brackets and a redaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from cablebase.record import Cable, Paragraph, Reference
from tests.web.conftest import UNIQUE_WORD, copy_archive, put_cables

HOSTILE = "97EVIL1"
BRACKETS = "97ATLANTIS104"


# The same post and serial in two years (a post Cablegate knows): `BAMAKO 5` names both.
TWINS = ("96BAMAKO5", "97BAMAKO5")


def _extra_cables() -> list[Cable]:
    return [
        *(
            Cable(
                reference_id=rid,
                created=f"19{rid[:2]}-02-01T10:00:00Z",
                origin="Embassy Bamako",
                post="BAMAKO",
                classification="UNCLASSIFIED",
                subject="MALI: TWIN SERIALS",
                tags=["PREL"],
                paragraphs=[Paragraph(number=1, portion="U", text="Same serial, another year.")],
            )
            for rid in TWINS
        ),
        Cable(
            reference_id=HOSTILE,
            created="1997-04-02T10:00:00Z",
            origin='Embassy <Evil> "Quoted"',
            post="EVIL",
            classification="UNCLASSIFIED",
            subject='<script>alert("subject")</script> & <b>BOLD</b> QUUXWORD',
            tags=["PHUM", "<SCRIPT>"],
            paragraphs=[
                Paragraph(
                    number=1,
                    portion="S/NF",
                    heading="<i>HEADING</i>",
                    text='The <img src=x onerror=alert(1)> quuxword gambit & "quotes".',
                )
            ],
            references=[
                Reference(letter="A", text="<b>EVIL</b> 7", kind="other"),
            ],
        ),
        Cable(
            reference_id=BRACKETS,
            created="1997-03-20T08:00:00Z",
            released="2010-11-28T18:00:00Z",
            origin="Embassy Atlantis",
            post="ATLANTIS",
            classification="CONFIDENTIAL",
            subject="ATLANTIS: PORT BLOCKADE [SIC] NOTED",
            tags=["PREL", "COUNTER TERRORISM"],
            paragraphs=[
                Paragraph(
                    number=1,
                    portion="C",
                    text="The minister [sic] spoke of the blockade. Source XXXXXXXX confirmed it.",
                ),
                Paragraph(
                    number=2, portion="TS/NF", text="A second paragraph.\n\nIts second part."
                ),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def pages_archive(web_archive: Path | str, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """A copy of the test archive on its store, with the cables of _extra_cables."""
    location = copy_archive(web_archive, tmp_path_factory.mktemp("pages"))
    put_cables(location, _extra_cables())
    return location


@pytest.fixture(scope="module")
def web(pages_archive: Path) -> Iterator[TestClient]:
    from cablebase.web.app import create_app

    with TestClient(create_app(pages_archive), raise_server_exceptions=False) as c:
        yield c


def hrefs(html: str, css_class: str) -> list[str]:
    """The href of every <a> whose class list holds css_class (attribute order as written)."""
    out = []
    for m in re.finditer(r"<a\b([^>]*)>", html):
        attrs = m.group(1)
        cls = re.search(r'class="([^"]*)"', attrs)
        href = re.search(r'href="([^"]*)"', attrs)
        if cls and href and css_class in cls.group(1).split():
            out.append(unescape(href.group(1)))
    return out


def facet_links(html: str, facet: str) -> dict[str, str]:
    """value -> href of the links in one facet section of the search page."""
    m = re.search(rf'<section class="facet" id="facet-{facet}".*?</section>', html, re.S)
    assert m, f"no {facet} facet"
    return {
        unescape(v): unescape(h)
        for h, v in re.findall(r'<a href="([^"]*)" data-value="([^"]*)">', m.group(0))
    }


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


# -- search --------------------------------------------------------------------------------


def test_front_page_lists_cables_with_the_query_box_and_facets(web):
    r = web.get("/")
    assert r.status_code == 200
    html = r.text
    assert 'id="q"' in html and 'action="/search"' in html
    assert "Query language" in html and "class:&gt;=confidential" in html
    assert 'id="facet-classification"' in html and 'id="facet-tag"' in html
    assert html.count('class="hit"') == 20
    assert "<svg" in html and 'id="histogram"' in html


def test_search_highlights_matches_escaped(web):
    r = web.get("/search", params={"q": UNIQUE_WORD})
    assert r.status_code == 200
    html = r.text
    links = hrefs(html, "cable-link")
    assert sorted(links) == ["/cable/97ATLANTIS100", "/cable/97ATLANTIS103"]
    assert f"<mark>{UNIQUE_WORD}</mark>" in html
    assert re.search(r"<strong>2</strong> cables", html)


def test_snippet_brackets_of_the_text_are_not_marks(web):
    html = web.get("/search", params={"q": "blockade"}).text
    assert "[sic]" in html  # the text's own brackets, kept literally
    assert "<mark>blockade</mark>" in html
    assert "<mark>sic</mark>" not in html


def test_facet_link_adds_the_facet_to_the_query(web):
    html = web.get("/search", params={"q": UNIQUE_WORD}).text
    tag_links = facet_links(html, "tag")
    assert query_of(tag_links["PGOV"])["q"] == f"{UNIQUE_WORD} tag:PGOV"
    cls_links = facet_links(html, "classification")
    secret = cls_links["SECRET"]
    assert query_of(secret)["q"] == f"{UNIQUE_WORD} class:secret"
    followed = web.get(secret).text
    assert hrefs(followed, "cable-link") == ["/cable/97ATLANTIS100"]
    origin = facet_links(html, "origin")["Embassy Atlantis"]
    assert query_of(origin)["q"] == f'{UNIQUE_WORD} origin:"Embassy Atlantis"'
    assert web.get(origin).status_code == 200


def test_facet_link_parenthesises_an_or_query(web):
    html = web.get("/search", params={"q": f"{UNIQUE_WORD} OR blockade"}).text
    link = facet_links(html, "tag")["PREL"]
    assert query_of(link)["q"] == f"({UNIQUE_WORD} OR blockade) tag:PREL"
    assert web.get(link).status_code == 200


def test_facet_counts_are_those_of_the_query(web):
    html = web.get("/search", params={"q": "origin:atlantis"}).text
    counts = dict(
        re.findall(
            r'data-value="([A-Z ]+)">\s*<span class="fv">[^<]*</span>\s*<span class="fc">([^<]*)<',
            html,
        )
    )
    # 100 is SECRET; 101, 102, 103 and 104 are CONFIDENTIAL.
    assert counts["SECRET"] == "1" and counts["CONFIDENTIAL"] == "4"


def test_paging_links_and_any_page_reachable(web, pages_archive):
    from cablebase.archive.api import Archive

    with Archive.open(pages_archive, readonly=True) as a:
        total = a.count("tag:PGOV")
        last_expected = list(a.search("tag:PGOV", sort="date", limit=1, offset=total - 1))[0]
    pages = -(-total // 20)
    html = web.get("/search", params={"q": "tag:PGOV", "sort": "date", "page": 2}).text
    assert f"Page 2 of {pages:,}" in html
    for cls, page in (
        ("pg-first", None),
        ("pg-prev", None),
        ("pg-next", "3"),
        ("pg-last", str(pages)),
    ):
        (link,) = hrefs(html, cls)
        q = query_of(link)
        assert q["q"] == "tag:PGOV" and q["sort"] == "date" and q.get("page") == page
    last = web.get(hrefs(html, "pg-last")[0]).text
    assert f"/cable/{last_expected.reference_id}" in last
    assert 'class="pg-next disabled"' in last
    assert f"{total:,}</strong> cables" in last


def test_bad_pages_and_queries_are_4xx_pages(web):
    r = web.get("/search", params={"q": "tag:PGOV", "page": 10**6})
    assert r.status_code == 404 and "There is no page" in r.text and "<html" in r.text
    for params in ({"page": 0}, {"page": "abc"}, {"page": 10**12}, {"sort": "sideways"}):
        r = web.get("/search", params=params)
        assert r.status_code == 422, params
        assert "text/html" in r.headers["content-type"]
    assert web.get("/search", params={"q": "x" * 5000}).status_code == 422


def test_malformed_query_shows_the_error_with_a_caret(web):
    q = "tag:PGOV AND (minister OR"
    r = web.get("/search", params={"q": q})
    assert r.status_code == 400
    html = r.text
    assert 'id="query-error"' in html and 'aria-invalid="true"' in html
    m = re.search(r'data-position="(\d+)"', html)
    pos = int(m.group(1))
    assert pos == len(q)
    caret = re.search(r'<pre class="caret"[^>]*>(.*?)</pre>', html, re.S).group(1)
    lines = unescape(re.sub(r"<[^>]+>", "", caret)).split("\n")
    assert lines[1].index("^") == pos
    r = web.get("/search", params={"q": "bogus:field"})
    assert r.status_code == 400 and "unknown field" in r.text


def test_export_links_carry_the_query(web):
    html = web.get("/search", params={"q": "tag:PGOV year:2009"}).text
    (csv,) = re.findall(r'<a id="export-csv" href="([^"]*)"', html)
    (jsonl,) = re.findall(r'<a id="export-jsonl" href="([^"]*)"', html)
    assert unescape(csv).startswith("/api/export?")
    assert query_of(unescape(csv)) == {"q": "tag:PGOV year:2009", "format": "csv"}
    assert query_of(unescape(jsonl))["format"] == "jsonl"


def test_sort_switch(web):
    html = web.get("/search", params={"q": "tag:PGOV"}).text
    (newest,) = hrefs(html, "sort--date")
    assert query_of(newest) == {"q": "tag:PGOV", "sort": "-date"}
    dated = web.get(newest).text
    dates = re.findall(r'<span class="when">([^<]*)</span>', dated)
    assert len(dates) == 20


# -- the cable page ------------------------------------------------------------------------


def test_cable_page_metadata(web):
    r = web.get("/cable/97ATLANTIS100")
    assert r.status_code == 200
    html = r.text
    assert "ATLANTIS: HARBOUR TALKS, ROUND 1" in html
    assert "10 March 1997, 09:30 UTC" in html and "100930Z MAR 97" in html
    assert "Embassy Atlantis" in html and "AMEMBASSY ATLANTIS" in html
    assert "SECRET // SIPDIS // NOFORN" in html
    assert "Priority" in html and "SECSTATE WASHDC" in html
    assert "12958" in html and "1 March 2007" in html
    assert "Ambassador Ada Quill, Embassy Atlantis" in html and "1.5(b), 1.5(d)" in html
    assert 'href="/search?q=tag%3APGOV"' in html and 'href="/search?q=tag%3AAT"' in html
    assert 'href="/cable/97ATLANTIS100/telegram"' in html
    assert 'href="/api/cables/97ATLANTIS100"' in html


def test_cable_page_paragraphs_marks_and_headings(web):
    html = web.get("/cable/97ATLANTIS100").text
    assert '<h3 class="heading">SUMMARY</h3>' in html
    assert 'id="p1"' in html and 'id="p2"' in html
    assert '<abbr class="pm pm-c" title="confidential">C</abbr>' in html
    assert '<abbr class="pm pm-u" title="unclassified">U</abbr>' in html
    html = web.get(f"/cable/{BRACKETS}").text
    assert '<abbr class="pm pm-ts" title="top secret">TS</abbr>' in html
    assert '<abbr class="pm pm-nf" title="no foreign nationals">NF</abbr>' in html
    assert 'class="redacted"' in html and 'aria-label="redacted, 8 characters"' in html
    assert "<p>A second paragraph.</p><p>Its second part.</p>" in html


def test_cable_page_references_both_ways(web):
    html = web.get("/cable/97ATLANTIS100").text
    refs = re.search(r'<section class="refs" id="refs".*?</section>', html, re.S).group(0)
    assert hrefs(refs, "ref-link") == ["/cable/97ATLANTIS101"]
    assert "96ATLANTIS99" in refs and "not in archive" in refs
    assert "MEMO OF CONVERSATION, 3 MARCH 1997" in refs and ">memo<" in refs
    assert 'id="unresolved"' in html and "96ATLANTIS99" in html
    cited = web.get("/cable/97ATLANTIS101").text
    by = re.search(r'<section class="refs citedby".*?</section>', cited, re.S).group(0)
    assert hrefs(by, "ref-link") == ["/cable/97ATLANTIS100", "/cable/97ATLANTIS103"]
    assert "ref. A" in by


def test_cable_page_previous_and_next_from_the_same_post(web):
    html = web.get("/cable/97ATLANTIS100").text
    assert re.search(r'id="prev-cable" rel="prev" href="/cable/97ATLANTIS101"', html)
    assert re.search(r'id="next-cable" rel="next" href="/cable/97ATLANTIS103"', html)
    first = web.get("/cable/97ATLANTIS102").text
    assert 'id="prev-cable"' not in first and "no earlier cable" in first
    last = web.get(f"/cable/{BRACKETS}").text
    assert 'id="next-cable"' not in last and 'href="/cable/97ATLANTIS103"' in last


def test_cable_permalink_and_citation(web):
    html = web.get("/cable/97ATLANTIS100").text
    assert '<a id="permalink" href="http://testserver/cable/97ATLANTIS100">' in html
    citation = re.search(r'<p class="citation" id="citation">(.*?)</p>', html, re.S).group(1)
    assert unescape(citation) == (
        'Embassy Atlantis, "ATLANTIS: HARBOUR TALKS, ROUND 1", cable 97ATLANTIS100,'
        " 10 March 1997, via cablebase: http://testserver/cable/97ATLANTIS100"
    )


def test_cable_ids_redirect_to_the_canonical_spelling_and_unknown_is_404(web):
    r = web.get("/cable/97atlantis100", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/cable/97ATLANTIS100"
    for bad in ("/cable/09NOWHERE1", "/cable/..%2F..", "/cable/" + "A" * 300):
        r = web.get(bad)
        assert r.status_code == 404, bad
        assert "text/html" in r.headers["content-type"] and "Not found" in r.text
    assert web.get("/cable/09NOWHERE1/telegram").status_code == 404
    assert web.get("/cable/09NOWHERE1/graph").status_code == 404


def test_telegram_view(web):
    r = web.get("/cable/97ATLANTIS100/telegram")
    assert r.status_code == 200
    pre = re.search(r'<pre class="telegram" id="telegram">(.*?)</pre>', r.text, re.S).group(1)
    text = unescape(pre)
    assert "SECSTATE WASHDC" in text and "SUBJECT: ATLANTIS: HARBOUR TALKS, ROUND 1" in text
    assert "AMEMBASSY ATLANTIS" in text


def test_citation_graph(web):
    r = web.get("/cable/97ATLANTIS100/graph")
    assert r.status_code == 200
    html = r.text
    svg = re.search(r'<svg class="graph".*?</svg>', html, re.S).group(0)
    # Two hops: 101 (cited), 96ATLANTIS99 (missing), 102 (cited by 101), 103 (cites 101).
    for rid in ("97ATLANTIS100", "97ATLANTIS101", "97ATLANTIS102", "97ATLANTIS103", "96ATLANTIS99"):
        assert f">{rid}</text>" in svg, rid
    assert 'href="/cable/97ATLANTIS101"' in svg and 'href="/cable/97ATLANTIS102"' in svg
    assert 'href="/cable/96ATLANTIS99"' not in svg  # not in the archive: no link
    assert svg.count('class="edge"') == 4
    one = web.get("/cable/97ATLANTIS100/graph", params={"hops": 1}).text
    assert ">97ATLANTIS102</text>" not in one
    assert web.get("/cable/97ATLANTIS100/graph", params={"hops": 9}).status_code == 422


# -- browse and stats ----------------------------------------------------------------------


def test_browse_posts(web):
    html = web.get("/browse/posts").text
    assert 'href="/browse/posts/Embassy%20Atlantis"' in html
    post = web.get("/browse/posts/Embassy%20Atlantis")
    assert post.status_code == 200
    links = hrefs(post.text, "cable-link")
    assert links[0] == f"/cable/{BRACKETS}" and "/cable/97ATLANTIS102" in links
    assert "5 cables" in post.text
    assert web.get("/browse/posts/Embassy%20Nowhere").status_code == 404


def test_browse_tags(web):
    html = web.get("/browse/tags").text
    assert 'href="/search?q=tag%3APGOV"' in html
    assert "&lt;SCRIPT&gt;" in html and "<SCRIPT>" not in html
    assert web.get("/browse/tags", params={"order": "name"}).status_code == 200
    assert web.get("/browse/tags", params={"order": "evil"}).status_code == 422


def test_browse_months(web):
    html = web.get("/browse/months").text
    assert 'href="/browse/months/1997-03"' in html
    month = web.get("/browse/months/1997-03")
    assert month.status_code == 200
    links = hrefs(month.text, "cable-link")
    for rid in ("97ATLANTIS100", "97ATLANTIS101", "97ATLANTIS102", "97ATLANTIS103", BRACKETS):
        assert f"/cable/{rid}" in links
    assert "March 1997" in month.text
    assert 'href="/browse/months/1997-02"' in month.text
    for bad in ("1997-13", "march", "1997-3"):
        assert web.get(f"/browse/months/{bad}").status_code == 404
    assert web.get("/browse/months/1997-03", params={"page": 999}).status_code == 404


def test_stats_page(web, pages_archive):
    from cablebase.archive.api import Archive

    with Archive.open(pages_archive, readonly=True) as a:
        total = len(a)
    r = web.get("/stats")
    assert r.status_code == 200
    html = r.text
    assert f"<strong>{total:,}</strong> cables" in html
    assert 'id="chart-months"' in html and 'id="chart-posts"' in html and 'id="chart-tags"' in html
    assert html.count("<svg") >= 3
    # The resolution rate comes from the warm-up thread; before it ends the page says so.
    assert "cable references resolve in the archive" in html or "being computed" in html
    web.app.state.page_warm.join(timeout=60)
    assert "cable references resolve in the archive" in web.get("/stats").text
    assert 'href="/browse/months/1997-03"' in html or "earlier cables" in html


def test_about_page(web):
    r = web.get("/about")
    assert r.status_code == 200 and "cites:09BAMAKO754" in r.text


# -- hostile text --------------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere(web):
    pages = [
        web.get(f"/cable/{HOSTILE}").text,
        web.get(f"/cable/{HOSTILE}/telegram").text,
        web.get("/search", params={"q": "quuxword"}).text,
        web.get("/browse/posts").text,
        web.get("/browse/months/1997-04").text,
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>BOLD</b>" not in html and "<i>HEADING</i>" not in html
    cable = pages[0]
    assert (
        "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt; &amp; &lt;b&gt;BOLD&lt;/b&gt;"
        in cable
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in cable
    assert "&lt;i&gt;HEADING&lt;/i&gt;" in cable and "&lt;b&gt;EVIL&lt;/b&gt; 7" in cable
    # The query box holds the query as typed, escaped.
    q = '"><script>alert(1)</script>'
    r = web.get("/search", params={"q": q})
    assert r.status_code in (200, 400)
    assert "<script>alert(1)" not in r.text
    snippet = pages[2]
    assert "<mark>quuxword</mark>" in snippet or "<mark>QUUXWORD</mark>" in snippet


# -- issue 12: a typed id, facets that work, results per page --------------------------------


@pytest.mark.parametrize(
    "typed", ["97ATLANTIS101", "97atlantis101", " 97 Atlantis 101 ", "1997ATLANTIS00101"]
)
def test_a_typed_reference_id_opens_its_cable(web, typed):
    r = web.get("/search", params={"q": typed}, follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "/cable/97ATLANTIS101"


def test_a_typed_id_not_in_the_archive_is_searched_as_usual(web):
    r = web.get("/search", params={"q": "97ATLANTIS999"}, follow_redirects=False)
    assert r.status_code == 200
    assert "No cables match" in r.text
    # A word and a number are no id: the text search runs.
    r = web.get("/search", params={"q": "harbour 101"}, follow_redirects=False)
    assert r.status_code == 200


def facet_section(html: str, facet: str) -> str:
    m = re.search(rf'<section class="facet" id="facet-{facet}".*?</section>', html, re.S)
    assert m, f"no {facet} facet"
    return m.group(0)


def test_facet_more_lists_every_value(web, pages_archive):
    from cablebase.archive.api import Archive

    with Archive.open(pages_archive, readonly=True) as a:
        every = a.facets("", names=("tag",), top=None)["tag"]
    assert len(every) > 10  # the test archive has more tags than the facet shows
    html = web.get("/").text
    section = facet_section(html, "tag")
    assert section.count("data-value=") == 10
    more = re.search(r'class="facet-more" href="([^"]*)"', section)
    assert more, "no 'more' link under the tags"
    html = web.get(unescape(more.group(1))).text
    section = facet_section(html, "tag")
    shown = re.findall(r'data-value="([^"]*)"', section)
    assert [unescape(v) for v in shown] == [t for t, _ in every][: len(shown)]
    assert len(shown) == min(len(every), 500)
    assert "fewer tags" in section


def test_a_selected_facet_value_is_marked_and_removable_in_one_click(web):
    # Typed by hand, in another case and spelling than the facet's link would write it.
    q = "harbour class:Confidential"
    html = web.get("/search", params={"q": q}).text
    section = facet_section(html, "classification")
    active = re.search(r'<li class="active">.*?</li>', section, re.S)
    assert active and 'data-value="CONFIDENTIAL"' in active.group(0)
    remove = re.search(r'class="fx" href="([^"]*)"', active.group(0))
    assert remove and query_of(unescape(remove.group(1)))["q"] == "harbour"
    # The same filter as a chip above the results.
    chip = re.search(
        r'<span class="chip"><code>([^<]*)</code><a class="chip-x" href="([^"]*)"', html
    )
    assert chip and unescape(chip.group(1)) == "class:Confidential"
    assert query_of(unescape(chip.group(2)))["q"] == "harbour"


def test_chips_remove_one_filter_and_keep_the_rest(web):
    q = 'tag:PREL -handling:noforn origin:"Embassy Atlantis" year:1997'
    html = web.get("/search", params={"q": q}).text
    chips = {
        unescape(t): query_of(unescape(h))["q"]
        for t, h in re.findall(r'<code>([^<]*)</code><a class="chip-x" href="([^"]*)"', html)
    }
    assert chips == {
        "tag:PREL": '-handling:noforn origin:"Embassy Atlantis" year:1997',
        "-handling:noforn": 'tag:PREL origin:"Embassy Atlantis" year:1997',
        'origin:"Embassy Atlantis"': "tag:PREL -handling:noforn year:1997",
        "year:1997": 'tag:PREL -handling:noforn origin:"Embassy Atlantis"',
    }
    assert 'class="chip chip-not"' in html  # the negated one looks different


def test_results_per_page(web):
    html = web.get("/search", params={"q": "", "per": 50}).text
    assert html.count('class="hit"') == 50
    assert '<strong aria-current="true">50</strong>' in html
    nxt = hrefs(html, "pg-next")[0]
    assert query_of(nxt).get("per") == "50"
    assert web.get("/search", params={"per": 100}).text.count('class="hit"') == 100
    # An odd number is read as the nearest offered one, never an error page.
    assert web.get("/search", params={"per": 7}).text.count('class="hit"') == 20


def test_skip_link_leads_to_the_first_hit_before_the_facets(web):
    html = web.get("/search", params={"q": "harbour"}).text
    assert 'href="#first-hit"' in html and 'id="first-hit"' in html
    assert (
        html.index('href="#first-hit"') < html.index('id="first-hit"') < html.index('id="facets"')
    )


def test_home_page_without_a_query_has_no_sort_line(web):
    assert 'class="sortswitch"' not in web.get("/").text
    assert 'class="sortswitch"' in web.get("/search", params={"q": "harbour"}).text


def test_cable_page_shows_the_release_date(web):
    html = web.get(f"/cable/{BRACKETS}").text
    m = re.search(r'<dd id="meta-released">([^<]*)</dd>', html)
    assert m and m.group(1) == "28 November 2010"
    assert 'id="meta-released"' not in web.get("/cable/97ATLANTIS100").text


def test_a_multi_word_tag_is_a_link_when_the_query_language_reads_it(web, pages_archive):
    from cablebase.archive.api import Archive
    from cablebase.archive.query import QueryError

    clause = 'tag:"COUNTER TERRORISM"'
    with Archive.open(pages_archive, readonly=True) as a:
        try:
            readable = a.count(clause) == 1
        except QueryError:
            readable = False
    html = web.get("/search", params={"q": f"id:{BRACKETS}"}).text
    links = facet_links(html, "tag")
    cable = web.get(f"/cable/{BRACKETS}").text
    tag_hrefs = [unescape(h) for h in re.findall(r'<a class="tag" href="([^"]*)"', cable)]
    if not readable:  # never a link to an error page
        assert "COUNTER TERRORISM" not in links
        assert 'data-value="COUNTER TERRORISM"' in html  # listed all the same
        assert len(tag_hrefs) == 1
        return
    assert query_of(links["COUNTER TERRORISM"])["q"] == f"id:{BRACKETS} {clause}"
    assert query_of(tag_hrefs[1])["q"] == clause
    found = web.get(tag_hrefs[1]).text
    assert hrefs(found, "cable-link") == [f"/cable/{BRACKETS}"]


def test_an_id_typed_without_its_year(web, pages_archive):
    from cablebase.archive.api import Archive

    r = web.get("/search", params={"q": "96 bamako 5"}, follow_redirects=False)
    assert r.headers["location"] == "/cable/96BAMAKO5"
    # In several years: every one listed, newest first, above the usual search.
    with Archive.open(pages_archive, readonly=True) as a:
        years = [f"{y % 100:02d}" for y in range(2010, 1965, -1)]
        want = [f"/cable/{yy}BAMAKO5" for yy in years if a.count(f"id:{yy}BAMAKO5")]
    assert {f"/cable/{t}" for t in TWINS} <= set(want)
    r = web.get("/search", params={"q": "Bamako 5"}, follow_redirects=False)
    assert r.status_code == 200
    m = re.search(r'<p class="notice" id="id-matches">.*?</p>', r.text, re.S)
    assert m and hrefs(m.group(0), "cable-link") == want
    # Not a post: words, searched as words.
    r = web.get("/search", params={"q": "harbour 5"}, follow_redirects=False)
    assert r.status_code == 200 and 'id="id-matches"' not in r.text
    # A post and a year are a place and a year, even when some year has that serial.
    from cablebase.web.pages import typed_id

    assert typed_id("bamako 2009") == ([], False)
    assert typed_id("09 bamako 2009")[0] == ["09BAMAKO2009"]


def test_json_and_csv_twins_of_the_pages(web, pages_archive):
    import csv
    import io

    from cablebase.archive.api import Archive

    with Archive.open(pages_archive, readonly=True) as a:
        total = a.count("harbour")
        posts = a.facets("", names=("origin",), top=None)["origin"]
        tags = a.facets("", names=("tag",), top=None)["tag"]
    r = web.get("/search.json", params={"q": "harbour", "per": 2})
    assert r.status_code == 200 and r.json()["total"] == total == 3
    assert len(r.json()["hits"]) == 2
    rows = list(csv.DictReader(io.StringIO(web.get("/search.csv", params={"q": "harbour"}).text)))
    assert sorted(row["reference_id"] for row in rows) == [
        "97ATLANTIS100",
        "97ATLANTIS101",
        "97ATLANTIS102",
    ]
    assert web.get("/cable/97atlantis101.json").json()["reference_id"] == "97ATLANTIS101"
    rows = list(csv.DictReader(io.StringIO(web.get("/cable/97ATLANTIS101.csv").text)))
    assert [row["reference_id"] for row in rows] == ["97ATLANTIS101"]
    assert web.get("/cable/97ATLANTIS999.json").status_code == 404
    assert web.get("/stats.json").status_code == 200
    listed = web.get("/browse/posts.json").json()
    assert sorted((p["origin"], p["cables"]) for p in listed) == sorted(posts)
    rows = list(csv.DictReader(io.StringIO(web.get("/browse/tags.csv").text)))
    assert sorted((row["tag"], int(row["cables"])) for row in rows) == sorted(tags)
    assert web.get("/browse/nothing.json").status_code == 404
    assert web.get("/browse/posts.xml").status_code == 404


def test_post_page_lists_its_top_tags(web):
    html = web.get("/browse/posts/Embassy%20Atlantis").text
    m = re.search(r'<ul class="tagcounts" id="post-tags">(.*?)</ul>', html, re.S)
    assert m
    # The five Atlantis cables: 100-103 tagged PREL PGOV AT, 104 PREL and COUNTER TERRORISM.
    shown = [
        (unescape(t), int(n))
        for t, n in re.findall(
            r'class="tag"[^>]*>([^<]*)</(?:a|span)> <span class="small">(\d+)', m.group(1)
        )
    ]
    assert shown == [("PREL", 5), ("AT", 4), ("PGOV", 4), ("COUNTER TERRORISM", 1)]
    href = hrefs(m.group(1), "tag")[0]
    assert query_of(href)["q"] == 'origin:"Embassy Atlantis" tag:PREL'
