"""Cablegate HTML pages (FORMAT.md §1.1, §2).

The pages are machine-made and all alike, so this is a strict scan of the known
structure with ``str.find`` rather than an HTML parser: the ``<h3>Viewing cable
REFID, TITLE</h3>`` heading, the five-cell metadata table, then two ``<pre>``
blocks (header, body).  A page without that structure raises :class:`NotACable`.

The text inside ``<pre>`` is *not* properly escaped by the site (raw ``&``, ``<<``
and ``<_protect>`` occur as cable text), so only the site's own markup is removed
(links, paragraph anchors, a few stray table/line-break tags) and only well-formed
entities ending in ``;`` are decoded.  ``html.unescape`` would turn cable text such
as ``&pounding`` into ``£ing``.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from cablebase.forms import NotACable
from cablebase.grammar.unwrapped import Meta, Unwrapped

__all__ = ["unwrap_html"]

_H3 = "<h3>Viewing cable "
_TABLE_MARKS = ("<table class='cable'>", '<table class="cable">')

# The paragraph anchor the site put before numbered/lettered lines: the whole anchor goes.
_ANCHOR = re.compile(r"<a id=['\"][^'\"<>]*['\"] href=['\"]#[^'\"<>]*['\"]>\u00b6</a>")
# Site markup left inside <pre>: links (their text stays), line breaks, table debris.
_TAG = re.compile(r"</?\s*(?:a|br|td|tr|th|table|span|font|b|i|p)\b[^<>]*>|<\s*/\s*a\s*>", re.I)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NEWLINE_ENTITIES = ("&#x000A;", "&#x000a;", "&#10;", "&#xA;", "&#xa;")


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    try:
        if name[0] == "#":
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code)
    except (ValueError, OverflowError):
        return m.group(0)
    code = name2codepoint.get(name)
    # Unknown names (`&D;`, `&processes8;`) are cable text, not entities.
    return chr(code) if code is not None else m.group(0)


def _text(fragment: str) -> str:
    """Markup-free, entity-decoded text of a small piece of the page."""
    s = _TAG.sub("", fragment) if "<" in fragment else fragment
    if "&" in s:
        s = _ENTITY.sub(_entity, s)
    return s.strip()


def _pre_lines(raw: str) -> list[str]:
    # Nearly every page writes its newlines as `&#x000A;` and no other spelling: replace
    # that one, and look for the others only when a `&#` is left.
    raw = raw.replace(_NEWLINE_ENTITIES[0], "\n")
    # one-character tests (memchr) first: most blocks have no `&` left at all
    amp = "&" in raw
    if amp and "&#" in raw:
        for ent in _NEWLINE_ENTITIES[1:]:
            if ent in raw:
                raw = raw.replace(ent, "\n")
    if "<" in raw:
        if "\u00b6" in raw:
            raw = _ANCHOR.sub("", raw)
        if "<" in raw:  # most blocks hold no markup but the paragraph anchors
            raw = _TAG.sub("", raw)
    if amp and "&" in raw:  # removing markup adds no `&`
        raw = _ENTITY.sub(_entity, raw)
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return list(map(str.rstrip, raw.split("\n")))


def _cells(page: str, start: int, end: int) -> list[str]:
    out: list[str] = []
    pos = start
    while True:
        i = page.find("<td>", pos, end)
        if i < 0:
            return out
        j = page.find("</td>", i, end)
        if j < 0:
            return out
        out.append(_text(page[i + 4 : j]))
        pos = j + 5


# The site chrome before the heading (about 58 KB of menus) is the same on nearly every page:
# the start that pages have shared so far is kept (it holds no heading), and a page that
# begins with it is searched for the heading only after it.  Comparing runs several times
# faster than searching, and the first heading found is the same.
_chrome = [""]


def _find_heading(page: str) -> int:
    known = _chrome[0]
    if known and page.startswith(known):
        # the heading may begin in the last characters of the known start
        return page.find(_H3, max(len(known) - len(_H3) + 1, 0))
    h = page.find(_H3)
    if h > 0:
        same = _shared(known, page, h)
        # another chrome (a page saved from a mirror): start again from this page's
        _chrome[0] = known[:same] if same >= len(known) // 2 and same else page[:h]
    return h


def _shared(known: str, page: str, limit: int) -> int:
    """How many characters `page` and `known` share at their start (at most `limit`)."""
    lo, hi = 0, min(len(known), limit)
    while lo < hi:  # page[:lo] == known[:lo]; the first difference is before hi
        mid = (lo + hi + 1) // 2
        if page.startswith(known[lo:mid], lo):
            lo = mid
        else:
            hi = mid - 1
    return lo


def unwrap_html(page: str, *, path: str | None = None, offset: int | None = None) -> Unwrapped:
    """Take one Cablegate page apart into metadata, header lines and body lines.

    Raises :class:`NotACable` (with the reason) when the page lacks the structure.
    """
    h = _find_heading(page)
    if h < 0:
        raise NotACable("no '<h3>Viewing cable …' heading: not a Cablegate cable page")
    h_end = page.find("</h3>", h)
    if h_end < 0:
        raise NotACable("unterminated '<h3>Viewing cable' heading")
    heading = _text(page[h + len(_H3) : h_end])
    ref, _, title = heading.partition(",")
    title = title.strip()

    t = -1
    for mark in _TABLE_MARKS:
        t = page.find(mark, h_end)
        if t >= 0:
            break
    if t < 0:
        raise NotACable("no metadata table (<table class='cable'>) after the heading")
    t_end = page.find("</table>", t)
    if t_end < 0:
        raise NotACable("unterminated metadata table")
    cells = _cells(page, t, t_end)
    if len(cells) < 5:
        raise NotACable(f"metadata table has {len(cells)} cells, expected 5")

    blocks: list[str] = []
    pos = t_end
    for _ in range(2):
        p = page.find("<pre>", pos)
        if p < 0:
            break
        q = page.find("</pre>", p)
        if q < 0:
            raise NotACable("unterminated <pre> block")
        blocks.append(page[p + 5 : q])
        pos = q + 6
    if len(blocks) < 2:
        raise NotACable(f"found {len(blocks)} <pre> block(s) after the table, expected 2")

    header = _pre_lines(blocks[0])
    if not any(header):
        header = []
    meta = Meta(
        reference_id=cells[0] or ref.strip() or None,
        created=cells[1] or None,
        released=cells[2] or None,
        classification=cells[3] or None,  # link text; the title= attribute is wrong (§1.1)
        origin=cells[4] or None,
        title=title or None,
    )
    return Unwrapped(
        form="html", header=header, body=_pre_lines(blocks[1]), meta=meta, path=path, offset=offset
    )
