"""Rows of the 2011 full-release cables.csv (FORMAT.md §1.3).

Eight quoted columns: row id, creation date (``M/D/YYYY H:MM``), reference id,
origin, classification, references (``|``-separated), header, body.  Quotes inside
a field are backslash-escaped (``\\"``, ``\\'``), and header and body span many lines.

The file is streamed as bytes and cut into records at the start of each row
(``"<digits>","<M/D/YYYY H:MM>",`` at a line start), so a broken row — an
unbalanced quote, a truncated last row, bytes that are not text — is reported on
its own as a :class:`BadRow` and cannot swallow the rows after it.  Each record is
decoded on its own (UTF-8, else cp1252, else latin-1 with a note), which keeps an
encoding problem local to the row that has it.  A row holding NUL bytes (damaged
data) and a "row" longer than ``max_record`` bytes (no row start found: not a
cables.csv, or a bomb) are BadRows too; the longer one is never held in memory.
"""

from __future__ import annotations

import csv as _csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from cablebase.grammar.unwrapped import Meta, Unwrapped

__all__ = ["BadRow", "RawRow", "decode", "iter_csv", "read_row", "unwrap_row"]

_csv.field_size_limit(1 << 30)

# A row starts at a line start with the quoted numeric id and a quoted date.
_ROW_OPENING = rb'"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}",'
_ROW_START = re.compile(rb"(?m)^" + _ROW_OPENING)
# The line break before a row start and the row's opening quote: one regex scan finds them
# all (a loop of bytes.find for '\n"' and a match at each took ~2 us more a row of the ingest's
# main process).  The two characters are the regex's literal prefix, so it tries the rest
# only after a line break followed by a quote, not after every line break.
_ROW_BREAK = re.compile(rb'\n"(?=' + _ROW_OPENING[1:] + rb")")
# A plain header line (`id,date,...`) before the first row is skipped.
_HEADER_LINE = re.compile(rb'^\s*"?[A-Za-z_][\w \-]*"?(?:,"?[\w \-]*"?){7}\s*$')
_CHUNK = 1 << 20
MAX_RECORD = 32 << 20  # one row; the longest cable of the 2011 release is well under 1 MB


@dataclass(slots=True)
class BadRow:
    """A record that could not be read as an 8-column row."""

    offset: int  # 0-based row index
    reason: str
    notes: list[tuple[str, str]] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes to text: UTF-8 (BOM dropped), else cp1252, else latin-1.

    Returns the text and the fallback encoding used (None for UTF-8).
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def unwrap_row(row: list[str], *, path: str | None = None, offset: int | None = None) -> Unwrapped:
    """One parsed 8-field row to an Unwrapped cable (fields as the csv module gives them)."""
    _id, created, refid, origin, classification, refs, header, body = row[:8]
    head = _lines(header)
    meta = Meta(
        reference_id=refid.strip() or None,
        created=created.strip() or None,
        classification=classification.strip() or None,
        origin=origin.strip() or None,
        references=[r.strip() for r in refs.split("|") if r.strip()],
    )
    return Unwrapped(
        form="csv",
        header=head if any(head) else None,
        body=_lines(body),
        meta=meta,
        path=path,
        offset=offset,
    )


def _lines(field_text: str) -> list[str]:
    if "\r" in field_text:
        field_text = field_text.replace("\r\n", "\n").replace("\r", "\n")
    lines = list(map(str.rstrip, field_text.split("\n")))  # no bytecode per line
    # The field usually ends with a newline: drop the one empty line it leaves.
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


# A backslash before a line break: one scan (a literal-led regex) instead of two substring tests.
_ESCAPED_LINE_END = re.compile(r"\\[\n\r]")


def _split_plain(text: str) -> list[str] | None:
    """The 8 fields of a usual record, cut at its `","` separators without the csv module
    (whose step per character was 9 % of a row's parse), or None for the csv module to read.

    When no backslash is itself escaped (`\\\\`), every quote inside a field is backslash-escaped
    (`\\"`) and no field ends in a backslash (no separator's quote is escaped), the only `","`s
    are the separators and a field is its text with each escaping backslash dropped: what the
    csv module reads.  The tests are made field by field, and only a field that holds a
    backslash is scanned character by character (whole-text counts of `"` and `\\"` cost 4 %
    of a row's parse)."""
    if text[:1] != '"' or not text.endswith('"\n') or "\r" in text:
        return None
    fields = text[1:-2].split('","')
    if len(fields) != 8:
        return None
    for k, f in enumerate(fields):
        if "\\" in f:
            unescaped = _unescape_field(f)
            if unescaped is None:
                return None
            fields[k] = unescaped
        elif '"' in f:
            return None  # a quote not escaped: the csv module decides
    return fields


def _unescape_field(f: str) -> str | None:
    """A field's text with its escaping backslashes dropped, or None when a quote in it is
    not escaped, a backslash is escaped or the field ends in a backslash.

    Cut at its backslashes, each piece after the first starts with the escaped character:
    an empty piece is a backslash escaped or ending the field, and a quote may only stand
    first in a piece after the first."""
    pieces = f.split("\\")
    if '"' in pieces[0]:
        return None
    for k in range(1, len(pieces)):
        p = pieces[k]
        if not p or p.find('"', 1) >= 0:
            return None
    return "".join(pieces)


def _parse_record(text: str) -> list[str] | str:
    """The fields of one record, or the reason it is not a valid row."""
    plain = _split_plain(text)
    if plain is not None:
        return plain
    # Fast path: the whole record given to the reader as one string (half the cost of
    # feeding it line by line).  It reads the same row whenever it reads exactly one
    # 8-field row, the record being one row: the line ends fed in between only matter at a
    # row's end, or after a backslash-escaped line break outside quotes (sent to the slow path).
    if _ESCAPED_LINE_END.search(text) is None:
        try:
            rows = list(_csv.reader((text,), quotechar='"', escapechar="\\", strict=True))
        except _csv.Error:
            rows = []
        if len(rows) == 1 and len(rows[0]) == 8:
            return rows[0]
    try:
        rows = list(
            _csv.reader(io.StringIO(text, newline=""), quotechar='"', escapechar="\\", strict=True)
        )
    except _csv.Error as exc:
        return f"malformed row: {exc}"
    rows = [r for r in rows if r]
    if len(rows) != 1:
        return f"record splits into {len(rows)} rows (unbalanced quotes?)"
    row = rows[0]
    if len(row) != 8:
        return f"row has {len(row)} fields, expected 8 (truncated or broken quoting)"
    return row


def _row_starts(buf: bytes, pos: int, at_start: bool | None = None) -> Iterator[int]:
    """Offsets of row starts in buf from pos.

    Offset 0 is a row start only at the start of the stream (``at_start``, default pos == 0).
    """
    if (pos == 0 if at_start is None else at_start) and _ROW_START.match(buf):
        yield 0
    for m in _ROW_BREAK.finditer(buf, pos):
        yield m.start() + 1


@dataclass(slots=True, frozen=True)
class _Oversize:
    """A record longer than the limit: only its length is kept."""

    size: int


_TAIL = 64  # bytes kept across chunk edges, so a row start cut by one is still seen


def _records(chunks: Iterable[bytes], limit: int = MAX_RECORD) -> Iterator[bytes | _Oversize]:
    """Cut a byte stream into records, each starting at a row start (the first may not).

    A record that grows past ``limit`` bytes without a next row start is dropped as it
    streams (memory stays at about ``limit`` + one chunk) and given as an :class:`_Oversize`.
    """
    buf = b""
    dropped = 0  # bytes of the current record already let go
    first = True
    for chunk in chunks:
        if not chunk:
            continue
        # Re-scan a little of the old tail: a row start may have been cut by the chunk edge.
        scan_from = max(len(buf) - _TAIL, 0)
        buf += chunk
        cut = 0
        # A record is complete once the next row start is seen; the last one may still grow.
        for s in _row_starts(buf, scan_from, at_start=first and scan_from == 0):
            if s > cut or (dropped and s == cut):
                yield _Oversize(dropped + s - cut) if dropped else buf[cut:s]
                dropped = 0
                cut = s
        first = False
        buf = buf[cut:]
        if len(buf) > _TAIL and len(buf) + dropped > limit:
            dropped += len(buf) - _TAIL
            buf = buf[-_TAIL:]
    if dropped:
        yield _Oversize(dropped + len(buf))
    elif buf:
        yield buf


_NUL_RUN = re.compile(rb"\x00+")


def _recut(records: Iterable[bytes | _Oversize]) -> Iterator[bytes | _Oversize]:
    """Records holding NUL bytes, cut again at row starts that the NULs hid.

    A NUL inside a row's opening (``"1\\x002","3/4/1975 9:05",``) would merge that row into
    the one before, losing a good row and miscounting; cut without the NULs, each piece is
    one row again, and only the piece that holds a NUL is damaged.  NULs at a cut go with
    the row after it (they sit before its opening quote).
    """
    for rec in records:
        if isinstance(rec, _Oversize) or b"\x00" not in rec:
            yield rec
            continue
        clean = rec.replace(b"\x00", b"")
        starts = [c for c in _row_starts(clean, 0, at_start=False) if c > 0]
        if not starts:
            yield rec
            continue
        # Where each cut of the NUL-free copy lies in the record: past the NULs before it.
        runs = [(m.start(), m.end() - m.start()) for m in _NUL_RUN.finditer(rec)]
        cuts = [0]
        for c in starts:
            shift = 0
            for at, length in runs:
                if at < c + shift:
                    shift += length
                else:
                    break
            cuts.append(c + shift)
        cuts.append(len(rec))
        yield from (rec[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a)


def _opens_row(rec: bytes) -> bool:
    """The record opens with a row start, perhaps with NUL bytes in it (a damaged row)."""
    if _ROW_START.match(rec):
        return True
    opening = rec[:80]
    return b"\x00" in opening and _ROW_START.match(opening.replace(b"\x00", b"")) is not None


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def iter_csv(
    source: IO[bytes] | Iterable[bytes],
    *,
    path: str | None = None,
    max_record: int = MAX_RECORD,
    raw: bool = False,
) -> Iterator[Unwrapped | BadRow | RawRow]:
    """Stream the rows of a cables.csv byte stream: one Unwrapped or BadRow per row.

    ``offset`` is the 0-based row index; a row that was not valid UTF-8 carries a
    ``source.encoding`` note.  Rows longer than ``max_record`` bytes are BadRows.
    ``raw``: each row cut out is given as a RawRow (its bytes) instead, for read_row.
    """
    chunks = _chunks(source) if hasattr(source, "read") else source  # type: ignore[arg-type]
    index = 0
    first = True
    for rec in _recut(_records(chunks, max_record)):  # type: ignore[arg-type]
        if isinstance(rec, _Oversize):
            first = False
            reason = (
                f"refused: a row of {rec.size:,} bytes, over the {max_record:,}-byte limit "
                "for one cable (no row start found: damaged, or not a cables.csv)"
            )
            yield BadRow(index, reason)
            index += 1
            continue
        if first:
            first = False
            if rec.startswith(b"\xef\xbb\xbf"):
                rec = rec[3:]
            if not _opens_row(rec):
                # Text before the first row: a header line is fine, anything else is reported.
                nl = rec.find(b"\n")
                head, rest = (rec, b"") if nl < 0 else (rec[:nl], rec[nl + 1 :])
                if _HEADER_LINE.match(head) or not head.strip():
                    rec = rest
                if not rec.strip():
                    continue
                if not _opens_row(rec):
                    yield BadRow(index, "text before the first row is not a cables.csv row")
                    index += 1
                    continue
        yield RawRow(index, rec) if raw else read_row(rec, index, path)
        index += 1


@dataclass(slots=True)  # not frozen: made for every row, as fast as can be (sources.Raw)
class RawRow:
    """A row's bytes, cut from the stream but not yet read (iter_csv(raw=True)): read_row
    reads it, in another process if need be (ingest's workers)."""

    offset: int  # 0-based row index
    data: bytes


def read_row(rec: bytes, index: int, path: str | None = None) -> Unwrapped | BadRow:
    """One record's bytes (a row start and what follows up to the next) to its row."""
    nul = rec.find(b"\x00")
    if nul >= 0:
        # Damaged bytes: storing the row would keep them (or hide them); report it.
        return BadRow(index, f"NUL byte in the row (damaged data): at byte {nul:,} of the row")
    text, enc = decode(rec)
    notes: list[tuple[str, str]] = []
    if enc:
        notes.append(("source.encoding", f"row is not valid UTF-8; decoded as {enc}"))
    parsed = _parse_record(text)
    if isinstance(parsed, str):
        return BadRow(index, parsed, notes)
    u = unwrap_row(parsed, path=path, offset=index)
    u.notes.extend(notes)
    return u
