"""Ingest fuzzer: folders of good and bad inputs, mixed at random, ingested into a fresh archive.

Each example builds a folder from a random list of entries — good cables in several encodings
and containers, cables.csv files with NUL-damaged rows and mixed encodings, truncated archives
and compressed files, garbage bytes, FIFOs, symbolic-link loops and decompression bombs — and
checks that ingest never raises, stores every cable of every undamaged entry, reports every
bad item at its location, and accounts for every input item (stored + quarantined = items).
The cables are generated (cablebase.generate), each used in one entry only, so every stored
reference id says which entry it came from.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import signal
import socket
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablebase.archive.ingest import ingest
from cablebase.archive.store import open_store
from cablebase.forms import limits
from cablebase.forms.sources import Limits
from cablebase.generate import generate
from cablebase.render import to_form
from tests.access_stores import empty_pg
from tests.conftest import STORES

POOL = list(generate(400, seed=20261205))
# Small limits, so every kind of bomb is met in milliseconds.
LIMITS = Limits(max_item_size=256 << 10, max_members=60, max_depth=4, max_ratio=50)
KINDS = (
    "doc",
    "csv",
    "tar.gz",
    "zip",
    "xz",
    "truncated",
    "garbage",
    "nul-doc",
    "fifo",
    "links",
    "tar-links",
    "bomb",
)


@dataclass
class Plan:
    """What a folder holds and what ingest must make of it."""

    root: Path
    good: set[str] = field(default_factory=set)  # reference ids that must be stored
    bad: list[tuple[str, str]] = field(default_factory=list)  # (location, reason start)
    damaged: list[str] = field(default_factory=list)  # paths with ≥1 report, unknown count
    exact: int = 0  # items of every entry but the damaged ones
    cables: Iterator = field(default_factory=lambda: iter(POOL))

    def take(self, n: int) -> list:
        return [next(self.cables) for _ in range(n)]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1252":  # a non-ASCII word, so the fallback is really used
        assert "SUBJECT: " in text
        text = text.replace("SUBJECT: ", "SUBJECT: CAF\u00c9 ", 1)
    bom = b"\xfe\xff" if encoding == "utf-16-be+bom" else b""
    return bom + text.encode(encoding.removesuffix("+bom"))


def _tar_gz(
    members: list[tuple[str, bytes]], links: tuple[tuple[str, bytes, str], ...] = ()
) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, kind, target in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tf.addfile(info)
    return buf.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _csv(plan: Plan, path: Path, n: int, damaged: dict[int, float], encodings: list[str]) -> None:
    rows = []
    for k, cable in enumerate(plan.take(n)):
        row = _encode(to_form(cable, "csv"), encodings[k % len(encodings)])
        if k in damaged:  # a NUL anywhere in the row, its opening and its end included
            at = int(damaged[k] * (len(row) - 1))
            row = row[:at] + b"\x00" + row[at:]
            plan.bad.append((f"{path}#row{k}", "NUL byte in the row"))
        else:
            plan.good.add(cable.reference_id)
        rows.append(row)
    path.write_bytes(b"".join(rows))
    plan.exact += n


def _entry(plan: Plan, i: int, kind: str, data: st.DataObject) -> None:
    path = plan.root / f"{i:02d}-{kind}"
    if kind == "doc":
        enc = data.draw(
            st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be+bom", "utf-32", "cp1252"])
        )
        (cable,) = plan.take(1)
        path.with_suffix(".txt").write_bytes(_encode(to_form(cable, "telegram"), enc))
        plan.good.add(cable.reference_id)
        plan.exact += 1
    elif kind == "csv":
        n = data.draw(st.integers(2, 8))
        damaged = data.draw(st.dictionaries(st.integers(0, n - 1), st.floats(0, 1), max_size=2))
        encodings = data.draw(st.lists(st.sampled_from(["utf-8", "cp1252"]), min_size=1))
        _csv(plan, path.with_suffix(".csv"), n, damaged, encodings)
    elif kind in ("tar.gz", "zip", "xz", "truncated"):
        container = kind
        if kind == "truncated":
            container = data.draw(st.sampled_from(["tar.gz", "zip", "xz", "gz"]))
        cables = plan.take(data.draw(st.integers(1, 4) if container != "gz" else st.just(1)))
        members = [(f"m/{c.reference_id}.txt", to_form(c, "telegram").encode()) for c in cables]
        if container == "tar.gz":
            blob = _tar_gz(members)
        elif container == "zip":
            blob = _zip(members)
        elif container == "gz":  # one document
            blob = gzip.compress(members[0][1])
        else:  # a cables.csv compressed as a whole
            blob = lzma.compress(b"".join(to_form(c, "csv").encode() for c in cables))
        suffix = {"xz": ".csv.xz", "gz": ".txt.gz"}.get(container, f".{container}")
        target = path.with_suffix(suffix)
        if kind == "truncated":
            cut = data.draw(st.floats(0.05, 0.95))
            target.write_bytes(blob[: max(1, int(len(blob) * cut))])
            plan.damaged.append(str(target))
        else:
            target.write_bytes(blob)
            plan.good.update(c.reference_id for c in cables)
            plan.exact += len(cables)
    elif kind == "garbage":
        blob = data.draw(st.binary(min_size=1, max_size=2000))
        path.with_suffix(".bin").write_bytes(bytes(range(256)) + blob)  # always binary-looking
        plan.bad.append((str(path.with_suffix(".bin")), "binary data"))
        plan.exact += 1
    elif kind == "nul-doc":
        (cable,) = plan.take(1)
        text = to_form(cable, "telegram").encode()
        at = data.draw(st.integers(len(text) // 4, len(text) - 2))
        path.with_suffix(".txt").write_bytes(text[:at] + b"\x00" + text[at:])
        plan.bad.append((str(path.with_suffix(".txt")), "NUL byte in the text"))
        plan.exact += 1
    elif kind == "fifo":
        os.mkfifo(path)
        plan.bad.append((str(path), "a FIFO (named pipe)"))
        plan.exact += 1
    elif kind == "links":
        path.mkdir()
        (path / "loop").symlink_to(path)  # a folder link to itself
        (path / "self").symlink_to(path / "self")
        plan.bad += [
            (str(path / "loop"), "symbolic link to a folder"),
            (str(path / "self"), "symbolic link that leads nowhere"),
        ]
        plan.exact += 2
    elif kind == "tar-links":
        (cable,) = plan.take(1)
        target = path.with_suffix(".tar.gz")
        links = (
            ("m/sym.txt", tarfile.SYMTYPE, "a.txt"),
            ("m/up.txt", tarfile.SYMTYPE, "../../../etc/passwd"),
            ("m/hard.txt", tarfile.LNKTYPE, "m/a.txt"),
            ("m/pipe", tarfile.FIFOTYPE, ""),
        )
        target.write_bytes(_tar_gz([("m/a.txt", to_form(cable, "telegram").encode())], links))
        plan.good.add(cable.reference_id)
        plan.bad += [
            (f"{target}!m/sym.txt", "symbolic link, not read"),
            (f"{target}!m/up.txt", "symbolic link, not read"),
            (f"{target}!m/hard.txt", "hard link, not read"),
            (f"{target}!m/pipe", "FIFO (named pipe), not read"),
        ]
        plan.exact += 5
    elif kind == "bomb":
        shape = data.draw(st.sampled_from(["xz-doc", "zip-ratio", "deep-gz", "members"]))
        if shape == "xz-doc":  # 2 MiB of one letter in a few hundred bytes
            target = path.with_suffix(".txt.xz")
            target.write_bytes(lzma.compress(b"A" * (1 << 20), preset=0) * 2)
            plan.bad.append((str(target), "refused (--max-item-size"))
            plan.exact += 1
        elif shape == "zip-ratio":  # judged from the zip directory, never expanded
            target = path.with_suffix(".zip")
            target.write_bytes(_zip([("zeros.txt", bytes(3 << 20))]))
            plan.bad.append((f"{target}!zeros.txt", "refused (--max-ratio"))
            plan.exact += 1
        elif shape == "deep-gz":
            (cable,) = plan.take(1)
            blob = to_form(cable, "telegram").encode()
            for _ in range(LIMITS.max_depth + 1):
                blob = gzip.compress(blob)
            target = path.with_suffix(".gz")
            target.write_bytes(blob)
            plan.bad.append((str(target), "refused (--max-depth"))
            plan.exact += 1
        else:  # more members than one input may have
            target = path.with_suffix(".tar.gz")
            target.write_bytes(_tar_gz([(f"e{k}.txt", b"") for k in range(LIMITS.max_members + 5)]))
            plan.bad.append((str(target), "refused (--max-members"))
            plan.exact += LIMITS.max_members + 1


class _Hang(BaseException):
    """Not an OSError: no reader may take it for a failed open and carry on."""


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def fail(*_: object) -> None:
        raise _Hang(f"ingest still running after {seconds} s: it hangs")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextmanager
def _ratio_judged_early() -> Iterator[None]:
    """Judge expansion ratios past 1 MiB instead of 64, so bombs stay small and fast."""
    floor = limits.RATIO_FLOOR
    limits.RATIO_FLOOR = 1 << 20
    try:
        yield
    finally:
        limits.RATIO_FLOOR = floor


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
@settings(  # FUZZ_EXAMPLES=500 for a longer hunt; 25 keep the suite fast
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=7), data=st.data())
def test_ingest_stores_every_good_cable_and_reports_every_bad_item(
    fuzz_archive, kinds, data
) -> None:
    with tempfile.TemporaryDirectory() as tmp, _ratio_judged_early():
        plan = Plan(Path(tmp) / "in")
        plan.root.mkdir()
        for i, kind in enumerate(kinds):
            _entry(plan, i, kind, data)
        db = fuzz_archive(Path(tmp))
        with _deadline(60):  # a FIFO opened for reading would block forever
            summary = ingest([plan.root], db, workers=1, limits=LIMITS)  # must not raise
        with open_store(db) as store:
            stored = {r for (r,) in store.conn.execute("SELECT reference_id FROM cables")}
            quarantined = [(loc, reason) for loc, reason, _ in store.quarantined()]

    # Every good cable is stored; nothing else is (ids are unique to their entry).
    assert plan.good <= stored, sorted(plan.good - stored)
    # Every bad item is reported, at its location, with its reason.
    for location, reason in plan.bad:
        assert any(loc == location and r.startswith(reason) for loc, r in quarantined), (
            location,
            reason,
            quarantined,
        )
    for path in plan.damaged:
        assert any(loc.startswith(path) for loc, _ in quarantined), (path, quarantined)
    # Every input item is accounted for.
    assert summary.items == summary.stored + summary.quarantined
    assert summary.quarantined == len(quarantined)
    assert summary.added == len(stored)
    damaged_items = sum(1 for loc, _ in quarantined if loc.startswith(tuple(plan.damaged)))
    assert summary.items >= plan.exact + damaged_items
    if not plan.damaged:
        assert summary.items == plan.exact


@pytest.fixture(scope="module", params=STORES)
def fuzz_archive(request):
    """`new(folder)`: an empty archive for one example, on each store: a new SQLite file in
    `folder`, or the module's PostgreSQL database emptied (a database per example would cost
    more than the example)."""
    if request.param == "sqlite":
        yield lambda folder: folder / "a.db"
        return
    location = request.getfixturevalue("pg_access_dsn")

    def emptied(folder: Path) -> str:
        empty_pg(location)
        return location

    yield emptied


def test_a_socket_in_the_folder_is_reported(tmp_path: Path) -> None:
    # Sockets cannot be made inside hypothesis' loop cheaply; one example covers them.
    root = tmp_path / "in"
    root.mkdir()
    (cable,) = POOL[-1:]
    (root / "a.txt").write_text(to_form(cable, "telegram"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "b.sock"))
    try:
        summary = ingest([root], tmp_path / "a.db", workers=1)
    finally:
        sock.close()
    assert (summary.items, summary.added, summary.quarantined) == (2, 1, 1)
    assert summary.examples == [
        f"{root / 'b.sock'}: a socket, not a regular file: skipped without opening it"
    ]
