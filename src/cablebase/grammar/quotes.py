"""Repair of the classic Cablegate quote corruption (FORMAT.md §4.14), conservatively.

Word's smart quotes reached the cables as `,` (apostrophe), `&` (opening quote) and `8`
(closing quote): `&we,re working on it.8`.  Only clear cases are repaired:

* `Zapatero,s`, `we,re`, `don,t` -> apostrophe: a letter word (two letters or more, or `I`)
  then `,s|re|t|ll|ve|d` followed by a space, punctuation or the end (never `1,5`, `a,d`);
* `&` standing before a word (not `AT&T`, `Q&A`, `& Co.`) -> `"`;
* `8` after `.,;:!?` that follow a letter (`it.8`, `decades,8`), or after a letter while a
  repaired opening quote is still open, and before white space or the end -> `"`.
"""

from __future__ import annotations

import re

__all__ = ["repair_quotes"]

_APOS = re.compile(r",(?:s|re|t|ll|ve|d|m)(?=[\s.,;:!?)\"']|$)")
_WORD_BEFORE = re.compile(r"[A-Za-z]+$")
# `&` first (a literal start lets the regex engine skip ahead); the text's first character
# is handled apart.
_OPEN = re.compile(r"&(?<=[\s(\[]&)(?=[A-Za-z0-9])")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_CLOSE = re.compile(r"8(?=[\s.,;:!?]|$)")


def repair_quotes(text: str) -> tuple[str, int]:
    """Return the repaired text and the number of characters repaired."""
    if "," not in text and "&" not in text and "8" not in text:
        return text, 0
    count = 0
    if "," in text:
        text, k = _fix_apostrophes(text)
        count += k
    opens = 0
    if "&" in text:
        text, opens = _OPEN.subn('"', text)
        if text[:1] == "&" and text[1:2] in _ALNUM and len(text) > 1:
            text = '"' + text[1:]
            opens += 1
        count += opens
    if "8" in text:
        text, k = _fix_close(text, opens)
        count += k
    return text, count


def _fix_apostrophes(text: str) -> tuple[str, int]:
    # a search first: most paragraphs hold no candidate, and a finditer costs far more to set up
    first = _APOS.search(text)
    if first is None:
        return text, 0
    out: list[str] = []
    pos = 0
    count = 0
    for m in _APOS.finditer(text, first.start()):
        if not m.start() or not text[m.start() - 1].isalpha():
            continue
        w = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        word = w.group() if w else ""
        if len(word) < 2 and word != "I":
            continue  # `a,d` in a list of letters
        out.append(text[pos : m.start()])
        out.append("'")
        pos = m.start() + 1
        count += 1
    if not count:
        return text, 0
    out.append(text[pos:])
    return "".join(out), count


def _fix_close(text: str, opens: int) -> tuple[str, int]:
    out: list[str] = []
    pos = 0
    count = 0
    done: list[int] = []
    first = _CLOSE.search(text)
    if first is None:
        return text, 0
    for m in _CLOSE.finditer(text, first.start()):
        i = m.start()
        if i < 2:
            continue
        c1, c2 = text[i - 1], text[i - 2]
        after_punct = c1 in ".,;:!?" and (c2.isalpha() or c2 == ")")
        if after_punct:
            if m.end() < len(text) and not text[m.end()].isspace():
                continue
        elif not c1.isalpha() or c2.isdigit():
            continue
        # a bare letter+8 (`G8 summit`) is only a quote while an opening quote is open
        if not after_punct and (opens == 0 or not _quote_open(text, i, done)):
            continue
        done.append(i)
        out.append(text[pos:i])
        out.append('"')
        pos = i + 1
        count += 1
    if not count:
        return text, 0
    out.append(text[pos:])
    return "".join(out), count


def _quote_open(text: str, i: int, done: list[int]) -> bool:
    """True when an odd number of quotes (as written or repaired) precede position i
    in the current paragraph."""
    start = text.rfind("\n\n", 0, i) + 1
    n = text.count('"', start, i) + sum(1 for k in done if k >= start)
    return n % 2 == 1
