"""Telegram preamble (FORMAT.md §4.2-4.8): captions, E.O., TAGS, SUBJECT, REF, Classified By.

The scan runs from the line after the banner to the first numbered paragraph (`N.`, not
`1.4`), or to the first text line once the SUBJECT/REF/Classified By block has ended.
Labels are found anywhere in a line (`E.O. 12958: N/A TAGS: ASEC …`, `SUBJECT: … REF: …`);
a field ends at a blank line, the next label or a page marker.  Lines before the first
label are captions; standalone handling words (SIPDIS, NOFORN, …) go to `cable.handling`.
"""

from __future__ import annotations

import re

from cablebase.grammar import eo as _eo
from cablebase.grammar import refs
from cablebase.grammar.banner import looks_like_banner
from cablebase.grammar.captions import HANDLING_LINE, split_caption
from cablebase.grammar.classified_by import parse_classified_by, reasons_from_text
from cablebase.grammar.portion import PORTION_RE
from cablebase.grammar.preface import WEEKDAY_RE
from cablebase.grammar.state import State
from cablebase.grammar.subject import SUBJECT_STOP, parse_subject
from cablebase.grammar.tags import parse_tags

__all__ = ["parse_preamble", "NUMBERED_RE"]

NUMBERED_RE = re.compile(r"^\s*\d{1,3}\.(?!\d)")

# Labels anywhere in a line.  E.O. needs its order number (or DECL) after it, so the dotted
# form may be glued to a word before it (`SIPDISE.O. 12958`); inline TAGS/SUBJECT/REF need
# a colon; at the start of a line TAGS, REF and Classified By may go without one.
_LABELS = re.compile(
    r"""
      (?P<eo>(?:E\.\s?O\.?|E\.O|(?<![A-Za-z])EO)\s*(?=[:;,.]?\s*\d{4,6}|\s*DECL))
    | (?P<tags>(?<![A-Za-z/])TAGS?\s*:)
    | (?P<subject>(?<![A-Za-z])SUBJ(?:ECT)?\s*:)
    | (?P<ref>(?<![A-Za-z])REF(?:S|TELS?)?\s*:)
    | (?P<clby>(?:\(U\)\s*)?(?<![A-Za-z"'])Classified\s+By\b\s*:?)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Line-start forms without a colon: `TAGS PGOV …`, `TAG PREL`, `REF A: STATE 1`, `REF A. …`.
_START_LABELS = re.compile(
    r"""^\s*(?:
      (?P<tags>TAGS?)\s+(?=\S)
    | (?P<ref>REF(?:S|TELS?)?)\s+(?=[A-Z][.):]|\([A-Z]\))
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_PAGE_MARKER = re.compile(
    r"^\s*(?:[A-Za-z .]{2,20}\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}|PAGE\s+\d{1,3}\b.*)\s*$",
    re.IGNORECASE,
)
_CLASS_ONLY = re.compile(
    r"^\s*(?:CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE)\s*$", re.IGNORECASE
)
# A REF item on its own line: `B. MADRID 919`, `B) …`, `(B) …`, `B. B. 2008 BAMAKO 217`.
_REF_ITEM = re.compile(r"^\s*(?:[A-Za-z][.):]|\([A-Za-z]\))\s")
_UNWRAPPED = 100  # a field line longer than this is a paragraph-per-line body

_TEXT_FIELDS = ("eo", "tags", "subject", "ref", "clby")


class _Scan:
    """Field pieces collected while reading the preamble."""

    __slots__ = ("fields", "order", "captions", "handling")

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.captions: list[str] = []
        self.handling: list[str] = []


def _find_labels(line: str, cur: str | None) -> list[tuple[str, int, int]]:
    """(name, start, end) of every label in the line, in order."""
    found: list[tuple[str, int, int]] = []
    sm = _START_LABELS.match(line)
    if sm is not None:
        name = sm.lastgroup or ""
        found.append((name, sm.start(name), sm.end()))
    in_clby = cur == "clby"
    for m in _LABELS.finditer(line, found[0][2] if found else 0):
        name = m.lastgroup or ""
        if name == "clby":
            in_clby = True
        elif name == "eo" and in_clby:
            continue  # `Classified by X; E.O. 12958, reasons 1.4 (b)`: part of the reason
        elif name != "clby":
            in_clby = False
        found.append((name, m.start(), m.end()))
    return found


def _clean(line: str) -> str:
    s = line.rstrip()
    if s.endswith("\\"):  # tab-separated dumps end their lines with a backslash
        s = s[:-1].rstrip()
    return s


def parse_preamble(lines: list[str], start: int, st: State) -> int:
    """Read the preamble from `start`; return the index of the first text line
    (the first numbered paragraph, or the first line after the preamble)."""
    n = len(lines)
    sc = _Scan()
    cur: str | None = None  # field being continued, "skip" for a repeated field
    seen_label = False
    text_start = n
    i = start
    while i < n:
        raw = lines[i]
        s = _clean(raw).strip()
        if not s:
            cur = None
            i += 1
            continue
        if NUMBERED_RE.match(raw):
            text_start = i
            break
        if HANDLING_LINE.match(s):
            split_caption(s, sc.handling)
            cur = None
            i += 1
            continue
        if (
            _PAGE_MARKER.match(s)
            or _CLASS_ONLY.match(s)
            or WEEKDAY_RE.match(s)
            or (seen_label and looks_like_banner(s))
        ):
            cur = None
            i += 1
            continue
        last = _last(sc)
        if cur is None and last in _TEXT_FIELDS and not any(sc.fields[last]):
            cur = last  # `SUBJECT:` alone, its value after a blank line
        labels = _keep_labels(_find_labels(s, cur), sc, cur)
        if not labels:
            if _continue_field(sc, cur, s):
                i += 1
                continue
            if not seen_label:
                rest = split_caption(s, sc.handling)
                if rest:
                    sc.captions.append(rest)
                i += 1
                continue
            if "ref" in sc.fields and cur is None and _REF_ITEM.match(s) and _last(sc) == "ref":
                sc.fields["ref"].append(s)
                cur = "ref"
                i += 1
                continue
            if cur is None and _last(sc) == "clby" and _clby_goes_on(sc.fields["clby"], s):
                sc.fields["clby"].append(s)
                cur = "clby"
                i += 1
                continue
            if _text_may_start(sc):
                last = _last(sc)
                if (
                    cur is None
                    and last in ("subject", "ref")
                    and (
                        _label_ahead(lines, i, sc)
                        or (last == "subject" and _OPEN_END.search(sc.fields["subject"][-1]))
                    )
                ):
                    # Double-spaced preambles put a blank line inside a wrapped SUBJECT.
                    sc.fields[last].append(s)
                    cur = last
                    i += 1
                    continue
                text_start = i
                break
            # After E.O./TAGS but before SUBJECT: a stray caption-like line.
            rest = split_caption(s, sc.handling)
            if rest:
                sc.captions.append(rest)
            cur = None
            i += 1
            continue
        # Text before the first label on the line.
        pre = s[: labels[0][1]].strip()
        if pre:
            if cur in _TEXT_FIELDS and cur in sc.fields:
                sc.fields[cur].append(pre)
            elif not seen_label:
                rest = split_caption(pre, sc.handling)
                if rest:
                    sc.captions.append(rest)
            else:
                split_caption(pre, sc.handling)
        for k, (name, _a, b) in enumerate(labels):
            end = labels[k + 1][1] if k + 1 < len(labels) else len(s)
            value = s[b:end].strip()
            if name in sc.fields:
                if name == "ref" and cur == "ref":
                    sc.fields["ref"].append(value)  # `REF A … REF B …`
                elif name == "clby" and cur == "clby" and not value:
                    pass  # doubled label
                elif (
                    name == "clby"
                    and cur == "clby"
                    and len(sc.fields["clby"]) == 1
                    and not (sc.fields["clby"][0])
                ):
                    sc.fields["clby"][0] = value
                else:
                    cur = "skip"  # a repeated preamble: the first one counts
                    continue
            else:
                sc.fields[name] = [value]
                sc.order.append(name)
            cur = name
        seen_label = True
        i += 1
    else:
        text_start = n

    _finish(sc, lines, text_start, st)
    return text_start


def _keep_labels(
    labels: list[tuple[str, int, int]], sc: _Scan, cur: str | None
) -> list[tuple[str, int, int]]:
    """Drop inline labels of a field that is already filled (`SUBJECT: NEW E.O. 13224 …`):
    only a label at the start of a line may begin a repeated preamble.  Kept: `REF A …
    REF B …` inside the REF field and a doubled `Classified By: Classified by`."""
    seen = set(sc.fields)
    out: list[tuple[str, int, int]] = []
    prev = cur
    for name, a, b in labels:
        if name in seen and a > 0:
            repeat_ok = (name == "ref" and prev == "ref") or (
                name == "clby" and prev == "clby" and out and out[-1][0] == "clby"
            )
            if not repeat_ok:
                continue
        seen.add(name)
        out.append((name, a, b))
        prev = name
    return out


_CLBY_REST = re.compile(
    r"^(?:(?:for\s+)?reasons?\b|\(?[a-h]\)|1\s?[.,]\s?[456]|E\.\s?O\.)", re.IGNORECASE
)
_CLBY_OPEN = re.compile(r"(?:\breasons?\s*:?|,|\b1\.[456]\.?|\bfor)\s*$", re.IGNORECASE)


# A SUBJECT line ending like this is continued after a blank line (double-spaced bodies).
_OPEN_END = re.compile(
    r"(?:[,:/-]|\b(?:WITH|OF|AND|THE|TO|IN|ON|FOR|AT|BY|A|AN|FROM|OVER|ABOUT|AS|OR))\s*$",
    re.IGNORECASE,
)


def _clby_goes_on(pieces: list[str], s: str) -> bool:
    """A Classified By statement cut by a blank line (double-spaced preambles): the next
    line carries the reason (`FOR REASONS 1.4 (B) AND (D)`)."""
    if len(s) > _UNWRAPPED or reasons_from_text(" ".join(pieces)):
        return False
    return bool(_CLBY_REST.match(s) or (pieces and _CLBY_OPEN.search(pieces[-1])))


def _label_ahead(lines: list[str], i: int, sc: _Scan) -> bool:
    """True when a REF or Classified By label not seen yet starts one of the next three
    non-blank lines (before any numbered paragraph)."""
    seen = 0
    for j in range(i + 1, min(i + 10, len(lines))):
        s = lines[j].strip()
        if not s:
            continue
        if NUMBERED_RE.match(s):
            return False
        m = _LABELS.match(s) or _START_LABELS.match(s)
        if m is not None and m.lastgroup in ("ref", "clby") and m.lastgroup not in sc.fields:
            return True
        seen += 1
        if seen >= 3:
            return False
    return False


def _last(sc: _Scan) -> str | None:
    return sc.order[-1] if sc.order else None


def _text_may_start(sc: _Scan) -> bool:
    return any(f in sc.fields for f in ("subject", "ref", "clby"))


def _continue_field(sc: _Scan, cur: str | None, s: str) -> bool:
    """Add a label-less line to the current field when it continues it."""
    if cur == "skip":
        return True
    if cur not in _TEXT_FIELDS or cur not in sc.fields:
        return False
    pieces = sc.fields[cur]
    last = pieces[-1] if pieces else ""
    if cur == "ref":
        pieces.append(s)
        return True
    if len(last) > _UNWRAPPED:
        return False  # one line per paragraph: the next line is text, not a continuation
    if cur == "subject":
        if SUBJECT_STOP.match(s) or len(pieces) >= 6:
            return False
    elif cur == "eo":
        # An E.O. value continues only when its value is still missing (`DECL:` ⏎ date).
        if re.search(r"\d{1,4}[/-]\d{1,2}[/-]\d{2,4}|N/?A|OADR|\bMR\b", last, re.IGNORECASE):
            return False
    elif cur == "tags":
        if len(pieces) >= 4 or len(s) > 90:
            return False
    elif cur == "clby" and len(pieces) >= 5:
        return False
    pieces.append(s)
    return True


def _finish(sc: _Scan, lines: list[str], text_start: int, st: State) -> None:
    cable = st.cable
    for word in sc.handling:
        if word not in cable.handling:
            cable.handling.append(word)
    cable.captions.extend(sc.captions)
    f = sc.fields
    if "eo" in f:
        _eo.parse_eo(" ".join(f["eo"]), st)
    else:
        st.warn("preamble.no_eo", "no E.O. line", "preamble")
    if "tags" in f:
        cable.tags = parse_tags(" ".join(f["tags"]))
        if not cable.tags:
            st.warn("preamble.empty_tags", "TAGS label without tags", "preamble")
    if "subject" in f:
        portion, subject = parse_subject(f["subject"])
        cable.subject = subject
        cable.subject_portion = portion
    if "ref" in f:
        text = "\n".join(p for p in f["ref"] if p)
        if text:
            _references(text, st)
    clby = f.get("clby")
    if clby is None:
        clby = _clby_in_first_paragraph(lines, text_start)
    if clby is not None:
        text = " ".join(clby)
        if text.strip():
            cable.classified_by, cable.classification_reasons = parse_classified_by(text)
            if not cable.classification_reasons:
                st.warn("classified_by.no_reasons", "no 1.4/1.5 reason letters", "preamble")


def _references(text: str, st: State) -> None:
    try:
        st.cable.references = refs.parse_refs(text, st.year)
    except NotImplementedError:  # the REF rule is written elsewhere; absent until then
        return
    except Exception as exc:  # a REF bug must not lose the rest of the preamble
        st.warn("preamble.ref_error", f"{type(exc).__name__}: {exc}", "ref")


_PARA_CLBY = re.compile(
    r"^\s*\d{1,3}\.\s*(?:\(\s*[A-Za-z/ ]{1,10}\)\s*)?(Classified\s+By\b.*)$", re.IGNORECASE
)


def _clby_in_first_paragraph(lines: list[str], at: int) -> list[str] | None:
    """Old cables state `1. CLASSIFIED BY … REASON: 1.5(B)(D).` as paragraph 1; read it
    without consuming the paragraph."""
    for k in range(at, min(at + 8, len(lines))):
        if NUMBERED_RE.match(lines[k]):
            at = k
            break
    else:
        return None
    m = _PARA_CLBY.match(lines[at])
    if m is None:
        return None
    out = [m.group(1)]
    for j in range(at + 1, min(at + 5, len(lines))):
        s = lines[j].strip()
        if not s or NUMBERED_RE.match(s):
            break
        out.append(s)
    return out


# PORTION_RE is re-exported for the paragraphs rule's convenience.
__all__ += ["PORTION_RE"]
