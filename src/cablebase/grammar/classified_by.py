"""Classified By (FORMAT.md §4.7): who classified the cable, and the reason letters."""

from __future__ import annotations

import re

from cablebase.ids import post_names
from cablebase.record import ClassifiedBy

__all__ = ["parse_classified_by", "reasons_from_text", "text_after_reasons", "LABEL_RE"]

LABEL_RE = re.compile(
    r"^\s*(?:\(U\)\s*)?Class[a-z]{2,4}d\s*By(?-i:(?![a-z]))\s*:?\s*", re.IGNORECASE
)

# Words cut by the fixed-width wrap (`reaso ns`, `a nd`, `an d`, `1. 4`) and zeros typed for
# the letter O (`REAS0N`, `AMBASSAD0R`).
_ZERO_WORD = re.compile(r"\b(?=[A-Za-z0]*[A-Za-z])[A-Za-z]*0[A-Za-z0]*\b")
_REPAIR = re.compile(
    r"""(?P<w>\br\s?e\s?a\s?s\s?o\s?n(?:\s?s)?\b
      | \ba\snd\b
      | \bfo\sr\b(?=\s*rea)
      | \bpe\sr\b(?=\s*\d)
      | \ban\sd\b(?=\s*\(?[a-h]\b))
    | (?<![\d.])1\s?[.,/:]\s?(?P<s1>[456])(?!\d)
    | (?<![\d.])1(?P<s2>[45])(?=\s*\(?[a-h]\b)""",
    re.IGNORECASE | re.VERBOSE,
)


def _fix(m: re.Match[str]) -> str:
    if m.group("w"):
        return "".join(m.group(0).split())  # the word without the wrap's spaces
    return "1." + (m.group("s1") or m.group("s2"))


_SECTION = re.compile(r"(?<![\d.])1\.([456])(?!\d)")
_EO_ABBR = re.compile(r"E\.\s?O\.?", re.IGNORECASE)
_REASON_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_SEPARATORS = frozenset({"(", ")", ",", "&", "/", ".", ":", ";", "-", "and", "or", "+"})
_RAW_SECTION = re.compile(r"(?<![\d.])1\s?[.,:]\s?[456](?!\d)")
_RAW_SEPARATORS = _SEPARATORS | {"an", "nd", "n"}


def _zeros(text: str) -> str:
    """Zeros typed for O inside words (same length, so positions still hold)."""
    if "0" not in text:
        return text
    return _ZERO_WORD.sub(lambda m: m.group(0).replace("0", "O"), text)


def _repair(text: str, zeros: bool = True) -> str:
    if zeros:
        text = _zeros(text)
    return _REPAIR.sub(_fix, text)


def _is_portion_mark(tokens: list[tuple[str, int, int]], k: int, letters: bool) -> bool:
    """Whether `(X)` at tokens[k] (the `(`) is the portion mark of a glued paragraph rather
    than a reason letter: an upper-case mark right after a letter or a closed letter group,
    followed by a capitalised word (`1.4 (B, D) (C) MEA Joint …`, `(b) and (d). (C) On June
    7`, `1.4 b, d (C) Embassy London …`)."""
    if not letters or k + 3 >= len(tokens):
        return False
    if tokens[k + 2][0] != ")" or not tokens[k + 1][0].isupper():
        return False
    prev = tokens[k - 1][0] if k else ""
    if prev not in (")", ".") and not (len(prev) == 1 and "a" <= prev.lower() <= "h"):
        return False
    nxt = tokens[k + 3][0]
    return len(nxt) >= 2 and nxt[0].isupper() and nxt.lower() not in ("and", "or")


def _letters(text: str, start: int, separators: frozenset[str]):
    """Walk the reason letters after a section number at `start`: yields (letter, end) for
    each letter a-h, stopping at the first other word (or a glued paragraph's portion mark)."""
    window = text[start : start + 40]
    tokens = [(m.group(0), m.start(), m.end()) for m in _REASON_TOKEN.finditer(window)]
    seen = False
    for k, (tok, _a, b) in enumerate(tokens):
        low = tok.lower()
        if len(low) == 1 and "a" <= low <= "h":
            seen = True
            yield low, start + b
        elif low in separators:
            if tok == "(" and _is_portion_mark(tokens, k, seen):
                return
            continue
        else:
            return


def reasons_from_text(text: str) -> list[str]:
    """`… for reasons 1.4 (b) and (d).` -> ["1.4(b)", "1.4(d)"].  Letters a–h within 40
    characters after each `1.4`/`1.5`/`1.6`, separated by parentheses, commas, `and`,
    `&` or `/`."""
    if "1" not in text:
        return []
    return _reasons(_repair(text))


def _reasons(fixed: str) -> list[str]:
    """reasons_from_text on an already repaired text."""
    if "1." not in fixed:
        return []
    if "." in fixed and ("E" in fixed or "e" in fixed):
        fixed = _EO_ABBR.sub(lambda m: " " * len(m.group(0)), fixed)
    out: list[str] = []
    for m in _SECTION.finditer(fixed):
        section = f"1.{m.group(1)}"
        for low, _end in _letters(fixed, m.end(), _SEPARATORS):
            item = f"{section}({low})"
            if item not in out:
                out.append(item)
    return out


# What may follow the reason letters on the same line as text glued to the statement: a
# paragraph number, a portion mark, a SUMMARY label, or a long sentence.
_GLUED_TEXT = re.compile(
    r"""(?:\d{1,3}\s?\.(?!\d)\s*\S
      | \(\s*(?:U|C|S|TS|SBU|CUI|LOU)(?:\s*//?\s*[A-Z][A-Z ]{0,20})?\s*\)\s*[A-Za-z"'-]
      | (?:SUMMARY|Summary|INTRODUCTION|Introduction)\b
      | [A-Z][A-Za-z'’-]*\s+\S.{24,})""",
    re.VERBOSE,
)
_REASON_TAIL = re.compile(r"[\s).,;:]*")


def text_after_reasons(line: str) -> int | None:
    """Where text glued after a complete reason list starts in `line`, or None
    (`… reasons 1.4 (b) and (d). 1. (C) Summary: …` -> the index of `1.`)."""
    matches = list(_RAW_SECTION.finditer(line))
    if not matches:
        return None
    m = matches[-1]
    end = None
    for _low, b in _letters(line, m.end(), _RAW_SEPARATORS):
        end = b
    if end is None:
        return None
    end = _REASON_TAIL.match(line, end).end()
    rest = line[end:]
    if not rest.strip() or _GLUED_TEXT.match(rest) is None:
        return None
    return end


# Where the "who" part ends: the reason phrase.
# Where the "who" part ends: the reason phrase (the separators before it are backed over by
# _who_end: a leading `[\s,;.:]*` would make every position a candidate start).
_WHO_END = re.compile(
    r"\bfor\s+r\s?e\s?a|\brea(?:sons?|ons|sosn)\b|\bper\b|\bE\.\s?O\.|\bunder\s+section\b"
    r"|\bbased\s+(?:on|upon)\b|(?<![\d.])1\s?\.\s?[456](?!\d)",
    re.IGNORECASE,
)
_SEPARATOR_CHARS = frozenset(" \t,;.:")
_TRAIL_WORDS = ("for", "per", "under", "as", "by")
# A statement cut short by the page (`Donald Lu for re...`): the cut reason words.
_CUT_WORDS = frozenset(("f", "fo", "for", "p", "pe", "per", "r", "re", "rea"))
_WHO_LEAD = re.compile(
    r"^(?:\(\s*[A-Z]{1,3}\s*\)\s*)?(?:Classifi?ed\s+(?:(?:CONFIDENTIAL|SECRET)\s+)?)?(?:by\s+)?",
    re.IGNORECASE,
)
# `Charge d’Affaires`, `Charge d,Affaires`, `Charge d' Affaires` -> `Charge d'Affaires`.
_AFFAIRES = re.compile(r"\b([dD])\s?[’‘`´',]\s?(?=[Aa][Ff][Ff])")
_COLON = re.compile(r"\s*[:;]\s*")

# Job words: a title is the longest run of these at the start of the "who" part (or the
# segment after the name: `Gene A. Cretz, Ambassador, …`).  Built from the leading words
# of the dev corpus's Classified By statements.
_TITLE_WORDS = frozenset(
    [
        "ambassador",
        "amb",
        "amb.",
        "ambassador-designate",
        "ambasador",
        "ambassasador",
        "deputy",
        "charge",
        "charges",
        "charg",
        "charge'",
        "chargé",
        "charqe",
        "chg",
        "cda",
        "d'affaires",
        "d'affairs",
        "affaires",
        "affairs",
        "a.i.",
        "a.i",
        "ai",
        "(a.i.)",
        "a.i.,",
        "dcm",
        "adcm",
        "acting",
        "chief",
        "mission",
        "missions",
        "com",
        "political",
        "politcal",
        "politicl",
        "poltical",
        "pol",
        "econ",
        "eco",
        "economic",
        "economics",
        "commercial",
        "consular",
        "public",
        "diplomacy",
        "management",
        "counselor",
        "counsellor",
        "couns",
        "coun",
        "couselor",
        "counselors",
        "minister",
        "min",
        "mincouns",
        "mincons",
        "minister-counselor",
        "minister-counsellor",
        "officer",
        "office",
        "off",
        "polcouns",
        "polcoun",
        "polcounselor",
        "econcouns",
        "econmincouns",
        "polmincouns",
        "polmincons",
        "deppolcouns",
        "polchief",
        "econchief",
        "polec",
        "polecon",
        "poleco",
        "ecopol",
        "econpol",
        "epol",
        "ecpo",
        "esth",
        "est&h",
        "emin",
        "econmin",
        "ecmin",
        "polmin",
        "polmc",
        "consul",
        "general",
        "consul-general",
        "principal",
        "assistant",
        "secretary",
        "under",
        "section",
        "head",
        "director",
        "dir",
        "dir.",
        "special",
        "envoy",
        "representative",
        "senior",
        "coordinator",
        "coordinating",
        "attache",
        "defense",
        "regional",
        "security",
        "rso",
        "arso",
        "labor",
        "refugee",
        "refcoord",
        "environment",
        "science",
        "technology",
        "health",
        "unit",
        "team",
        "leader",
        "advisor",
        "adviser",
        "military",
        "temporary",
        "interim",
        "watch",
        "executive",
        "first",
        "second",
        "third",
        "vice",
        "human",
        "rights",
        "legal",
        "global",
        "issues",
        "internal",
        "exec",
        "external",
        "development",
        "bureau",
        "interagency",
        "provincial",
        "admissions",
        "state",
        "mil",
        "polmil",
        "cheif",
        "mision",
        "col",
        "col.",
        "colonel",
    ]
)
# Office codes and short job abbreviations that could be a name in mixed case (`Io Roe`):
# titles only when written in capitals.
_UPPER_TITLES = frozenset(
    [
        "AIT",
        "USEU",
        "USNATO",
        "USUN",
        "USOECD",
        "EUR",
        "NEA",
        "EAP",
        "ISN",
        "IO",
        "WHA",
        "SCA",
        "EEB",
        "DRL",
        "OES",
        "PM",
        "AF",
        "CDDEA",
        "NAS",
        "PRT",
        "CTC",
        "DRC",
        "DTRA",
        "DTRO",
        "TDY",
        "HR",
        "GSO",
        "AID",
        "USAID",
        "IPO",
        "INR",
        "DATT",
        "LEGATT",
        "PO",
        "DPO",
        "PE",
        "MC",
        "CG",
        "ACG",
        "EST",
        "PAS",
        "PAO",
        "APAO",
        "PEO",
        "DAS",
        "PDAS",
        "POLE",
        "DS",
    ]
)
# Words allowed inside a title between job words (`Deputy Chief of Mission`).
_TITLE_CONNECTORS = frozenset({"of", "the", "and", "for", "&", "de", "ad", "-"})
# Words that may lead a title or stand inside it without being job words themselves
# (`LAHORE PRINCIPAL OFFICER`, `U.S. Embassy Wellington DCM`): see _is_place.
_PLACE_WORDS = frozenset({"embassy", "consulate", "congen", "u.s.", "us", "amembassy"})
# Title words that may follow a comma inside the title (`CDA, a.i., Hugo Llorens`).
_AFTER_COMMA = frozenset({"a.i.", "a.i", "ai", "(a.i.)", "acting"})
# `Poloff`, `ESTHOFF`, `PolMilOff`, `Econ/Poloff`: an officer of a section.
_OFF = re.compile(
    r"^(?:[a-z]{1,5}[/-])?(?:pol|econ|eco|esth|est|prm|lab|con|aid|hr|mil|emb|mgmt|pe|pa|pd|"
    r"gso|narc|ref|sci|env|fin|res|cons|ag)+off\.?$"
)
_ACRONYM = re.compile(r"^[A-Z][A-Z/&]{1,5}$")
_SUFFIX = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z.'’-]*$")


def _is_title(word: str, first: bool, mixed: bool) -> bool:
    w = _zeros(word).lower().rstrip(",:;")
    if w in _TITLE_WORDS or _OFF.match(w) or word.rstrip(",:;") in _UPPER_TITLES:
        return True
    if "/" in w:
        # A/DCM, POL/MC, NEA/ENA, S/CT, Pol/Econ, D/Ambassador: short abbreviations or job words
        parts = [p for p in re.split(r"[/-]", w) if p]
        return bool(parts) and all(
            p in _TITLE_WORDS or (p.isalpha() and len(p) <= 5) or _OFF.match(p) for p in parts
        )
    if "-" in w:
        parts = [p for p in w.split("-") if p]
        return bool(parts) and all(p in _TITLE_WORDS for p in parts)
    # An office acronym leading a mixed-case statement (`DRL Karen Stewart`).
    return first and mixed and bool(_ACRONYM.match(word)) and word.strip("X") != ""


def _is_place(word: str) -> bool:
    """A post name or an embassy word inside a title (only kept when a job word follows)."""
    w = word.lower()
    if w in _PLACE_WORDS:
        return True
    return word.isalpha() and len(word) >= 4 and word.upper() in post_names()


def _segment_title(seg: str, mixed: bool) -> bool:
    words = seg.split()
    return bool(words) and _is_title(words[0], False, mixed)


def _parse_who(who: str) -> tuple[str | None, str | None, str | None]:
    """Split the "who" part into (name, title, office)."""
    mixed = any(c.islower() for c in who)
    tokens = re.findall(r",|[^\s,]+", who)
    k = 0
    title_end = 0
    while k < len(tokens):
        t = tokens[k]
        if t == ",":
            nxt = tokens[k + 1].lower() if k + 1 < len(tokens) else ""
            if title_end == k and title_end > 0 and nxt in _AFTER_COMMA:
                k += 1
                continue
            break
        if _is_title(t, k == 0, mixed):
            k += 1
            title_end = k
        elif (t.lower() in _TITLE_CONNECTORS and title_end > 0) or _is_place(t):
            k += 1
        else:
            break
    title = " ".join(tokens[:title_end]).replace(" ,", ",").strip(" ,") or None
    rest = " ".join(tokens[title_end:]).replace(" ,", ",")
    segments = [s.strip() for s in rest.split(",")]
    if segments and not segments[0]:
        segments = segments[1:]
    if not segments:
        return None, title, None
    name = segments[0].lstrip("- ")
    i = 1
    if (
        i < len(segments)
        and segments[i].lower().rstrip(".") + "." in ("jr.", "sr.")
        or (i < len(segments) and segments[i].lower() in _SUFFIX)
    ):
        name = f"{name}, {segments[i]}"
        i += 1
    if title is None and i < len(segments):
        if _segment_title(segments[i], mixed):
            title = segments[i]
            i += 1
        elif (
            i + 1 < len(segments)
            and _segment_title(segments[i + 1], mixed)
            and (len(name.split()) == 1 or len(segments[i].split()) == 1)
            and len(segments[i].split()) <= 3
            and all(_NAME_WORD.match(w) for w in segments[i].split())
        ):
            # `Weitzenkorn, Laurie, A/DCM, State`: surname first
            name = f"{name}, {segments[i]}"
            title = segments[i + 1]
            i += 2
    office = ", ".join(s for s in segments[i:] if s) or None
    return name or None, title, office


def _strip_label(text: str) -> str:
    # The label may be doubled: `Classified By: Classified by CDA …`.
    for _ in range(2):
        m = LABEL_RE.match(text)
        if m is None:
            break
        text = text[m.end() :]
    return text.strip()


def _trim_who(who: str) -> str:
    """Drop what ends the "who" part: separators, a dangling `for`/`per`/…, and the words of
    a statement cut short by the page (`Donald Lu for re...`)."""
    if who.endswith("..."):
        who = who[:-3].rstrip()
        while True:
            head, _, last = who.rpartition(" ")
            if not head or last.lower() not in _CUT_WORDS and not last.lower().startswith("reas"):
                break
            who = head.rstrip()
    if who.lower() in ("for", "per"):
        return ""
    while True:
        t = who.rstrip(" \t\n,;:.")
        head, sep, last = t.rpartition(" ")
        if sep and last.lower() in _TRAIL_WORDS:
            t = head.rstrip(" \t\n,;:.")
        if t == who:
            return who
        who = t


def parse_classified_by(text: str) -> tuple[ClassifiedBy, list[str]]:
    """Parse the statement (label removed or not, lines joined by any white space).
    Returns (ClassifiedBy(text, name, title, office), classification reasons)."""
    text = _strip_label(" ".join(text.split())).rstrip(' "')  # `…(d) ""`: a csv quote
    fixed = _repair(text, zeros=False)  # names keep their zeros as written
    zfixed = _zeros(fixed)  # same length as `fixed`
    reasons = _reasons(zfixed if "1" in text else "")
    m = _WHO_END.search(zfixed)
    if m is None:
        who = fixed
    else:
        end = m.start()
        while end > 0 and fixed[end - 1] in _SEPARATOR_CHARS:
            end -= 1
        who = fixed[:end]
    if who[:1] in "(bBcC":
        who = _WHO_LEAD.sub("", who, count=1)
    if "ff" in who or "FF" in who:
        who = _AFFAIRES.sub(r"\1'", who)
    if ":" in who or ";" in who:
        who = _COLON.sub(", ", who)
    who = _trim_who(who.strip())
    name, title, office = _parse_who(who)
    if name:
        name = name.strip(" ,;:")
        if name.endswith(".") and not re.search(r"\b(?:[A-Z]|Jr|Sr|JR|SR)\.$", name):
            name = name[:-1]
        elif re.search(r"\b(?:Jr|Sr|JR|SR)$", name) and name + "." in fixed:
            name += "."  # the reason phrase's separator took the suffix's period
    if office:
        office = office.strip(" ,;:.") or None
    return (
        ClassifiedBy(text=text, name=name or None, title=title or None, office=office),
        reasons,
    )
