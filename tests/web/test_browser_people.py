"""People, addressees and correspondents in a real browser (issue 12): the people and addressee
facets, the people index, a person's page and a post's correspondents, at 1280 and 390 px,
with screenshots under build/screenshots/.  The fixtures (server, browser, watched page: no
request may leave the loopback server) are test_browser.py's.

Expected numbers come from the archive library over the same archive; the hand-written
ATLANTIS cables (conftest.py) are classified by "Ada Quill" and signed QUILL.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from cablebase.archive import browse, people
from cablebase.archive.api import Archive
from tests.web import test_browser as tb
from tests.web.test_browser import A11Y_AUDIT, expect, search, shoot_at, shown_total

# test_browser.py's fixtures: its server, browser and watched page.
server, chromium, page, archive, shots = tb.server, tb.chromium, tb.page, tb.archive, tb.shots

WIDTHS = (1280, 390)

# Text boxes of the page that overlap one another (ignoring a pixel of rounding): every text
# node's line boxes, pairwise, outside SVG drawings and visually hidden text.
OVERLAPS = """
() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    if (!t.textContent.trim() || !e || e.closest('svg, .sr-only, .skip, [hidden], details:not([open]) > :not(summary)')) continue;
    // What shows of the text: its boxes cut by every ancestor that clips (an ellipsis).
    let clip = {left: -1e9, top: -1e9, right: 1e9, bottom: 1e9};
    for (let n = e; n; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const c = n.getBoundingClientRect();
        clip = {left: Math.max(clip.left, c.left), top: Math.max(clip.top, c.top),
                right: Math.min(clip.right, c.right), bottom: Math.min(clip.bottom, c.bottom)};
      }
    }
    const r = document.createRange();
    r.selectNodeContents(t);
    for (const b of r.getClientRects()) {
      const box = {left: Math.max(b.left, clip.left), top: Math.max(b.top, clip.top),
                   right: Math.min(b.right, clip.right), bottom: Math.min(b.bottom, clip.bottom)};
      if (box.right > box.left && box.bottom > box.top) boxes.push([box, t.textContent.trim().slice(0, 30), t]);
    }
  }
  const out = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ta, na] = boxes[i], [b, tb, nb] = boxes[j];
      if (na === nb) continue;  // the lines of one text
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push(`"${ta}" over "${tb}"`);
    }
  }
  return out.slice(0, 10);
}
"""


def fits(page, where: str) -> None:
    """Nothing overlaps and nothing scrolls sideways, at the current width."""
    width = page.viewport_size["width"]
    overlaps = page.evaluate(OVERLAPS)
    assert not overlaps, f"{where} at {width} px: {overlaps}"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where} at {width} px scrolls sideways ({scroll} px)"
    violations = page.evaluate(A11Y_AUDIT)
    assert not violations, f"{where} at {width} px: {violations[:8]}"


def test_people_facet_picks_a_person_and_leads_to_their_page(
    page, archive: Archive, shots: Path
) -> None:
    page.goto("/")
    search(page, "zymurgical")
    facet = page.locator("#facet-person")
    expected = people.facets(archive, archive.parse("zymurgical"), top=10)["person"]
    assert expected == [("ADA QUILL", 2), ("QUILL", 2)]
    expect(facet.locator("li .fv")).to_have_text([k for k, _ in expected])
    facet.locator('a[data-value="ADA QUILL"]').click()
    page.wait_for_url(re.compile(r"person%3A%22ada"))
    expect(page.locator("#q")).to_have_value('zymurgical person:"ada quill"')
    expect(page.locator("#facet-person li.active")).to_contain_text("ADA QUILL")
    expect(page.locator("#filters .chip code")).to_have_text(['person:"ada quill"'])
    assert shown_total(page) == archive.count('zymurgical person:"ada quill"') == 2
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, "the search with a person picked")
        shoot_at(page, shots, "search-person", width)
    # Typed by hand, in another case: the person is highlighted all the same.
    search(page, 'Person:"Ada Quill"')
    expect(page.locator("#facet-person li.active")).to_contain_text("ADA QUILL")
    assert shown_total(page) == 4


def test_addressee_facet_more_and_fewer(page, archive: Archive, shots: Path) -> None:
    every = people.facets(archive, archive.parse("talks"), ("addressee",), top=None)["addressee"]
    assert len(every) > 10
    page.goto("/search?q=talks")
    facet = page.locator("#facet-addressee")
    expect(facet.locator("li")).to_have_count(10)
    facet.locator("a.facet-more").click()
    page.wait_for_url(re.compile(r"more=addressee"))
    expect(page.locator("#facet-addressee li")).to_have_count(min(len(every), 500))
    name, n = every[10]
    page.locator(f'#facet-addressee a[data-value="{name}"]').click()
    page.wait_for_url(re.compile(r"addressee%3A"))
    expect(page.locator("#facet-addressee li.active")).to_contain_text(name)
    # The facet's count is the search's count: the addressee as written.
    assert shown_total(page) == n
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, "the search with an addressee picked")
        shoot_at(page, shots, "search-addressee", width)
    page.locator("#facet-addressee li.active a.fx").click()
    page.wait_for_url(re.compile(r"q=talks$"))
    expect(page.locator("#filters")).to_have_count(0)


def test_people_index_and_a_person_page(page, archive: Archive, shots: Path) -> None:
    rows = people.index(archive)
    page.goto("/browse/people")
    links = page.locator("#people a.person-link")
    expect(links).to_have_count(min(len(rows), 200))
    assert links.first.inner_text() == rows[0].key
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, "the people index")
        shoot_at(page, shots, "people", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/browse/people?order=name")
    expect(page.locator("#people a.person-link").first).to_have_text(sorted(p.key for p in rows)[0])
    # A person: their counts, their histogram, the search behind a count.
    person = people.person(archive, "ADA QUILL")
    assert person is not None and person.cables == 4
    page.goto("/person/" + quote("Quill, Ada"))
    page.wait_for_url(re.compile(r"/person/ADA%20QUILL$"))
    expect(page.locator("#person-total")).to_have_text("4")
    expect(page.locator("#histogram svg rect.bar")).not_to_have_count(0)
    expect(page.locator("#person-related a.person-link")).to_have_text(["QUILL"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, "a person's page")
        shoot_at(page, shots, "person", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#person-roles a.role-search").first.click()
    page.wait_for_url(re.compile(r"/search\?q=classifiedby"))
    assert shown_total(page) == person.roles["classified_by"][0]


@pytest.mark.parametrize("post", ["Embassy Ankara"])
def test_post_page_correspondents(page, archive: Archive, shots: Path, post: str) -> None:
    found = browse.correspondents(archive, post)
    assert found.sends_to and found.receives_from
    page.goto("/browse/posts/" + quote(post))
    sends = page.locator("#post-sends-to a.corr-search")
    expect(sends).to_have_text([n for n, _, _ in found.sends_to])
    expect(page.locator("#post-receives-from a.corr-search")).to_have_text(
        [o for o, _ in found.receives_from]
    )
    expect(page.locator("#post-received svg rect.bar")).not_to_have_count(0)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, "a post's page")
        shoot_at(page, shots, "post", width)
    page.set_viewport_size({"width": 1280, "height": 900})
    name, n, _ = found.sends_to[0]
    sends.first.click()
    page.wait_for_url(re.compile(r"/search\?q=origin"))
    assert shown_total(page) == n
    # The first post writing to it: the search of its cables addressed here.
    page.go_back()
    origin, k = found.receives_from[0]
    page.locator("#post-receives-from a.corr-search").first.click()
    page.wait_for_url(re.compile(r"/search\?q=origin"))
    assert shown_total(page) == k


def test_the_overlap_check_sees_an_overlap(page) -> None:
    """The check above is no formality: two words drawn over each other are reported."""
    page.goto("/about")
    page.evaluate(
        """() => {
        const m = document.querySelector('main');
        m.insertAdjacentHTML('beforeend',
          '<p style="position:relative"><span>overlapping</span>'
          + '<span style="position:absolute;left:0;top:0">words</span></p>');
    }"""
    )
    assert page.evaluate(OVERLAPS) == ['"overlapping" over "words"']
