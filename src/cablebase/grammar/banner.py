"""Classification banner (FORMAT.md §4.1): <CLASS> [SECTION nn OF nn] <POST> <serial>."""

from __future__ import annotations

import re

from cablebase.grammar.captions import add_handling
from cablebase.grammar.state import State
from cablebase.record import Sections

__all__ = ["parse_banner", "classify_word", "looks_like_banner"]

# The class word with its spaces removed and upper-cased; tolerant of a doubled or
# dropped first letter (`SSECRET`, `CSECRET`, `ECRET`, `UUNCLAS`, `NCLAS`, `CCONFIDENTIAL`).
_CLASS_WORD = re.compile(r"^(TOP)?[A-Z]{0,2}(ECRET|ONFIDENTIAL|NCLAS|NCLASSIFIED)$")


_REST = re.compile(
    r"""^\s*
    (?:SECTION\s+(?P<sec>\d{1,2})\s+OF\s+(?P<tot>\d{1,2})\s+)?
    (?P<post>(?!VZCZC)[A-Za-z][A-Za-z.'-]*(?:\s+[A-Za-z][A-Za-z.'-]*){0,5}?)  # (a transmission id is no post)
    \s*(?P<serial>\d{3,6})(?!\d)
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)


def classify_word(word: str) -> str | None:
    """Map a class word (spaces removed, any case) to the level, or None."""
    if word.upper() in ("LIMITEDOFFICIALUSE", "LOU"):
        return "LIMITED OFFICIAL USE"
    m = _CLASS_WORD.match(word.upper())
    if m is None:
        return None
    tail = m.group(2)
    if tail == "ECRET":
        return "TOP SECRET" if m.group(1) else "SECRET"
    if tail == "ONFIDENTIAL":
        return "CONFIDENTIAL"
    return "UNCLASSIFIED"


# The class word at the start of a line, letters possibly spaced out (`S E C R E T`), with a
# doubled or dropped first letter (up to two stray letters before the tail).  One regex
# instead of a walk over the leading tokens; the optional tail is greedy, so the longest
# class word wins (`UNCLASSIFIED` over `UNCLAS`).
_CLASS_AT = re.compile(
    r"""[\s"'\]\[>]*(?=[SCUEONTL])
    (?:(?P<lou>L\s*I\s*M\s*I\s*T\s*E\s*D\s+O\s*F\s*F\s*I\s*C\s*I\s*A\s*L\s+U\s*S\s*E|LOU(?=\s))
      (?:\s*//?\s*NOFORN)?(?![A-Za-z])|
    (?P<top>T\s*O\s*P\s*)?
    (?:[A-Z]\s*){0,2}?
    (?:(?P<s>E\s*C\s*R\s*E\s*T)
      |(?P<c>O\s*N\s*F\s*I\s*D\s*E\s*N\s*T\s*I\s*A\s*L)
      |N\s*C\s*L\s*A\s*S(?:\s*S\s*I\s*F\s*I\s*E\s*D)?)
    (?:\s*//?\s*NOFORN)?(?![A-Za-z]))""",
    re.IGNORECASE | re.VERBOSE,
)


# `UNCLAS E F T O SECTION 01 OF 02 …`: the EFTO caveat (encrypt for transmission only)
# after the class word, often spaced out as the class word is.
_EFTO = re.compile(r"\s+E\s?F\s?T\s?O(?![A-Za-z])", re.IGNORECASE)
# `UNCLASSIFIED LIMITED OFFICIAL USE SECTION 01 OF 02 …`: a released cable's class, then its
# original LOU marking.
_LOU_AFTER = re.compile(r"\s+LIMITED\s+OFFICIAL\s+USE(?![A-Za-z])", re.IGNORECASE)


def _split_class(line: str) -> tuple[str, str] | None:
    """Find the class word at the start of `line`; return (level, rest of line)."""
    m = _CLASS_AT.match(line)
    if m is None:
        return None
    end = m.end()
    first = line[end : end + 2].lstrip()[:1]
    if first in ("E", "e"):
        efto = _EFTO.match(line, end)
        if efto is not None:
            end = efto.end()
    elif first in ("L", "l") and not m.group("lou"):
        lou = _LOU_AFTER.match(line, end)
        if lou is not None:
            end = lou.end()
    if m.group("lou"):
        level = "LIMITED OFFICIAL USE"  # a marking of its own, not a level of the other three
    elif m.group("s"):
        level = "TOP SECRET" if m.group("top") else "SECRET"
    elif m.group("c"):
        level = "CONFIDENTIAL"
    else:
        level = "UNCLASSIFIED"
    return level, line[end:]


_HAS_SERIAL = re.compile(r"\d\d\d")  # (a `\d` first, not a repeat: a fast scan)


def looks_like_banner(line: str) -> bool:
    """True when `line` parses as a banner (no side effects)."""
    if len(line) < 8:
        return False
    # the anchored class-word match first: it fails at once on most lines, where the serial
    # search would read the whole line
    sc = _split_class(line)
    return (
        sc is not None and _HAS_SERIAL.search(line) is not None and _REST.match(sc[1]) is not None
    )


def parse_banner(line: str, st: State) -> str | None:
    """Parse one banner line.  Returns None when the line is not a banner; otherwise the
    text left over after the banner ("" normally; "SIPDIS NOFORN" for a joined banner).
    Sets st.banner_classification, st.banner_serial, cable.post, cable.sections."""
    sc = _split_class(line)
    if sc is None:
        return None
    level, rest = sc
    m = _REST.match(rest)
    if m is None:
        return None
    st.banner_classification = level
    marking = line[: len(line) - len(rest)].upper()
    if "NOFORN" in marking and "NOFORN" not in st.cable.handling:
        st.cable.handling.append("NOFORN")  # `LIMITED OFFICIAL USE//NOFORN`, `SECRET//NOFORN`
    if level != "LIMITED OFFICIAL USE" and _LOU_AFTER.search(marking):
        add_handling(st.cable.handling, "LIMITED OFFICIAL USE")  # the original marking
    if "EFTO" in "".join(marking.split()) and "EFTO" not in st.cable.handling:
        st.cable.handling.append("EFTO")
    st.banner_serial = m.group("serial")
    post = " ".join(m.group("post").split())
    # A redacted post stays as written; anything else is upper-cased (docs/record.md).
    st.cable.post = post if re.fullmatch(r"[Xx]{4,}", post) else post.upper()
    if m.group("sec"):
        number, total = int(m.group("sec")), int(m.group("tot"))
        st.cable.sections = Sections(number=number, total=total)
        if number > total or number == 0:
            st.warn("banner.section", f"odd section numbers {number} of {total}", "banner")
    return m.group("rest").strip()
