"""Fast path of the preamble scan (preamble._scan): standard lines read by one cheap test.

Most preambles are made of the same lines: captions and handling words under the banner
(`SIPDIS`, `DEPT FOR AF/W`), then, in capitals at the start of a line, `E.O. 12958: DECL: …`
(or `EO 12958 …`), `TAGS: …`, `SUBJECT: …` (`SUBJ: …`), `REF: …` (`REFS: …`).  For such a
line the full scan runs a dozen tests — numbered paragraph, handling words, page marker,
banner, every label key with its regex, the line-start labels, text glued after a Classified
By — that can only come out one way.  Here one regex recognises the label and a few
substring tests prove that no other label can start in the value (`standard_label`), or in
a caption line or a line that continues the SUBJECT or the REF (`free_of_labels`).
Anything else (lower case, another spelling, a label mid-line, a key in the value such as
`PREF` or `SEOUL`, the Classified By statement, a line after a blank line) gets None, and
the full scan reads the line as before.

Why the skipped tests cannot fire on an accepted label line (the first four by its shape):
- a numbered paragraph (`1.`) or `l.` opens with a digit or `l`: these open with E, T, S, R;
- a handling-words line (SIPDIS, NOFORN, EXDIS, …): no handling word opens with `E.`, `EO`,
  `TA`, `SU` or `RE`;
- a page marker (`_SKIP_LINE`: letters, eight digits, `nnn OF nnn`) stops at the label's
  colon, and the E.O. number has four to six digits; a class word alone or a weekday line
  is no label line;
- a banner's class word (`_CLASS_AT`, up to two stray letters before `ECRET`/`ONFIDENTIAL`/
  `NCLAS`) does not start any of these labels;
- another label, or `Classified By`'s glued text: each needs its key (`E.`, `EO`, `TAG`,
  `SUBJ`, `REF`, `LASS`, …) in the upper-cased line, and all but three need a colon (TAGS a
  colon or semicolon): without one only E.O. (`E.`/`EO`), REF before a cable number (`REF`)
  and Classified By (`LASS`) can start; with one, the full scan's own key search (`_KEYS`)
  must find nothing.  The keys inside the label itself fail their look-behinds (`AGS` in
  `TAGS`, `UBJECT` in `SUBJECT`), and the line-start forms (`TAGS PGOV`, `REF A. …`,
  `Q: A) …`) need a space or a dot where these have the colon.
The state-dependent rest (a field already read, a statement already read, paragraph 1 glued
onto the line; a caption only before the first label, not a page marker, not `SUMMARY: …`;
a continuation only right under its field, not a banner, and as _continue_field decides) is
checked by the caller, preamble._fast_line.
"""

from __future__ import annotations

import re

__all__ = ["LETTERS", "STANDARD_FIRST", "free_of_labels", "plain_caption", "standard_label"]

# The label, its end where the full scan's label regex ends it (after the E.O.'s spaces, at
# the colon of the others: only REF's end is used unstripped, by the run-on test).
_STANDARD_LABEL = re.compile(
    r"(?P<eo>E\.O\.[ ]*|EO[ ]+)(?=\d{4,6}(?!\d))"
    r"|(?P<tags>TAGS:)|(?P<subject>SUBJ(?:ECT)?:)|(?P<ref>REFS?:)"
)
# The common E.O. values (`12958: DECL: 11/30/2019`, `12356:  DECL:  OADR`, `12958: N/A`).
_EO_VALUE = re.compile(r"\d{5}:?[ ]*(?:DECL:?[ ]*(?:\d{1,4}/\d{1,2}/\d{2,4}|OADR)|N/?A)[ ]*$")
STANDARD_FIRST = frozenset("ETSR")  # the first letters of the labels above
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def standard_label(s: str, keys: re.Pattern[str]) -> tuple[str, int] | None:
    """(field name, end of the label) when the stripped line `s` opens with a standard label
    and no other label can start after it (`keys`: the full scan's key regex), else None."""
    m = _STANDARD_LABEL.match(s)
    if m is None:
        return None
    end = m.end()
    name = m.lastgroup or ""
    if name == "eo" and _EO_VALUE.match(s, end):
        return name, end  # digits, DECL, OADR, N/A: no key
    rest = s[end:]
    if ":" in rest or ";" in rest:
        # a label that needs its colon may follow (`… TAGS: …`, `… REF: …`): no key at all
        if keys.search(s.upper(), end) is not None:
            return None
    else:
        # Without a colon only three labels can start: E.O. (`E.`, `EO`), REF before a
        # cable number (`… REF 02 PARAMARIBO 1169`) and Classified By (`lass`, any case).
        u = rest.upper()
        if "LASS" in u or "E." in u or "EO" in u or "REF" in u:
            return None
    return name, end


def free_of_labels(s: str, keys: re.Pattern[str]) -> bool:
    """Whether no label of the full scan can start anywhere in the stripped line `s` and it
    holds no `lass` (the test for text glued after a Classified By): a caption line."""
    u = s.upper()
    if ":" in s or ";" in s:
        # no key at all, and no line-start form of the `Q: A) …` kind (a colon in u[1:4])
        return keys.search(u) is None and ":" not in u[1:4]
    # without a colon: E.O., REF before a cable number, Classified By, and the line-start
    # forms `TAGS PGOV`, `SUBJECT WELLS` (`REF A. …` needs REF)
    return not (
        "LASS" in u or "E." in u or "EO" in u or "REF" in u or u.startswith(("TAG", "SUBJ"))
    )


def plain_caption(s: str) -> bool:
    """Whether captions.split_caption gives the stripped caption line `s` back whole: it is
    ASCII (no other case forms) and holds none of the handling words split off a caption
    (SIPDIS, NOFORN, SENSITIVE).  The caller has found that `s` is no line of handling words
    alone (HANDLING_LINE)."""
    if not s.isascii():
        return False
    u = s.upper()
    return "SIPDIS" not in u and "NOFORN" not in u and "SENSITIVE" not in u
