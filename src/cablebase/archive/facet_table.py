"""The facet values of every cable of a SQLite archive, held in memory (one table per archive
state), for counting the facets of broad queries from their hits' ids (archive/sqlite_search.py).

Hits are counted from one of two forms: their ids, when few (each id's values looked up), or
a byte per cable of the table (1 for a hit), when many: each facet is then one pass in C over
its array of every cable's value (`itertools.compress`), no list of ids made, and the values
held as bitmaps (frequent tags and caveats, the classes) are counted as the bits they share
with the hits' bitmap.  A hit set that the table's own bitmaps describe (a class, a frequent
tag: `rank_bitmap`, `tag_bitmap`, `caveat_bitmap`) needs no ids at all (`facets_of`)."""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from itertools import chain, compress, repeat
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson

if TYPE_CHECKING:
    from cablebase.archive.sqlite import SQLiteStore

_CLASSES = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")  # by class_rank
# A tag or caveat held by at least 1/MASKED of the cables is counted as the bits it shares
# with the hits' bitmap (int `&` and `bit_count`, in C: ~12 us over 250,000 cables, ~130 us
# over 2.5 M) rather than per hit through a Counter (~40 ns per hit and value: ~15 ms for
# 70,000 hits and their tags).  Its bitmap (size / 8 bytes) costs at most what MASKED / 64 of
# its ids would in tuples; only the rarer values are held per cable.  (Every value per cable,
# as tuples, took 20 s and 600 MB to build at 2.5 M generated cables, for a few ms saved on
# the facets of a few thousand hits.)
MASKED = 256
# Hits of a single-valued facet (class) are counted through its bitmaps when they are at least
# 1/BITMAP_HITS of the cables (their own bitmap costs ~50 ns a hit, each value ~20 us).
BITMAP_HITS = 16


# Hits fewer than 1/BYTE_HITS of the cables are counted from their ids; more, from a byte per
# cable (a pass over every cable, ~4 ns each, against ~12 ns a hit to look each one's up).
BYTE_HITS = 3

# The byte patterns of _pack's three steps (bits 0-1 of each 16, 0-3 of each 32, 0-7 of
# each 64).
_PACKING = (b"\x03\x00", b"\x0f\x00\x00\x00", b"\xff" + bytes(7))
# A byte per cable: hits and non-hits swapped.
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
# Each byte of a bitmap as its eight bits, a byte each (0 or 1), lowest first.
_SPREAD = [bytes(b >> j & 1 for j in range(8)) for b in range(256)]


class Multi(NamedTuple):
    """A facet whose cables hold several values: each cable's codes of the values too rare
    for a bitmap (`rare`), and the bitmap of each other value's cables (`masks`, by code);
    the cables holding a rare value (`holders`) with their codes (`held`), so that many hits
    are counted over those cables only (a fifth of them for the tags of 250,000 generated
    cables, none for the caveats)."""

    rare: list[tuple[int, ...]]
    masks: dict[int, int]
    holders: list[int]
    held: list[tuple[int, ...]]


_SHARED: dict[str, FacetTable] = {}
_BUILDING: dict[tuple, Future] = {}
_SHARED_LOCK = threading.Lock()


def shared_facet_table(store: SQLiteStore, state: tuple[int, ...]) -> FacetTable:
    """Read-only archives of one file (the web server's per-thread connections) share one
    facet table, built once per state by a thread of its own, with its own connection, while
    the threads that need it wait.  Its reading takes seconds at millions of cables (0.45 s
    at 251,287): counted against the CPU budget of the request that happened to ask first
    (archive/budget.py), it stopped that request, the table was never built, and every
    broad search of a 2.5 M archive answered 400 (docs/benchmarks.md, session 18)."""
    path = store.path.resolve()
    try:  # a file replaced by another archive (same path, same generation) is another key
        key = (*state, path.stat().st_ino)
    except OSError:
        key = state
    where = str(path)
    with _SHARED_LOCK:
        cols = _SHARED.get(where)
        if cols is not None and cols.key == key:
            return cols
        if (building := _BUILDING.get((where, key))) is None:
            building = _BUILDING[where, key] = Future()
            threading.Thread(
                target=_build, args=(path, key, building), name="facet-table", daemon=True
            ).start()
    return building.result()


def _build(path: Path, key: tuple[int, ...], done: Future) -> None:
    """Read the table, share it, then wake the threads waiting for it (a failed read is
    reported to them, and tried again by the next thread to ask)."""
    where = str(path)
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            cols = FacetTable(conn, key)
        finally:
            conn.close()
    except BaseException as e:
        with _SHARED_LOCK:
            _BUILDING.pop((where, key), None)
        done.set_exception(e)
        return
    with _SHARED_LOCK:
        _SHARED[where] = cols
        _BUILDING.pop((where, key), None)
    done.set_result(cols)


def built_facet_table(store: SQLiteStore, state: tuple[int, ...]) -> FacetTable | None:
    """The shared facet table of a read-only archive's file if one is in memory for `state`
    (`shared_facet_table`), else None: nothing is built."""
    path = store.path.resolve()
    try:
        key = (*state, path.stat().st_ino)
    except OSError:
        key = state
    with _SHARED_LOCK:
        cols = _SHARED.get(str(path))
    return cols if cols is not None and cols.key == key else None


def _append(codes: list[tuple[int, ...]], ids: list[int], k: int) -> None:
    """codes[i] += (k,) for each i of `ids`, looped in C (a table at 2.5 M cables adds ten
    million codes: 17 s as a Python loop, under 2 s so)."""
    deque(map(codes.__setitem__, ids, map(add, map(codes.__getitem__, ids), repeat((k,)))), 0)


class FacetTable:
    """The facet values of every cable, in memory, for one state of the archive.

    Broad facets (100,000+ hits) are counted here from the hits' ids: a few Counter passes in
    C instead of one SQL GROUP BY per facet over every hit (seconds).  Read from the covering
    indexes (origin, class, year/month, tags, handling), never from the cables' rows."""

    def __init__(self, conn, key: tuple[int, int]) -> None:
        self.key = key
        self.everything: dict[str, list[tuple[str, int]]] | None = None
        self._counted: dict[int, Counter] = {}  # see _whole
        self.by_access: dict[tuple, dict[str, list[tuple[str, int]]]] = {}
        self._packing: tuple[int, int, int, int] | None = None  # see _bitmap
        # One read transaction: every statement below sees the same cables, though a writer
        # adds some meanwhile (ids past max(id) would overrun the arrays).
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            self._read(conn)
        finally:
            if own:
                conn.execute("COMMIT")

    def _read(self, conn) -> None:
        (top,) = conn.execute("SELECT max(id) FROM cables").fetchone()
        self.size = (top or 0) + 1
        self.origin, self.origins = self._single(
            conn,
            "SELECT origin, json_group_array(id) FROM cables WHERE origin IS NOT NULL"
            " GROUP BY origin",
        )
        self.rank_bits: dict[int, int] = {}  # four values: each a bitmap
        self.rank, ranks = self._single(
            conn,
            "SELECT class_rank, json_group_array(id) FROM cables"
            " WHERE class_rank IS NOT NULL GROUP BY class_rank",
            self.rank_bits,
        )
        self.rank_values = ranks
        self.classes = [_CLASSES[r] if 0 <= r < 4 else None for r in ranks]
        # year and month as one code per cable: "YYYY" and "YYYY-MM" are both read from it.
        self.ym, yms = self._single(
            conn,
            "SELECT year * 100 + coalesce(month, 0), json_group_array(id) FROM cables"
            " WHERE year IS NOT NULL GROUP BY year, month",
        )
        self.yms = yms
        self.tags, self.tag_names = self._multi(
            conn, "SELECT tag, json_group_array(cable_id) FROM tags GROUP BY tag"
        )
        self.handling, self.caveats = self._multi(
            conn, "SELECT caveat, json_group_array(cable_id) FROM handling GROUP BY caveat"
        )
        self.tag_bits, self.caveat_bits = self.tags.masks, self.handling.masks
        self.tag_codes = {t: k for k, t in enumerate(self.tag_names)}
        self.caveat_codes = {c: k for k, c in enumerate(self.caveats)}

    def rank_bitmap(self, admits: Callable[[int], bool]) -> int:
        """The bitmap of the cables whose class rank `admits` accepts (NULL ranks never)."""
        chosen = 0
        for k, bits in self.rank_bits.items():
            if admits(self.rank_values[k]):
                chosen |= bits
        return chosen

    def tag_bitmap(self, tag: str) -> int | None:
        """The bitmap of the cables holding `tag`; None when the tag is too rare to be held as
        one (MASKED: the tags index counts it fast anyway)."""
        return self.tag_bits.get(self.tag_codes.get(tag, -1))

    def caveat_bitmap(self, caveat: str) -> int | None:
        """As `tag_bitmap`, for a handling caveat."""
        return self.caveat_bits.get(self.caveat_codes.get(caveat, -1))

    def _single(self, conn, sql: str, masks: dict[int, int] | None = None) -> tuple[list, list]:
        """(each cable's code, the values by code); into `masks`, if given, each code's
        bitmap.  The codes are a list of one int object per code, not an array: counting
        reads them as they are, where an array makes an int for each code above 256 that it
        yields (months: 7.9 against 5.9 ms for 79,000 cables)."""
        codes = array("i", [-1]) * self.size
        values = []
        for value, ids in conn.execute(sql):
            k = len(values)
            values.append(value)
            held = orjson.loads(ids)
            for i in held:
                codes[i] = k
            if masks is not None:
                masks[k] = self._bitmap(held)
        shared = [*range(len(values)), -1]  # code -1 (no value) is the last one
        return list(map(shared.__getitem__, codes)), values

    def _multi(self, conn, sql: str) -> tuple[Multi, list[str]]:
        """(each cable's rare codes and the frequent codes' bitmaps, the values by code)."""
        rare: list[tuple[int, ...]] = [()] * self.size
        values = []
        masks: dict[int, int] = {}
        for value, ids in conn.execute(sql):
            k = len(values)
            values.append(value)
            held = orjson.loads(ids)
            if MASKED * len(held) >= self.size:
                masks[k] = self._bitmap(held)
            else:
                _append(rare, held, k)
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}
        rare = [shared.setdefault(t, t) for t in rare]
        holders = list(compress(range(self.size), rare))
        return Multi(rare, masks, holders, list(map(rare.__getitem__, holders))), values

    def _bitmap(self, ids: list[int]) -> int:
        """The ids as one int, bit i set for id i (ids within 0..size-1)."""
        if 64 * len(ids) < self.size:  # few: their bits set one by one (no pass over size)
            packed = bytearray(-(-self.size // 8))
            for i in ids:
                packed[i >> 3] |= 1 << (i & 7)
            return int.from_bytes(packed, "little")
        byte = bytearray(self.size)  # one byte per cable, then packed eight to a byte
        for i in ids:  # a plain loop: twice as fast as map(byte.__setitem__, ...)
            byte[i] = 1
        return self._pack(byte)

    def _pack(self, flags: bytes | bytearray) -> int:
        """A byte per cable (0 or 1) as one int, bit i set for byte i set."""
        n = -(-self.size // 8) * 8
        x = int.from_bytes(flags, "little")  # bit 8i for byte i
        if self._packing is None or self._packing[0] != n:
            self._packing = (
                n,
                *(int.from_bytes(p * (n // len(p)), "little") for p in _PACKING),
            )
        _, m1, m2, m3 = self._packing
        # Gather the bits of each 8 bytes into their first byte, then keep every 8th byte.
        x = (x | x >> 7) & m1
        x = (x | x >> 14) & m2
        x = (x | x >> 28) & m3
        return int.from_bytes(x.to_bytes(n, "little")[::8], "little")

    def flags(self, ids: Iterable[int], minus: Iterable[int] = ()) -> bytearray:
        """A byte per cable of this table: 1 for each of `ids` (rowids, never negative) not in
        `minus`; ids past the table (a writer added them since) left out."""
        flags = bytearray(self.size)
        try:
            for i in ids:  # a plain loop: twice as fast as map(flags.__setitem__, ...)
                flags[i] = 1
        except IndexError:
            flags = bytearray(self.size)
            for i in self._within(ids):
                flags[i] = 1
        for i in self._within(minus):
            flags[i] = 0
        return flags

    def bitmap_flags(self, bits: int) -> bytearray:
        """A bitmap of this table's cables as a byte per cable (0 or 1)."""
        packed = bits.to_bytes(-(-self.size // 8), "little")
        return bytearray(b"".join(map(_SPREAD.__getitem__, packed))[: self.size])

    def _whole(self, codes) -> Counter:
        """A copy of the counts of a facet's codes over every cable (one of this table's
        arrays, or a Multi), counted once per table."""
        known = self._counted.get(id(codes))
        if known is None:
            if isinstance(codes, Multi):
                known = Counter(chain.from_iterable(codes.rare))
                known.update({k: mask.bit_count() for k, mask in codes.masks.items()})
            else:
                known = Counter(codes)
            self._counted[id(codes)] = known
        return known.copy()

    def _within(self, ids: Iterable[int]) -> list[int]:
        """The ids that can be cables of this table (a writer may have added more since)."""
        ids = list(ids)
        if ids and (min(ids) < 0 or max(ids) >= self.size):  # rare: checked in C first
            ids = [i for i in ids if 0 <= i < self.size]
        return ids

    def facets(
        self, ids: Iterable[int] | None, names: tuple[str, ...], minus: Iterable[int] = ()
    ) -> dict[str, list]:
        """Every facet's complete counts for the cables `ids` (None: every cable; each id
        once), less those of the cables `minus` (a subset of `ids`)."""
        if ids is not None:
            ids = list(ids)
            if BYTE_HITS * len(ids) >= self.size:
                return self.facets_of(self.flags(ids, minus), names)
            ids = self._within(ids)
        return self._facets(
            names,
            None if ids is None else _Ids(self, ids),
            _Ids(self, self._within(minus)) if minus else None,
        )

    def facets_of(self, flags: bytearray, names: tuple[str, ...]) -> dict[str, list]:
        """Every facet's complete counts for the cables whose byte in `flags` (one per cable
        of this table: `flags`, `bitmap_flags`) is 1."""
        n = flags.count(1)
        if 2 * n > self.size:
            # Most of the archive: count the cables that are not hits (fewer; ids no cable
            # holds count nothing), and take them from the whole archive's counts.
            return self._facets(names, None, _Bytes(self, flags.translate(_FLIP)))
        if BYTE_HITS * n < self.size:  # few: from their ids
            return self._facets(names, _Ids(self, list(compress(range(self.size), flags))), None)
        return self._facets(names, _Bytes(self, flags), None)

    def _facets(
        self, names: tuple[str, ...], hits: _Side | None, less: _Side | None
    ) -> dict[str, list]:
        """The facets of the cables `hits` (None: every cable), less those of `less`."""

        def count(codes, masks: dict[int, int] | None = None) -> Counter:
            c = self._whole(codes) if hits is None else hits.single(codes, masks)
            if less is not None:
                c.subtract(less.single(codes, masks))  # counted in C, then taken
            c.pop(-1, None)
            return +c

        def multi(per: Multi) -> Counter:
            c = self._whole(per) if hits is None else hits.multi(per)
            if less is not None:
                c.subtract(less.multi(per))
            return +c

        def ranked(counter: Counter, values: list) -> list[tuple[str, int]]:
            pairs = [(values[k], n) for k, n in counter.items() if values[k] is not None]
            return sorted(((str(v), n) for v, n in pairs), key=lambda p: (-p[1], p[0]))

        out: dict[str, list] = {}
        if "origin" in names:
            out["origin"] = ranked(count(self.origin), self.origins)
        if "classification" in names:
            out["classification"] = ranked(count(self.rank, self.rank_bits), self.classes)
        if "year" in names or "month" in names:
            ym = count(self.ym)
            years: Counter = Counter()
            months: Counter = Counter()
            for k, n in ym.items():
                code = self.yms[k]
                if code // 100:  # a known year (SQLite's facet skips a NULL year)
                    years[code // 100] += n
                if code % 100:
                    months[f"{code // 100:04d}-{code % 100:02d}"] += n
            out["year"] = [(str(y), n) for y, n in sorted(years.items())]
            out["month"] = sorted(months.items())
        if "tag" in names:
            out["tag"] = ranked(multi(self.tags), self.tag_names)
        if "handling" in names:
            out["handling"] = ranked(multi(self.handling), self.caveats)
        return {n: out[n] for n in names}


class _Side:
    """Cables of a table to count, and their bitmap (made once, when a facet needs it)."""

    def __init__(self, table: FacetTable) -> None:
        self.table = table
        self.bits: int | None = None

    def bitmap(self) -> int:
        if self.bits is None:
            self.bits = self._bitmap()
        return self.bits

    def _bitmap(self) -> int:
        raise NotImplementedError

    def _each(self, values: list) -> Iterator:
        """The values (an array of every cable's) of these cables."""
        raise NotImplementedError

    def _rare(self, per: Multi) -> Iterator[tuple[int, ...]]:
        """The rare codes (a tuple a cable) of these cables."""
        return self._each(per.rare)

    def _bits_pay(self) -> bool:
        """Whether a single-valued facet held as bitmaps too (the classes) is counted
        through them rather than value by value."""
        raise NotImplementedError

    def single(self, codes, masks: dict[int, int] | None) -> Counter:
        """The counts of a single-valued facet's codes (`masks`: each code's bitmap, if any)."""
        if masks and self._bits_pay():
            hits = self.bitmap()
            return Counter({k: (m & hits).bit_count() for k, m in masks.items()})
        return Counter(self._each(codes))

    def multi(self, per: Multi) -> Counter:
        """The counts of a many-valued facet's codes."""
        counts = Counter(chain.from_iterable(self._rare(per)))
        if per.masks:  # its frequent values are held as bitmaps only
            hits = self.bitmap()
            for k, mask in per.masks.items():
                if n := (mask & hits).bit_count():
                    counts[k] = n
        return counts


class _Ids(_Side):
    """Cables counted from their ids (few: each one's values looked up)."""

    def __init__(self, table: FacetTable, ids: list[int]) -> None:
        super().__init__(table)
        self.ids = ids

    def _bitmap(self) -> int:
        return self.table._bitmap(self.ids)

    def _each(self, values: list) -> Iterator:
        return map(values.__getitem__, self.ids)

    def _bits_pay(self) -> bool:
        return BITMAP_HITS * len(self.ids) >= self.table.size


class _Bytes(_Side):
    """Cables counted from a byte per cable (1: counted): one pass in C over each facet's
    array of every cable's value."""

    def __init__(self, table: FacetTable, flags: bytearray) -> None:
        super().__init__(table)
        self.flags = flags

    def _bitmap(self) -> int:
        return self.table._pack(self.flags)

    def _each(self, values: list) -> Iterator:
        return compress(values, self.flags)

    def _rare(self, per: Multi) -> Iterator[tuple[int, ...]]:
        return compress(per.held, map(self.flags.__getitem__, per.holders))

    def _bits_pay(self) -> bool:
        return True
