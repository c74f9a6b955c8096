"""Inputs streamed in place: files, folders, archives, compressed files and stdin.

:func:`iter_items` walks a source and yields, for every item in it, either an
:class:`~cablebase.grammar.unwrapped.Unwrapped` cable or a :class:`Failure`
(location + reason) — never an exception, and never a silent skip:

- a file; a folder (recursive, sorted by name);
- ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.xz``/``.txz``, ``.tar.bz2`` archives, read as
  streams member by member (nothing is unpacked to disk);
- ``.zip`` archives (member by member; a zip read from a pipe is held in memory,
  because the zip directory sits at its end);
- single ``.gz``/``.xz``/``.bz2`` files (decompressed as a stream; the inner name
  decides the form, so ``cables.csv.xz`` streams its rows);
- stdin (``-``) or any binary file object; the kind is sniffed from magic bytes.

A cables.csv yields one item per row (``offset`` = 0-based row index).  Bytes are
decoded as UTF-8, else cp1252, else latin-1, with a ``source.encoding`` note.
Binary data, empty files and text that is no cable become Failures; a damaged
archive member or a truncated archive gives a Failure for what could not be read
and the walk goes on.  Locations are ``path``, ``archive!member`` (nested:
``a.tar!b.zip!c.html``) or ``-`` for stdin.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cablebase.forms import NotACable
from cablebase.forms.csv import BadRow, decode, iter_csv
from cablebase.forms.detect import (
    FORMS,
    detect_form,
    looks_like_cable,
    strip_compression_suffix,
)
from cablebase.forms.fragment import unwrap_fragment
from cablebase.forms.html import unwrap_html
from cablebase.forms.telegram import unwrap_telegram
from cablebase.forms.text import unwrap_text
from cablebase.grammar.unwrapped import Unwrapped

__all__ = ["Failure", "iter_items", "unwrap"]

_SNIFF = 8192
_CHUNK = 1 << 20
_MAX_DEPTH = 8  # archives inside archives; deeper nesting is reported, not followed


@dataclass(slots=True, frozen=True)
class Failure:
    """An input item that could not be read as a cable, and why."""

    location: str  # path, ARCHIVE!MEMBER, or "-" for stdin
    reason: str
    offset: int | None = None  # csv row index, where the failure is one row

    def __str__(self) -> str:
        where = self.location if self.offset is None else f"{self.location} row {self.offset}"
        return f"{where}: {self.reason}"


# -- text to Unwrapped ------------------------------------------------------------


def unwrap(
    text: str,
    *,
    form: str = "auto",
    name: str | None = None,
    year: int | None = None,
    reference_id: str | None = None,
    path: str | None = None,
) -> Unwrapped:
    """One document's text to an Unwrapped cable, in the given or detected form.

    Raises :class:`~cablebase.forms.NotACable` when the text is not a cable of that
    form.  A ``csv`` text must hold exactly one row.
    """
    if form != "auto" and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected auto or one of {', '.join(FORMS)}")
    if form == "auto":
        form = detect_form(text[:_SNIFF], name)
    if form == "html":
        u = unwrap_html(text, path=path)
    elif form == "csv":
        items = iter_csv([text.encode("utf-8")], path=path)
        first = next(items, None)
        if first is None:
            raise NotACable("no cables.csv row found")
        if isinstance(first, BadRow):
            raise NotACable(f"row {first.offset}: {first.reason}")
        if next(items, None) is not None:
            raise NotACable("the text holds more than one cables.csv row; use iter_cables")
        u = first
    else:
        if not looks_like_cable(text):
            raise NotACable(
                "not a cable: no transmission header, banner, preamble label or numbered paragraph"
            )
        if form in ("text", "markdown"):
            u = unwrap_text(text, path=path)
        elif form == "telegram":
            u = unwrap_telegram(text, path=path)
        else:
            u = unwrap_fragment(text, path=path)
    if year is not None and u.meta.year is None:
        u.meta.year = year
    if reference_id is not None and u.meta.reference_id is None:
        u.meta.reference_id = reference_id
    return u


# -- byte streams -------------------------------------------------------------------


class _Prefixed(io.RawIOBase):
    """A read-only stream: bytes already read (the sniffed head), then the rest.

    ``error`` is an exception met while sniffing (a truncated compressed stream):
    it is raised once the head has been read, where the reader reports it.
    """

    def __init__(self, head: bytes, rest: IO[bytes], error: BaseException | None = None) -> None:
        self._head = head
        self._rest = rest
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        if self._error is not None:
            raise self._error
        data = self._rest.read(len(buf))
        n = len(data)
        buf[:n] = data
        return n


class _Decompressed(io.RawIOBase):
    """xz / bz2 decompression as an unbuffered stream.

    Unlike ``LZMAFile`` (whose buffer drops the bytes it had when the input ends
    early), every byte decoded before a truncation is handed out; the error comes
    on the next read.  Concatenated streams are followed.
    """

    def __init__(self, raw: IO[bytes], factory) -> None:  # type: ignore[no-untyped-def]
        self._raw = raw
        self._factory = factory
        self._dec = factory()
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        size = len(buf)
        while not self._eof:
            if self._dec.eof:
                rest = self._dec.unused_data
                if not rest:
                    rest = self._raw.read(_CHUNK)
                if not rest.strip(b"\x00"):  # end (stream padding may follow)
                    self._eof = True
                    break
                self._dec = self._factory()
                data = self._dec.decompress(rest, size)
            elif self._dec.needs_input:
                raw = self._raw.read(_CHUNK)
                if not raw:
                    raise EOFError("compressed stream ended before its end marker (truncated)")
                data = self._dec.decompress(raw, size)
            else:
                data = self._dec.decompress(b"", size)
            if data:
                n = len(data)
                buf[:n] = data
                return n
        return 0


def _read(stream: IO[bytes], size: int = -1) -> bytes:
    # Some decompressors return short reads; gather up to size.
    if size < 0:
        return stream.read()
    parts: list[bytes] = []
    want = size
    while want > 0:
        data = stream.read(want)
        if not data:
            break
        parts.append(data)
        want -= len(data)
    return b"".join(parts)


def _sniff(stream: IO[bytes]) -> tuple[bytes, Exception | None]:
    """The first bytes of a stream, and the error that cut them short (if any)."""
    parts: list[bytes] = []
    want = _SNIFF
    try:
        while want > 0:
            data = stream.read(want)
            if not data:
                break
            parts.append(data)
            want -= len(data)
    except Exception as exc:  # a damaged member or compressed stream
        return b"".join(parts), exc
    return b"".join(parts), None


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


_CONTROL = bytes([*range(1, 9), 11, 14, 15, *range(16, 27), 28, 29, 30, 31, 127])


def _is_binary(head: bytes) -> bool:
    """NUL bytes, or more than 5% control characters, in the first 4 KB."""
    if b"\x00" in head:
        return True
    sample = head[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls > len(sample) // 20


def _label(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _stream(
    stream: IO[bytes], location: str, name: str, form: str, year: int | None, depth: int
) -> Iterator[Unwrapped | Failure]:
    head, error = _sniff(stream)
    if error is not None and not head:
        yield Failure(location, f"unreadable: {type(error).__name__}: {error}")
        return
    if not head:
        yield Failure(location, "empty file")
        return
    low = name.lower()
    nested = (
        head.startswith((b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh"))
        or head.startswith((b"PK\x03\x04", b"PK\x05\x06"))
        or _is_tar(head)
    )
    if nested and depth >= _MAX_DEPTH:
        yield Failure(location, "archives nested too deeply")
        return
    whole = _Prefixed(head, stream, error)
    if head.startswith(b"\x1f\x8b"):
        inner: IO[bytes] = gzip.GzipFile(fileobj=whole, mode="rb")  # type: ignore[assignment]
        yield from _stream(inner, location, _inner_name(name, low), form, year, depth + 1)
        return
    if head.startswith(b"\xfd7zXZ\x00"):
        inner = _Decompressed(whole, lzma.LZMADecompressor)  # type: ignore[assignment]
        yield from _stream(inner, location, _inner_name(name, low), form, year, depth + 1)
        return
    if head.startswith(b"BZh") and (low.endswith((".bz2", ".tbz", ".tbz2")) or _is_binary(head)):
        inner = _Decompressed(whole, bz2.BZ2Decompressor)  # type: ignore[assignment]
        yield from _stream(inner, location, _inner_name(name, low), form, year, depth + 1)
        return
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        yield from _zip(whole, stream, location, form, year, depth)
        return
    if _is_tar(head) or (low.endswith(".tar") and _is_binary(head)):
        yield from _tar(whole, location, form, year, depth)
        return
    if _is_binary(head):
        yield Failure(location, "binary data, not a cable")
        return

    chosen = form if form != "auto" else detect_form(head, name)
    if chosen == "csv":
        yield from _csv(whole, location, year)
        return
    try:
        if error is not None:
            raise error
        data = head + _read(stream)
    except Exception as exc:
        yield Failure(location, f"unreadable: {type(exc).__name__}: {exc}")
        return
    yield _document(data, location, name, chosen, year)


def _inner_name(name: str, low: str) -> str:
    if low.endswith((".tgz", ".txz", ".tbz", ".tbz2")):
        return name.rsplit(".", 1)[0] + ".tar"
    return strip_compression_suffix(name)


def _document(
    data: bytes, location: str, name: str, form: str, year: int | None
) -> Unwrapped | Failure:
    if not data.strip():
        return Failure(location, "empty file")
    text, enc = decode(data)
    try:
        u = unwrap(text, form=form, name=name, year=year, path=location)
    except NotACable as exc:
        return Failure(location, str(exc))
    except Exception as exc:  # an adapter bug must not stop the walk
        return Failure(location, f"adapter error: {type(exc).__name__}: {exc}")
    if enc:
        u.notes.append(("source.encoding", f"input is not valid UTF-8; decoded as {enc}"))
    return u


def _csv(stream: IO[bytes], location: str, year: int | None) -> Iterator[Unwrapped | Failure]:
    last = -1
    try:
        for item in iter_csv(stream, path=location):
            if isinstance(item, BadRow):
                last = item.offset
                yield Failure(location, item.reason, item.offset)
                continue
            last = item.offset if item.offset is not None else last
            if year is not None and item.meta.year is None:
                item.meta.year = year
            yield item
    except Exception as exc:  # truncated or corrupted stream: the rest is lost
        after = f"after row {last}" if last >= 0 else "before the first row"
        yield Failure(location, f"stream broken {after}: {type(exc).__name__}: {exc}", last + 1)


def _tar(
    stream: IO[bytes], location: str, form: str, year: int | None, depth: int
) -> Iterator[Unwrapped | Failure]:
    try:
        # Stream mode ("r|"): members are read in order, nothing is seeked or unpacked.
        tf = tarfile.open(fileobj=stream, mode="r|", bufsize=1 << 16)  # noqa: SIM115
    except Exception as exc:
        yield Failure(location, f"unreadable tar archive: {type(exc).__name__}: {exc}")
        return
    last = None
    with tf:
        while True:
            try:
                member = tf.next()
            except Exception as exc:
                after = f"after member {last}" if last else "at its start"
                reason = f"tar archive truncated or corrupted {after}: {type(exc).__name__}: {exc}"
                yield Failure(location, reason)
                break
            if member is None:
                break
            tf.members.clear()  # stream mode keeps every TarInfo otherwise
            last = member.name
            if not member.isfile():
                continue  # folders and links are not items
            mloc = f"{location}!{member.name}"
            try:
                f = tf.extractfile(member)
            except Exception as exc:
                yield Failure(mloc, f"unreadable member: {type(exc).__name__}: {exc}")
                continue
            if f is not None:
                yield from _stream(f, mloc, _label(member.name), form, year, depth + 1)


def _zip(
    whole: IO[bytes],
    original: IO[bytes],
    location: str,
    form: str,
    year: int | None,
    depth: int,
) -> Iterator[Unwrapped | Failure]:
    try:
        if depth == 0 and original.seekable():
            original.seek(0)  # a real file: the zip directory is read in place
            zf = zipfile.ZipFile(original)
        else:
            zf = zipfile.ZipFile(io.BytesIO(_read(whole)))
    except Exception as exc:
        yield Failure(location, f"unreadable zip archive: {type(exc).__name__}: {exc}")
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            mloc = f"{location}!{info.filename}"
            try:
                f = zf.open(info)
            except Exception as exc:
                yield Failure(mloc, f"unreadable member: {type(exc).__name__}: {exc}")
                continue
            with f:
                yield from _stream(f, mloc, _label(info.filename), form, year, depth + 1)


# -- sources ------------------------------------------------------------------------


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)


class _Counted(io.RawIOBase):
    """A file that reports how many bytes were read from it (for progress and ETA)."""

    def __init__(self, f: IO[bytes], on_read: Callable[[int], None]) -> None:
        self.f, self.on_read = f, on_read

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.f.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.f.seek(offset, whence)

    def tell(self) -> int:
        return self.f.tell()

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self.f.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.on_read(n)
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        if data:
            self.on_read(len(data))
        return data


def _file(
    path: Path,
    location: str,
    form: str,
    year: int | None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Unwrapped | Failure]:
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is drained
    except OSError as exc:
        yield Failure(location, f"cannot open: {exc.strerror or exc}")
        return
    with f:
        stream: IO[bytes] = _Counted(f, on_read) if on_read else f  # type: ignore[assignment]
        yield from _stream(stream, location, path.name, form, year, 0)


def input_size(source: str | os.PathLike[str]) -> int:
    """Bytes in a file or under a folder: the total that `on_read` progress counts up to."""
    path = Path(source)
    if path.is_dir():
        return sum(p.stat().st_size for p in _walk(path))
    return path.stat().st_size if path.is_file() else 0


def iter_items(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    form: str = "auto",
    year: int | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Unwrapped | Failure]:
    """Every item of a source: an Unwrapped cable or a Failure, in input order.

    ``source`` is a path (file or folder), ``"-"`` for stdin, or an open file object.
    ``form`` forces the form of every document (``auto`` detects it per document);
    ``year`` is the year hint given to every cable (fragments need it for REF items).
    ``on_read`` is called with the number of bytes read from input files, for progress.
    """
    if form != "auto" and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected auto or one of {', '.join(FORMS)}")
    if isinstance(source, (str, os.PathLike)):
        s = os.fspath(source)
        if s == "-":
            yield from _stream(sys.stdin.buffer, "-", "-", form, year, 0)
            return
        path = Path(s)
        if path.is_dir():
            for p in _walk(path):
                yield from _file(p, str(p), form, year, on_read)
        elif path.exists():
            yield from _file(path, s, form, year, on_read)
        else:
            yield Failure(s, "no such file or folder")
        return
    name = getattr(source, "name", None)
    location = name if isinstance(name, str) else "<stream>"
    if isinstance(source, io.TextIOBase):
        raw = getattr(source, "buffer", None)
        stream: IO[bytes] = raw if raw is not None else io.BytesIO(source.read().encode("utf-8"))
    else:
        stream = source  # type: ignore[assignment]
    yield from _stream(stream, location, _label(location), form, year, 0)
