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

A cables.csv yields one item per row (``offset`` = 0-based row index).  The encoding
is sniffed (detect.sniff_encoding): a byte-order mark (UTF-8/16/32) or the NUL pattern
of UTF-16 decides; otherwise bytes are UTF-8, else cp1252, else latin-1, with a
``source.encoding`` note.  Binary data, empty files, text holding NUL bytes (damage)
and text that is no cable become Failures; a damaged archive member or a truncated
archive gives a Failure for what could not be read and the walk goes on.  Locations
are ``path``, ``archive!member`` (nested: ``a.tar!b.zip!c.html``) or ``-`` for stdin.

Nothing in an input can hang the walk or exhaust memory (:class:`Limits`): FIFOs,
sockets and devices met in a folder are reported without being opened; symbolic
links to folders are reported, not followed (no loops); links, devices and FIFOs
inside tar archives are reported; decompression streams with bounded reads, and
documents, members, archives, nesting and expansion ratio have limits whose breach
is reported as a Failure whose reason starts ``refused``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import stat
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cablebase.forms import NotACable
from cablebase.forms import limits as limits_module
from cablebase.forms.csv import BadRow, RawRow, decode, iter_csv, read_row
from cablebase.forms.detect import (
    FORMS,
    detect_form,
    is_binary,
    looks_like_cable,
    sniff_encoding,
    strip_compression_suffix,
)
from cablebase.forms.exported import Exported, Refused, iter_exported
from cablebase.forms.fragment import unwrap_fragment
from cablebase.forms.html import unwrap_html
from cablebase.forms.limits import Budget, LimitExceeded, Limits, human_size, parse_size
from cablebase.forms.streams import (
    CHUNK,
    SNIFF,
    Bounded,
    Decompressed,
    Meter,
    Prefixed,
    Transcoded,
    read_at_most,
    sniff,
    xz_decompressor,
)
from cablebase.forms.telegram import unwrap_telegram
from cablebase.forms.text import unwrap_text
from cablebase.grammar.unwrapped import Unwrapped

__all__ = ["Failure", "LimitExceeded", "Limits", "Raw", "iter_items", "parse_size", "unwrap"]

_SPOOL_MEMORY = 8 << 20  # a nested zip is copied to a temporary file past this size


@dataclass(slots=True, frozen=True)
class Failure:
    """An input item that could not be read as a cable, and why."""

    location: str  # path, ARCHIVE!MEMBER, or "-" for stdin
    reason: str
    offset: int | None = None  # csv row index, where the failure is one row

    def __str__(self) -> str:
        where = self.location if self.offset is None else f"{self.location} row {self.offset}"
        return f"{where}: {self.reason}"


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and one of these
# is made for every row of a cables.csv in the ingest's main process (~2 us a row).
@dataclass(slots=True)
class Raw:
    """An item's bytes, cut from its input but not yet decoded or unwrapped
    (iter_items(raw=True)): `read` does that, in ingest's worker processes, so the process
    walking the inputs only reads and cuts them."""

    data: bytes
    location: str
    name: str
    form: str  # "csv": one cables.csv row; else the document's form (or "auto")
    year: int | None
    note: str | None  # the input's encoding note, if any
    offset: int | None = None  # csv row index

    def read(self) -> Unwrapped | Failure:
        if self.form != "csv" or self.offset is None:
            return _document(self.data, self.location, self.name, self.form, self.year, self.note)
        item = read_row(self.data, self.offset, self.location)
        if isinstance(item, BadRow):
            return Failure(self.location, item.reason, item.offset)
        return _row_hints(item, self.year, self.note)


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
        form = detect_form(text[:SNIFF], name)
    if form == "export":
        raise NotACable(
            "a cablebase export holds whole records, not the text of one cable: "
            "ingest it (cablebase ingest) or read it with iter_items"
        )
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


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def _label(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _refused(location: str, exc: BaseException) -> Failure:
    if isinstance(exc, LimitExceeded):
        return Failure(location, str(exc))
    return Failure(location, f"unreadable: {type(exc).__name__}: {exc}")


def _stream(
    stream: IO[bytes],
    location: str,
    name: str,
    form: str,
    year: int | None,
    depth: int,
    budget: Budget,
) -> Iterator[Unwrapped | Failure]:
    head, error = sniff(stream)
    if error is not None and not head:
        yield _refused(location, error)
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
    limit = budget.limits.max_depth
    if nested and depth >= limit:
        yield Failure(
            location, f"refused (--max-depth {limit}): archives nested more than {limit} deep"
        )
        return
    whole = Prefixed(head, stream, error)
    decompressor = None
    if head.startswith(b"\x1f\x8b"):
        decompressor = "gzip"
    elif head.startswith(b"\xfd7zXZ\x00"):
        decompressor = "xz"
    elif head.startswith(b"BZh") and (low.endswith((".bz2", ".tbz", ".tbz2")) or is_binary(head)):
        decompressor = "bz2"
    if decompressor is not None:
        meter = Meter(whole)
        if decompressor == "gzip":
            raw: IO[bytes] = gzip.GzipFile(fileobj=meter, mode="rb")  # type: ignore[assignment]
        else:
            factory = xz_decompressor if decompressor == "xz" else bz2.BZ2Decompressor
            raw = Decompressed(meter, factory)  # type: ignore[assignment]
        inner = Bounded(raw, budget, meter)
        yield from _stream(inner, location, _inner_name(name, low), form, year, depth + 1, budget)  # type: ignore[arg-type]
        return
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        yield from _zip(whole, stream, location, form, year, depth, budget)
        return
    if _is_tar(head) or (low.endswith(".tar") and is_binary(head)):
        yield from _tar(whole, location, form, year, depth, budget)
        return
    encoding = sniff_encoding(head)
    if encoding is None:
        yield Failure(location, "binary data, not a cable")
        return
    note = None
    if encoding.codec != "utf-8":
        # UTF-16/32: read on as UTF-8, so the csv and document readers see one encoding.
        utf8 = Transcoded(whole, encoding.codec)
        head, error = sniff(utf8)
        whole = Prefixed(head, utf8, error)
        if encoding.guessed:
            note = f"input has no byte-order mark; read as {encoding.label} from its NUL bytes"

    chosen = form if form != "auto" else detect_form(head, name)
    if chosen == "export":
        yield from _exported(whole, location, budget)
        return
    if chosen == "csv":
        yield from _csv(whole, location, year, budget, note)
        return
    cap = budget.limits.max_item_size
    try:
        data = read_at_most(whole, cap + 1)
    except Exception as exc:
        yield _refused(location, exc)
        return
    if len(data) > cap:
        yield Failure(
            location,
            f"refused (--max-item-size {human_size(cap)}): a document over {human_size(cap)}; "
            "a cable is never that long",
        )
        return
    if budget.raw:
        yield Raw(data, location, name, chosen, year, note)
    else:
        yield _document(data, location, name, chosen, year, note)


def _inner_name(name: str, low: str) -> str:
    if low.endswith((".tgz", ".txz", ".tbz", ".tbz2")):
        return name.rsplit(".", 1)[0] + ".tar"
    return strip_compression_suffix(name)


def _document(
    data: bytes, location: str, name: str, form: str, year: int | None, note: str | None = None
) -> Unwrapped | Failure:
    if not data.strip():
        return Failure(location, "empty file")
    text, enc = decode(data)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return Failure(location, f"NUL byte in the text (damaged data): on line {line}")
    try:
        u = unwrap(text, form=form, name=name, year=year, path=location)
    except NotACable as exc:
        return Failure(location, str(exc))
    except Exception as exc:  # an adapter bug must not stop the walk
        return Failure(location, f"adapter error: {type(exc).__name__}: {exc}")
    if note:
        u.notes.append(("source.encoding", note))
    if enc:
        u.notes.append(("source.encoding", f"input is not valid UTF-8; decoded as {enc}"))
    return u


def _csv(
    stream: IO[bytes], location: str, year: int | None, budget: Budget, note: str | None
) -> Iterator[Unwrapped | Failure]:
    last = -1
    try:
        rows = iter_csv(
            stream, path=location, max_record=budget.limits.max_item_size, raw=budget.raw
        )
        for item in rows:
            if isinstance(item, BadRow):
                last = item.offset
                yield Failure(location, item.reason, item.offset)
                continue
            if isinstance(item, RawRow):
                last = item.offset
                yield Raw(item.data, location, location, "csv", year, note, item.offset)
                continue
            last = item.offset if item.offset is not None else last
            yield _row_hints(item, year, note)
    except LimitExceeded as exc:
        after = f"rows after row {last} not read" if last >= 0 else "no row read"
        yield Failure(location, f"{exc}; {after}", last + 1)
    except Exception as exc:  # truncated or corrupted stream: the rest is lost
        after = f"after row {last}" if last >= 0 else "before the first row"
        yield Failure(location, f"stream broken {after}: {type(exc).__name__}: {exc}", last + 1)


def _row_hints(item: Unwrapped, year: int | None, note: str | None) -> Unwrapped:
    if year is not None and item.meta.year is None:
        item.meta.year = year
    if note:
        item.notes.append(("source.encoding", note))
    return item


def _exported(stream: IO[bytes], location: str, budget: Budget) -> Iterator[Exported | Failure]:
    """cablebase's own export: whole records, each stored as it is (forms/exported.py)."""
    last = -1
    try:
        for item in iter_exported(stream, path=location, max_item=budget.limits.max_item_size):
            if isinstance(item, Refused):
                yield Failure(location, item.reason, item.offset)
            else:
                yield item
            last = item.offset if item.offset is not None else last
    except Exception as exc:  # truncated or corrupted stream, a limit: the rest is lost
        after = f"after item {last}" if last >= 0 else "before the first item"
        yield Failure(location, f"stream broken {after}: {exc}", last + 1)


def _tar_kind(member: tarfile.TarInfo) -> str:
    """Why a tar member that is no file is not read: "<kind>, not read: <detail>"."""
    if member.issym():
        return f"symbolic link, not read: to {member.linkname!r} (read where it is stored)"
    if member.islnk():
        return f"hard link, not read: to {member.linkname!r} (read where it is stored)"
    if member.isfifo():
        return "FIFO (named pipe), not read: not a file"
    if member.ischr() or member.isblk():
        return "device file, not read: not a file"
    return f"not a file, not read: tar member type {member.type!r}"


def _tar(
    stream: IO[bytes],
    location: str,
    form: str,
    year: int | None,
    depth: int,
    budget: Budget,
) -> Iterator[Unwrapped | Failure]:
    try:
        # Stream mode ("r|"): members are read in order, nothing is seeked or unpacked.
        tf = tarfile.open(fileobj=stream, mode="r|", bufsize=1 << 16)  # noqa: SIM115
    except Exception as exc:
        if isinstance(exc, LimitExceeded):
            yield Failure(location, str(exc))
        else:
            yield Failure(location, f"unreadable tar archive: {type(exc).__name__}: {exc}")
        return
    last = None
    cap = budget.limits.max_expanded
    with tf:
        while True:
            try:
                member = tf.next()
                if member is not None and not member.isdir():
                    budget.member()
            except LimitExceeded as exc:
                after = f"after member {last}" if last else "at its start"
                yield Failure(location, f"{exc}; the rest of the archive ({after}) not read")
                break
            except Exception as exc:
                after = f"after member {last}" if last else "at its start"
                reason = f"tar archive truncated or corrupted {after}: {type(exc).__name__}: {exc}"
                yield Failure(location, reason)
                break
            if member is None:
                break
            tf.members.clear()  # stream mode keeps every TarInfo otherwise
            last = member.name
            if member.isdir():
                continue  # folders are not items; their files are
            mloc = f"{location}!{member.name}"
            if not member.isfile():
                # A link's target is read where it is stored; reading it twice adds nothing.
                yield Failure(mloc, _tar_kind(member))
                continue
            if member.size > cap:
                yield Failure(
                    mloc,
                    f"refused (--max-expanded {human_size(cap)}): a member of {human_size(member.size)}",
                )
                continue
            try:
                f = tf.extractfile(member)
            except Exception as exc:
                yield Failure(mloc, f"unreadable member: {type(exc).__name__}: {exc}")
                continue
            if f is not None:
                yield from _stream(f, mloc, _label(member.name), form, year, depth + 1, budget)


def _zip_entries(f: IO[bytes]) -> int | None:
    """The member count a zip's end record declares, read before the directory is parsed
    (parsing a directory of millions of entries would itself take gigabytes)."""
    try:
        size = f.seek(0, io.SEEK_END)
        n = min(size, 65536 + 22)
        f.seek(size - n)
        tail = f.read(n)
        i = tail.rfind(b"PK\x05\x06")
        if i < 0 or len(tail) - i < 22:
            return None
        total = int.from_bytes(tail[i + 10 : i + 12], "little")
        if total == 0xFFFF and i >= 20 and tail[i - 20 : i - 16] == b"PK\x06\x07":
            f.seek(int.from_bytes(tail[i - 12 : i - 4], "little"))
            record = f.read(56)
            if record[:4] == b"PK\x06\x06":
                total = int.from_bytes(record[32:40], "little")
        return total
    finally:
        f.seek(0)


def _spool(stream: IO[bytes], budget: Budget) -> IO[bytes]:
    """A nested zip (or one from a pipe) copied where it can be seeked: memory up to 8 MiB,
    then a temporary file, at most --max-expanded bytes."""
    cap = budget.limits.max_expanded
    tmp = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)  # noqa: SIM115 - closed by _zip
    copied = 0
    try:
        while data := stream.read(CHUNK):
            copied += len(data)
            if copied > cap:
                raise LimitExceeded(
                    f"--max-expanded {human_size(cap)}", f"a zip archive over {human_size(cap)}"
                )
            tmp.write(data)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp  # type: ignore[return-value]


def _zip(
    whole: IO[bytes],
    original: IO[bytes],
    location: str,
    form: str,
    year: int | None,
    depth: int,
    budget: Budget,
) -> Iterator[Unwrapped | Failure]:
    limits = budget.limits
    spooled = None
    try:
        if depth == 0 and original.seekable():
            original.seek(0)  # a real file: the zip directory is read in place
            f = original
        else:
            f = spooled = _spool(whole, budget)
        declared = _zip_entries(f)
        if declared is not None and budget.members + declared > limits.max_members:
            raise LimitExceeded(
                f"--max-members {limits.max_members:,}",
                f"a zip archive of {declared:,} members",
            )
        zf = zipfile.ZipFile(f)
    except Exception as exc:
        if spooled is not None:
            spooled.close()
        if isinstance(exc, LimitExceeded):
            yield Failure(location, str(exc))
        else:
            yield Failure(location, f"unreadable zip archive: {type(exc).__name__}: {exc}")
        return
    try:
        yield from _zip_members(zf, location, form, year, depth, budget)
    finally:
        zf.close()
        if spooled is not None:
            spooled.close()


def _zip_members(
    zf: zipfile.ZipFile,
    location: str,
    form: str,
    year: int | None,
    depth: int,
    budget: Budget,
) -> Iterator[Unwrapped | Failure]:
    limits = budget.limits
    for info in zf.infolist():
        if info.is_dir():
            continue
        mloc = f"{location}!{info.filename}"
        try:
            budget.member()
        except LimitExceeded as exc:
            yield Failure(location, f"{exc}; the rest of the archive not read")
            return
        mode = info.external_attr >> 16  # unix type and permission bits, when made on unix
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            # A link's text is its target's name; reading it as a document would mislead.
            kind = "symbolic link" if stat.S_ISLNK(mode) else "not a file"
            yield Failure(mloc, f"{kind}, not read: zip member of unix type {stat.filemode(mode)}")
            continue
        refused = _zip_refusal(info, limits)
        if refused:
            yield Failure(mloc, refused)
            continue
        try:
            f = zf.open(info)
        except Exception as exc:
            yield Failure(mloc, f"unreadable member: {type(exc).__name__}: {exc}")
            continue
        with f:
            # The zip reader stops at the declared size; _Bounded keeps the archive total.
            inner = Bounded(f, budget, None)  # type: ignore[arg-type]
            yield from _stream(inner, mloc, _label(info.filename), form, year, depth + 1, budget)  # type: ignore[arg-type]


def _zip_refusal(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Judge a zip member by its directory entry, before expanding a byte of it."""
    if info.file_size > limits.max_expanded:
        cap = human_size(limits.max_expanded)
        return f"refused (--max-expanded {cap}): a member of {human_size(info.file_size)}"
    if info.file_size > limits_module.RATIO_FLOOR and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        return (
            f"refused (--max-ratio {limits.max_ratio}): a member of {human_size(info.file_size)} "
            f"stored in {human_size(info.compress_size)}: a decompression bomb?"
        )
    return None


# -- sources ------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "not a regular file"


def _walk(folder: Path) -> Iterator[Path | Failure]:
    """The regular files under a folder, sorted by name; everything else as a Failure.

    Nothing is opened here.  Symbolic links to files are followed; links to folders are
    not (a link may point at an ancestor: a loop), nor are FIFOs, sockets and devices,
    whose opening can block forever.  Depth-first with a stack of its own, so folders
    nested thousands deep cannot exhaust Python's recursion limit.
    """
    stack: list[Iterator[os.DirEntry[str]]] = []

    def enter(path: str) -> Failure | None:
        try:
            stack.append(iter(sorted(os.scandir(path), key=lambda e: e.name)))
        except OSError as exc:
            return Failure(path, f"cannot read folder: {exc.strerror or exc}")
        return None

    failed = enter(str(folder))
    if failed is not None:
        yield failed
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        link = False
        try:
            if entry.is_dir(follow_symlinks=False):
                failed = enter(entry.path)
                if failed is not None:
                    yield failed
                continue
            link = entry.is_symlink()
            mode = entry.stat(follow_symlinks=True).st_mode
        except OSError as exc:
            if link:
                why = exc.strerror or str(exc)
                yield Failure(entry.path, f"symbolic link that leads nowhere ({why}): not read")
            else:
                yield Failure(entry.path, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISREG(mode):
            yield Path(entry.path)
        elif stat.S_ISDIR(mode):
            yield Failure(
                entry.path,
                "symbolic link to a folder: not followed (links can loop; "
                "give the folder itself to read it)",
            )
        else:
            what = f"symbolic link to {_kind(mode)}" if link else _kind(mode)
            yield Failure(entry.path, f"{what}, not a regular file: skipped without opening it")


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
    on_read: Callable[[int], None] | None,
    limits: Limits,
    *,
    named: bool,
    raw: bool = False,
) -> Iterator[Unwrapped | Raw | Failure]:
    """One input file.  A file met in a folder must be a regular file: it is opened without
    blocking and checked (a FIFO swapped in after the walk saw a file still cannot hang
    us).  A file named on the command line may be a pipe (`<(xz -dc x.xz)`), read as one."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if not named:
        flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        yield Failure(location, f"cannot open: {exc.strerror or exc}")
        return
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode) or (not named and not stat.S_ISREG(mode)):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(mode) else _kind(mode)
        yield Failure(location, f"{what}, not a regular file: skipped without reading it")
        return
    if not named:
        os.set_blocking(fd, True)
    with open(fd, "rb") as f:
        stream: IO[bytes] = _Counted(f, on_read) if on_read else f  # type: ignore[assignment]
        yield from _stream(stream, location, path.name, form, year, 0, Budget(limits, raw=raw))


def input_size(source: str | os.PathLike[str]) -> int:
    """Bytes in a file or under a folder: the total that `on_read` progress counts up to."""
    path = Path(source)
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in _walk(path) if isinstance(p, Path))
        return path.stat().st_size if path.is_file() else 0
    except OSError:  # gone or unreadable since: reading it will report why
        return 0


def iter_items(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    form: str = "auto",
    year: int | None = None,
    on_read: Callable[[int], None] | None = None,
    limits: Limits | None = None,
    raw: bool = False,
) -> Iterator[Unwrapped | Exported | Raw | Failure]:
    """Every item of a source: an Unwrapped cable or a Failure, in input order; a record
    read back from cablebase's own export is an Exported (stored as it is, not parsed).
    ``raw``: cables are given as Raw bytes instead (Raw.read makes the Unwrapped or Failure).

    ``source`` is a path (file or folder), ``"-"`` for stdin, or an open file object.
    ``form`` forces the form of every document (``auto`` detects it per document);
    ``year`` is the year hint given to every cable (fragments need it for REF items).
    ``on_read`` is called with the number of bytes read from input files, for progress.
    ``limits`` bound what each input file may expand to (default: :meth:`Limits.from_env`).
    """
    if form != "auto" and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected auto or one of {', '.join(FORMS)}")
    limits = limits if limits is not None else Limits.from_env()
    if isinstance(source, (str, os.PathLike)):
        s = os.fspath(source)
        if s == "-":
            budget = Budget(limits, raw=raw)
            yield from _stream(sys.stdin.buffer, "-", "-", form, year, 0, budget)
            return
        path = Path(s)
        if path.is_dir():
            for p in _walk(path):
                if isinstance(p, Failure):
                    yield p
                else:
                    yield from _file(p, str(p), form, year, on_read, limits, named=False, raw=raw)
        elif path.exists():
            yield from _file(path, s, form, year, on_read, limits, named=True, raw=raw)
        elif path.is_symlink():
            yield Failure(s, "symbolic link that leads nowhere (or loops)")
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
    yield from _stream(stream, location, _label(location), form, year, 0, Budget(limits, raw=raw))
