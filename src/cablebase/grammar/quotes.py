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

_APOS = re.compile(r"\b([A-Za-z]{2,}|I),(s|re|t|ll|ve|d|m)(?=[\s.,;:!?)\"']|$)")
_OPEN = re.compile(r"(?:(?<=[\s(\[])|^)&(?=[A-Za-z0-9])")
_CLOSE = re.compile(r"(?<=[A-Za-z)][.,;:!?])8(?=\s|$)|(?<=[A-Za-z])8(?=[\s.,;:!?]|$)")


def repair_quotes(text: str) -> tuple[str, int]:
    """Return the repaired text and the number of characters repaired."""
    if "," not in text and "&" not in text and "8" not in text:
        return text, 0
    count = 0
    if "," in text:
        text, k = _APOS.subn(r"\1'\2", text)
        count += k
    opens = 0
    if "&" in text:
        text, opens = _OPEN.subn('"', text)
        count += opens
    if "8" in text:
        text, k = _fix_close(text, opens)
        count += k
    return text, count


def _fix_close(text: str, opens: int) -> tuple[str, int]:
    out: list[str] = []
    pos = 0
    count = 0
    done: list[int] = []
    for m in _CLOSE.finditer(text):
        i = m.start()
        after_punct = text[i - 1] in ".,;:!?"
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
