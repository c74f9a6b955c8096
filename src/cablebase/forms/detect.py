"""Which form a piece of input is, from its first few KB and its file name.

Content wins over the name where the content is unambiguous (an HTML page, a
cables.csv row); the name breaks ties.  Order of the checks:

0. ``export`` — cablebase's own export: a CSV whose header is the export's columns, or JSON
   opening with a record's ``{"reference_id":`` (forms/exported.py reads it back).
1. ``html`` — HTML markup (``<html``, ``<!DOCTYPE``, ``<pre>``, the Cablegate
   ``Viewing cable`` heading), or a ``.html``/``.htm`` name with any markup.
2. ``csv`` — a first row ``"<id>","<M/D/YYYY H:MM>",…``, or a ``.csv`` name.
3. ``markdown`` — markdown syntax (``[X](#)`` links, ``#### `` headings, lines
   ending in two spaces), or a ``.md`` name.
4. ``text`` / ``telegram`` — the text opens with a transmission header line:
   ``text`` when it shows web-copy traits (leading blank lines, ``¶`` signs),
   ``telegram`` otherwise.
5. ``fragment`` — anything else (a bare body, a REF block, a TAGS line).

:func:`looks_like_cable` tells whether text holds anything of a telegram at all.
:func:`sniff_encoding` tells text from binary data and which encoding the text is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cablebase.forms.exported import kind_of as export_kind
from cablebase.forms.telegram import HEADER_START

__all__ = [
    "FORMS",
    "Encoding",
    "detect_form",
    "is_binary",
    "looks_like_cable",
    "sniff_encoding",
    "strip_compression_suffix",
]

FORMS = ("html", "csv", "markdown", "text", "telegram", "fragment", "export")

SAMPLE_SIZE = 8192

_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<pre>|<h3>viewing cable |<body[\s>]", re.I)
_CSV_ROW = re.compile(r'^\ufeff?"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}",')
_MARKDOWN = re.compile(r"\]\(#[^)\s]*\)|(?m:^#{1,6}[ \t]+\S)|(?m:^\S.*\S  \r?$)")
_COMPRESSION = (".gz", ".xz", ".bz2", ".lzma")

# Anything a telegram or a fragment of one would show (case-insensitive: lower-cased bodies).
_CABLE_SIGNS = re.compile(
    r"""(?mix)^[ \t]*\u00b6?(?:
        (?:U\ ?N\ ?C\ ?L\ ?A\ ?S|C\ ?O\ ?N\ ?F\ ?I\ ?D\ ?E\ ?N\ ?T\ ?I\ ?A\ ?L|S\ ?E\ ?C\ ?R\ ?E\ ?T)\b  # banner
      | E\.?\s?O\.?\s*\d{5}                         # E.O. line
      | TAGS?:?\s+[A-Z]{2,5}\b                      # TAGS
      | SUBJ(?:ECT)?:                               # SUBJECT
      | REF(?:S|TEL)?\b\s*:?\s*(?:\(?[A-Z][.)]\s)?\s*\S   # REF block
      | Classified\ By\b                            # Classified By
      | \d{1,3}\.\s*\((?:[A-Z]{1,4})(?:/+[A-Z ]+)?\)    # numbered paragraph with a portion mark
      | [A-Z .]{2,20}\d{8}\ \d{3}(?:\.\d)?\ OF\ \d{3}\b   # page marker
      | SIPDIS\b
    )""",
)


def strip_compression_suffix(name: str) -> str:
    """`cables.csv.xz` -> `cables.csv` (any one trailing compression suffix)."""
    low = name.lower()
    for suffix in _COMPRESSION:
        if low.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _suffix(name: str | None) -> str:
    if not name:
        return ""
    base = strip_compression_suffix(name.rsplit("!", 1)[-1]).lower()
    dot = base.rfind(".")
    return base[dot:] if dot > base.rfind("/") else ""


def _text(sample: bytes | str) -> str:
    if isinstance(sample, bytes):
        return sample[:SAMPLE_SIZE].decode("utf-8", errors="replace")
    return sample[:SAMPLE_SIZE]


def looks_like_cable(text: str) -> bool:
    """True when the text shows any telegram part: a header line, banner, label, paragraph."""
    for line in text.split("\n", 200)[:200]:
        if HEADER_START.match(line):
            return True
    return _CABLE_SIGNS.search(text) is not None


def detect_form(sample: bytes | str, name: str | None = None) -> str:
    """The form of an input from its first few KB (``sample``) and its file name.

    Returns one of ``export``, ``html``, ``csv``, ``markdown``, ``text``, ``telegram``,
    ``fragment``.
    Never raises; unknown input is ``fragment`` (use :func:`looks_like_cable` to tell
    a fragment from text that is not a cable at all).
    """
    if export_kind(sample[:SAMPLE_SIZE]) is not None:
        return "export"
    text = _text(sample).lstrip("\ufeff")
    suffix = _suffix(name)
    head = text[:4096]
    if _HTML.search(head) or (suffix in (".html", ".htm", ".xhtml") and "<" in head):
        return "html"
    body = text.lstrip()
    second = body[body.find("\n") + 1 :] if "\n" in body else ""
    if _CSV_ROW.match(body) or _CSV_ROW.match(second) or suffix == ".csv":  # a header line may lead
        return "csv"
    if suffix in (".md", ".markdown") or _MARKDOWN.search(text):
        return "markdown"
    lines = text.replace("\r\n", "\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    if HEADER_START.match(first):
        web_copy = text.startswith(("\n", "\r\n")) or "\u00b6" in text
        return "text" if web_copy else "telegram"
    return "fragment"


# -- encodings ------------------------------------------------------------------------

# Control characters that text does not hold (NUL is counted apart: see is_binary).
_CONTROL = bytes([*range(1, 9), 11, 14, 15, *range(16, 27), 28, 29, 30, 31, 127])
_BOMS = (  # UTF-32 first: its little-endian mark starts with the UTF-16 one
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32BE"),
    (b"\xff\xfe", "utf-16", "UTF-16LE"),
    (b"\xfe\xff", "utf-16", "UTF-16BE"),
)


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a byte stream's text is encoded, as read from its first few KB."""

    codec: str  # "utf-8" (per-item cp1252/latin-1 fallback), or a codec for the whole stream
    label: str  # for notes and reasons: "UTF-16LE"
    guessed: bool = False  # no byte-order mark: inferred from the pattern of NUL bytes


UTF8 = Encoding("utf-8", "UTF-8")


def is_binary(head: bytes) -> bool:
    """Binary data rather than (possibly damaged) 8-bit text, judged on the first 4 KB.

    A run of NUL bytes is damage inside text (a bad sector, a cut write) and counts as one
    control character: one NUL must not make a 60 MB cables.csv "binary".  Binary data shows
    controls all over (random bytes: ~10 %), or is mostly NUL (a zero-filled file).
    """
    sample = head[:4096]
    if not sample:
        return False
    nuls = sample.count(0)
    if nuls * 2 > len(sample):
        return True
    runs = len(re.findall(rb"\x00+", sample)) if nuls else 0
    controls = len(sample) - len(sample.translate(None, _CONTROL)) + runs
    return controls > len(sample) // 20


def _utf16_by_nuls(sample: bytes) -> Encoding | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a NUL in every other byte."""
    half = len(sample) // 2
    if half < 8:
        return None
    even, odd = sample[0 : 2 * half : 2].count(0), sample[1 : 2 * half : 2].count(0)
    if odd * 10 >= half * 6 and even * 20 <= half:
        enc = Encoding("utf-16-le", "UTF-16LE", guessed=True)
    elif even * 10 >= half * 6 and odd * 20 <= half:
        enc = Encoding("utf-16-be", "UTF-16BE", guessed=True)
    else:
        return None
    text = sample[: 2 * half].decode(enc.codec, errors="replace")
    bad = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\n\r\f"))
    return enc if bad * 20 <= len(text) else None


def sniff_encoding(head: bytes) -> Encoding | None:
    """The encoding of a stream from its first bytes, or None for binary data.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); without one, UTF-16 is recognised by
    its NUL pattern; everything else is read as UTF-8 with a cp1252/latin-1 fallback per
    item (see cablebase.forms.csv.decode), unless :func:`is_binary` says it is no text.
    """
    if head.startswith(b"\xef\xbb\xbf"):
        return UTF8
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return Encoding(codec, label)
    sample = head[:4096]
    if b"\x00" in sample:
        enc = _utf16_by_nuls(sample)
        if enc is not None:
            return enc
    return None if is_binary(sample) else UTF8
