"""Streaming sources: folders, archives, compressed files, stdin; failures with locations.

Every archive is built here from the fixtures of test_forms.py.  The corpus tests
stream ../shared/corpus in place and are skipped when it is absent.
"""

from __future__ import annotations

import bz2
import contextlib
import functools
import gzip
import io
import lzma
import os
import random
import re
import signal
import socket
import sys
import tarfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cablebase.forms import limits, streams
from cablebase.forms.detect import detect_form
from cablebase.forms.sources import Failure, Limits, iter_items, parse_size
from cablebase.grammar.unwrapped import Unwrapped
from tests.conftest import CABLES_CSV, need
from tests.test_forms import CSV_ROWS, MARKDOWN, PAGE, TELEGRAM

# name -> bytes, in sorted order (archives keep their member order, folders are sorted)
FILES: dict[str, bytes] = {
    "a/10MUSCAT217.html": PAGE.encode("utf-8"),
    "a/rows.csv": CSV_ROWS,
    "b/cable.txt": TELEGRAM.encode("utf-8"),
    "b/copy.md": MARKDOWN.encode("utf-8"),
    "c/empty.txt": b"",
    "c/garbage.bin": bytes(range(256)) * 4,
    "c/notes.txt": b"Shopping list: milk, bread.\n",
}
# (location suffix, kind) in sorted walk order; csv gives one item per row
EXPECTED = [
    ("a/10MUSCAT217.html", "html"),
    ("a/rows.csv", "csv"),
    ("a/rows.csv", "csv"),
    ("b/cable.txt", "telegram"),
    ("b/copy.md", "markdown"),
    ("c/empty.txt", "failure"),
    ("c/garbage.bin", "failure"),
    ("c/notes.txt", "failure"),
]


def _kinds(items: list[Unwrapped | Failure]) -> list[str]:
    return ["failure" if isinstance(i, Failure) else i.form for i in items]


def _locations(items: list[Unwrapped | Failure]) -> list[str]:
    return [i.location if isinstance(i, Failure) else (i.path or "") for i in items]


def _write_tree(root: Path) -> Path:
    for name, data in FILES.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


def _tar(path: Path, mode: str) -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in FILES.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in FILES.items():
            zf.writestr(name, data)
    return path


def _check(items: list[Unwrapped | Failure], prefix: str) -> None:
    assert _kinds(items) == [k for _, k in EXPECTED]
    assert _locations(items) == [prefix + loc for loc, _ in EXPECTED]
    reasons = [i.reason for i in items if isinstance(i, Failure)]
    assert "empty" in reasons[0]
    assert "binary" in reasons[1]
    assert "not a cable" in reasons[2]
    rows = [i for i in items if isinstance(i, Unwrapped) and i.form == "csv"]
    assert [r.offset for r in rows] == [0, 1]
    html = items[0]
    assert isinstance(html, Unwrapped) and html.meta.reference_id == "10MUSCAT217"


def test_folder_recursive_sorted(tmp_path: Path) -> None:
    root = _write_tree(tmp_path / "in")
    items = list(iter_items(root))
    _check(items, str(root) + "/")


@pytest.mark.parametrize(
    "suffix, mode",
    [
        (".tar", "w"),
        (".tar.gz", "w:gz"),
        (".tgz", "w:gz"),
        (".tar.xz", "w:xz"),
        (".tar.bz2", "w:bz2"),
    ],
)
def test_tar_archives(tmp_path: Path, suffix: str, mode: str) -> None:
    arc = _tar(tmp_path / f"cables{suffix}", mode)
    _check(list(iter_items(arc)), f"{arc}!")


def test_zip_archive(tmp_path: Path) -> None:
    arc = _zip(tmp_path / "cables.zip")
    _check(list(iter_items(arc)), f"{arc}!")


@pytest.mark.parametrize(
    "opener, suffix", [(gzip.compress, ".gz"), (lzma.compress, ".xz"), (bz2.compress, ".bz2")]
)
def test_single_compressed_files(tmp_path: Path, opener, suffix: str) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / f"10MUSCAT217.html{suffix}"
    page.write_bytes(opener(PAGE.encode()))
    rows = tmp_path / f"rows.csv{suffix}"
    rows.write_bytes(opener(CSV_ROWS))
    (item,) = list(iter_items(page))
    assert isinstance(item, Unwrapped) and item.form == "html" and item.path == str(page)
    items = list(iter_items(rows))
    assert _kinds(items) == ["csv", "csv"]
    assert [i.offset for i in items] == [0, 1]  # type: ignore[union-attr]


def test_archive_inside_archive(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip").read_bytes()
    outer = tmp_path / "outer.tar.gz"
    with tarfile.open(outer, "w:gz") as tf:
        info = tarfile.TarInfo("nested/inner.zip")
        info.size = len(inner)
        tf.addfile(info, io.BytesIO(inner))
    _check(list(iter_items(outer)), f"{outer}!nested/inner.zip!")


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(gzip.compress(CSV_ROWS)), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    items = list(iter_items("-"))
    assert _kinds(items) == ["csv", "csv"]
    assert {i.path for i in items} == {"-"}  # type: ignore[union-attr]


def test_binary_file_object_and_text_object() -> None:
    (item,) = list(iter_items(io.BytesIO(TELEGRAM.encode())))
    assert isinstance(item, Unwrapped) and item.form == "telegram"
    assert item.path == "<stream>"
    (item,) = list(iter_items(io.StringIO(MARKDOWN)))
    assert isinstance(item, Unwrapped) and item.form == "markdown"


def test_forced_form_and_year() -> None:
    (item,) = list(iter_items(io.BytesIO(b"REF: A. STATE 1\n"), form="fragment", year=2005))
    assert isinstance(item, Unwrapped) and item.form == "fragment" and item.meta.year == 2005
    (item,) = list(iter_items(io.BytesIO(TELEGRAM.encode()), form="html"))
    assert isinstance(item, Failure) and "Viewing cable" in item.reason
    with pytest.raises(ValueError):
        list(iter_items(io.BytesIO(b"x"), form="pdf"))


def test_cp1252_fallback_is_noted() -> None:
    data = TELEGRAM.replace("Text.", "Caf\u00e9 \u201cquoted\u201d.").encode("cp1252")
    (item,) = list(iter_items(io.BytesIO(data)))
    assert isinstance(item, Unwrapped)
    assert "1. (C) Caf\u00e9 \u201cquoted\u201d." in item.body
    assert item.notes == [("source.encoding", "input is not valid UTF-8; decoded as cp1252")]


def test_missing_path() -> None:
    (item,) = list(iter_items("/nonexistent/cables.tar.xz"))
    assert isinstance(item, Failure) and item.location == "/nonexistent/cables.tar.xz"


# --- damaged inputs ------------------------------------------------------------------


def test_truncated_tar_xz(tmp_path: Path) -> None:
    # A big incompressible last member, then cut the archive inside it.
    good = tmp_path / "good.tar.xz"
    with tarfile.open(good, "w:xz") as tf:
        for name, data in [*FILES.items(), ("z/big.txt", random.Random(1).randbytes(300_000))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    data = good.read_bytes()
    bad = tmp_path / "bad.tar.xz"
    bad.write_bytes(data[: len(data) // 2])
    items = list(iter_items(bad))
    # every member before the cut was read, then the damage is reported with its location
    assert _kinds(items)[: len(EXPECTED)] == [k for _, k in EXPECTED]
    lost = items[len(EXPECTED) :]
    assert lost and all(isinstance(f, Failure) for f in lost)
    assert all(f.location.startswith(str(bad)) for f in lost)  # type: ignore[union-attr]
    assert any("truncated" in f.reason or "unreadable" in f.reason for f in lost)  # type: ignore[union-attr]


def test_truncated_tar_gz_inside_folder_does_not_stop_the_walk(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    good = _tar(tmp_path / "x.tar.gz", "w:gz").read_bytes()
    (root / "a.tar.gz").write_bytes(good[:200])
    (root / "b.txt").write_bytes(TELEGRAM.encode())
    items = list(iter_items(root))
    assert isinstance(items[0], Failure) and items[0].location.startswith(str(root / "a.tar.gz"))
    assert isinstance(items[-1], Unwrapped) and items[-1].path == str(root / "b.txt")


def test_corrupted_zip_member(tmp_path: Path) -> None:
    arc = _zip(tmp_path / "c.zip")
    data = bytearray(arc.read_bytes())
    with zipfile.ZipFile(arc) as zf:
        info = zf.getinfo("b/copy.md")
    # flip bytes inside the compressed data of one member
    start = info.header_offset + 30 + len(info.filename) + 10
    for k in range(start, start + 20):
        data[k] ^= 0xFF
    arc.write_bytes(bytes(data))
    items = list(iter_items(arc))
    assert len(items) == len(EXPECTED)
    bad = items[4]
    assert isinstance(bad, Failure) and bad.location == f"{arc}!b/copy.md"
    assert _kinds(items)[:4] == ["html", "csv", "csv", "telegram"]


def test_zip_without_directory(tmp_path: Path) -> None:
    arc = _zip(tmp_path / "t.zip")
    arc.write_bytes(arc.read_bytes()[:-40])
    (item,) = list(iter_items(arc))
    assert isinstance(item, Failure) and "zip" in item.reason


def test_truncated_csv_xz(tmp_path: Path) -> None:
    rows = CSV_ROWS * 50
    data = lzma.compress(rows)
    path = tmp_path / "rows.csv.xz"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_items(path))
    assert isinstance(items[-1], Failure)
    assert items[-1].location == str(path)
    assert "stream broken" in items[-1].reason


def test_failure_str() -> None:
    assert str(Failure("a.csv", "bad quoting", 7)) == "a.csv row 7: bad quoting"
    assert str(Failure("a.tar!b.html", "no table")) == "a.tar!b.html: no table"


# --- lost input: NUL bytes, encodings ---------------------------------------------------


def _rows(n: int) -> bytes:
    """n distinct cables.csv rows (the fixture's first row, renumbered)."""
    first = CSV_ROWS[: CSV_ROWS.index(b'"18","12/28')]
    return b"".join(
        first.replace(b'"17"', f'"{i}"'.encode()).replace(b"ROME3012", f"ROME{i}".encode())
        for i in range(1, n + 1)
    )


def test_one_nul_byte_in_a_csv_loses_one_row_not_the_file(tmp_path: Path) -> None:
    data = _rows(200)
    second = data.index(b'"2","3/4/1975')
    damaged = data[: second + 60] + b"\x00" + data[second + 60 :]
    assert damaged.index(b"\x00") < 4096
    path = tmp_path / "cables.csv"
    path.write_bytes(damaged)
    items = list(iter_items(path))
    assert len(items) == 200
    bad = [i for i in items if isinstance(i, Failure)]
    assert [(f.location, f.offset) for f in bad] == [(str(path), 1)]
    assert bad[0].reason.startswith("NUL byte in the row (damaged data)")
    ids = [i.meta.reference_id for i in items if isinstance(i, Unwrapped)]
    assert ids == [f"75ROME{i}" for i in range(1, 201) if i != 2]


@functools.cache
def _dev_csv() -> bytes:
    return lzma.decompress(need(CABLES_CSV).read_bytes())


@pytest.mark.corpus
@pytest.mark.parametrize("into", [0, 4, 200])  # before its opening quote, in its id, in its text
def test_real_csv_with_a_nul_byte_in_row_2_loses_only_row_2(tmp_path: Path, into: int) -> None:
    # The dev cables.csv read in place, damaged in a copy in tmp: one NUL inside row 2.
    data = _dev_csv()
    row = re.compile(rb'(?m)^"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}",')
    second = [m.start() for m in row.finditer(data, 0, 200_000)][1]
    at = second + into  # inside row 2 (index 1), within the first 4 KB the sniffer reads
    assert at < 4096
    path = tmp_path / "cables.csv"
    path.write_bytes(data[:at] + b"\x00" + data[at:])
    good, bad = 0, []
    for item in iter_items(path):
        if isinstance(item, Failure):
            bad.append(item)
        else:
            good += 1
    assert good == 10_182
    assert [(f.location, f.offset) for f in bad] == [(str(path), 1)]
    assert "NUL byte" in bad[0].reason


def test_nul_byte_in_a_document_is_reported_as_damage() -> None:
    data = TELEGRAM.encode().replace(b"Text.", b"Te\x00xt.")
    (item,) = list(iter_items(io.BytesIO(data)))
    assert isinstance(item, Failure)
    assert item.reason.startswith("NUL byte in the text (damaged data)")


@pytest.mark.parametrize(
    "codec, bom, note",
    [
        ("utf-16", b"", None),  # with a byte-order mark (Python writes one)
        ("utf-16-le", b"", "UTF-16LE"),
        ("utf-16-be", b"", "UTF-16BE"),
        ("utf-16-be", b"\xfe\xff", None),
        ("utf-32", b"", None),
        ("utf-8", b"\xef\xbb\xbf", None),
    ],
)
def test_utf16_and_other_unicode_encodings_are_decoded(
    tmp_path: Path, codec: str, bom: bytes, note: str | None
) -> None:
    text = TELEGRAM.replace("Text.", "Caf\u00e9 \u201cquoted\u201d.")
    (item,) = list(iter_items(io.BytesIO(bom + text.encode(codec))))
    assert isinstance(item, Unwrapped) and item.form == "telegram", item
    assert "1. (C) Caf\u00e9 \u201cquoted\u201d." in item.body
    notes = [m for code, m in item.notes if code == "source.encoding"]
    assert notes == (
        [] if note is None else [f"input has no byte-order mark; read as {note} from its NUL bytes"]
    )
    # a cables.csv in UTF-16 streams its rows
    path = tmp_path / "rows.csv"
    path.write_bytes(bom + CSV_ROWS.decode("utf-8").encode(codec))
    rows = list(iter_items(path))
    assert [r.meta.reference_id for r in rows] == ["75ROME3012", "66BUENOSAIRES2481"]  # type: ignore[union-attr]


def test_latin1_and_cp1252_fallbacks_warn() -> None:
    data = TELEGRAM.replace("Text.", "Caf\u00e9 \u0081.").encode("latin-1")
    (item,) = list(iter_items(io.BytesIO(data)))
    assert isinstance(item, Unwrapped) and "1. (C) Caf\u00e9 \u0081." in item.body
    assert item.notes == [("source.encoding", "input is not valid UTF-8; decoded as latin-1")]


# --- links, FIFOs, sockets, loops --------------------------------------------------------


class _Hang(BaseException):
    """Not an OSError, so no reader can take it for a failed open and carry on."""


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Turn a hang into a test failure."""

    def fail(*_: object) -> None:
        raise _Hang(f"still reading after {seconds} s: the walk hangs")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
def test_folder_with_fifo_socket_device_links_and_loops(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(TELEGRAM)
    os.mkfifo(root / "b.fifo")  # no writer: opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "c.sock"))
    (root / "d-link.txt").symlink_to(root / "a.txt")  # a link to a file is read
    (root / "e-loop").symlink_to(root / "e-loop")  # a link to itself
    (root / "sub" / "f-up").symlink_to(root)  # a link to an ancestor: a loop if followed
    (root / "g-dangling").symlink_to(tmp_path / "nowhere")
    (root / "h-fifo-link").symlink_to(root / "b.fifo")
    try:
        with _deadline(20):
            items = list(iter_items(root))
    finally:
        sock.close()
    got = {(i.location if isinstance(i, Failure) else i.path): i for i in items}
    assert list(got) == [
        str(root / n)
        for n in (
            "a.txt",
            "b.fifo",
            "c.sock",
            "d-link.txt",
            "e-loop",
            "g-dangling",
            "h-fifo-link",
            "sub/f-up",
        )
    ]
    assert isinstance(got[str(root / "a.txt")], Unwrapped)
    assert isinstance(got[str(root / "d-link.txt")], Unwrapped)

    def why(name: str) -> str:
        item = got[str(root / name)]
        assert isinstance(item, Failure)
        return item.reason

    assert why("b.fifo").startswith("a FIFO (named pipe), not a regular file")
    assert why("c.sock").startswith("a socket, not a regular file")
    assert why("h-fifo-link").startswith("symbolic link to a FIFO")
    assert why("e-loop").startswith("symbolic link that leads nowhere")
    assert why("g-dangling").startswith("symbolic link that leads nowhere")
    assert why("sub/f-up").startswith("symbolic link to a folder: not followed")


def test_folders_nested_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    # The limit is lowered for the walk, so a tree of 250 levels shows what one of 1,050 would
    # do under the default limit of 1,000 (and pytest can still remove it afterwards).
    deep = tmp_path / "in"
    for _ in range(250):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "cable.txt").write_text(TELEGRAM)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        items = list(iter_items(tmp_path / "in"))
    finally:
        sys.setrecursionlimit(old)
    (item,) = items
    assert isinstance(item, Unwrapped) and item.path == str(deep / "cable.txt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_on_the_command_line_is_read_as_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    pid = os.fork()
    if pid == 0:  # the writer, like `<(xz -dc cables.xz)`
        with open(fifo, "wb") as w:
            w.write(CSV_ROWS)
        os._exit(0)
    with _deadline(20):
        items = list(iter_items(fifo))
    os.waitpid(pid, 0)
    assert [i.meta.reference_id for i in items] == ["75ROME3012", "66BUENOSAIRES2481"]  # type: ignore[union-attr]


def test_tar_links_and_special_members_are_reported(tmp_path: Path) -> None:
    arc = tmp_path / "links.tar"
    with tarfile.open(arc, "w") as tf:
        data = TELEGRAM.encode()
        info = tarfile.TarInfo("a/cable.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        for name, kind, target in (
            ("a/sym.txt", tarfile.SYMTYPE, "cable.txt"),
            ("a/escape.txt", tarfile.SYMTYPE, "../../etc/passwd"),
            ("a/hard.txt", tarfile.LNKTYPE, "a/cable.txt"),
            ("a/pipe", tarfile.FIFOTYPE, ""),
            ("a/dev", tarfile.CHRTYPE, ""),
        ):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tf.addfile(info)
    items = list(iter_items(arc))
    assert isinstance(items[0], Unwrapped)
    failures = items[1:]
    assert all(isinstance(f, Failure) for f in failures)
    assert [(f.location, f.reason) for f in failures] == [  # type: ignore[union-attr]
        (f"{arc}!a/sym.txt", "symbolic link, not read: to 'cable.txt' (read where it is stored)"),
        (
            f"{arc}!a/escape.txt",
            "symbolic link, not read: to '../../etc/passwd' (read where it is stored)",
        ),
        (f"{arc}!a/hard.txt", "hard link, not read: to 'a/cable.txt' (read where it is stored)"),
        (f"{arc}!a/pipe", "FIFO (named pipe), not read: not a file"),
        (f"{arc}!a/dev", "device file, not read: not a file"),
    ]


def test_zip_symlink_member_is_reported(tmp_path: Path) -> None:
    arc = tmp_path / "links.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("a.txt", TELEGRAM)
        link = zipfile.ZipInfo("b.txt")
        link.external_attr = (0o120777 << 16) | 0x20  # how `zip --symlinks` stores one
        zf.writestr(link, "a.txt")
        plain = zipfile.ZipInfo("c.txt")
        plain.external_attr = 0o100644 << 16
        zf.writestr(plain, TELEGRAM)
    items = list(iter_items(arc))
    assert _kinds(items) == ["telegram", "failure", "telegram"]
    assert items[1].location == f"{arc}!b.txt"  # type: ignore[union-attr]
    assert items[1].reason.startswith("symbolic link, not read")  # type: ignore[union-attr]


def test_zip_from_a_pipe_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # A zip has its directory at its end: from stdin it is copied aside first (bounded).
    data = _zip_bytes_of_files()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    _check(list(iter_items("-")), "-!")


def _zip_bytes_of_files() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in FILES.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- bombs and limits --------------------------------------------------------------------


def _xz_bomb(mib: int) -> bytes:
    """mib MiB of one letter as concatenated xz streams: a few hundred bytes per MiB."""
    one = lzma.compress(b"A" * (1 << 20), preset=0)
    return one * mib


def _peak(fn) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_xz_bomb_document_is_refused_with_bounded_memory() -> None:
    bomb = _xz_bomb(200)
    assert len(bomb) < 100_000
    items, peak = _peak(lambda: list(iter_items(io.BytesIO(bomb))))
    (item,) = items  # type: ignore[misc]
    assert isinstance(item, Failure)
    assert item.reason.startswith("refused (--max-item-size 32 MiB)")
    assert peak < 80 << 20, f"peak {peak >> 20} MiB"


def test_xz_bomb_csv_is_refused_by_its_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows good in themselves, expanding far beyond what any text compresses to: the rows
    # read before the limit are kept, the rest is refused, with the row where it stopped.
    monkeypatch.setattr(limits, "RATIO_FLOOR", 1 << 20)  # judge after 1 MiB, not 64
    bomb = lzma.compress(_rows(50) * 400, preset=1)
    assert len(_rows(50) * 400) > 200 * len(bomb)
    items = list(iter_items(io.BytesIO(bomb), limits=Limits(max_ratio=200)))
    last = items[-1]
    assert isinstance(last, Failure) and last.reason.startswith("refused (--max-ratio 200)")
    assert last.offset == len(items) - 1
    assert 1 < len(items) < 50 * 400 and all(isinstance(i, Unwrapped) for i in items[:-1])


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_nested_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    inner = _zip_bytes([("a.txt", b" " * (100 << 20))])  # 100 MiB in ~100 KB
    middle = _zip_bytes([(f"x{i}.zip", inner) for i in range(10)])
    outer = tmp_path / "bomb.zip"
    outer.write_bytes(_zip_bytes([("y.zip", middle), ("cable.txt", TELEGRAM.encode())]))
    assert outer.stat().st_size < 10_000
    items, peak = _peak(lambda: list(iter_items(outer)))
    assert len(items) == 11  # type: ignore[arg-type]
    bombs, good = items[:10], items[10]  # type: ignore[index]
    assert [b.location for b in bombs] == [f"{outer}!y.zip!x{i}.zip!a.txt" for i in range(10)]
    assert all(b.reason.startswith("refused (--max-ratio 200)") for b in bombs)
    assert isinstance(good, Unwrapped)
    assert peak < 40 << 20


def test_xz_decoder_memory_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    # An xz header names the dictionary the decoder must allocate (up to 1.5 GiB); it is
    # capped.  Shown with a cap below what preset 6 (8 MiB) asks for.
    data = lzma.compress(TELEGRAM.encode(), preset=6)
    (item,) = list(iter_items(io.BytesIO(data)))
    assert isinstance(item, Unwrapped)
    monkeypatch.setattr(streams, "XZ_MEMORY", 1 << 20)
    (item,) = list(iter_items(io.BytesIO(data)))
    assert isinstance(item, Failure) and "Memory usage limit" in item.reason


def test_member_count_depth_and_size_limits(tmp_path: Path) -> None:
    arc = _tar(tmp_path / "c.tar", "w")  # seven members
    items = list(iter_items(arc, limits=Limits(max_members=3)))
    assert len(items) == 5  # three members (the csv one gives two rows), then the refusal
    assert isinstance(items[-1], Failure) and items[-1].location == str(arc)
    assert items[-1].reason.startswith("refused (--max-members 3)")

    nested = TELEGRAM.encode()
    for _ in range(4):
        nested = gzip.compress(nested)
    (item,) = list(iter_items(io.BytesIO(nested), limits=Limits(max_depth=3)))
    assert isinstance(item, Failure) and item.reason.startswith("refused (--max-depth 3)")
    (item,) = list(iter_items(io.BytesIO(nested), limits=Limits(max_depth=4)))
    assert isinstance(item, Unwrapped)

    small = Limits(max_item_size=100)
    (item,) = list(iter_items(io.BytesIO(TELEGRAM.encode()), limits=small))
    assert isinstance(item, Failure) and item.reason.startswith(
        "refused (--max-item-size 100 bytes)"
    )

    gz = tmp_path / "big.txt.gz"
    gz.write_bytes(gzip.compress(TELEGRAM.encode() * 300))  # 84 KB
    (item,) = list(iter_items(gz, limits=Limits(max_expanded=50_000)))
    assert isinstance(item, Failure) and item.reason.startswith("refused (--max-expanded")
    zipped = tmp_path / "two.zip"
    zipped.write_bytes(_zip_bytes([("a.txt", TELEGRAM.encode()), ("b.txt", TELEGRAM.encode())]))
    items = list(iter_items(zipped, limits=Limits(max_archive_size=len(TELEGRAM) + 10)))
    assert isinstance(items[0], Unwrapped)
    assert isinstance(items[1], Failure) and items[1].reason.startswith(
        "refused (--max-archive-size"
    )


def test_limits_from_environment_and_flags() -> None:
    env = {"CABLEBASE_MAX_ITEM_SIZE": "64M", "CABLEBASE_MAX_MEMBERS": "10"}
    limits = Limits.from_env(env, max_members=5, max_depth=None)
    assert (limits.max_item_size, limits.max_members, limits.max_depth) == (64 << 20, 5, 8)
    assert [parse_size(t) for t in ("4096", "32M", "8G", "1.5k", "2MiB")] == [
        4096,
        32 << 20,
        8 << 30,
        1536,
        2 << 20,
    ]
    with pytest.raises(ValueError, match="CABLEBASE_MAX_DEPTH"):
        Limits.from_env({"CABLEBASE_MAX_DEPTH": "deep"})


@pytest.mark.parametrize("text", ["9" * 40, "1e400", "inf", "nan", "1e308G", "8E", "-1"])
def test_a_size_past_any_count_is_refused(text: str) -> None:
    """A size no file or column can hold (or no number at all) is a ValueError naming it,
    never an OverflowError from the conversion (`ingest --max-item-size 999...`)."""
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


# --- the real corpus (skipped without ../shared) ---------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_html_tarball_every_page(html_tar: Path) -> None:
    n = 0
    t = time.perf_counter()
    for item in iter_items(html_tar):
        assert isinstance(item, Unwrapped), item
        assert item.meta.reference_id and item.path
        assert item.path.endswith(f"/{item.meta.reference_id}.html")
        assert item.meta.classification and item.meta.created and item.meta.origin
        assert item.header is not None and item.body
        n += 1
    assert n == 5775
    print(f"html: {n / (time.perf_counter() - t):.0f} pages/s incl. xz + tar")


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_csv_every_row(cables_csv: Path) -> None:
    offsets = []
    for item in iter_items(cables_csv):
        assert isinstance(item, Unwrapped), item
        assert item.form == "csv" and item.meta.reference_id and item.meta.created
        offsets.append(item.offset)
    assert offsets == list(range(10183))


@pytest.mark.corpus
def test_seed_is_a_markdown_copy(seed_path: Path) -> None:
    data = seed_path.read_bytes()
    assert detect_form(data, seed_path.name) == "markdown"
    (item,) = list(iter_items(seed_path))
    assert isinstance(item, Unwrapped) and item.form == "markdown"
    assert item.header is not None
    assert item.header[0] == "VZCZCXRO4337"
    assert item.header[2] == "DE RUEHBP #0776/01 3351639"
    assert item.header[-1] == "RHMFISS/HQ USAFRICOM STUTTGART GE PRIORITY"
    assert item.body[0] == "S E C R E T SECTION 01 OF 03 BAMAKO 000776"
    assert "TAGS: ASEC ML PGOV PINR PREL PTER" in item.body
    assert "B. B. 2008 BAMAKO 217" in item.body
    assert "SUMMARY" in item.body
    assert any(line.startswith("4. (S) ATT lamented") for line in item.body)
    assert item.body[-1] == "MILOVANOVIC"
