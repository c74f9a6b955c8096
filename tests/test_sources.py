"""Streaming sources: folders, archives, compressed files, stdin; failures with locations.

Every archive is built here from the fixtures of test_forms.py.  The corpus tests
stream ../shared/corpus in place and are skipped when it is absent.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from cablebase.forms.detect import detect_form
from cablebase.forms.sources import Failure, iter_items
from cablebase.grammar.unwrapped import Unwrapped
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
