"""Byte streams for reading inputs in place: bounded, counted, decompressed, transcoded.

Every reader here hands out at most the caller's buffer per read, so memory stays flat
whatever a stream expands to; :class:`Bounded` checks each decompression against the
input's :class:`~cablebase.forms.limits.Budget` as the bytes come out.
"""

from __future__ import annotations

import codecs
import io
import lzma
from typing import IO

from cablebase.forms.limits import Budget

__all__ = [
    "CHUNK",
    "SNIFF",
    "Bounded",
    "Decompressed",
    "Meter",
    "Prefixed",
    "Transcoded",
    "read_at_most",
    "sniff",
    "xz_decompressor",
]

SNIFF = 8192  # bytes read first, to tell what a stream is
CHUNK = 1 << 20


class Prefixed(io.RawIOBase):
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


class Decompressed(io.RawIOBase):
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
                    rest = self._raw.read(CHUNK)
                if not rest.strip(b"\x00"):  # end (stream padding may follow)
                    self._eof = True
                    break
                self._dec = self._factory()
                data = self._dec.decompress(rest, size)
            elif self._dec.needs_input:
                raw = self._raw.read(CHUNK)
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


class Meter(io.RawIOBase):
    """Counts the bytes read through it (the compressed side of a decompression)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        data = self._raw.read(len(buf))
        n = len(data)
        buf[:n] = data
        self.count += n
        return n


class Bounded(io.RawIOBase):
    """Decompressed bytes, checked against the limits as they are produced.

    ``meter`` counts the compressed bytes consumed (for the ratio); None skips the ratio.
    Reads are bounded by the caller's buffer, so a bomb is refused after at most one
    buffer past a limit, never after it has been expanded.
    """

    def __init__(self, inner: IO[bytes], budget: Budget, meter: Meter | None) -> None:
        self._inner = inner
        self._budget = budget
        self._meter = meter
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        n = self._inner.readinto(buf)  # type: ignore[attr-defined]
        if not n:
            return 0
        self.produced += n
        self._budget.expanded_by(self.produced, None if self._meter is None else self._meter.count)
        self._budget.grow(n)
        return n


class Transcoded(io.RawIOBase):
    """A UTF-16/UTF-32 byte stream as UTF-8 bytes, decoded incrementally (memory stays flat)."""

    def __init__(self, raw: IO[bytes], codec: str) -> None:
        self._raw = raw
        self._dec = codecs.getincrementaldecoder(codec)(errors="replace")
        self._out = memoryview(b"")
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        while not self._out and not self._eof:
            data = self._raw.read(CHUNK)
            if not data:
                self._eof = True
            text = self._dec.decode(data, final=not data)
            self._out = memoryview(text.encode("utf-8", errors="surrogatepass"))
        n = min(len(buf), len(self._out))
        buf[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


def read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to size bytes (more than size-1 only when the stream holds that many)."""
    parts: list[bytes] = []
    want = size
    while want > 0:
        data = stream.read(min(want, CHUNK))
        if not data:
            break
        parts.append(data)
        want -= len(data)
    return b"".join(parts)


XZ_MEMORY = 256 << 20  # xz -9 needs 65 MiB to decode; a header may ask for 1.5 GiB


def xz_decompressor() -> lzma.LZMADecompressor:
    return lzma.LZMADecompressor(memlimit=XZ_MEMORY)


def sniff(stream: IO[bytes]) -> tuple[bytes, Exception | None]:
    """The first bytes of a stream, and the error that cut them short (if any)."""
    parts: list[bytes] = []
    want = SNIFF
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
