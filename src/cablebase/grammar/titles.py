"""The title recogniser of Classified By statements: which words of `Acting Political
Minster-Counselor for Economic Affairs Jo A. Roe` are the job and which are the person.

Words are read one at a time: a job word (exact, or within a small edit distance of a
job word, so `Ambassaor`, `Counseor`, `Direcotr` are read as what they mean), an office
code or abbreviation (`AIT`, `A/S`, `ESTHOFF`, `LTC`), a connector (`of`, `for`, `and`)
or the object of a title's preposition (a post, a country, a region or a field of work:
`Special Representative for Afghanistan and Pakistan`).  Anything else is a name word.
classified_by.py puts the phrases together.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from cablebase.ids import post_names

__all__ = [
    "is_cut_title",
    "is_title",
    "is_head",
    "is_object",
    "is_connector",
    "is_initial",
    "name_like",
    "fuzzy_title",
    "within",
    "words",
]


def words(text: str) -> frozenset[str]:
    """A vocabulary written as a block of words separated by white space."""
    return frozenset(text.split())


# Job words written out (fuzzy matching also reads misspellings of the long ones).
_WORDS = words(
    """
    ambassador ambassadors amb amb. ambassador-designate ambassador-at-large deputy charge
    charges charg charge' chargé charqe chg cda d'affaires d'affairs d'affaire affaires
    affairs affaire a.i. a.i ai (a.i.) (ai) a.i., dcm adcm acting chief mission missions com
    political politcal politicl poltical pol econ eco economic economics commercial consular
    public diplomacy management counselor counsellor councilor councillor counsel couns coun
    couselor counselors minister min mincouns mincons minister-counselor minister-counsellor
    officer office off cons polcouns polcoun polcounselor econcouns econmincouns polmincouns
    polmincons deppolcouns polchief econchief polec polecon poleco ecopol econpol epol ecpo
    esth est&h emin econmin ecmin polmin polmc mcounselor consul general consul-general
    principal assistant secretary under section head director dir dir. special envoy
    representative senior coordinator coordinating attache defense regional security rso arso
    labor refugee refcoord environment science technology health unit team leader advisor
    adviser military temporary interim watch executive first second third vice human rights
    legal global issues internal exec external development bureau interagency provincial
    admissions state mil polmil cheif mision col col. colonel ltc lt lt. maj maj. major capt
    capt. cdr lcdr gen gen. brig adm rear sgt delegate delegation member usdel chairman chair
    chairperson permanent alternate ambassador-at-large at-large counter-terrorism counselor.
    economic-political political-economic political-military pol-mil polmiloff programs
    spokesman spokesperson legatt staff liaison desk resident country commander program manager
    consulate-general deputy-director
    """
)
# Office codes and short job abbreviations that could be a name in mixed case (`Io Roe`):
# titles only when written in capitals.
_UPPER = words(
    """
    AIT USEU USNATO USUN USOECD EUR NEA EAP ISN IO WHA SCA EEB DRL OES PM AF CDDEA NAS PRT CTC
    DRC DTRA DTRO TDY HR GSO AID USAID IPO INR DATT LEGATT PO DPO PE MC CG ACG EST PAS PAO APAO
    PEO DAS PDAS POLE DS EB PRM INL VCI CA MCOUNSELOR LTC USDEL MGMT ECON POL DOS DHS DOD FBI
    OSD JCS NSC USTR DOE DOJ SRAP ARMA NSA DEA CIA
    """
)
# The words a misspelling is compared with (long enough that one slip is not another word).
_FUZZY = (
    "ambassador",
    "counselor",
    "counsellor",
    "councilor",
    "director",
    "minister",
    "officer",
    "secretary",
    "political",
    "economic",
    "economics",
    "deputy",
    "charge",
    "affaires",
    "affairs",
    "chief",
    "consul",
    "general",
    "principal",
    "assistant",
    "acting",
    "representative",
    "coordinator",
    "attache",
    "advisor",
    "adviser",
    "section",
    "mission",
    "special",
    "envoy",
    "leader",
    "regional",
    "security",
    "management",
    "commercial",
    "consular",
    "diplomacy",
    "global",
    "permanent",
    "executive",
    "interim",
    "senior",
    "military",
    "defense",
    "delegate",
    "political-economic",
    "economic-political",
    "minister-counselor",
)
# The nouns a job phrase ends with (a name follows them): `… Unit Chief Jo Roe`.
_HEADS = words(
    """
    ambassador amb amb. charge chargé cda dcm adcm chief counselor counsellor councilor
    counsel couns director dir dir. officer minister consul secretary coordinator attache
    representative envoy advisor adviser leader head delegate chairman chair poloff econoff
    rso arso das pdas a/s u/s m/c mc polcouns econcouns mincouns d'affaires affaires
    d'affairs member manager commander spokesman liaison ltc col col. colonel maj capt
    cdr emin ecmin polmin
    """
)
_CONNECTORS = frozenset({"of", "the", "and", "for", "&", "de", "ad", "-", "to", "on", "at"})
# Objects of a title's preposition besides places: regions and fields of work.
_OBJECT_WORDS = words(
    """
    asia asian africa african europe european eurasia eurasian americas american hemisphere
    western eastern near east west south southern north northern central middle pacific
    atlantic caribbean gulf arabian peninsula balkans caucasus andean arab
    arms control international security diplomatic nonproliferation proliferation
    counterterrorism terrorism narcotics law enforcement economic economics political
    business energy sanctions verification compliance implementation population refugees
    refugee migration democracy labor oceans environmental environment scientific science
    resources intelligence research administration management multilateral organizations
    organization affairs affair issues trade finance financial agriculture agricultural
    health cooperation operations programs governance sub-national reconstruction
    stabilization military politico-military political-military public diplomacy
    consular commercial development assistance relations policy planning strategic
    matters negotiations talks non-proliferation transnational crime drugs
    """
)
_INITIAL = re.compile(r"^[A-Z]\.?$|^[A-Z]\.[A-Z]\.?$")
_OFF = re.compile(
    r"^(?:[a-z]{1,5}[/-])?(?:pol|econ|eco|esth|est|prm|lab|con|aid|hr|mil|emb|mgmt|pe|pa|pd|"
    r"gso|narc|ref|sci|env|fin|res|cons|ag)+off\.?$"
)
_ACRONYM = re.compile(r"^[A-Z][A-Z/&]{1,5}$")
_NAME_PARTICLES = words("van von der den de del della di da dos du la le al el bin ibn y st. st mc")
_PLACE_WORDS = frozenset({"embassy", "consulate", "congen", "u.s.", "us", "amembassy"})


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Country names and adjectives (one-word forms) from the generator's place table."""
    try:
        data = json.loads(
            resources.files("cablebase").joinpath("data/generator_places.json").read_text()
        )
    except (OSError, ValueError):
        return frozenset()
    out: set[str] = set()
    for name, adjective in data.get("countries", {}).values():
        for part in (name, adjective):
            words = [w for w in part.lower().split() if w != "the"]
            out.update(words)
    return frozenset(out)


def within(a: str, b: str, limit: int) -> bool:
    """Whether the Damerau-Levenshtein distance of a and b is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


@lru_cache(maxsize=4096)
def fuzzy_title(word: str) -> str | None:
    """The job word a misspelt word stands for (`ambassaor` -> `ambassador`), or None.
    One slip for words of 4-7 letters, two from 8 letters; the first letter must agree."""
    w = word.lower().strip(".,:;")
    if len(w) < 4 or not w.replace("-", "").replace("'", "").isalpha():
        return None
    limit = 1 if len(w) < 8 else 2
    for target in _FUZZY:
        if target[0] != w[0] or (len(w) == 4 and len(target) > 5):
            continue
        if within(w, target, limit):
            return target
    if "q" in w[1:] and _GARBLE.search(w):
        return _garbled_title(w)
    return None


# A transmission garble: a `Q` (not `Qu`) stands where one to three letters were lost
# (`CooQnator` for `Coordinator`).
_GARBLE = re.compile(r"(?<=.)q(?!u)")


def _garbled_title(w: str) -> str | None:
    """The job word a garbled word stands for, each lone `q` read as 1-3 lost letters; the
    letters on either side must agree, at least six of them."""
    if sum(c != "q" for c in w) < 6:
        return None
    rx = re.compile(_GARBLE.sub(".{1,3}", w))
    for target in _FUZZY:
        if target[0] == w[0] and rx.fullmatch(target):
            return target
    return None


def _core(word: str) -> str:
    return word.lower().rstrip(",:;")


def _zeros(word: str) -> str:
    if "0" not in word:
        return word
    return word.replace("0", "o") if any(c.isalpha() for c in word) else word


def is_exact(word: str) -> bool:
    """A job word as the vocabulary spells it."""
    w = _zeros(_core(word))
    return w in _WORDS or w.rstrip(".") in _WORDS or w in _OBJECT_WORDS


@lru_cache(maxsize=8192)
def is_word(word: str, mixed: bool) -> bool:
    """A job word or office code, exact or misspelt (no position rules)."""
    w = _zeros(_core(word))
    if w in _WORDS or w.rstrip(".") in _WORDS or _OFF.match(w) or word.rstrip(",:;.") in _UPPER:
        return True
    if w.startswith("(") and w.endswith(")") and len(w) <= 9:
        return True  # `(AI)`, `(CDA)`, `(T)`, `(acting)`
    if w.startswith("d'") and len(w) > 4:
        return fuzzy_title(w[2:]) in ("affaires", "affairs")
    if "/" in w:
        # A/DCM, POL/MC, NEA/ENA, S/CT, Pol/Econ, D/Ambassador: short codes or job words
        parts = [p for p in re.split(r"[/-]", w) if p]
        return bool(parts) and all(
            p in _WORDS
            or (p.isalpha() and len(p) <= 5)
            or p.upper() in _UPPER
            or _OFF.match(p)
            or fuzzy_title(p)
            for p in parts
        )
    if "-" in w:
        parts = [p for p in w.split("-") if p]
        return bool(parts) and all(p in _WORDS or fuzzy_title(p) for p in parts)
    if not mixed and len(w) <= 3:
        return False
    return fuzzy_title(w) is not None


def is_cut_title(word: str) -> bool:
    """Whether `word` is the start of a job word cut short (`AMBASS`, `Counsel`, `Dep`): a
    statement cut off at `...` right after it holds no name."""
    w = word.strip(".\u2026").lower()
    if len(w) < 3 or not w.isalpha():
        return False
    return any(t.startswith(w) for t in _FUZZY) or (w in _WORDS and len(w) >= 3)


def is_title(word: str, first: bool, mixed: bool, nxt: str | None) -> bool:
    """Whether `word` is part of a job title at this place.  `nxt` is the word after it."""
    if is_word(word, mixed):
        return True
    bare = word.rstrip(",:;")
    if nxt is None or nxt == ",":
        return False
    # An office code or a one-letter office before a job word (`EB A/S`, `T U/S`, `ISN A A/S`),
    # or leading a mixed-case statement (`DRL Karen Stewart`), unless a name's initial follows
    # (`ROBERT A. POLLARD`).
    if bare.isupper() and bare.isalpha() and len(bare) <= 5 and is_word(nxt, mixed):
        return True
    return first and mixed and bool(_ACRONYM.match(bare)) and not is_initial(nxt)


@lru_cache(maxsize=4096)
def is_head(word: str) -> bool:
    """A noun a job phrase ends with (`Chief`, `Counselor`, `Ambassaor`)."""
    w = _zeros(_core(word)).rstrip(".")
    if w in _HEADS or w + "." in _HEADS or _OFF.match(w):
        return True
    if "-" in w:
        return is_head(w.rsplit("-", 1)[1])
    if "/" in w:
        return is_head(w.rsplit("/", 1)[1]) or w in ("a/s", "u/s", "m/c")
    if w.startswith("d'"):
        return fuzzy_title(w[2:]) in ("affaires", "affairs")
    f = fuzzy_title(w)
    return f is not None and f in _HEADS


def is_connector(word: str) -> bool:
    return word.lower() in _CONNECTORS


@lru_cache(maxsize=8192)
def is_object(word: str) -> bool:
    """A post, a country, a region or a field of work: the object of `for`/`of`/`to` in a
    title, or a place before it (`LAHORE PRINCIPAL OFFICER`)."""
    w = word.lower().strip(",.()")
    if not w or not word[:1].isalpha():
        return False
    if w in _OBJECT_WORDS or w in _PLACE_WORDS or w + "." in _PLACE_WORDS or w in _countries():
        return True
    return word.isalpha() and len(word) >= 4 and word.upper() in post_names()


def is_initial(word: str) -> bool:
    return bool(_INITIAL.match(word.rstrip(",")))


def name_like(word: str, mixed: bool) -> bool:
    """A word that may stand in a person's name (`Roe`, `A.`, `O'Hara`, `van`, `III`)."""
    w = word.rstrip(",")
    if not w:
        return False
    if w.lower() in _NAME_PARTICLES:
        return True
    if w[0] in "\"'“‘(":  # `“Xy”`, a nickname
        return True
    if w[0] == "0" and len(w) > 1:
        w = "O" + w[1:]  # a zero typed for the letter O (`R0BIN`, `LEE 0. ROE`)
    if not w[0].isalpha() and not w.startswith("XX"):
        return False
    return w[0].isupper() or not mixed


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names in capitals (`data/given_names.json`, built by tools/build_given_names.py)."""
    try:
        raw = resources.files("cablebase").joinpath("data/given_names.json").read_text("utf-8")
        return frozenset(json.loads(raw).get("names", []))
    except (OSError, ValueError):  # a damaged install: no person is told from a free tag
        return frozenset()


def split_given_name(a: str, b: str, mixed: bool) -> bool:
    """Whether `a b` is one given name cut by a stray space (`WI LLIAM`, `Do nald`): together
    they are a given name, and neither piece is a given name or a job word of its own."""
    given = given_names()
    joined = (a + b).upper()
    return (
        joined in given
        and a.upper() not in given
        and b.upper() not in given
        and not is_word(a, mixed)
        and not is_word(b, mixed)
    )
