"""Record -> text: the parser's mirror (DESIGN §6).

`to_telegram` writes the canonical ACP-127 telegram (header, blank line, body);
`to_form` writes the published forms the readers accept (Cablegate HTML page,
cables.csv row, markdown/plain web copy like the seed, telegram); `to_markdown` is a
readable rendering for people.  Every layout rule is the one FORMAT.md measured, and
every choice is made so that the grammar reads the same record back: lines are wrapped
at spaces only (joining with one space restores the text), a wrapped line never starts
with something that looks like structure (`12.`, `B.`, `--`, `(a)`), and page markers
are put only where a sentence runs on into a lower-case word, which is where the
grammar rejoins them.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from cablebase.record import Cable, Paragraph, Sections

WIDTH = 68  # Cablegate bodies wrap at about 66-68 columns (FORMAT §4.10)
PAGE_LINES = 55  # lines per printed page, used when a cable has no SECTION count

# A wrapped line must not start with a token the grammar would read as structure.
_BAD_START = re.compile(
    r"(?:\d{1,3}[.)]|[A-Za-z][.)]|\([A-Za-z0-9]{1,3}\)|-{1,2}(?:\s|$)|o\s|\*|¶|#)"
)
_SENTENCE_END = re.compile(r"[.!?:;\"')]$")
_ANCHOR_LINE = re.compile(r"^(\d+|[A-Z](?=\.\s))\.")

_SPACED = {
    "UNCLASSIFIED": "UNCLAS",
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
    "TOP SECRET": "T O P S E C R E T",
}
_ZNY = {
    "UNCLASSIFIED": "ZNR UUUUU ZZH",
    "CONFIDENTIAL": "ZNY CCCCC ZZH",
    "SECRET": "ZNY SSSSS ZZH",
    "TOP SECRET": "ZNY TTTTT ZZH",
}
PREC_LETTER = {
    "FLASH": "Z",
    "IMMEDIATE": "O",
    "NIACT IMMEDIATE": "O",
    "PRIORITY": "P",
    "ROUTINE": "R",
}
# The handling words that stand as caption lines in the body; the rest (FOUO) only
# ever shows in the container's classification (docs/record.md "handling").
BODY_HANDLING = (
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "AIDAC",
    "CODEL",
    "SBU",
    "DELIBERATIVE PROCESS",
)
# Cablegate's classification links: number and the (wrong, shifted) title attribute
# the site wrote for each link text (FORMAT §1.1, measured on the dev pages).
HTML_CLASSIFICATION = {
    "CONFIDENTIAL": ("1", "unclassified"),
    "CONFIDENTIAL//NOFORN": ("2", "secret"),
    "SECRET": ("3", "confidential"),
    "SECRET//NOFORN": ("4", "secret//noforn"),
    "UNCLASSIFIED": ("5", "unclassified//fouo"),
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": ("6", "confidential//noforn"),
}
FORMS = ("html", "csv", "markdown", "text", "telegram")


# -- small helpers -----------------------------------------------------------------


def wrap(text: str, width: int = WIDTH, first: int | None = None) -> list[str]:
    """Greedy wrap at spaces; `first` is the room on the first line (after a label).

    Never breaks inside a word, and moves a word down so that no continuation line
    starts with a paragraph number, a letter item or a list marker."""
    out: list[str] = []
    i, n = 0, len(text)
    room = width if first is None else first
    while n - i > room:
        j = text.rfind(" ", i, i + room + 1)
        if j <= i:
            j = text.find(" ", i + room)
            if j < 0:
                break
        while _BAD_START.match(text, j + 1):
            k = text.rfind(" ", i, j)
            if k <= i:
                break
            j = k
        out.append(text[i:j])
        i = j + 1
        room = width
    out.append(text[i:])
    return out


def serial_of(cable: Cable) -> int | None:
    """The banner serial: the reference id's trailing number."""
    rid = cable.reference_id or ""
    m = re.search(r"(\d+)$", rid)
    if m and len(rid) > len(m.group(1)) + 2:
        return int(m.group(1))
    if cable.station and cable.station.serial.isdigit():
        return int(cable.station.serial)
    return None


def container_classification(cable: Cable) -> str:
    """`SECRET//NOFORN`, `UNCLASSIFIED//FOR OFFICIAL USE ONLY`: the container's form."""
    level = cable.classification or "UNCLASSIFIED"
    if "NOFORN" in cable.handling:
        return f"{level}//NOFORN"
    if "FOR OFFICIAL USE ONLY" in cable.handling:
        return f"{level}//FOR OFFICIAL USE ONLY"
    return level


def _portion(mark: str | None) -> str:
    return f"({mark}) " if mark else ""


# -- header ------------------------------------------------------------------------


def header_lines(cable: Cable, xyz_blank: bool = False) -> list[str]:
    """The transmission header (FORMAT §3): VZCZC ... TO/INFO/XMT.

    `xyz_blank` keeps the blank line the XYZ/RUEHWEB form has before DE (FORMAT §3.2).
    Only containers with a separate header field (HTML, csv) can carry it: in one text
    the first blank line is where the header ends."""
    lines: list[str] = []
    prec = PREC_LETTER.get(cable.precedence or "", "")
    info = PREC_LETTER.get(cable.info_precedence or "", "")
    if cable.transmission_id:
        lines.append(cable.transmission_id)
    if cable.routing or cable.transmission_id:
        pair = (prec or "R") * 2
        routing = " ".join([pair, *cable.routing])
        lines.extend(wrap(routing, 69))
        if xyz_blank and cable.transmission_id and cable.transmission_id[5:8] == "XYZ":
            lines.append("")  # the XYZ/RUEHWEB form has a blank line before DE
    if cable.station:
        st = cable.station
        de = f"DE {st.route} #{st.serial}"
        if st.part:
            de += f"/{st.part}"
        if st.julian:
            de += f" {st.julian}"
        lines.append(de)
    if cable.security:
        lines.append(cable.security)
    if cable.dtg:
        letters = " ".join(x for x in (prec, info) if x)
        lines.append(f"{letters} {cable.dtg}" if letters else cable.dtg)
    if cable.sender:
        lines.append(f"FM {cable.sender}")
    role = None
    for r in cable.recipients:
        addr = f"{r.route}/{r.name}" if r.route else r.name
        if r.office:
            addr += f"//{r.office}//"
        if r.precedence:
            addr += f" {r.precedence}"
        if r.serial:
            addr += f" {r.serial}"
        if r.role != role:
            addr = f"{r.role.upper()} {addr}"
            role = r.role
        lines.append(addr)
    return lines


# -- body --------------------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """One piece of the body: a preamble field, a heading, a paragraph, the signature."""

    kind: str  # banner handling captions eo tags subject ref classified heading para sign
    lines: list[str]  # hard-wrapped lines
    flat: list[str]  # the same, one line per paragraph piece (web copies)
    starts: frozenset[int] = frozenset()  # para: line indexes where a text piece starts


def _banner(cable: Cable) -> str:
    level = _SPACED.get(cable.classification or "", cable.classification or "UNCLAS")
    parts = [level]
    if cable.sections:
        parts.append(f"SECTION {cable.sections.number:02d} OF {cable.sections.total:02d}")
    if cable.post:
        parts.append(cable.post)
    serial = serial_of(cable)
    if serial is not None:
        parts.append(f"{serial:06d}")
    return " ".join(parts)


def _eo(cable: Cable) -> str | None:
    if cable.eo is None and cable.declassify_on is None and cable.declassify_rule is None:
        return None
    text = f"E.O. {cable.eo}:" if cable.eo else "E.O."
    if cable.declassify_on:
        y, m, d = cable.declassify_on.split("-")
        rule = f"{cable.declassify_rule} " if cable.declassify_rule else "DECL: "
        return f"{text} {rule}{m}/{d}/{y}"
    if cable.declassify_rule in ("N/A", None):
        return f"{text} N/A"
    return f"{text} DECL: {cable.declassify_rule}"


def _ref_items(cable: Cable) -> list[str]:
    """REF items: one per letter, items of a shared letter (`STATE 1 AND STATE 2`) joined."""
    items: list[str] = []
    last = object()
    for ref in cable.references:
        if ref.letter is not None and ref.letter == last:
            items[-1] += f" AND {ref.text}"
            continue
        items.append(f"{ref.letter}. {ref.text}" if ref.letter else ref.text)
        last = ref.letter
    if items and all(r.letter is None for r in cable.references):
        return ["; ".join(items)]
    return items


def _para_pieces(text: str) -> list[str]:
    # "\n" starts a list item, "\n\n" is a blank line inside the paragraph
    return text.split("\n")


def body_blocks(cable: Cable) -> list[Block]:
    """The body as blocks, in telegram order (FORMAT §4.8 order)."""
    blocks: list[Block] = []

    def add(kind: str, lines: list[str], flat: list[str] | None = None, starts=frozenset()) -> None:
        blocks.append(Block(kind, lines, flat if flat is not None else lines, starts))

    add("banner", [_banner(cable)])
    handling = [h for h in cable.handling if h in BODY_HANDLING]
    if handling:
        add("handling", handling)
    if cable.captions:
        add("captions", list(cable.captions))
    eo = _eo(cable)
    if eo:
        add("eo", [eo])
    if cable.tags:
        line = "TAGS: " + " ".join(map(_tag_text, cable.tags))
        add("tags", wrap(line), [line])
    if cable.subject is not None:
        subject = _portion(cable.subject_portion) + cable.subject
        lines = wrap("SUBJECT: " + subject)
        add("subject", lines)
    if cable.references:
        items = _ref_items(cable)
        lines = []
        for i, item in enumerate(items):
            lines.extend(wrap(("REF: " if i == 0 else "") + item))
        add("ref", lines, [("REF: " if i == 0 else "") + it for i, it in enumerate(items)])
    if cable.classified_by is not None:
        line = "Classified By: " + cable.classified_by.text
        add("classified", wrap(line), [line])
    for p in cable.paragraphs:
        if p.heading:
            add("heading", [p.heading, "-" * len(p.heading)], [p.heading])
        add("para", *_para(p))
    if cable.signers:
        add("sign", list(cable.signers))
    return blocks


def _para(p: Paragraph) -> tuple[list[str], list[str], frozenset[int]]:
    lead = ""
    if p.number is not None:
        lead = f"{p.number}. "
    lead += _portion(p.portion)
    lines: list[str] = []
    flat: list[str] = []
    starts: set[int] = set()
    for i, piece in enumerate(_para_pieces(p.text)):
        piece = (lead + piece) if i == 0 else piece
        flat.append(piece)
        starts.add(len(lines))
        lines.extend(wrap(piece) if piece else [""])
    return lines, flat, frozenset(starts)


def _split_points(blocks: list[Block], pages: int) -> dict[tuple[int, int], int]:
    """Where page markers go: (block index, line index) -> page number (2..pages).

    A marker stands between two lines of one paragraph where the first does not end a
    sentence and the second starts in lower case: the grammar rejoins exactly there."""
    if pages < 2:
        return {}
    candidates: list[tuple[int, int, int]] = []  # (running line number, block, line)
    pos = 0
    for b, block in enumerate(blocks):
        if block.kind == "para":
            for k in range(1, len(block.lines)):
                prev, nxt = block.lines[k - 1], block.lines[k]
                if prev and nxt[:1].islower() and not _SENTENCE_END.search(prev):
                    candidates.append((pos + k, b, k))
        pos += len(block.lines) + 1
    if not candidates:
        return {}
    points: dict[tuple[int, int], int] = {}
    start = 0
    for page in range(2, pages + 1):
        target = (page - 1) * pos // pages
        best = None
        for c in range(start, len(candidates)):
            if best is None or abs(candidates[c][0] - target) < abs(candidates[best][0] - target):
                best = c
            elif candidates[c][0] > target:
                break
        # keep the markers in order and distinct; leave room for the pages still to come
        if best is None or best > len(candidates) - (pages - page + 1):
            best = len(candidates) - (pages - page + 1)
        if best < start:
            return points
        points[(candidates[best][1], candidates[best][2])] = page
        start = best + 1
    return points


def _page_total(cable: Cable) -> int:
    return cable.sections.total if cable.sections else 1


def _marker(cable: Cable, page: int | str, total: int) -> str:
    label = page if isinstance(page, str) else f"{page:03d}"
    return f"{cable.post or ''} {serial_of(cable) or 0:08d} {label} OF {total:03d}".strip()


# -- pages and sections of a transmitted telegram -----------------------------------------


@dataclass(frozen=True, slots=True)
class Paging:
    """The page layout of a telegram as a post transmits it (the drafting desk's releases):
    pages of at most `page_lines` body lines, at most `section_pages` pages to a section.

    A page marker names the section, and the page within it after the first
    (`BAMAKO 00000776 002 OF 003` opens section 2, `… 001.2 OF 003` is page 2 of section 1:
    FORMAT §4.12), and the total of sections, which the banner states (`SECTION 01 OF 03`)."""

    page_lines: int = 20
    section_pages: int = 5


def _layout(blocks: list[Block]) -> list[tuple[int, int, str]]:
    """The body's lines as body_lines writes them: (block, line index or -1 for the blank
    line set before a block, text)."""
    out: list[tuple[int, int, str]] = []
    prev_kind = None
    for b, block in enumerate(blocks):
        joined = (prev_kind in ("eo", "tags") and block.kind in ("tags", "subject")) or (
            prev_kind == "handling" and block.kind == "captions"
        )
        if out and not joined:
            out.append((b, -1, ""))
        out.extend((b, k, line) for k, line in enumerate(block.lines))
        prev_kind = block.kind
    return out


def _can_break(blocks: list[Block], rows: list[tuple[int, int, str]], i: int) -> bool:
    """May a page break stand before row i, so that the grammar reads the text back the same?

    Inside a paragraph: between two text lines of one piece (the grammar rejoins them: a
    lower-case word runs on, anything else stays on the next line of the same paragraph).
    Between blocks: on the blank line before a block, when the line above ends a sentence
    (the grammar restores the blank line there) and the block is not the SUBJECT (a SUBJECT
    after a marker reads as a running header)."""
    from cablebase.grammar.pages import ends_sentence

    b, k, line = rows[i]
    prev = rows[i - 1][2] if i else ""
    block = blocks[b]
    if k == -1:
        return block.kind != "subject" and bool(prev) and ends_sentence(prev)
    if block.kind != "para" or k == 0 or k in block.starts:
        return False
    return bool(line) and bool(prev)


def page_points(cable: Cable, paging: Paging, blocks: list[Block] | None = None):
    """(points, sections): where the markers of `paging` stand, {(block, line): label} with
    line -1 for the blank line before a block, and how many sections the pages make."""
    blocks = blocks if blocks is not None else body_blocks(cable)
    rows = _layout(blocks)
    breaks: list[int] = []  # row indexes that open a new page
    start = 0
    while len(rows) - start > paging.page_lines:
        limit = start + paging.page_lines  # the first row that no longer fits
        at = next((i for i in range(limit, start, -1) if _can_break(blocks, rows, i)), None)
        if at is None:  # no break that reads back on this page: the first one after it
            at = next((i for i in range(limit + 1, len(rows)) if _can_break(blocks, rows, i)), None)
            if at is None:
                break
        breaks.append(at)
        start = at + 1 if rows[at][1] == -1 else at  # a blank row is replaced by the marker
    pages = len(breaks) + 1
    sections = -(-pages // paging.section_pages)
    points: dict[tuple[int, int], str] = {}
    for n, i in enumerate(breaks, start=1):
        section, page = divmod(n, paging.section_pages)
        label = f"{section + 1:03d}" if page == 0 else f"{section + 1:03d}.{page + 1}"
        points[(rows[i][0], rows[i][1])] = label
    return points, sections


def paged(cable: Cable, paging: Paging) -> Cable:
    """The record with the section count `paging` gives its telegram (a copy)."""
    import copy

    _, sections = page_points(cable, paging)
    out = copy.deepcopy(cable)
    out.sections = Sections(number=1, total=sections) if sections > 1 else None
    return out


def _points(cable: Cable, blocks: list[Block], paging: Paging | None):
    if paging is None:
        return _split_points(blocks, _page_total(cable))
    return page_points(cable, paging, blocks)[0]


def body_lines(
    cable: Cable, blocks: list[Block] | None = None, paging: Paging | None = None
) -> list[str]:
    """The hard-wrapped telegram body with page markers (spread over the cable's SECTION
    count, or laid out by `paging`)."""
    blocks = blocks if blocks is not None else body_blocks(cable)
    total = _page_total(cable)
    points = _points(cable, blocks, paging)
    out: list[str] = []
    prev_kind = None
    for b, block in enumerate(blocks):
        # E.O., TAGS and SUBJECT stand on consecutive lines; other fields are set apart
        joined = (prev_kind in ("eo", "tags") and block.kind in ("tags", "subject")) or (
            prev_kind == "handling" and block.kind == "captions"
        )
        if out and not joined:
            page = points.get((b, -1))
            out.extend(["", _marker(cable, page, total), ""] if page else [""])
        for k, line in enumerate(block.lines):
            page = points.get((b, k))
            if page and paging is not None:
                out.append(_marker(cable, page, total))  # inside a paragraph: no blank lines
            elif page:
                out.extend(["", _marker(cable, page, total), ""])
            out.append(line)
        prev_kind = block.kind
    return out


def to_telegram(cable: Cable, paging: Paging | None = None) -> str:
    """Canonical ACP-127 telegram: header, a blank line, the body."""
    head = header_lines(cable)
    body = body_lines(cable, paging=paging)
    return "\n".join([*head, "", *body]) + "\n" if head else "\n".join(body) + "\n"


# -- web copies (seed-like markdown and plain text) ------------------------------------


def _web_body(cable: Cable, links: bool, paging: Paging | None = None) -> list[str]:
    blocks = body_blocks(cable)
    total = _page_total(cable)
    points = _points(cable, blocks, paging)
    out: list[str] = []
    anchors = 0
    for b, block in enumerate(blocks):
        if points.get((b, -1)):
            out.extend([_marker(cable, points[(b, -1)], total), ""])
        if block.kind == "tags" and links:
            tags = " ".join(f"[{_tag_text(t)}](#)" for t in cable.tags)
            pieces = [f"TAGS: {tags}"]
        elif block.kind == "subject":
            pieces = ["  \n".join(block.lines)]  # the seed keeps SUBJECT's wrap as hard breaks
        elif block.kind == "heading":
            pieces = [f"#### {block.flat[0]}"]
        elif block.kind in ("handling", "captions"):
            pieces = block.lines
        elif block.kind == "para":
            pieces = _web_para(cable, block, points.get, b, total, tight=paging is not None)
        else:
            pieces = block.flat
        for piece in pieces:
            if _ANCHOR_LINE.match(piece) and not piece.startswith("REF:"):
                if links:
                    # the seed anchors its first paragraphs as [1](#)N., the rest as ¶N.
                    piece = ("[1](#)" if anchors < 3 else "¶") + piece
                anchors += 1
            out.extend([piece, ""])
    return out[:-1]


def _web_para(
    cable: Cable, block: Block, point, b: int, total: int, tight: bool = False
) -> list[str]:
    """A paragraph on one line per piece (list items on their own lines), split where a
    page marker falls, as in the seed (`tight`: the marker on the next line, no blank line
    around it, as a paged layout may break after a full sentence)."""
    chunks: list[str] = []
    cur = ""
    for k, line in enumerate(block.lines):
        page = point((b, k))
        if page and tight:
            cur += "\n" + _marker(cable, page, total) + "\n" + line
        elif page:
            chunks += [cur, _marker(cable, page, total)]
            cur = line
        elif k == 0:
            cur = line
        elif k in block.starts:
            cur += "\n" + line
        else:
            cur += " " + line
    chunks.append(cur)
    return chunks


def to_web_copy(cable: Cable, links: bool = True, paging: Paging | None = None) -> str:
    """Markdown/plain copy of a cable's web page like the seed (FORMAT §1.2)."""
    head = header_lines(cable)
    head = [h + "  " for h in head[:-1]] + head[-1:]
    body = _web_body(cable, links, paging)
    return "\n\n" + "\n".join(head) + "\n\n" + "\n".join(body)


# -- Cablegate HTML page ---------------------------------------------------------------


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hhii(iso: str | None) -> tuple[str, str]:
    """`YYYY-MM-DD HH:II`: Cablegate printed the 12-hour clock hour as the minute."""
    if not iso:
        return "", ""
    date, hour = iso[:10], int(iso[11:13] or 0)
    return date, f"{date} {hour:02d}:{(hour % 12) or 12:02d}"


def _tag_links(line: str) -> str:
    head, _, rest = line.partition(" ")
    links = " ".join(f"<a href='/tag/{t}_0.html'>{_esc(t)}</a>" for t in rest.split())
    return f"{head} {links}"


def html_path(cable: Cable) -> str:
    created = cable.created or "1970-01-01"
    return f"cable/{created[:4]}/{created[5:7]}/{cable.reference_id}.html"


def to_html(cable: Cable, paging: Paging | None = None) -> str:
    """A Cablegate page (FORMAT §1.1): title, metadata table, two <pre> blocks."""
    rid = cable.reference_id or ""
    title = cable.title
    if title is None and cable.subject is not None:
        title = wrap("SUBJECT: " + _portion(cable.subject_portion) + cable.subject)[0][9:]
    cdate, created = _hhii(cable.created)
    rdate, released = _hhii(cable.released or "2010-11-28T00:00:00Z")
    klass = container_classification(cable)
    knum, ktitle = HTML_CLASSIFICATION.get(klass, ("1", "unclassified"))
    origin = cable.origin or ""
    onum = zlib.crc32(origin.encode()) % 280 + 1
    head = "&#x000A;".join(_esc(h) for h in header_lines(cable, xyz_blank=True))
    body_parts: list[str] = []
    tags_open = False
    for line in body_lines(cable, paging=paging):
        if line.startswith("TAGS:") and not tags_open:
            body_parts.append(_tag_links(_esc(line)))
            tags_open = True
            continue
        text = _esc(line)
        m = _ANCHOR_LINE.match(line)
        if m:
            text = f"<a id='par{m.group(1)}' href='#par{m.group(1)}'>¶</a>{text}"
        body_parts.append(text + " " if line else "")
    body = "&#x000A;".join(body_parts)
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n"
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        "<html lang='en' xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>\n"
        "<head>\n<title>Cable Viewer</title>\n</head>\n<body>\n<div class='main'>\n"
        "<div class='pane big'>\n"
        f"<h3>Viewing cable {_esc(rid)}, {_esc(title or '')}</h3>\n"
        "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n"
        "<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n"
        f"<td>\n<a href='/{html_path(cable)}'>{_esc(rid)}</a>\n</td>\n"
        f"<td>\n<a href='/date/{cdate[:7]}_0.html'>{created}</a>\n</td>\n"
        f"<td>\n<a href='/reldate/{rdate}_0.html'>{released}</a>\n</td>\n"
        f"<td>\n<a href='/classification/{knum}_0.html' title='{ktitle}'>{klass}</a>\n</td>\n"
        f"<td>\n<a href='/origin/{onum}_0.html'>{_esc(origin)}</a>\n</td>\n"
        "</tr>\n</table>\n"
        f"<code><pre>{head}</pre></code>\n"
        f"<code><pre>{body}</pre></code>\n"
        "</div>\n</div>\n</body>\n</html>\n"
    )


# -- cables.csv row ----------------------------------------------------------------------


def _csv_field(text: str) -> str:
    # cables.csv escapes with a backslash, never by doubling (FORMAT §1.3)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'


def to_csv_row(cable: Cable, row_id: int | None = None, paging: Paging | None = None) -> str:
    """One cables.csv row (8 columns, every field quoted), ending with a newline."""
    if row_id is None:
        row_id = zlib.crc32((cable.reference_id or "").encode()) % 250000 + 1
    created = ""
    if cable.created:
        y, mo, d = cable.created[:10].split("-")
        created = f"{int(mo)}/{int(d)}/{y} {int(cable.created[11:13])}:{cable.created[14:16]}"
    header = "\n".join(header_lines(cable, xyz_blank=True))
    body = "\n".join(body_lines(cable, paging=paging))
    fields = (
        str(row_id),
        created,
        cable.reference_id or "",
        cable.origin or "",
        container_classification(cable),
        "|".join(cable.listed_references),
        header + "\n" if header else "",
        body + "\n",
    )
    return ",".join(_csv_field(f) for f in fields) + "\n"


# -- forms --------------------------------------------------------------------------------


def _tag_text(tag: str) -> str:
    """A tag as a TAGS line writes it: a person tag (`VANCE, SUSAN`; `BIDEN, JOSEPH` after
    OVIP) without its comma, as a page has it, so that the line reads back as the same tags
    (a comma would cut the line into other pieces)."""
    return tag.replace(", ", " ") if ", " in tag and "(" not in tag else tag


def to_form(cable: Cable, form: str, paging: Paging | None = None) -> str:
    """Render one cable in a published form: html | csv | markdown | text | telegram
    (`paging`: pages and sections as transmitted, see Paging)."""
    if form == "html":
        return to_html(cable, paging)
    if form == "csv":
        return to_csv_row(cable, paging=paging)
    if form == "markdown":
        return to_web_copy(cable, links=True, paging=paging)
    if form == "text":
        return to_web_copy(cable, links=False, paging=paging)
    if form == "telegram":
        return to_telegram(cable, paging)
    raise ValueError(f"unknown form {form!r}; expected one of {', '.join(FORMS)}")


def render(cable: Cable) -> str:
    """The canonical telegram (DESIGN: `render(record)`)."""
    return to_telegram(cable)


# -- readable markdown -------------------------------------------------------------------


def _md_rows(rows: Iterable[tuple[str, str | None]]) -> list[str]:
    out = ["| field | value |", "|---|---|"]
    for key, value in rows:
        if value:
            cell = value.replace("|", "\\|")
            out.append(f"| {key} | {cell} |")
    return out


def to_markdown(cable: Cable) -> str:
    """A readable markdown page: title, metadata table, preamble, headings, paragraphs."""
    title = cable.subject or cable.title or "(no subject)"
    lines = [f"# {cable.reference_id or 'Cable'}: {title}", ""]
    lines += _md_rows(
        [
            ("Created", cable.created),
            ("Origin", cable.origin),
            ("Classification", container_classification(cable)),
            ("Handling", ", ".join(cable.handling)),
            ("Precedence", cable.precedence),
            ("From", cable.sender),
            ("To", ", ".join(r.name for r in cable.recipients if r.role == "to")),
            ("Info", ", ".join(r.name for r in cable.recipients if r.role == "info")),
            ("TAGS", " ".join(map(_tag_text, cable.tags))),
            ("E.O.", cable.eo),
            ("Declassify on", cable.declassify_on or cable.declassify_rule),
            ("Classified by", cable.classified_by.text if cable.classified_by else None),
        ]
    )
    if cable.captions:
        lines += ["", *(f"> {c}" for c in cable.captions)]
    if cable.references:
        lines += ["", "## References", ""]
        for ref in cable.references:
            target = f" → [{ref.id}]({ref.id})" if ref.id else ""
            lines.append(f"- {ref.letter + '. ' if ref.letter else ''}{ref.text}{target}")
    if cable.summary:
        lines += ["", "## Summary", "", cable.summary]
    lines += ["", "## Text"]
    for p in cable.paragraphs:
        if p.heading:
            lines += ["", f"### {p.heading}"]
        lead = f"{p.number}. " if p.number is not None else ""
        mark = f"**({p.portion})** " if p.portion else ""
        lines += ["", lead + mark + p.text.replace("\n", "  \n")]
    if cable.signers:
        lines += ["", " / ".join(cable.signers)]
    return "\n".join(lines) + "\n"
