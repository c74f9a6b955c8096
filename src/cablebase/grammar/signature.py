"""Signature and trailing lines (FORMAT.md §4.11).

`take_signature(lines)` strips the trailers after the text (`NNNN`, a classification word,
a NARA stamp, `>`, `2004CARACA02200 - CONFIDENTIAL`, junk after the name), then takes the
signature: the last line when it is 1-4 capitalised words and not a label, else a name
glued to the last text line after sentence punctuation.  A doubled name is collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cablebase.grammar import titles
from cablebase.grammar.pages import ends_sentence, remove_markers
from cablebase.grammar.paragraphs import NUMBERED
from cablebase.grammar.tags import is_code

__all__ = ["Signature", "cut_header_copy", "take_signature"]

_TRAILER = re.compile(
    r"^\s*(?:N{1,4}|NNNN\b.*|[A-Za-z]|>+|<+|#+|[\"\\'.,/]+|\d{1,2}|=+.*CABLE ENDS?.*|[=*_-]{2,}[=*_ -]*|"
    # a run of one letter (`AAAA`, a relay's filler) and a SIPDIS caption repeated at the end
    r"(?P<run>[A-WYZ])(?P=run){2,}|SIPDIS|"
    # a page's classification line (`"<TAB>Classification: UNCLASSIFIED`), a drafter's file
    # path (`F:\POLITICAL SECTION\CABLES\X.DOC`), a note that a paragraph is left out
    r"\"?\s*Classification:\s*[A-Z /]+|[A-Z]:\\.*|MISSING\s+CLASSIFIED\s+PARAGRAPHS?|"
    # a newspaper's print trailer (`Track impresión: … EL PAÍS` / `ID: 187536`)
    r"Track\s+impresi.*|ID:\s*\d+|"
    # service notes and tool lines after the signature (`NOTE: NOT PASSED TO ABOVE
    # ADDRESSEE(S)`, `v1.6.3`, CableXpress folder lines, a split NARA stamp's second line)
    r"NOTE:\s*(?:NOT\s+PASSED|SVC\b|POSSIBLE\s+MISSING|POUCH\s+ADDRESSEES|.*\bGRA[BR]LED\b).*|"
    # the database query a page printed after the text, a repeated MINIMIZE CONSIDERED
    r"(?-i:SELECT \* FROM\b.*)|(?:[A-Z]+\s+)?MINIMIZE\s+CONSIDERED\.?|v\d+(?:\.\d+)+|"
    r".*CableXpress.*|[A-Z\u00c0-\u00dd ]{2,8}@[A-Z\u00c0-\u00dd ]{2,8}|-\s*No Folders\s*-|Review\s+\d{1,2}\s+[A-Z]{3}\s+\d{4}|"
    r"(?:<_protect>)?0\s+\d\d/\d\d/\d{4}\s+\d+\s.*|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"END\s+(?:OF\s+)?(?:CABLE(?:\s+TEXT)?|MESSAGE|TELEGRAM)\.?|\*+\s*Missing Section.*|"
    r"SENSITIVE BUT UNCLASSIFIED|SBU|"
    r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|UNCLAS|LIMITED OFFICIAL USE|TOP SECRET|"
    r"S\s?E\s?C\s?R\s?E\s?T|C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L)(?:\s+PTQ\d+|\d{1,2})?"
    r"(?:\s*//\s*[A-Z][A-Z /]*|\s+(?:NOFORN|NOFORN/NOCONTRACT|NOCONTRACT|ORCON|EXDIS|NODIS))?|"  # `SECRET//NOFORN`
    r"\d{4}[A-Z]{3,}\d{4,6}\s*-\s*(?:Classification:\s*)?[A-Z /]+|\d{4}[A-Z]{3,}\d{0,6}|"
    r"[A-Z][A-Z ]{1,12}\s+\d{8}|"
    r"Declassified.*NARA.*|>{2,}.*C\s?O\s?R\s?R\s?E\s?C\s?T\s?E\s?D.*)\s*$",
    re.I,
)
# NARA stamps anywhere in a line (kept apart from _TRAILER: a `.*`-led alternative costs
# a scan of every long paragraph line; a substring test on the lower-cased line goes first).
_STAMP = re.compile(r"\bDeclassified/Released\b|\bSystematic Review\b", re.I)
_TAIL_JUNK = re.compile(
    r"(?:\s+(?:NNNN\b.*|[\"\\#,]+\w?|\d{4}[A-Z]{3,}\d{4,6}\s*-.*|0\s+\d\d/\d\d/\d{4}.*|"
    r"\d{4}-\d\d-\d\d.*)|#+|(?<=[A-Z])\"\s*[\w']{1,3}\.{3})\s*$"
)
_BOILERPLATE = re.compile(
    r"classified\s+web\s*site|^\W*https?:|intelink|sgov\.gov|\.gov/|wiki/|^\W*0\s+\d\d/\d\d/\d{4}",
    re.I,
)
# `…efforts.NICHOLSON`, and in upper-case text `…EFFORTS.NICHOLSON` (a word of four letters or
# more before the stop: `U.S.ARMY`, `MR.SMITH` are no sentence end)
_GLUED_TIGHT = re.compile(
    r"(?:[a-z0-9)]|(?<![A-Za-z.])[A-Z]{4,})[.!?](?:\s?\.)?([A-Z]{3,}[A-Z'-]*)\s*$"
)
_SEPARATOR_WORDS = frozenset(
    {"UNQUOTE", "TEXT", "TEXT.", "COMMENT", "COMMENT.", "CONSIDERED", "CONSIDERED."}
)
# Two-letter words that end a text without being a signer (`LU` and `HO` are names).
_TWO_LETTER_NOT_NAMES = frozenset(
    ["UK", "UN", "EU", "OK", "TV", "AM", "PM", "ID", "DC", "II", "GO", "NO", "OF", "TO", "IN"]
    + ["SO", "HI", "BE", "DO", "IT", "IS", "AS", "AT", "BY", "IF", "OR", "UP", "US", "WE"]
    + ["HE", "ME", "MY", "ON", "AN", "OH", "RE", "VS", "CC", "PS"]
)
# A quotation's closing mark after the name that ends it (`SPOGLI"`: an agreement quoted whole).
_CLOSE_QUOTES = ('"', "\u201d")
# The first line of a copy of the telegram's routing header (ACP-127) that some pages print
# after the signature; the lines that confirm it within the next few.
HEADER_START = "VZCZC"
_HEADER_LINES = ("DE ", "ZNY ", "ZNR ", "FM ", "TO ")
# Dots, commas and stray spaces after a name (`OLSON..`, `SUSMAN ..`, `Susman , ...`).
_NAME_TAIL = re.compile(r"(?<=[A-Za-z])(?:\s+[.,][\s.,]*|,[\s.,]*|\.\.(?!\.))$")
_DUMP = re.compile(r" 0\s+\d\d/\d\d/\d{4}\b")
# A name glued to a redaction (`…Website: XXXXXXXXXXXXTUTTLE`).
_AFTER_XRUN = re.compile(r"[Xx][Xx]{3,}([A-WYZ][A-Za-z'-]{2,})\s*$")
_TAIL = 120  # characters at the end of a line where a glued name is looked for
# A token that is part of a web address or a file name, not a word of the text.
_URLISH = re.compile(r"[/_@:=?&*]|\.[a-z]|^[a-z]{1,4}$|^[Xx]{4,}$")
_JUNK = re.compile(r"(?:\.\.\.|\u2026)\s*$")
_PARTICLE = frozenset(
    [
        "van",
        "von",
        "de",
        "da",
        "del",
        "della",
        "der",
        "den",
        "di",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ibn",
        "y",
        "st",
        "st.",
        "mc",
        "mac",
    ]
)
_SUFFIX = frozenset(["JR", "JR.", "SR", "SR.", "II", "III", "IV"])
_STOP = frozenset(
    [
        "END",
        "COMMENT",
        "COMMENTS",
        "SUMMARY",
        "NOTE",
        "NOTES",
        "TEXT",
        "UNQUOTE",
        "QUOTE",
        "BEGIN",
        "SIPDIS",
        "NOFORN",
        "MINIMIZE",
        "CONSIDERED",
        "BT",
        "NNNN",
        "CONFIDENTIAL",
        "SECRET",
        "UNCLASSIFIED",
        "UNCLAS",
        "SENSITIVE",
        "CLASSIFIED",
        "LIMITED",
        "OFFICIAL",
        "USE",
        "THE",
        "OF",
        "AND",
        "FOR",
        "TO",
        "IN",
        "ON",
        "AT",
        "IS",
        "ARE",
        "WAS",
        "WERE",
        "WITH",
        "BY",
        "FROM",
        "THIS",
        "THAT",
        "THESE",
        "A",
        "AN",
        "AS",
        "WE",
        "IT",
        "BE",
        "WILL",
        "NOT",
        "NO",
        "ACTION",
        "REQUEST",
        "REQUESTS",
        "INFO",
        "SEPTEL",
        "REFTEL",
        "PAGE",
        "SECTION",
        "DECL",
        "TAGS",
        "SUBJECT",
        "REF",
        "HTTP",
        "WWW",
        "VISIT",
        "PLEASE",
        "WEBSITE",
        "SITE",
        "DEPARTMENT",
        "EMBASSY",
        "AMEMBASSY",
        "STATE",
        "CONCLUSION",
        "CONCLUSIONS",
        "BACKGROUND",
        "ANALYSIS",
        "RECOMMENDATION",
        "RECOMMENDATIONS",
        "DISCUSSION",
        "INTRODUCTION",
        "ISSUE",
        "ISSUES",
        "OVERVIEW",
        "OUTLOOK",
        "NEXT",
        "STEPS",
        "ENDS",
        "CABLE",
        "CLEARED",
        "MESSAGE",
        "OR",
        "BUT",
        "IF",
        "SO",
        "HE",
        "SHE",
        "THEY",
        "OUR",
        "US",
        "ALL",
        # closing words: `... telephone number 58-212-907-8403. Regards.`
        "REGARDS",
        "REGARD",
        "THANKS",
        "THANK",
        "BEST",
        "CHEERS",
        "SINCERELY",
        "RESPECTFULLY",
        "CORDIALLY",
        "WARMLY",
        "YOURS",
        # routing lines (`PRIORITY USMISSION GENEVA`)
        "PRIORITY",
        "ROUTINE",
        "IMMEDIATE",
        "FLASH",
        "USMISSION",
        "WASHDC",
    ]
)
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z'\u2019.-]*$")
_XRUN = re.compile(r"[Xx][Xx]{3,}")  # (a class first, not a repeat: a fast scan)
# A name glued to the end of the last text line, after sentence punctuation or a quote end.
_GLUED = re.compile(
    r"""(?:(?<=[.!?:;"')\]*\u201d\u2019])|(?<=[A-Za-z)][.!?]8)|(?<=\bUNQUOTE)|(?<=\bEND TEXT)|"""
    r"""(?<=(?i:\bEND COMMENT))|(?<=[Xx]{4}))"""
    r"""\s+((?![Xx]{4})[A-Z][A-Za-z'-]+(?:\s+(?![Xx]{4})[A-Z][A-Z'-]+){0,2})\s*\.?\s*$"""
)


@dataclass(slots=True)
class Signature:
    lines: list[str]  # the text lines with trailers and the signature removed
    signers: list[str] = field(default_factory=list)
    truncated: bool = False  # the text ends mid-sentence without a signature


def _name_words(text: str, *, short_ok: bool = False) -> list[str] | None:
    """The words of `text` when it reads as a signature name, else None.  `short_ok` lets a
    lone two-letter name pass (`LU`), for callers that know the text is mixed-case prose."""
    s = text.strip().rstrip("#").strip().lstrip('"#').lstrip()  # `"CASON`, `# PIERCE`
    if s.endswith("."):
        s = s[:-1].rstrip()
    words = s.split(None, 4)  # a fifth word already rules it out
    if not 1 <= len(words) <= 4 or _XRUN.search(s):
        return None
    capital = 0
    for w in words:
        up = w.upper().rstrip(".,")
        if up in _STOP:
            return None
        if w.lower() in _PARTICLE or up in _SUFFIX:
            continue
        if not _NAME_WORD.match(w):
            return None
        if w.endswith(".") and len(w) > 2:
            return None  # `COOPERATION. NICHOLSON`: a sentence end, not an initial
        if len(w.strip(".'-")) >= 2:
            capital += 1
    if not capital or (len(s) >= 3 and s.strip(s[0]) == ""):  # `AAAA`: no name
        return None
    if len(words) == 1 and len(words[0].strip(".'-")) < 3:
        w = words[0].strip(".")
        # `LU`, or `Lu` (typed as in the prose): short names pass only below mixed-case prose
        short_name = w.isupper() or (w[0].isupper() and w[1:].islower())
        if not (short_ok and len(w) == 2 and short_name and w.upper() not in _TWO_LETTER_NOT_NAMES):
            return None
    return words


def _join_split_given(words: list[str]) -> list[str]:
    """A given name cut by a stray space joined again (`WI LLIAM STEWART`)."""
    out: list[str] = []
    for w in words:
        if out and w.isalpha() and out[-1].isalpha() and titles.split_given_name(out[-1], w, False):
            out[-1] += w
        else:
            out.append(w)
    return out


def _collapse(words: list[str]) -> str:
    up = [w.upper() for w in words]
    half = len(up) // 2
    if len(up) % 2 == 0 and up[:half] == up[half:]:
        up = up[:half]
    return " ".join(up)


def take_signature(lines: list[str]) -> Signature:
    """Strip trailers and the signature from the end of the text lines."""
    sig = _take(list(lines))
    if not sig.signers:
        # a page's metadata dump and a second copy of the text after the name: looked for
        # only when no name was found (most cables end with theirs)
        out = list(lines)
        if _cut_dump(out):
            cut = _take(out)
            if cut.signers:
                return cut
    return sig


def cut_header_copy(out: list[str]) -> None:
    """Drop a copy of the routing header printed after the text (`VZCZC…` / `DE RUEH…` /
    `ZNY CCCCC` / `FM …` / `TO …` to the end): it is neither text nor signature.  Callers
    test for `VZCZC` in the text first (a pass over every line costs)."""
    for k in range(len(out) - 1, 0, -1):
        if out[k].lstrip().startswith(HEADER_START):
            after = [x.strip() for x in out[k + 1 :]]
            # routing lines only, to the end (a page may print the header before the text)
            if any(x.startswith(_HEADER_LINES) for x in after[:7]) and all(
                len(x) <= 80 and not any(c.islower() for c in x) and not NUMBERED.match(x)
                for x in after
            ):
                del out[k:]
            return


def _take(out: list[str]) -> Signature:
    _strip_trailers(out)
    if not out:
        return Signature(lines=out)
    # stray characters and a glued NNNN after the name (`BURLEIGH "`, `HOAGLAND NNNN`)
    last = _strip_tail_junk(out[-1])
    one = last.strip()
    if one[-1:] in _CLOSE_QUOTES and " " not in one and one[:-1].isupper():
        last = one[:-1]
    if not last.strip():
        out.pop()
        _strip_trailers(out)
        if not out:
            return Signature(lines=out)
        last = _strip_tail_junk(out[-1])
    out[-1] = last
    # prose in mixed case lets a two-letter name pass (`… affairs. LU`): look only then
    end = last.rstrip(" .")
    mixed = (len(end) == 2 or (len(end) >= 3 and end[-3] in " .")) and _mixed_case(out)
    words = _name_words(last, short_ok=mixed)
    if words is None and _JUNK.search(last):
        # junk after the signature (`DANIEL ORTEGA AN...`): look one line up
        k = _prev_content(out, len(out) - 1)
        if k is not None and _name_words(out[k]) is not None:
            del out[k + 1 :]
            last = out[-1]
            words = _name_words(last)
    if words is None and last.strip().islower() and len(last.split()) == 1:
        # `tuttle` after the web-site notice: a name typed in lower case
        k = _prev_content(out, len(out) - 1)
        if k is not None and _before_lower_name(out, k):
            words = _name_words(last.strip().capitalize())
    if words is None and "/" in last:
        pair = _slash_pair(last)  # `Stimpson/Allen`: two signers
        if pair is not None and _plausible(out, pair):
            out.pop()
            _strip_blank_tail(out)
            return Signature(lines=out, signers=pair)
    if words is not None and _plausible(out, words):
        if len(words) >= 2:
            words = _join_split_given(words)
        if len(words) >= 2 and titles.is_exact(words[0]):
            words = words[1:]  # `CDA Griffiths`: the signer's title before the name
        name = _collapse(words)
        out.pop()
        if out and out[-1].strip() and len(words) == 1:
            # one-word lines stacked: a drafter above the signer (`Forden` / `PAAL`), or a
            # list of office symbols (`DAO` / `CONS`), which is no signature
            bare = not out[-1].rstrip().endswith((".", ",", ":", ";"))
            above = _name_words(out[-1]) if bare else None
            if above is not None and _collapse(above) == name:
                above = None  # the name twice: dropped below
            if above is not None and len(above) == 1 and len(out) > 1 and out[-2].strip():
                if out[-2].strip()[-1:].isalpha() and len(_name_words(out[-2]) or "ab") == 1:
                    out.append(last)  # a list of one-word lines
                    return Signature(lines=out, truncated=False)
                above = None
            if above is not None and len(above) == 1:
                drafter = _collapse(above)
                out.pop()
                _strip_blank_tail(out)
                if drafter != name:
                    return Signature(lines=out, signers=[drafter, name])
                return Signature(lines=out, signers=[name])
        _strip_blank_tail(out)
        # the name repeated on the line before (`MILOVANOVIC` / `MILOVANOVIC`)
        if (
            out
            and _name_words(out[-1]) is not None
            and _collapse(_name_words(out[-1]) or []) == name
        ):
            out.pop()
            _strip_blank_tail(out)
        return Signature(lines=out, signers=[name])
    glued = _glued_name(last, mixed) or _name_after_url(last)
    if glued is not None:
        name, cut = glued
        rest = last[:cut].rstrip()
        out[-1] = rest
        if not rest.strip():
            out.pop()
        return Signature(lines=out, signers=[name])
    # a web-site notice after the name (`Jeffrey` / `"Visit Ankara's Classified Web Site...`)
    k = len(out)
    while k > 0 and len(out) - k < 3 and _boilerplate(out[k - 1]):
        k -= 1
    if k < len(out) and k > 0:
        j = k - 1
        while j > 0 and not out[j].strip():
            j -= 1
        words = _name_words(out[j])
        if words is not None:
            name = _collapse(words)
            del out[j:]
            _strip_blank_tail(out)
            return Signature(lines=out, signers=[name])
    truncated = not ends_sentence(last) and not _ends_block(last)
    return Signature(lines=out, truncated=truncated)


def _glued_name(last: str, mixed: bool = False) -> tuple[str, int] | None:
    """A name glued to the end of the last text line: (name, where the name starts)."""
    t = last.rstrip()
    if not t:
        return None
    # Only a line's tail can hold a glued name: searching a whole line of a million X's
    # backtracks through the run at every start (quadratic; tests/test_fuzz.py).
    tail = max(0, len(t) - _TAIL)
    if "XXXX" in t or "xxxx" in t:
        x = _AFTER_XRUN.search(t, tail)
        if x is not None and _name_words(x.group(1)) is not None:
            return x.group(1).upper(), x.start(1)
    # `...end.NAME`: the line must end with a capital (or `'`, `-`)
    m = _GLUED_TIGHT.search(last, tail) if ("A" <= t[-1] <= "Z" or t[-1] in "'-") else None
    if m is not None and _name_words(m.group(1)) is not None:
        return m.group(1), m.start(1)
    close = t.rfind(")", tail)
    if close >= 0 and t[close + 1 : close + 2].isupper():
        # the drafters' line glued to the name (`(USFCS/JROE/ADOE)GEORGE ARGYROS`)
        m = _AFTER_DRAFTERS.search(t, tail)
        if m is not None and _name_words(m.group(1)) is not None:
            return _collapse(m.group(1).split()), m.start(1)
    tokens = last.rsplit(None, 5)  # only the last five words are looked at
    lower_text = not last.isupper() and any(c.islower() for c in last)
    for k in (3, 2, 1):
        if len(tokens) <= k:
            continue
        name, sep = tokens[-k:], tokens[-k - 1]
        if name[-1] == ".":
            continue
        words = _name_words(" ".join(name), short_ok=mixed and k == 1)
        if words is None or any(_XRUN.search(w) for w in name):
            continue
        if k == 1 and sep.lower() in _PARTICLE:
            continue  # `… St. John`: the name's own particle, looked at with it (k == 2)
        all_upper = all(w.isupper() for w in words if w.lower() not in _PARTICLE)
        if not all_upper and not (k == 1 and lower_text) and not _particle_name(name, sep):
            continue
        su = sep.upper()
        ok = (
            sep[-1] in _SEP_END
            # mixed-case prose ending on one upper-case word (`… Ahmed Megahed SCOBEY`)
            or (
                k == 1
                and lower_text
                and any(c.islower() for c in sep)
                and sep[0].isupper()
                and len(words[0]) >= 4
                and words[0].isupper()
                and not is_code(words[0])
            )
            or (sep.endswith("8") and len(sep) > 2 and sep[-2] in ".!?")
            or _XRUN.search(sep) is not None
            or (
                su in _SEPARATOR_WORDS
                and (
                    su == "UNQUOTE"
                    or (su.startswith("CONSIDERED") and tokens[-k - 2 : -k - 1] == ["MINIMIZE"])
                    or tokens[-k - 2 : -k - 1] == ["END"]
                    or (len(tokens) > k + 1 and tokens[-k - 2].upper() == "END")
                )
            )
            or (lower_text and _bare_glued(name, sep, last))
        )
        if ok:
            cut = last.rstrip().rstrip(".").rstrip()
            pos = len(cut)
            for w in reversed(name):
                pos = cut.rfind(w, 0, pos)
            return _collapse(words), pos
    return None


def _particle_name(name: list[str], sep: str) -> bool:
    """A mixed-case name opening with its particle after a sentence end (`… efforts. Van
    Voorst`, `… here. de la Pena`, `… today. St. John`): one name, not its last word alone."""
    if len(name) < 2 or name[0].lower() not in _PARTICLE or sep[-1] not in ".!?":
        return False
    core = [w for w in name if w.lower() not in _PARTICLE]
    return bool(core) and all(w[0].isupper() and w[-1] != "." for w in core)


def _bare_glued(name: list[str], sep: str, last: str) -> bool:
    """A name glued to the end of mixed-case prose with nothing between: one upper-case word
    (`… 5777-4873  WAYNE`, `… EUR/NB RICE`), a particle and one (`… Part One LA LIME`), one
    doubled (`… Officer Jo Roe, ARSO PENNINGTON PENNINGTON`), or one capitalised word after a
    word that is not lower case (`… follow up with the MFA Scobey`; `… in Blant` is cut short)."""
    if name[-1][-1:] in ".!?":
        return False  # a sentence's last word (`… cleared by Embassy Brasilia.`)
    core = [w for w in name if w.lower() not in _PARTICLE]
    doubled = len(name) == 2 and name[0] == name[1]
    if (len(core) != 1 and not doubled) or sep.lower() in _PARTICLE:
        return False  # (`La Lime`: the particle is the name's own)
    w = core[0]
    if len(w) < 4 or is_code(w.upper()):
        return False
    mixed_name = len(name) == 1 and w[0].isupper() and w[1:].islower() and not sep.islower()
    if not w.isupper() and not mixed_name:
        return False
    # a word the line already used is the text's own (an acronym, a name it discusses)
    up, want = last.upper(), 2 if doubled else 1
    count = up.count(w.upper())  # a substring count first; words only when it says more
    if count > want:
        count = len(re.findall(rf"\b{re.escape(w.upper())}\b", up))
    return count == want


_AFTER_DRAFTERS = re.compile(r"\([A-Z][A-Z/:.,' -]*\)([A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+){0,2})\s*$")

_SEP_END = frozenset(".!?:;\"')]*\u201d\u2019")


def _plausible(out: list[str], words: list[str]) -> bool:
    """Reject a last line that merely ends a wrapped sentence (`...Ministry of` / `DEFENSE`)."""
    k = _prev_content(out, len(out) - 1)
    if k is None:
        return False  # nothing but a name: not a signed text
    if k < len(out) - 2:
        return True  # a blank line before the name
    prev = out[k].rstrip()
    if (
        prev.strip() in ("-", "--")
        or _is_rule(prev)
        or _ends_block(prev)
        or "@" in prev.split()[-1]
    ):
        return True  # `-----` or a web address or e-mail line before the name
    if prev.endswith(",") or prev.endswith("-"):
        # a wrapped phrase goes on in the case of the prose; one upper-case word below
        # mixed-case prose is the name (`… and John Wacker (DOE),` ⏎ `RICE`)
        w = words[0]
        return (
            prev.endswith(",")
            and len(words) == 1
            and len(w) >= 4
            and w.isupper()
            and not is_code(w)
            and _mixed_case(out[:-1])
        )
    if prev[-7:].upper() == "COMMENT" and _END_LINE.search(prev):
        return True  # `… End Comment` ⏎ `LA LIME`: the closing marker without its period
    tail = prev.split()[-1].upper() if prev.split() else ""
    if tail in {"OF", "THE", "AND", "TO", "FOR", "IN", "ON", "WITH", "BY", "A", "AN", "AT"}:
        return False
    if _wrapped_sentence_end(prev, out[-1], words):
        return False
    # a capitalised phrase continuing a sentence is not a name
    return not (len(words) > 1 and prev[-1:].islower())


_END_LINE = re.compile(r"(?:^|[.!?]\s*|\s)(?:END\s+)?COMMENT\s*$", re.I)
_PROSE_LINE = 40  # a wrapped text line is long; a short one may be a signature block's own


def _wrapped_sentence_end(prev: str, last: str, words: list[str]) -> bool:
    """One word with the sentence's full stop right under a long text line that stops
    mid-sentence: the wrapped end of that sentence (`… APPRECIATES TRINIDAD'S` ⏎
    `ASSISTANCE.`), not a signer.  A signer's own stray period (`NICHOLSON.`) follows a
    finished sentence or a blank line."""
    return (
        len(words) == 1
        and last.rstrip().endswith(".")
        and not last.rstrip().endswith("..")
        and len(prev.strip()) >= _PROSE_LINE
        and prev[-1:].isalnum()
        and not _XRUN.search(prev.split()[-1])  # a redacted web-site address ends the text
        and not _boilerplate(prev)
    )


def _is_rule(line: str) -> bool:
    """A line drawn with one repeated character (`-----`, `*****`, `=====`)."""
    s = line.replace(" ", "")
    return len(s) >= 3 and s[0] in "-*=_~" and s.strip(s[0]) == ""


_NO_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def _mixed_case(out: list[str]) -> bool:
    """The last lines are mixed-case prose (not an all-upper-case telegram)."""
    tail = " ".join(out[-4:])[-400:]
    return len(tail) - len(tail.translate(_NO_LOWER)) > len(tail) // 4


def _name_after_url(last: str) -> tuple[str, int] | None:
    """A name after the web-site notice on the same line (`Visit London's Classified Website:
    http://… index. cfm TUTTLE`, `…/nap / BASSETT`): the last word, when every word between
    it and the address is a piece of the address."""
    low = last.lower()
    if not (
        "http" in low or "website" in low or "web site" in low or ".gov" in low or "cfm" in low
    ):
        return None
    toks = last.split()
    if len(toks) < 2:
        return None
    name = toks[-1].rstrip(".")
    words = _name_words(name)
    if words is None or len(name) < 3 or _URLISH.search(name):
        return None
    j = len(toks) - 2
    while j >= 0 and (
        _URLISH.search(toks[j]) or _XRUN.match(toks[j]) or not any(c.isalnum() for c in toks[j])
    ):
        t = toks[j].lower()
        if "http" in t or ".gov" in t or "website" in low or _XRUN.match(toks[j]):
            return name.upper(), last.rstrip().rfind(name)  # the address, or its redaction
        j -= 1
    if j >= 0 and toks[j].rstrip(":").lower() in ("website", "site"):
        return name.upper(), last.rstrip().rfind(name)
    if j >= 1 and j == len(toks) - 2 and toks[j][:1].isupper() and _XRUN.match(toks[j - 1]):
        # the tail of a redacted wiki address (`XXXXXXXXXXXX Kingdom LeBaron`)
        return name.upper(), last.rstrip().rfind(name)
    return None


def _ends_block(line: str) -> bool:
    """A last line that is not prose: a URL or a web-site notice."""
    s = line.strip().lower()
    return "http" in s or "www." in s or s.endswith(".gov") or s.endswith("/")


def _prev_content(out: list[str], k: int) -> int | None:
    k -= 1
    while k >= 0 and not out[k].strip():
        k -= 1
    return k if k >= 0 else None


def _strip_blank_tail(out: list[str]) -> None:
    while out and not out[-1].strip():
        out.pop()


# A service note that may run over two lines (`NOTE BY OC/T: … CORRECTION TO` ⏎ `FOLLOW.`).
_SERVICE_NOTE = re.compile(r"^\s*NOTE\s+BY\s+OC/T\b|^\s*NOTE:\s*(?:NOT\s+PASSED|SVC\b)", re.I)


_END_WINDOW = 8  # the last lines where a service note or a CABLE ENDS line is looked for
_END_STARTS = frozenset("Nn=\t ")  # how such a line starts (`NOTE`, `Note`, `  NOTE`, `====`)


def _after_name(out: list[str], k: int) -> bool:
    """The content line before out[k] reads as a signature name."""
    j = _prev_content(out, k)
    return j is not None and _name_words(out[j]) is not None


def _xrun_trailer(out: list[str], s: str) -> bool:
    """A redaction line after a trailer (`End Cable Text` ⏎ `XXXXXXXXXXXX`): no signature."""
    if not (s[:1] in "Xx" and _XRUN.fullmatch(s)):
        return False
    j = _prev_content(out, len(out) - 1)
    return j is not None and _TRAILER.match(out[j].strip()) is not None


def _cut_mark(out: list[str], s: str) -> bool:
    """The cut end of a classification line after one (`UNCLASSIFIED` ⏎ `ED`): no signature."""
    if len(s) > 3 or not s.isalpha() or not s.isupper():
        return False
    j = _prev_content(out, len(out) - 1)
    if j is None:
        return False
    prev = out[j].strip().upper()
    return prev.endswith(s) and prev.rstrip("0123456789") in _MARKINGS


_MARKINGS = frozenset(["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "UNCLAS"])


def _strip_trailers(out: list[str]) -> None:
    for k in range(max(0, len(out) - _END_WINDOW), len(out)):
        x = out[k]
        if x[:1] not in _END_STARTS:
            continue  # (one cheap test per line: this runs for every cable)
        head = x[:12]
        if "NOTE" in head.upper() and (
            _SERVICE_NOTE.match(x) or (head.lstrip().startswith("NOTE") and _after_name(out, k))
        ):
            del out[k:]  # a service note, or a `NOTE:` the communications centre put after the name
            break
        if x[:1] == "=" and "CABLE ENDS" in x and _TRAILER.match(x):
            del out[k:]  # `====CABLE ENDS====` and a page's preview of the cable's head after it
            break
    while out:
        s = out[-1].strip()
        if (
            not s
            or _TRAILER.match(s)
            or _is_stamp(s)
            or _echo(out, s)
            or _xrun_trailer(out, s)
            or _cut_mark(out, s)
        ):
            out.pop()
            continue
        if (
            len(s) < 90
            and ("OF" in s or "of" in s or "PAGE" in s)
            and not remove_markers(s).strip()
        ):
            out.pop()  # a page marker after the signature (`ROME 00001196 003 OF 003`)
            continue
        break


# A page's metadata dump on a line of its own (`0 12/01/2009 10529 KNNP,MNUC … SUBJECT`),
# followed by the start of a second copy of the text: neither is part of the cable's end.
_DUMP_LINE = re.compile(r"(?:<_protect>)?0\s+\d\d/\d\d/\d{4}\s+\d+\s")
_DUMP_WINDOW = 12  # the copy after the dump is cut short: the dump is among the last lines


def _cut_dump(out: list[str]) -> bool:
    for k in range(len(out) - 1, max(0, len(out) - _DUMP_WINDOW) - 1, -1):
        if out[k].startswith(_DUMP_START) and _DUMP_LINE.match(out[k]):
            del out[k:]
            return True
        if " 0 " in out[k]:
            # the dump glued after the name on the text's last line (`End comment. STEVENS 0
            # 12/28/2007 5319 PREL,… SUBJECT…`), a copy of the text below it
            m = _DUMP_INLINE.search(out[k])
            if m is not None:
                out[k] = out[k][: m.start()]
                del out[k + 1 :]
                return True
    return False


_DUMP_INLINE = re.compile(r" 0\s+\d\d/\d\d/\d{4}\s+\d+\s")


_DUMP_START = ("0 ", "<_protect>0")


def _echo(out: list[str], s: str) -> bool:
    """A lower-case echo of the line before (`Huntsman` / `huntsman`, `Wood` / `od`)."""
    if not s.islower() or len(out) < 2:
        return False
    k = _prev_content(out, len(out) - 1)
    if k is None:
        return False
    prev = out[k].strip().lower()
    return prev == s or (len(s) <= 3 and prev.endswith(s) and len(prev) > len(s))


def _is_stamp(s: str) -> bool:
    low = s.lower()
    return ("declassified/released" in low or "systematic review" in low) and bool(_STAMP.search(s))


def _strip_tail_junk(line: str) -> str:
    """_TAIL_JUNK removed from the end of a line; substring tests first (a regex search
    over a long paragraph line is slow)."""
    # a page's metadata dump after the name, often followed by a copy of the text
    # (`STEVENS 0 02/08/2008 5838 PREL,PGOV … `): cut at its start, wherever it is
    k = line.find(" 0 ")
    while k >= 0:
        if _DUMP.match(line, k):
            line = line[:k]
            break
        k = line.find(" 0 ", k + 3)
    t = line.rstrip()
    if (
        "-" in line
        or "/" in line
        or "NNNN" in line
        or t[-1:] in '"\\#,'
        or t[-2:-1] in '"\\#,'
        or t.endswith((" .", ".."))
    ):
        # only the end of a long line can hold the junk: the regexes see its last part
        cut = max(0, len(line) - 300)
        head, tail = line[:cut], line[cut:]
        prev = None
        while prev != tail:
            prev = tail
            tail = _TAIL_JUNK.sub("", tail)
            tail = _NAME_TAIL.sub("", tail) if tail.rstrip()[-1:] in ".," else tail
        return head + tail
    return line


# What a signer's name typed in lower case may stand below: the end of a comment or note.
_END_MARKER = re.compile(r"\bEND\s+(?:OF\s+)?(?:COMMENT|NOTE|SUMMARY|TEXT)\W*$", re.IGNORECASE)


def _before_lower_name(out: list[str], k: int) -> bool:
    """Whether the line `out[k]` may stand above a signer's name typed in lower case: a rule,
    the web-site notice (its address ends the line, perhaps cut by a stray space), the end of
    a comment (`… END COMMENT` ⏎ `curran`), or a first name below a closing (`Best,` ⏎ `Jeff`
    ⏎ `clinton`)."""
    line = out[k]
    if _is_rule(line) or _END_MARKER.search(line):
        return True
    if _boilerplate(line):
        words = line.split()
        if re.search(r"[/.:_*]", words[-1]):
            return True  # the site's address ends the line
        # … or ends it cut by a stray space (`…/london/index. cfm`)
        return (
            len(words) >= 2 and words[-2].endswith(".") and "/" in words[-2] and len(words[-1]) <= 4
        )
    word = line.strip()
    if " " in word or not (word[:1].isupper() and word[1:].islower() and word.isalpha()):
        return False
    j = _prev_content(out, k)
    return j is not None and out[j].rstrip().endswith(",") and len(out[j].split()) <= 3


_SLASH_PAIR = re.compile(r"^\s*([A-Z][a-z]+|[A-Z]{4,})\s?/\s?([A-Z][a-z]+|[A-Z]{4,})\s*$")


def _slash_pair(line: str) -> list[str] | None:
    """`Stimpson/Allen`: two signers written with a slash, each a name (never an office or
    routing code: `EUR/SE`, `RHBVAKS/COMUSNAVCENT`, a title such as `POLOFF`)."""
    m = _SLASH_PAIR.match(line)
    if m is None:
        return None
    a, b = m.group(1), m.group(2)
    if a.isupper() != b.isupper():
        return None
    for w in (a, b):
        if is_code(w.upper()) or titles.is_word(w, not w.isupper()) or w.upper() in _STOP:
            return None
        vowels = sum(c in "AEIOUY" for c in w)
        if w.isupper() and (not vowels or (len(w) == 7 and w[0] == "R" and vowels < 2)):
            return None  # `RHBVAKS/COMUSNAVCENT`: a routing indicator, no name (`SCHMIDT` is)
    return [a.upper(), b.upper()]


def _boilerplate(line: str) -> bool:
    low = line.lower()
    if (
        "web" in low
        or "http" in low
        or "intelink" in low
        or ".gov" in low
        or "wiki/" in low
        or "/" in line
    ):
        return _BOILERPLATE.search(line) is not None
    return False
