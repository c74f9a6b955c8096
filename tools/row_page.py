"""A cables.csv row rendered as the Cablegate site rendered its pages (FORMAT §1.1).

Works from the RAW row (its header and body lines as written, its metadata columns), never
from a parsed record, so that reading the page back and comparing it with the row's own
parse measures the page reader against the row reader, not the renderer against itself.

What the site did, as the dev pages show it:
- two <pre> blocks, header and body, newlines written as `&#x000A;`, `& < >` escaped, most
  lines ending with a space;
- the first `TAGS: ` value in the body: every word a link `<a href='/tag/X_0.html'>X</a>`,
  joined by single spaces, its separators (commas, brackets) gone: `OVIP (ZOELLICK, ROBERT)`
  became three links (05BRASILIA2675).  Every line with the same text was linked alike
  (02ROME3639 repeats its TAGS line three times, all linked); a later, different TAGS line
  (a continuation, a repeated preamble) stays plain text;
- a paragraph anchor `<a id='parN' href='#parN'>¶</a>` before a line that starts (after
  its indent) with a number or a single capital letter and a period;
- the created date as `YYYY-MM-DD HH:II` with the 12-hour clock hour as the minute.
"""

from __future__ import annotations

import re

from cablebase.grammar.unwrapped import Unwrapped

_TAGS_VALUE = re.compile(r"TAGS: (?=\S)")
_WORD = re.compile(r"[A-Za-z0-9]+")
_ANCHOR_LINE = re.compile(r"^(\s*)(\d+|[A-Z](?=\.\s))\.")
_ROW_CREATED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")
_SUBJECT = re.compile(r"^\s*SUBJECT:\s*(.*)", re.I)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def site_created(row_created: str | None) -> str:
    """`7/29/2009 14:42` as the site wrote it: `2009-07-29 14:02` (minute = 12-hour hour)."""
    m = _ROW_CREATED.fullmatch((row_created or "").strip())
    if not m:
        return ""
    mo, d, y, h = int(m[1]), int(m[2]), m[3], int(m[4])
    return f"{y}-{mo:02d}-{d:02d} {h:02d}:{(h % 12) or 12:02d}"


def linked_tags(line: str) -> str | None:
    """The line with its TAGS value as the site linked it, or None if it has none."""
    m = _TAGS_VALUE.search(line)
    if not m:
        return None
    words = _WORD.findall(line[m.end() :])
    if not words:
        return None
    links = " ".join(f"<a href='/tag/{w}_0.html'>{w}</a>" for w in words)
    return _esc(line[: m.end()]) + links


def _body_html(lines: list[str]) -> str:
    tags_line = next((ln for ln in lines if linked_tags(ln)), None)
    out = []
    for line in lines:
        if line == tags_line:
            out.append(linked_tags(line))
            continue
        text = _esc(line)
        m = _ANCHOR_LINE.match(line)
        if m:
            n, indent = m[2], len(m[1])
            text = text[:indent] + f"<a id='par{n}' href='#par{n}'>\u00b6</a>" + text[indent:]
        out.append(text + " " if line else "")
    return "&#x000A;".join(out)


def row_page(u: Unwrapped) -> str:
    """The page the site would have made of one cables.csv row (an Unwrapped of form csv)."""
    m = u.meta
    rid = _esc(m.reference_id or "")
    subject = next((s[1] for s in map(_SUBJECT.match, u.body) if s), "")
    created = site_created(m.created)
    head = "&#x000A;".join(_esc(h) for h in u.header or [])
    return (
        "<html>\n<body>\n"
        f"<h3>Viewing cable {rid}, {_esc(subject.strip())}</h3>\n"
        "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n"
        "<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n"
        f"<td>\n<a href='/cable/{created[:4]}/{created[5:7]}/{rid}.html'>{rid}</a>\n</td>\n"
        f"<td>\n<a href='/date/{created[:7]}_0.html'>{created}</a>\n</td>\n"
        "<td>\n<a href='/reldate/2011-08-30_0.html'>2011-08-30 01:01</a>\n</td>\n"
        f"<td>\n<a href='/classification/1_0.html'>{_esc(m.classification or '')}</a>\n</td>\n"
        f"<td>\n<a href='/origin/1_0.html'>{_esc(m.origin or '')}</a>\n</td>\n"
        "</tr>\n</table>\n"
        f"<code><pre>{head}</pre></code>\n"
        f"<code><pre>{_body_html(u.body)}</pre></code>\n"
        "</body>\n</html>\n"
    )
