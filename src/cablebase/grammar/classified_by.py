"""Classified By (FORMAT.md §4.7): who classified the cable, and the reason letters."""

from __future__ import annotations

import re

from cablebase.record import ClassifiedBy

__all__ = ["parse_classified_by", "reasons_from_text", "LABEL_RE"]

LABEL_RE = re.compile(r"^\s*(?:\(U\)\s*)?Classified\s+By\b\s*:?\s*", re.IGNORECASE)

# Words cut by the fixed-width wrap (`reaso ns`, `a nd`, `1. 4`).
_REPAIRS = (
    (re.compile(r"\b(r)\s?e\s?a\s?s\s?o\s?n\s?s\b", re.IGNORECASE), r"\1easons"),
    (re.compile(r"\b(r)e\s?a\s?s\s?o\s?n\b", re.IGNORECASE), r"\1eason"),
    (re.compile(r"\b(a)\s(nd)\b", re.IGNORECASE), r"\1\2"),
    (re.compile(r"(?<![\d.])1\s?[.,/]\s?([456])(?!\d)"), r"1.\1"),
    (re.compile(r"(?<![\d.])1([45])(?=\s*\(?[a-hA-H]\b)"), r"1.\1"),
)
_SECTION = re.compile(r"(?<![\d.])1\.([456])(?!\d)")
_EO_ABBR = re.compile(r"E\.\s?O\.?", re.IGNORECASE)
_REASON_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_SEPARATORS = {"(", ")", ",", "&", "/", ".", ":", ";", "-", "and", "or", "+"}

# Where the "who" part ends: the reason phrase.
_WHO_END = re.compile(
    r"[\s,;.:]*(?:\bfor\s+reasons?\b|\breasons?\b|\bper\b|\bE\.\s?O\.|\bunder\s+section\b"
    r"|(?<![\d.])1\s?\.\s?[456](?!\d))",
    re.IGNORECASE,
)

# Job words: a title is the longest run of these at the start of the "who" part.
_TITLE_WORDS = frozenset(
    w.lower()
    for w in [
        "Ambassador",
        "Amb",
        "Amb.",
        "Ambassador-designate",
        "Charge",
        "Charge'",
        "Chargé",
        "d'Affaires",
        "d'Affaires,",
        "a.i.",
        "a.i",
        "ai",
        "(a.i.)",
        "CDA",
        "DCM",
        "A/DCM",
        "ADCM",
        "Acting",
        "Deputy",
        "Chief",
        "Chief,",
        "of",
        "Mission",
        "Political",
        "Politcal",
        "Pol",
        "Pol/Econ",
        "Pol-Econ",
        "PolEcon",
        "Pol/Mil",
        "Pol-Mil",
        "Econ",
        "Econ/Pol",
        "Economic",
        "Economic/Political",
        "Political/Economic",
        "Political-Military",
        "Political/Military",
        "Commercial",
        "Consular",
        "Public",
        "Affairs",
        "Management",
        "Counselor",
        "Counsellor",
        "Counselor,",
        "Minister",
        "Minister-Counselor",
        "Minister-Counsellor",
        "Officer",
        "Officer,",
        "PolOff",
        "Pol/Off",
        "EconOff",
        "PolMilOff",
        "PolEconOff",
        "Poloff",
        "Econoff",
        "P/E",
        "E/P",
        "PE",
        "Consul",
        "General",
        "Consul-General",
        "CG",
        "Principal",
        "PO",
        "DAS",
        "A/S",
        "Assistant",
        "Secretary",
        "Under",
        "Section",
        "Head",
        "Director",
        "Dir.",
        "Dir",
        "Acting",
        "Special",
        "Envoy",
        "Representative",
        "Ambassador,",
        "Charge,",
        "DCM,",
        "Deputy,",
        "the",
        "Senior",
        "Coordinator",
        "Attache",
        "Defense",
        "Regional",
        "Security",
        "RSO",
        "Labor",
        "Refugee",
        "Environment",
        "Science",
        "ESTH",
        "Affairs",
        "Unit",
        "INR",
        "Office",
        "Team",
        "Leader",
        "PRT",
        "Advisor",
        "Adviser",
        "Military",
        "MinCouns",
        "Mincouns",
        "Polcouns",
        "PolCouns",
        "EconCouns",
        "Econcouns",
        "PolChief",
        "EconChief",
        "Pol/Econ/Mil",
        "Temporary",
        "Interim",
    ]
)
_TITLE_CONNECTORS = frozenset({"of", "the", "and", "for", "&", "d'affaires", "a.i.", "ad"})


def _repair(text: str) -> str:
    for rx, rep in _REPAIRS:
        text = rx.sub(rep, text)
    return text


def reasons_from_text(text: str) -> list[str]:
    """`… for reasons 1.4 (b) and (d).` -> ["1.4(b)", "1.4(d)"].  Letters a–h within 40
    characters after each `1.4`/`1.5`/`1.6`, separated by parentheses, commas, `and`,
    `&` or `/`."""
    fixed = _repair(text)
    out: list[str] = []
    for m in _SECTION.finditer(fixed):
        section = f"1.{m.group(1)}"
        window = _EO_ABBR.sub(" ", fixed[m.end() : m.end() + 40])
        for tok in _REASON_TOKEN.findall(window):
            low = tok.lower()
            if len(low) == 1 and "a" <= low <= "h":
                item = f"{section}({low})"
                if item not in out:
                    out.append(item)
            elif low in _SEPARATORS:
                continue
            else:
                break
    return out


def _strip_label(text: str) -> str:
    # The label may be doubled: `Classified By: Classified by CDA …`.
    for _ in range(2):
        m = LABEL_RE.match(text)
        if m is None:
            break
        text = text[m.end() :]
    return text.strip()


def _split_title(who: str) -> tuple[str | None, str]:
    words = who.split()
    k = 0
    last_job = 0
    while k < len(words):
        w = words[k].lower().strip(",")
        if w in _TITLE_WORDS or ("/" in w and len(w) <= 9 and w.replace("/", "").isalpha()):
            k += 1
            last_job = k
        elif w in _TITLE_CONNECTORS and k > 0:
            k += 1
        else:
            break
    if last_job == 0:
        return None, who
    title = " ".join(words[:last_job]).strip(" ,")
    return title, " ".join(words[last_job:])


def parse_classified_by(text: str) -> tuple[ClassifiedBy, list[str]]:
    """Parse the statement (label removed or not, lines joined by any white space).
    Returns (ClassifiedBy(text, name, title, office), classification reasons)."""
    text = _strip_label(" ".join(text.split()))
    reasons = reasons_from_text(text)
    fixed = _repair(text)
    m = _WHO_END.search(fixed)
    who = fixed[: m.start()] if m else fixed
    who = who.strip(" ,;:.")
    name_part, _, office = who.partition(",")
    title, name = _split_title(name_part.strip())
    name = name.strip(" ,;:")
    if name.endswith(".") and not re.search(r"\b(?:[A-Z]|Jr|Sr)\.$", name):
        name = name[:-1]
    office = office.strip(" ,;:.") or None
    return (
        ClassifiedBy(text=text, name=name or None, title=title or None, office=office),
        reasons,
    )
