"""Export every hit of a query as JSON lines, CSV or Parquet: no cap, flat memory.

The hits are read from one SQL cursor of cable ids, `CHUNK` at a time; each chunk's records are
loaded with one query per table (rows, paragraphs, sources) and written before the next chunk is
read, so memory stays the same for 1,000 or 2 million hits.

    jsonl    one whole record per line, exactly what `Archive.get` returns (docs/record.md)
    csv      one row per cable (RFC 4180, UTF-8), list fields joined with `|`; `text=True` adds
             the cable's text; `record=True` adds `record`, the whole record as JSON (the jsonl
             line): the shape `cablebase ingest` reads back (forms/exported.py)
    parquet  the CSV columns with typed values and real lists (needs the `parquet` extra: pyarrow)
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import orjson

from cablebase.access.policy import Access, Stored, view
from cablebase.archive import texts as stored_texts
from cablebase.archive.db import Db
from cablebase.archive.query import Node
from cablebase.record import Cable, file_name_of
from cablebase.spreadsheet import inert

if TYPE_CHECKING:
    from cablebase.archive.api import Archive

FORMATS = ("jsonl", "csv", "parquet")
CHUNK = 500  # records per load: one query per table per chunk
PARQUET_BATCH = 5000  # rows per Parquet row group
PARQUET_TEXT_BATCH = 2000  # ... when the rows carry the text (holds memory down)
ORDERS = {
    "date": "c.created, c.id",
    "-date": "c.created DESC, c.id DESC",
    "id": "c.id",
}
# PostgreSQL puts NULL last in ascending order: undated cables first in date order (as SQLite).
PG_ORDERS = {
    **ORDERS,
    "date": "c.created NULLS FIRST, c.id",
    "-date": "c.created DESC NULLS LAST, c.id DESC",
}
CSV_COLUMNS = (
    "reference_id",
    "created",
    "origin",
    "post",
    "classification",
    "handling",
    "precedence",
    "sender",
    "tags",
    "subject",
    "references",
    "signers",
    "classified_by",
    "eo",
    "declassify_on",
    "n_paragraphs",
    "n_warnings",
    "partial",
    "source_form",
    "source_path",
)
LIST_SEPARATOR = "|"

Out = str | os.PathLike | IO[bytes] | IO[str]


class ExportError(RuntimeError):
    """An export that cannot run (unknown format, missing optional dependency)."""


# -- hits ----------------------------------------------------------------------------------


def where_clause(archive: Archive, query: str | Node) -> tuple[str, list]:
    """The WHERE condition over `cables c` for a query, with its parameters.

    Built by the archive itself when it can (`Archive.where` resolves origin: values against
    the stored origins), so an export holds exactly the hits `Archive.search` lists.
    """
    params: list = []
    return archive.where(query, params), params


def hit_chunks(
    archive: Archive, query: str | Node = "", *, sort: str = "date", chunk: int = CHUNK
) -> Iterator[list[int]]:
    """The cable ids matching a query, in order, `chunk` at a time, from one cursor."""
    if sort not in ORDERS:
        raise ValueError(f"sort must be one of {', '.join(ORDERS)}")
    where, params = where_clause(archive, query)
    db = archive.db
    order = (PG_ORDERS if db.postgres else ORDERS)[sort]
    cur = db.execute(f"SELECT c.id FROM cables c WHERE {where} ORDER BY {order}", params)
    while rows := cur.fetchmany(chunk):
        yield [r[0] for r in rows]


def _dicts(archive: Archive, ids: Sequence[int], **kw: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """iter_dicts over the archive's store, as its reader sees each record."""
    kw.setdefault("access", archive.access)
    kw.setdefault("locations", archive.locations)
    yield from iter_dicts(archive.db, ids, **kw)


# -- batched loading -----------------------------------------------------------------------


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def iter_dicts(
    conn: sqlite3.Connection | Db,
    ids: Sequence[int],
    *,
    paragraphs: bool = True,
    source: bool = True,
    access: Access | None = None,
    locations: bool = True,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(cable id, record as a JSON-ready dict) for `ids`, in their order.

    The same data `SQLiteStore._load` reassembles, in three queries for the whole chunk instead
    of three per record.  Without `paragraphs`/`source` those keys keep what the row stores.
    Each dict is built as it is yielded, so only the chunk's raw rows are held at once.
    With a restricted `access`, each record is as that reader sees it (policy.view).
    Without `locations`, source paths lose the folders of this machine (record.file_name_of).
    `conn`: either store's (archive/db.py).
    """
    if not ids:
        return
    conn = Db.of(conn)
    if not locations:
        for cid, data in iter_dicts(conn, ids, paragraphs=paragraphs, source=source, access=access):
            src = data.get("source")
            if src and src.get("path"):
                src["path"] = file_name_of(src["path"])
            yield cid, data
        return
    marks = _marks(ids)
    rows = dict(conn.execute(f"SELECT id, record FROM cables WHERE id IN ({marks})", ids))
    if access is not None and not access.unrestricted:
        columns = {
            cid: Stored(*cols)
            for cid, *cols in conn.execute(
                "SELECT id, class_rank, caveat_bits, open_on, floor_rank FROM cables"
                f" WHERE id IN ({marks})",
                ids,
            )
        }
        for cid, data in iter_dicts(conn, ids, paragraphs=paragraphs, source=source):
            decision, shown = view(Cable.from_dict(data), access, columns.get(cid))
            if shown is not None:
                yield cid, data if decision == "full" else shown.to_dict()
        return
    paras: dict[int, list[tuple]] = {}
    if paragraphs:
        for row in stored_texts.paragraphs(conn, ids):
            lst = paras.get(row[0])
            if lst is None:
                lst = paras[row[0]] = []
            lst.append(row)
    sources: dict[int, tuple] = {}
    if source:
        sources = {cid: (cid, *row) for cid, row in stored_texts.sources(conn, ids).items()}
    for cid in ids:
        record = rows.pop(cid, None)
        if record is None:  # deleted between the id query and this one
            continue
        data = orjson.loads(stored_texts.record_json(record))
        if paragraphs:
            data["paragraphs"] = [
                {"number": n, "portion": p, "heading": h, "text": t}
                for _, n, p, h, t in paras.pop(cid, ())
            ]
        if source and (src := sources.pop(cid, None)):
            data["source"] = dict(zip(_SOURCE_KEYS, src[1:], strict=True))
        yield cid, data


_SOURCE_KEYS = ("form", "path", "offset", "header", "body")


def records(archive: Archive, query: str | Node = "", *, sort: str = "date") -> Iterator[Cable]:
    """Every record matching a query, as `Cable` objects, loaded a chunk at a time."""
    for ids in hit_chunks(archive, query, sort=sort):
        for _, data in _dicts(archive, ids):
            yield Cable.from_dict(data)


# -- output streams ------------------------------------------------------------------------


class _TextToBytes:
    """A binary writer over a text stream that has no `.buffer` (io.StringIO)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def _is_text(stream: Any) -> bool:
    return isinstance(stream, io.TextIOBase) or (
        hasattr(stream, "encoding") and not isinstance(stream, io.BufferedIOBase | io.RawIOBase)
    )


@contextmanager
def _binary(out: Out) -> Iterator[Any]:
    if isinstance(out, str | os.PathLike):
        with open(out, "wb") as f:
            yield f
        return
    if _is_text(out):
        buffer = getattr(out, "buffer", None)
        out.flush()  # text already written must come first
        if buffer is not None:
            yield buffer
            buffer.flush()
        else:
            yield _TextToBytes(out)
        return
    yield out
    out.flush()


@contextmanager
def _text(out: Out) -> Iterator[IO[str]]:
    if isinstance(out, str | os.PathLike):
        with open(out, "w", encoding="utf-8", newline="") as f:
            yield f
        return
    if _is_text(out):
        yield out
        out.flush()
        return
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()  # leave the caller's stream open


# -- formats -------------------------------------------------------------------------------


def _jsonl(archive: Archive, query: str | Node, out: Out, sort: str) -> int:
    n = 0
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    with _binary(out) as f:
        for ids in hit_chunks(archive, query, sort=sort):
            for _, d in _dicts(archive, ids):
                f.write(dumps(d, option=newline))
                n += 1
    return n


def _unique_refs(refs: list[dict] | None) -> list[str]:
    seen: dict[str, None] = {}
    for r in refs or ():
        if r.get("id"):
            seen[r["id"]] = None
    return list(seen)


def cable_text(paragraphs: list[dict]) -> str:
    """The cable's text as a reader sees it: headings, numbered paragraphs, blank lines."""
    parts: list[str] = []
    for p in paragraphs:
        if p.get("heading"):
            parts.append(p["heading"])
        text = p.get("text") or ""
        parts.append(f"{p['number']}. {text}" if p.get("number") is not None else text)
    return "\n\n".join(parts)


def _row_values(d: dict[str, Any]) -> dict[str, Any]:
    """The flat columns of one record (lists still lists)."""
    src = d.get("source") or {}
    cb = d.get("classified_by") or {}
    return {
        "reference_id": d.get("reference_id"),
        "created": d.get("created"),
        "origin": d.get("origin"),
        "post": d.get("post"),
        "classification": d.get("classification"),
        "handling": d.get("handling") or [],
        "precedence": d.get("precedence"),
        "sender": d.get("sender"),
        "tags": d.get("tags") or [],
        "subject": d.get("subject"),
        "references": _unique_refs(d.get("references")),
        "signers": d.get("signers") or [],
        "classified_by": cb.get("name") or cb.get("text"),
        "eo": d.get("eo"),
        "declassify_on": d.get("declassify_on"),
        "n_paragraphs": len(d.get("paragraphs") or ()),
        "n_warnings": len(d.get("warnings") or ()),
        "partial": bool(d.get("partial")),
        "source_form": src.get("form"),
        "source_path": src.get("path"),
    }


def _chunk_rows(
    archive: Archive, ids: list[int], text: bool, record: bool = False
) -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    whole = text or record
    if not whole:  # the paragraph count without loading the paragraphs
        counts = dict(
            archive.db.execute(
                f"SELECT id, n_paragraphs FROM cables WHERE id IN ({_marks(ids)})", ids
            )
        )
    rows = []
    for cid, d in _dicts(archive, ids, paragraphs=whole, source=record):
        row = _row_values(d)
        if record:  # the jsonl line, before anything below reads the dict
            row["record"] = orjson.dumps(d).decode("utf-8")
        if text:
            row["text"] = cable_text(d["paragraphs"])
        if not whole:
            row["n_paragraphs"] = counts.get(cid, 0)
        rows.append(row)
    return rows


# RFC 4180 quoting, done with str methods: csv.writer walks long texts character by
# character and was the bottleneck of text exports.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        v = LIST_SEPARATOR.join(v)
    elif isinstance(v, bool):
        return "1" if v else "0"
    elif not isinstance(v, str):
        return str(v)
    v = inert(v)  # no formula runs in a spreadsheet (cablebase.spreadsheet)
    if _NEEDS_QUOTES.search(v):
        return '"' + v.replace('"', '""') + '"'
    return v


def _csv(
    archive: Archive, query: str | Node, out: Out, sort: str, text: bool, record: bool = False
) -> int:
    columns = CSV_COLUMNS + (("text",) if text else ()) + (("record",) if record else ())
    n = 0
    with _text(out) as f:
        f.write(",".join(columns) + "\n")
        for ids in hit_chunks(archive, query, sort=sort):
            lines = [
                ",".join([_csv_field(row[col]) for col in columns]) + "\n"
                for row in _chunk_rows(archive, ids, text, record)
            ]
            f.write("".join(lines))
            n += len(lines)
    return n


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'cablebase[parquet]' (or pip install pyarrow)"
        ) from None
    return pa, pq


def parquet_schema(text: bool = False) -> Any:
    pa, _ = _pyarrow()
    s, strings = pa.string(), pa.list_(pa.string())
    fields = [
        ("reference_id", s),
        ("created", pa.timestamp("s", tz="UTC")),
        ("origin", s),
        ("post", s),
        ("classification", s),
        ("handling", strings),
        ("precedence", s),
        ("sender", s),
        ("tags", strings),
        ("subject", s),
        ("references", strings),
        ("signers", strings),
        ("classified_by", s),
        ("eo", s),
        ("declassify_on", s),
        ("n_paragraphs", pa.int32()),
        ("n_warnings", pa.int32()),
        ("partial", pa.bool_()),
        ("source_form", s),
        ("source_path", s),
    ]
    if text:
        fields.append(("text", s))
    return pa.schema(fields)


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # a malformed date becomes a null, never an export failure
        return None


def _parquet(archive: Archive, query: str | Node, out: Out, sort: str, text: bool) -> int:
    pa, pq = _pyarrow()
    schema = parquet_schema(text)
    names = schema.names
    batch = PARQUET_TEXT_BATCH if text else PARQUET_BATCH
    n = 0

    def flush(rows: list[dict], writer: Any) -> None:
        cols = {name: [r[name] for r in rows] for name in names}
        cols["created"] = [_timestamp(v) for v in cols["created"]]
        writer.write_batch(pa.RecordBatch.from_pydict(cols, schema=schema))

    with _binary(out) as f:
        if isinstance(f, _TextToBytes):
            raise ExportError("Parquet is binary: give a path or a binary stream, not a text one")
        with pq.ParquetWriter(f, schema, compression="zstd") as writer:
            pending: list[dict] = []
            for ids in hit_chunks(archive, query, sort=sort):
                pending.extend(_chunk_rows(archive, ids, text))
                if len(pending) >= batch:
                    flush(pending, writer)
                    n += len(pending)
                    pending = []
            if pending or n == 0:
                flush(pending, writer)
                n += len(pending)
    return n


_WRITERS: dict[str, Callable[..., int]] = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}


def export(
    archive: Archive,
    query: str | Node = "",
    fmt: str = "jsonl",
    out: Out = "-",
    *,
    sort: str = "date",
    text: bool = False,
    record: bool = False,
) -> int:
    """Write every cable matching `query` to `out` (a path or a stream); return how many.

    `fmt` is jsonl, csv or parquet; `sort` is date, -date or id; `text` adds the cable text to
    the csv and parquet rows (jsonl records always hold it); `record` adds the whole record to
    the csv rows (what `cablebase ingest` reads back).  No cap: all hits are written.
    """
    if fmt not in _WRITERS:
        raise ExportError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    if sort not in ORDERS:
        raise ValueError(f"sort must be one of {', '.join(ORDERS)}")
    # A malformed query fails here, before any output exists.
    where_clause(archive, query)
    if out == "-":
        import sys

        out = sys.stdout
    if record and fmt != "csv":
        raise ExportError("record=True is for csv (jsonl lines are whole records already)")
    if fmt == "jsonl":
        return _jsonl(archive, query, out, sort)
    if fmt == "csv":
        return _csv(archive, query, out, sort, text, record)
    return _WRITERS[fmt](archive, query, out, sort, text)
