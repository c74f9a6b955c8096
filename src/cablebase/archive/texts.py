"""A cable's text, stored once: its source text and its paragraphs' text in one compressed
value per cable (table `texts`, schema migration 7; docs/schema.md).

The paragraphs are the source body re-flowed (wrapped lines joined, page breaks dropped), so
storing both plainly kept the text twice; compressed together, the paragraphs cost little more
than the body does alone (zlib finds them in it).  Measured on real cables (docs/benchmarks.md),
this is smaller than paragraphs kept as spans of a plain source, and a reader gets a cable's
paragraphs back with one decompression.  Headings, numbers and portion marks stay plain columns
of `paragraphs` (access control filters paragraphs by portion mark in SQL).

The value is the UTF-8 JSON array `[header, body, [text of paragraph 0, 1, ...]]`, compressed:
standard formats, so any store (SQLite BLOB, PostgreSQL bytea) and any language reads it.
The record's JSON (`cables.record`) is kept the same way (a BLOB; a TEXT value is the plain
JSON of an archive from before schema 9).

New values are zstandard frames (RFC 8878) with a trained dictionary per kind of value
(data/texts-zstd-1.bin for the packed text, data/records-zstd-1.bin for the record's JSON;
tools/build_texts_zstd.py), at zstd's level 3 with smaller tables (PARAMETERS; level 6 until
session 9): read back 3x faster than zlib (docs/benchmarks.md).
Values written before (zlib, from a preset dictionary: data/texts-zdict-1.bin) stay as they
are and still read: the first bytes tell the codec (a zstd frame's magic number is never a
valid zlib header), so no migration rewrites an archive.  Both codecs name their dictionary
in the value (zstd's dictionary id, zlib's DICTID checksum), so a dictionary is never
changed: a better one is added under a new number and the old ones still read.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources

import orjson
import zstandard

from cablebase.archive.db import Db

# zstd's level 3 (double-fast matching), its tables cut to 2^14 entries: a third of level 6's
# CPU in the ingest workers (~65 against ~200 µs a cable, the two values), for values ~7 %
# larger.  Level 3's own tables (2^16 and 2^15 entries, sized for the dictionary) were 40 %
# slower still, at the same size to 0.5 %: a value is 2-15 KB, and each call clears and misses
# in tables far larger than it (docs/benchmarks.md, issue 13).  No setting is in the frame
# but the dictionary id: values written with any of them read the same.
PARAMETERS = zstandard.ZstdCompressionParameters(
    strategy=zstandard.STRATEGY_DFAST,
    window_log=17,  # the 64 KiB dictionary and the value
    hash_log=14,
    chain_log=14,
    search_log=1,
    min_match=5,
    write_content_size=True,
    write_dict_id=True,  # decompress() finds the dictionary by it
)
_CHUNK = 500  # ids per IN (...) query

_ZDICT = resources.files("cablebase.data").joinpath("texts-zdict-1.bin").read_bytes()
if zlib.adler32(_ZDICT) != 2499938562:  # stored values name it: it must never change
    raise RuntimeError("cablebase/data/texts-zdict-1.bin was changed: restore it")
_DICTIONARIES = {zlib.adler32(_ZDICT): _ZDICT}

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# kind -> (file, dictionary id, adler32 of the file): stored values name the id, so a file
# must never change.
_ZSTD_FILES = {
    "texts": ("texts-zstd-1.bin", 0x43420001, 3136261450),
    "records": ("records-zstd-1.bin", 0x43420002, 2957800377),
}


def _zstd_dictionary(name: str, dict_id: int, checksum: int) -> zstandard.ZstdCompressionDict:
    data = resources.files("cablebase.data").joinpath(name).read_bytes()
    if zlib.adler32(data) != checksum:
        raise RuntimeError(f"cablebase/data/{name} was changed: restore it")
    d = zstandard.ZstdCompressionDict(data)
    if d.dict_id() != dict_id:
        raise RuntimeError(f"cablebase/data/{name} is not dictionary {dict_id}: restore it")
    return d


_ZSTD = {kind: _zstd_dictionary(*spec) for kind, spec in _ZSTD_FILES.items()}
_ZSTD_BY_ID = {d.dict_id(): d for d in _ZSTD.values()}
# Compressors and decompressors hold state: one per thread (the reading room reads in threads).
_local = threading.local()


def _per_thread(slot: str, key, make):
    """The thread's own object under key in its slot, made on first use."""
    found = getattr(_local, slot, None)
    if found is None:
        found = {}
        setattr(_local, slot, found)
    made = found.get(key)
    if made is None:
        made = found[key] = make()
    return made


def _compressor(kind: str) -> zstandard.ZstdCompressor:
    return _per_thread(
        "compressors",
        kind,
        lambda: zstandard.ZstdCompressor(compression_params=PARAMETERS, dict_data=_ZSTD[kind]),
    )


def _decompressor(dict_id: int) -> zstandard.ZstdDecompressor:
    if dict_id and dict_id not in _ZSTD_BY_ID:
        raise ValueError(f"a stored value names zstd dictionary {dict_id}, not known here")
    return _per_thread(
        "decompressors",
        dict_id,
        lambda: zstandard.ZstdDecompressor(dict_data=_ZSTD_BY_ID.get(dict_id)),
    )


def body_text(paragraphs: Iterable[tuple[str | None, str]]) -> str:
    """The text the full-text index holds: headings and paragraphs, in order."""
    parts: list[str] = []
    for heading, text in paragraphs:
        if heading:
            parts.append(heading)
        parts.append(text)
    return "\n".join(parts)


def compress(data: bytes, kind: str = "records") -> bytes:
    """`data` as a zstd frame with the dictionary of its kind ("records" or "texts")."""
    return _compressor(kind).compress(data)


def decompress(value: bytes) -> bytes:
    """A stored value's bytes, whichever codec and dictionary wrote it."""
    if value[:4] == _ZSTD_MAGIC:
        return _decompressor(zstandard.get_frame_parameters(value).dict_id).decompress(value)
    if len(value) > 6 and value[1] & 0x20:  # zlib, FDICT: the dictionary named by checksum
        z = zlib.decompressobj(zdict=_DICTIONARIES[int.from_bytes(value[2:6], "big")])
        return z.decompress(value) + z.flush()
    return zlib.decompress(value)


def pack(header: str | None, body: str | None, paragraphs: Sequence[str]) -> bytes:
    return compress(orjson.dumps([header, body, list(paragraphs)]), "texts")


def unpack(packed: bytes) -> tuple[str | None, str | None, list[str]]:
    header, body, paragraphs = orjson.loads(decompress(packed))
    return header, body, paragraphs


def record_json(value: str | bytes | None) -> str | bytes | None:
    """The JSON of a `cables.record` value: compressed (bytes) or, before schema 9, plain.
    Also the SQL function record_json() of every SQLiteStore connection."""
    return decompress(value) if isinstance(value, bytes) else value


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), _CHUNK):
        yield ordered[i : i + _CHUNK]


def _before_texts(conn: Db) -> bool:
    """A SQLite archive from before schema 7 (text in paragraphs and sources), open read-only:
    the reading room serves it as it is until a writer upgrades it."""
    return not conn.postgres and conn.execute("PRAGMA user_version").fetchone()[0] < 7


def _packed(conn: Db, chunk: list[int]) -> dict[int, bytes]:
    marks = ",".join("?" * len(chunk))
    return dict(
        conn.execute(f"SELECT cable_id, packed FROM texts WHERE cable_id IN ({marks})", chunk)
    )


def paragraphs(
    conn: sqlite3.Connection | Db, ids: Iterable[int]
) -> Iterator[tuple[int, int | None, str | None, str | None, str]]:
    """(cable id, number, portion, heading, text) of every paragraph of the cables `ids`,
    by cable id, then in the cable's order (what `SELECT ... FROM paragraphs ORDER BY
    cable_id, position` gave when the text was a column).  `conn`: either store's (Db)."""
    conn = Db.of(conn)
    old = _before_texts(conn)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        if old:
            yield from conn.execute(
                "SELECT cable_id, number, portion, heading, text FROM paragraphs"
                f" WHERE cable_id IN ({marks}) ORDER BY cable_id, position",
                chunk,
            )
            continue
        packed = _packed(conn, chunk)
        texts: dict[int, list[str]] = {}
        for cid, position, number, portion, heading in conn.execute(
            "SELECT cable_id, position, number, portion, heading FROM paragraphs"
            f" WHERE cable_id IN ({marks}) ORDER BY cable_id, position",
            chunk,
        ):
            got = texts.get(cid)
            if got is None:
                blob = packed.get(cid)
                got = texts[cid] = unpack(blob)[2] if blob is not None else []
            yield cid, number, portion, heading, got[position] if position < len(got) else ""


def sources(
    conn: sqlite3.Connection | Db, ids: Iterable[int]
) -> dict[int, tuple[str, str | None, int | None, str | None, str | None]]:
    """cable id -> (form, path, offset, header, body) of the cables `ids` that have a source."""
    out: dict[int, tuple[str, str | None, int | None, str | None, str | None]] = {}
    conn = Db.of(conn)
    old = _before_texts(conn)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        if old:
            for cid, *row in conn.execute(
                "SELECT cable_id, form, path, offset, header, body FROM sources"
                f" WHERE cable_id IN ({marks})",
                chunk,
            ):
                out[cid] = tuple(row)  # type: ignore[assignment]
            continue
        packed = _packed(conn, chunk)
        for cid, form, path, offset in conn.execute(
            f'SELECT cable_id, form, path, "offset" FROM sources WHERE cable_id IN ({marks})',
            chunk,
        ):
            blob = packed.get(cid)
            header, body, _ = unpack(blob) if blob is not None else (None, None, [])
            out[cid] = (form, path, offset, header, body)
    return out
