"""Fast path of the preamble scan (preamble._scan): the standard label lines by one test.

Most preambles open their fields with the same lines, in capitals at the start of a line:
`E.O. 12958: DECL: …` (or `EO 12958 …`), `TAGS: …`, `SUBJECT: …` (`SUBJ: …`), `REF: …`
(`REFS: …`).  For such a line the full scan runs a dozen tests — numbered paragraph,
handling words, page marker, banner, every label key with its regex, the line-start labels,
text glued after a Classified By — that can only come out one way.  Here one regex
recognises the label and one search for the label keys (the full scan's own `_KEYS`) proves
that no other label stands in the value.  Anything else (lower case, another spelling, a
label mid-line, a key in the value such as `PREF` or `SEOUL`) gets None, and the full scan
reads the line as before.

Why the skipped tests cannot fire on an accepted line (the first four by the label's shape):
- a numbered paragraph (`1.`) or `l.` opens with a digit or `l`: these open with E, T, S, R;
- a handling-words line (SIPDIS, NOFORN, EXDIS, …): no handling word opens with `E.`, `EO`,
  `TA`, `SU` or `RE`;
- a page marker (`_SKIP_LINE`: letters, eight digits, `nnn OF nnn`) stops at the label's
  colon, and the E.O. number has four to six digits; a class word alone or a weekday line
  is no label line;
- a banner's class word (`_CLASS_AT`, up to two stray letters before `ECRET`/`ONFIDENTIAL`/
  `NCLAS`) does not start any of these labels;
- the other labels and `Classified By`'s glued text: each needs its key (`E.`, `EO`, `TAG`,
  `SUBJ`, `REF`, `LASS`, …) in the upper-cased line; the keys inside the label itself fail
  their look-behinds (`AGS` in `TAGS`, `UBJECT` in `SUBJECT`), and the start-of-line forms
  (`TAGS PGOV`, `REF A. …`, `Q: A) …`) need a space or a dot where these have the colon.
The state-dependent rest (a field already read, a statement already read, paragraph 1 glued
onto the line) is checked by the caller, preamble._take_standard.
"""

from __future__ import annotations

import re

__all__ = ["STANDARD_FIRST", "standard_label"]

# The label, its end where the full scan's label regex ends it (after the E.O.'s spaces, at
# the colon of the others: only REF's end is used unstripped, by the run-on test).
_STANDARD_LABEL = re.compile(
    r"(?P<eo>E\.O\.[ ]*|EO[ ]+)(?=\d{4,6}(?!\d))"
    r"|(?P<tags>TAGS:)|(?P<subject>SUBJ(?:ECT)?:)|(?P<ref>REFS?:)"
)
STANDARD_FIRST = frozenset("ETSR")  # the first letters of the labels above


def standard_label(s: str, keys: re.Pattern[str]) -> tuple[str, int] | None:
    """(field name, end of the label) when the stripped line `s` opens with a standard label
    and no label key follows it (`keys`: the full scan's key regex), else None."""
    m = _STANDARD_LABEL.match(s)
    if m is None:
        return None
    end = m.end()
    if keys.search(s.upper(), end) is not None:
        return None
    return m.lastgroup or "", end
