"""cablebase's own exports, read back: whole records, stored as they are (not parsed again).

An export holds records the grammar already made (docs/record.md), so reading one back must
not run the grammar over them again: each record is checked against the record model of the
API (`web.models.Cable`, the strict mirror of schema/cable.schema.json) and stored unchanged.

    JSON Lines   `cablebase export --to jsonl`: one whole record per line (also `/api/export`)
    JSON         one record (`cablebase show ID --json`) or a list of records
    CSV          `cablebase export --to csv --record`: the flat columns plus `record`, the
                 whole record as JSON; the flat columns alone are not a record (no recipients,
                 paragraph marks or source text) and such a file is refused, saying so

What an export cannot give back is refused per record, with the reason:
- a partial view (`access.withheld`: the exporting reader was not cleared for every portion),
  whose placeholders would be stored as if they were the cable's text;
- anything that is not a valid record (a line of other JSON, a damaged line).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from cablebase.record import Cable

__all__ = [
    "CSV_HEADER",
    "Exported",
    "Refused",
    "iter_exported",
    "kind_of",
]

# The first columns of every CSV that archive/export.py writes (CSV_COLUMNS).
CSV_HEADER = "reference_id,created,origin,post,classification,"
RECORD_COLUMN = "record"
WITHHELD_CODE = "access.withheld"  # access/policy.py marks every partial view with it
_JSON_START = re.compile(rb'\s*(?:\[\s*)?\{\s*"reference_id"\s*:')
_LINE_CHUNK = 1 << 16


@dataclass(slots=True)
class Exported:
    """A whole record read back from an export: stored as it is."""

    cable: Cable
    path: str | None
    offset: int | None  # 0-based row (csv), line (jsonl) or list index (json)


@dataclass(slots=True)
class Refused:
    """An item of an export that cannot become a record, and why."""

    offset: int | None
    reason: str


def kind_of(head: bytes | str) -> str | None:
    """ "csv" or "json" when the first bytes are a cablebase export, else None."""
    data = head.encode("utf-8", "replace") if isinstance(head, str) else head
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.startswith(CSV_HEADER.encode()):
        return "csv"
    if _JSON_START.match(data):
        return "json"
    return None


def iter_exported(
    stream: IO[bytes], *, path: str | None, max_item: int
) -> Iterator[Exported | Refused]:
    """Every record of an export stream (`kind_of` its head), or why an item is refused."""
    buffered = io.BufferedReader(stream, _LINE_CHUNK)  # type: ignore[arg-type]
    head = buffered.peek(len(CSV_HEADER) + 3)
    if kind_of(head) == "csv":
        yield from _csv_rows(buffered, path, max_item)
    else:
        yield from _json_items(buffered, path, max_item)


# -- records ---------------------------------------------------------------------------------


def record_of(data: Any, path: str | None, offset: int | None) -> Exported | Refused:
    """One decoded JSON value -> a record, or the reason it cannot be one."""
    from pydantic import ValidationError

    from cablebase.web.models import Cable as CableModel  # the one strict record definition

    if not isinstance(data, dict):
        return Refused(offset, f"not a cablebase record: a JSON {type(data).__name__}")
    if any(
        w.get("code") == WITHHELD_CODE for w in data.get("warnings") or () if isinstance(w, dict)
    ):
        return Refused(
            offset,
            "refused: a partial view (portions were withheld from the reader who exported it); "
            "stored, its placeholders would pass for the cable's text: export it as a reader "
            "cleared for the whole cable",
        )
    try:
        CableModel.model_validate(_complete(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Refused(offset, f"not a valid cablebase record: {where}: {first['msg']}")
    if not data.get("reference_id"):
        return Refused(offset, "a record without a reference id")
    return Exported(Cable.from_dict(data), path, offset)


def _complete(data: dict) -> dict:
    """The record with every key the model requires (an export omits none; a hand-made
    record may): missing keys take the record's own defaults."""
    base = Cable().to_dict()
    base.update(data)
    return base


# -- JSON Lines and JSON -----------------------------------------------------------------------


def _json_items(stream: IO[bytes], path: str | None, max_item: int) -> Iterator[Exported | Refused]:
    lines = _lines(stream, max_item)
    first = next(lines, None)
    if first is None:
        return
    index, line = first
    # A JSON document spread over lines (an indented record, a list) opens with a line of
    # its own; anything else is JSON Lines, read line by line (a damaged line refused alone).
    if isinstance(line, int) or not (line.strip() == b"{" or line.lstrip().startswith(b"[")):
        yield from _json_lines(itertools.chain([first], lines), path)
        return
    # One JSON document over several lines (an indented record, a list): read it whole.
    parts = [line] if isinstance(line, bytes) else []
    size = len(parts[0]) if parts else max_item + 1
    for _, more in lines:
        if not isinstance(more, bytes) or size + len(more) > max_item:
            size = max_item + 1
            break
        parts.append(more)
        size += len(more)
    if size > max_item:
        yield Refused(None, f"refused (--max-item-size): a JSON document over {max_item:,} bytes")
        return
    try:
        value = orjson.loads(b"\n".join(parts))
    except orjson.JSONDecodeError as exc:
        yield Refused(None, f"not JSON: {exc}")
        return
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        yield record_of(item, path, i if isinstance(value, list) else None)


def _json_lines(
    lines: Iterator[tuple[int, bytes | int]], path: str | None
) -> Iterator[Exported | Refused]:
    for index, line in lines:
        if isinstance(line, int):
            yield Refused(index, f"refused (--max-item-size): a line of {line:,} bytes or more")
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Refused(index, f"not a JSON line: {exc}")
            continue
        yield record_of(value, path, index)


def _lines(stream: IO[bytes], cap: int) -> Iterator[tuple[int, bytes | int]]:
    """(line index, line) for every non-blank line; an over-long line gives its size
    instead (skipped without holding it)."""
    index = 0
    while True:
        line = stream.readline(cap + 1)
        if not line:
            return
        if len(line) > cap and not line.endswith(b"\n"):
            size = len(line)
            while chunk := stream.readline(_LINE_CHUNK):
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    break
            yield index, size
        elif line.strip():
            yield index, line
        index += 1


# -- CSV ---------------------------------------------------------------------------------------


def _csv_rows(stream: IO[bytes], path: str | None, max_item: int) -> Iterator[Exported | Refused]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    # The record cell is as long as the record; the module default (128 KB) is not.
    csv.field_size_limit(max(csv.field_size_limit(), min(max_item, sys.maxsize)))
    rows = csv.reader(text, strict=True)
    try:
        header = next(rows)
    except (StopIteration, csv.Error):
        yield Refused(None, "a cablebase CSV export without a readable header line")
        return
    if RECORD_COLUMN not in header:
        yield Refused(
            None,
            "a cablebase CSV export without its `record` column: the flat columns hold only "
            "part of each record (no recipients, paragraph marks or source text), so it cannot "
            "be ingested back; export again with `cablebase export --to csv --record` "
            "(or `--to jsonl`)",
        )
        return
    column = header.index(RECORD_COLUMN)
    index = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over the limit, a broken quote: the rest is lost
            yield Refused(index, f"CSV broken at this row: {exc}; the rest is not read")
            return
        if row:
            if len(row) != len(header):
                yield Refused(index, f"a row of {len(row)} cells under a header of {len(header)}")
            else:
                yield _from_cell(row[column], path, index)
        index += 1


def _from_cell(cell: str, path: str | None, index: int) -> Exported | Refused:
    try:
        value = orjson.loads(cell)
    except orjson.JSONDecodeError as exc:
        return Refused(index, f"the `record` cell is not JSON: {exc}")
    return record_of(value, path, index)
