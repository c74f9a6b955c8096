"""TAGS (FORMAT.md §4.4, docs/record.md `tags`).

A TAGS value mixes codes (country `BR`, subject `PGOV`, program `KPAL`, organisation `NATO`)
with free tags (`GAZA DISENGAGEMENT`) and person tags (`OVIP (BIDEN, JOSEPH)`: the code OVIP
and the person `BIDEN, JOSEPH`, two tags, as WikiLeaks' pages link them).  A cables.csv
line separates them with commas; a Cablegate page usually only with spaces, so there a run of
words that are not codes is one free tag.  Which words are codes is learnt from the dev corpus
(`data/tag_codes.json`, built by tools/build_tag_codes.py), with the shapes every code has.
A run that is several free tags written together (`ITALY NATIONAL ELECTIONS ITALIAN POLITICS`,
`HUMAN RIGHTSPOLMIL`) is cut into the free tags that cables write apart, from the same data,
only when every piece is one of them.

Mixed-case pieces of an upper-case line (`Economic Policy & General Analysis`, `Human Rights`)
are the publisher's expansions, not the cable's tags: :func:`read_tags` returns them apart and
:func:`parse_tags` leaves them out, so a cable's page and its cables.csv row give the same tags.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from cablebase.grammar import titles
from cablebase.grammar.pages import remove_markers
from cablebase.ids import post_names

__all__ = [
    "TAGS_LABEL",
    "TAGS_LABEL_AT",
    "bare_tags",
    "is_carried_group",
    "is_code",
    "parse_tags",
    "read_tags",
]

# The TAGS label, misspellings included (`TAGS;`, `TAS:`, `TABS:`, `TGS:`, `TAGES:`, `AGS:`).
TAGS_LABEL = r"(?:T(?:AGS?|AGES|AGSS|AS|ABS|GS)\s*[:;]|AGS\s*:)"
# The label where a preamble line has it: not glued after a letter (`STATUS:`, `ATLAS:`).
TAGS_LABEL_AT = r"(?<![A-Za-z/])" + TAGS_LABEL
_LABEL_RX = re.compile(r"\b" + TAGS_LABEL, re.I)
# Where the TAGS value ends inside a line: the next preamble label.
_NEXT_LABEL = re.compile(
    r"\b(?:S?UBJ(?:ECT)?\s*[:.]|SUBJECT\b|REF(?:S|TELS?)?\s*:|CLASSIFIED\s+BY\b|E\.\s?O\.\s|DECL\s*:)",
    re.I,
)
# Handling words written into the value (`… CA MX SIPDIS`).
_HANDLING = re.compile(r"\b(?:SIPDIS|NOFORN|SENSITIVE)\b", re.I)
_GROUP = re.compile(r"\([^()]*\)?")
# Tokens of a line without commas: a `(...)` group, or a run of anything but separators.
_TOKEN = re.compile(r"\([^()]*\)?|[^\s,;()]+")
# Pieces of a line with commas or semicolons: a `(...)` group, or a run up to a separator.
_PIECE = re.compile(r"\([^()]*\)?|[^,;()]+")
# A free tag written out with its code in parentheses, in place of the code:
# `FEE TRADE AGREEMENT OF AMERICA (FTAA)`.
_SPELLED = re.compile(r"^(?P<words>[A-Za-z][^()]*?\S)\s*\((?P<code>[A-Z]{2,6})\)$")
_SERIAL = re.compile(
    r"\d\d{4}"
)  # (a class first, not a repeat: a fast scan)  # a page marker's serial: only then is the value cleaned
_KCODE = re.compile(r"K[A-Z]{3}")  # program tags: KPAL, KDEM, KWBG …
_WORD = re.compile(r"[A-Z]{2,6}")
# Small words inside a free tag between two other words (`ECONOMY AND FINANCE`), never a
# tag of their own there even when they spell a country code (IN, IS, TO).
_JOINERS = frozenset(("OF", "AND", "&", "THE", "ON", "OR", "BY", "FOR", "TO", "AT", "IN", "A"))


@cache
def _tag_data() -> dict:
    """data/tag_codes.json (built by tools/build_tag_codes.py), read once; empty when the
    install is damaged: the shapes alone still work."""
    try:
        raw = resources.files("cablebase").joinpath("data/tag_codes.json").read_text("utf-8")
        return json.loads(raw)
    except (OSError, ValueError):
        return {}


@cache
def _knowledge() -> tuple[frozenset[str], dict[tuple[str, ...], str]]:
    """Known codes, and known free-tag phrases keyed by their words (hyphens as spaces)."""
    data = _tag_data()
    # Keyed by their words alone: the site linked each word of a page's TAGS line and dropped
    # what stood between (`POLITICS FOREIGN POLICY`, `ECON COM` for `ECON/COM`).  Free tags
    # with such marks are phrases too, so that a page gives the tag its row gives.
    free = data.get("free_tags", {})
    marked = [t for t in free if _MARK.search(t) and len(_phrase_key(t)) >= 2]
    phrases = {_phrase_key(p): p for p in [*marked, *data.get("phrases", [])]}
    return frozenset(data.get("codes", [])), phrases


_WORDS = re.compile(r"[A-Z0-9]+")
_MARK = re.compile(r"[-/&.]")


@cache
def _expansions() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """The publisher's known mixed-case expansions holding an upper-case word, keyed by their
    first word: (their words, their text), the longest first."""
    known = _tag_data().get("expansions", [])
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for text in sorted(known, key=len, reverse=True):
        key = _phrase_key(text)
        if key:
            out.setdefault(key[0], []).append((key, text))
    return {k: tuple(v) for k, v in out.items()}


def _expansion_at(toks: list[str], i: int) -> tuple[str, int] | None:
    """A known expansion written from toks[i] on, some word of it not in upper case (as the
    publisher wrote it, not a cable's own codes): (its text, the index after it)."""
    first = _WORDS.match(toks[i].upper())
    candidates = _expansions().get(first.group(0), ()) if first is not None else ()
    for key, text in candidates:
        words: list[str] = []
        j = i
        while j < len(toks) and len(words) < len(key) and not toks[j].startswith("("):
            words.extend(_WORDS.findall(toks[j].upper()))
            j += 1
        if tuple(words) == key and any(t != t.upper() for t in toks[i:j]):
            return text, j
    return None


def _phrase_key(text: str) -> tuple[str, ...]:
    """A phrase's words, the marks between them dropped: `ENVIRONMENT/S&T` -> ENVIRONMENT S T."""
    return tuple(_WORDS.findall(text.upper()))


# Places of several words the country table lacks (regions, former and small states).
_MORE_PLACES = (
    *("NORTH KOREA", "PAPUA NEW GUINEA", "IVORY COAST", "SOVIET UNION", "UNITED STATES"),
    *("CAPE VERDE", "SAN MARINO", "SOLOMON ISLANDS", "MARSHALL ISLANDS", "EAST TIMOR"),
    *("SAO TOME AND PRINCIPE", "CENTRAL AFRICAN REPUBLIC", "SOUTH SUDAN", "PUERTO RICO"),
    *("NEW CALEDONIA", "GAZA STRIP", "WESTERN SAHARA", "LATIN AMERICA", "MIDDLE EAST"),
    *("SAINT LUCIA", "ANTIGUA AND BARBUDA", "GUINEA BISSAU", "NORTHERN IRELAND"),
)


@cache
def _place_names() -> tuple[str, ...]:
    """Country names of more than one word (`COSTA RICA`, `EL SALVADOR`, `SRI LANKA`), upper
    case, from the hand-written country table (data/generator_places.json)."""
    try:
        raw = resources.files("cablebase").joinpath("data/generator_places.json").read_text("utf-8")
        countries = json.loads(raw).get("countries", {})
    except (OSError, ValueError):
        return ()
    out = list(_MORE_PLACES)
    for name, *_ in countries.values():
        words = name.upper().replace("-", " ").split()
        if words and words[0] == "THE":
            words = words[1:]
        if len(words) >= 2 and all(w.isalpha() or w in ("&",) for w in words):
            out.append(" ".join(words))
    return tuple(out)


@cache
def _vocabulary() -> dict[str, str]:
    """Tags that cables write apart from their neighbours (free tags, phrases, codes of three
    letters or more), keyed by their text with hyphens as spaces: the pieces a run of words
    may be cut into."""
    data = _tag_data()
    words = [*data.get("codes", []), *data.get("phrases", []), *data.get("free_tags", {})]
    words += _place_names()
    vocab = {" ".join(w.replace("-", " ").split()): w for w in words}
    for key, w in list(vocab.items()):
        if " & " in key:  # the ampersand lost (see _knowledge)
            vocab.setdefault(key.replace(" & ", " "), w)
    return vocab


# A cut inside a word (two tags glued, `RIGHTSPOLMIL`) leaves at least this many letters on
# each side: shorter pieces (`MAR` + `ILO`) would cut names apart.
_MIN_GLUED = 4
_MAX_PIECE = 48  # longer than any tag of the vocabulary


def _segment(run: list[str]) -> list[str] | None:
    """The run cut into the fewest known tags (then the fewest cuts inside a word), each
    piece as the cable writes it; None unless every piece is known and there are two or more."""
    text = " ".join(run)
    flat = text.replace("-", " ")  # same length: positions are shared
    n = len(flat)
    vocab = _vocabulary()
    glued: set[int] = set()
    start = 0
    for w in run:
        glued.update(range(start + _MIN_GLUED, start + len(w) - _MIN_GLUED + 1))
        start += len(w) + 1
    # best[i]: (pieces, cuts inside a word, previous start, end of the piece) for a start i
    best: dict[int, tuple[int, int, int, int]] = {0: (0, 0, -1, 0)}
    for i in range(n):
        if i not in best:
            continue
        pieces, cuts = best[i][0], best[i][1]
        for j in range(i + 1, min(n, i + _MAX_PIECE) + 1):
            inside = j in glued
            if not (j == n or flat[j] == " " or inside) or flat[i:j] not in vocab:
                continue
            nxt = j if inside else j + 1
            cand = (pieces + 1, cuts + inside, i, j)
            if nxt not in best or cand[:2] < best[nxt][:2]:
                best[nxt] = cand
    end = n + 1 if n + 1 in best else None
    if end is None or best[end][0] < 2:
        return None
    out: list[str] = []
    while end:
        _, _, prev, stop = best[end]
        out.append(text[prev:stop])
        end = prev
    return out[::-1]


# An organisation's acronym with a short tail (`ZANU-PF`, `AU-I`): a tag of its own in a run.
_ACRONYM = re.compile(r"[A-Z]{2,5}-[A-Z]{1,3}")


# Words that open a place's name or a title, never a surname before a given name
# (`SAN MARTIN`, `PORT ELIZABETH`, `QUEEN ELIZABETH`, `SHEIKH MOHAMMED`).
_NOT_SURNAMES = frozenset(
    {
        *("SAN", "SANTA", "SANTO", "SAO", "SAINT", "ST", "PORT", "FORT", "LAKE", "MOUNT"),
        *("MT", "CAMP", "CAPE", "LOS", "LAS", "MONTE", "CITY", "QUEEN", "KING", "PRINCE"),
        *("PRINCESS", "SHEIKH", "SHAIKH", "EMIR", "SULTAN"),
    }
)


def _is_surname(word: str) -> bool:
    return (
        word.isalpha()
        and len(word) >= 2
        and word not in _JOINERS
        and word not in _NOT_SURNAMES
        and not is_code(word)
        and not titles.is_exact(word.lower())  # a job word (`MINISTER GEORGE`)
    )


def _person_at(run: list[str], i: int) -> bool:
    """run[i:i+2] is a person written surname first without its comma (`ROOD JOHN`): a
    surname-like word, then a given name; not a post's name (`SAN JOSE`) nor a known tag."""
    if i + 1 >= len(run) or run[i + 1] not in titles.given_names() or not _is_surname(run[i]):
        return False
    return run[i] + run[i + 1] not in post_names() and f"{run[i]} {run[i + 1]}" not in _vocabulary()


def _has_person(run: list[str]) -> bool:
    return any(_person_at(run, k) for k in range(len(run) - 1))


def _split_run(run: list[str]) -> list[str]:
    """A run of words that are no codes, as tags: persons (`NOVO GUILLERMO` -> `NOVO,
    GUILLERMO`) and acronyms (`ZANU-PF`) cut out, each rest kept whole or cut into known free
    tags.  After two persons, a last pair of words ends the run as a person too (`... JIMENEZ
    GASPAR`, a given name no list has)."""
    out: list[str] = []
    rest: list[str] = []
    persons = 0

    def flush() -> None:
        if rest:
            pieces = _segment(rest) if len(rest) > 1 or len(rest[0]) >= 2 * _MIN_GLUED else None
            out.extend(pieces or [" ".join(rest)])
            rest.clear()

    i, n = 0, len(run)
    while i < n:
        # persons >= 2 only while nothing else came since the last of them
        last_pair = persons >= 2 and i + 2 == n and _is_surname(run[i + 1])
        if _person_at(run, i) or (last_pair and _is_surname(run[i])):
            flush()
            out.append(f"{run[i]}, {run[i + 1]}")
            persons += 1
            i += 2
            continue
        persons = 0
        if _ACRONYM.fullmatch(run[i]):
            flush()
            out.append(run[i])
        else:
            rest.append(run[i])
        i += 1
    flush()
    return out


@cache
def _phrase_starts() -> frozenset[str]:
    """First words of the known phrases: a cheap test before a lookup."""
    return frozenset(key[0] for key in _knowledge()[1])


def is_code(word: str) -> bool:
    """True for a tag code: a two-letter country code, a program tag (`KPAL`), or a code
    known from the corpus (`PGOV`, `NATO`, `UNESCO`)."""
    n = len(word)
    if n == 2:
        return "A" <= word[0] <= "Z" and "A" <= word[1] <= "Z"
    if word in _knowledge()[0]:
        return True
    return n == 4 and word[0] == "K" and _KCODE.fullmatch(word) is not None


def _split_glued(word: str) -> list[str] | None:
    """Codes written without spaces (`ETRDEINVECINPGOVCS`, `PHUMBA`, `ITPHUM`): known codes of
    three letters or more, with one two-letter country code at either end, or two after two
    codes or more."""
    if len(word) < 5 or not word.isalpha() or is_code(word):
        return None
    known = _knowledge()[0]
    n = len(word)
    # cheap test first: a glued run starts with a code, or with a country code and a code
    if not (
        word[:4] in known
        or word[:3] in known
        or word[:5] in known
        or word[:6] in known
        or word[2:6] in known
        or word[0] == "K"
        or word[2] == "K"
    ):
        return None

    def walk(i: int, twos: int) -> list[str] | None:
        if i == n:
            return []
        for size in (4, 6, 5, 3):
            piece = word[i : i + size]
            if len(piece) == size and (piece in known or _KCODE.fullmatch(piece)):
                rest = walk(i + size, twos)
                if rest is not None:
                    return [piece, *rest]
        if twos == 0 and i == 0 and n >= 2:
            rest = walk(2, 1)
            if rest is not None:
                return [word[:2], *rest]
        if i > 0 and n - i == 2 and twos == 0:
            return [word[i:]]
        if i >= 8 and n - i == 4:  # two country codes after two codes (`…SENVCSJA`: CS, JA),
            return [word[i : i + 2], word[i + 2 :]]  # not in a word (`ECONOMIC`: ECON OM IC)
        return None

    parts = walk(0, 0)
    if parts and any(len(p) == 4 for p in parts):  # `POGOV` is no PO + GOV
        return parts
    return None


# A label word and its separator at the start of a line (`TAFS:`, `TAGS.`, `TA GS -`).
_LOOSE_LABEL = re.compile(r"\s*([A-Za-z](?:\s?[A-Za-z]){1,5})\s*(?:[:;.]+|-+)\s*")
_LIST_SPLIT = re.compile(r"[\s,;]+")


def bare_tags(line: str) -> str | None:
    """The TAGS value of a line whose label the known spellings miss: a word a slip or two
    from `TAGS` and a separator (`TAFS: PREL`, `TAGS. PREL`, `TA GS: PREL`), or no label at
    all (`EFIN, ECON, PGOV, CH` under the E.O. line); None unless the rest is codes only,
    two or more, one of them a known code of three letters or more.  The caller decides
    where such a line may stand."""
    value = line.strip()
    m = _LOOSE_LABEL.match(value)
    if m is not None:
        word = "".join(m.group(1).split()).lower()
        if titles.within(word, "tags", 2) and not is_code(word.upper()):
            value = value[m.end() :]
    upper = value.upper()  # a lower-cased cable: `prel, pgov, tu`
    if value != upper and value != value.lower():
        return None
    words = [w for w in _LIST_SPLIT.split(upper) if w]
    if len(words) < 2 or not all(_codes_of(w, strict=True) for w in words):
        return None
    known = _knowledge()[0]
    if not any(len(w) >= 3 and w in known for w in words):
        return None
    return value


# First letters of the four-letter subject codes (administration, business, consular,
# economic, program, military, operations, political, social, technology).
_CODE_FIRST = frozenset("ABCEKMOPST")
# A word shaped like a code (`AU-I`, `PTERS`): on a later line with commas, it goes on.
_CODE_SHAPE = re.compile(r"[A-Z]{2,5}(?:[/-][A-Z0-9-]{1,4})?")


def _codes_of(word: str, *, strict: bool = False) -> list[str] | None:
    """The code(s) a single word stands for, or None when it is no code.  Not strict, any
    four-letter word with a subject code's first letter counts (`BBSR`, a rare code)."""
    if is_code(word):
        return [word]
    if not strict and len(word) == 4 and word[0] in _CODE_FIRST and word.isalpha():
        return [word]
    return _split_glued(word)


def read_tags(text: str) -> tuple[list[str], list[str]]:
    """The tags of a TAGS value (label removed; one field line per text line), and the
    publisher's expansions found among them.

    The first line is read whole; a later line only when it goes on with codes (`BL, IS`),
    so a SUBJECT, REF or other text run on after the tags is not read as tags.  Page markers,
    handling words (`SIPDIS`) and a repeated TAGS label inside the value are dropped."""
    if "\n" in text or _SERIAL.search(text) is not None:
        text = remove_markers(text)
    tags: list[str] = []
    expansions: list[str] = []
    open_end = False  # the line before ended with a separator: the next one goes on
    lines = text.split("\n")
    if "(" in text and len(lines) > 1:
        lines = _close_groups(lines)
    for k, line in enumerate(lines):
        line = _clean(line)
        if line[:2].strip()[:1] in _LEAD_MARKS:
            line = line.lstrip(" \t-:;.")  # a separator doubled after the label (`TAGS: - PREL`)
        if not line.strip():
            if k == 0:
                continue
            break
        if k > 0 and not _goes_on(line, open_end):
            if k + 1 == len(lines) and _free_tag_tail(lines[k - 1], line):
                _join_tail(tags, line)
            break
        open_end = line.rstrip().endswith((",", ";"))
        if line == line.lower():  # a lower-cased cable: `prel, pgov, pins, tu`
            line = line.upper()
        outside = _GROUP.sub("", line) if "(" in line else line
        if "," in outside or ";" in outside:
            _read_list(line, tags, expansions)
        else:
            _read_words(line, tags, expansions)
    seen: set[str] = set(tags)
    tags = [t for t in tags if not _glued_duplicate(t, seen)]
    seen = set()
    out: list[str] = []
    for t in tags:
        if t and t not in seen and t not in _NO_TAGS:
            seen.add(t)
            out.append(t)
    return out, expansions


def _free_tag_tail(before: str, line: str) -> bool:
    """A free tag cut at the value's last line end: the line before ends without a separator
    in a word that is no code, and the last line is one or two upper-case words that are no
    codes either (`… KU COUNTRY` ⏎ `CLEARANCE`)."""
    words = line.split()
    if not 1 <= len(words) <= 2 or line != line.upper() or before.rstrip()[-1:] in ",;":
        return False
    if any(not w.isalpha() or _codes_of(w, strict=True) for w in words):
        return False
    last = before.split()[-1] if before.strip() else ""
    return len(last) > 2 and last.isalpha() and last.isupper() and not _codes_of(last, strict=True)


def _join_tail(tags: list[str], line: str) -> None:
    """Put the cut tag's last words back on the tag they end."""
    if tags and ", " not in tags[-1]:  # a person (`BIDEN, JOSEPH`) is whole
        tags[-1] = f"{tags[-1]} {' '.join(line.split())}"


_LEAD_MARKS = frozenset("-:;.")
# A value saying the cable has no tags (`TAGS: N/A`, `TAGS: NONE`).
_NO_TAGS = frozenset(("N/A", "NONE", "TAGS"))  # (`TAGS`: the label repeated, its colon lost)
_LABEL_LINE = re.compile(r"^\s*\w+\s*:")


def _close_groups(lines: list[str]) -> list[str]:
    """A line that leaves a `(` open and the next line that closes it, as one line: a person
    group cut at a line end (`… PREL, SP (EL` / `HARRAK, SAED)`; `(EL-` / `SAYED, …)`)."""
    out = list(lines)
    k = 0
    while k + 1 < len(out):
        line, nxt = out[k], out[k + 1]
        if line.count("(") > line.count(")") and ")" in nxt and not _LABEL_LINE.match(nxt):
            joiner = "" if line.rstrip().endswith("-") else " "
            out[k : k + 2] = [line.rstrip() + joiner + nxt.strip()]
        k += 1  # one line end per group: the work stays linear in the value's length
    return out


def _glued_duplicate(tag: str, others: set[str]) -> bool:
    """`TZBY` beside `TZ` and `BY`: tags of the same value written without a space."""
    if len(tag) < 4 or not tag.isalpha() or tag in _knowledge()[0]:
        return False
    n = len(tag)
    ok = [True] + [False] * n  # ok[i]: tag[:i] is made of the other tags
    for i in range(n):
        if ok[i]:
            for j in range(i + 2, min(n, i + 6) + 1):
                if tag[i:j] in others and tag[i:j] != tag:
                    ok[j] = True
    return ok[n]


# TAGS values recur from cable to cable (`PREL, PGOV, XX`): each distinct value is read once.
_TAGS_READ: dict[str, tuple[str, ...]] = {}
_TAGS_READ_MAX = 50_000


def parse_tags(text: str) -> list[str]:
    """The tags of a TAGS value (see :func:`read_tags`): codes and the cable's own free tags,
    upper-case, in order, without duplicates."""
    got = _TAGS_READ.get(text)
    if got is None:
        got = tuple(read_tags(text)[0])
        if len(_TAGS_READ) >= _TAGS_READ_MAX:
            _TAGS_READ.clear()
        _TAGS_READ[text] = got
    return list(got)


def _clean(line: str) -> str:
    u = line.upper()  # substring tests before each regex: most lines have none of these
    if "UBJ" in u or "REF" in u or "CLASSIFIED" in u or "E.O" in u or "DECL" in u:
        m = _NEXT_LABEL.search(line)
        if m is not None:
            line = line[: m.start()]
    if (":" in line or ";" in line) and _LABEL_RX.search(line):
        line = _LABEL_RX.sub(" ", line)
    if "SIPDIS" in u or "NOFORN" in u or "SENSITIVE" in u:
        line = _HANDLING.sub(" ", line)
    if "<" in line:  # the shifted comma key typed for a comma (`PGOV, VE, ECON< VE`)
        line = line.replace("<", ",")
    return line


# A line that is one bracketed name of several words in capitals, with a comma or not.
_CARRIED_GROUP = re.compile(r"\((?=[^()]*[ ,])[A-Z][A-Z0-9 ,.:'/-]{3,}\)")


def is_carried_group(line: str) -> bool:
    """A TAGS line that is only a person group carried over from the line above
    (`(BORRAS COMPDERA, ALVARO)`): part of the TAGS value."""
    s = line.strip()
    return s[:1] == "(" and _CARRIED_GROUP.fullmatch(s) is not None


def _goes_on(line: str, open_end: bool) -> bool:
    """A later line of the value: after a trailing comma, any line but a label line;
    otherwise one that starts with a code and is mostly codes."""
    s = line.strip()
    if s[:1] == "(":
        # a person group carried over whole (`… PINR, PREL,` ⏎ `(AKOUDAD, ABDELADIM ET AL)`);
        # not a portion mark or a note (`(U) …`, `(NOTAL)`)
        return _CARRIED_GROUP.fullmatch(s) is not None
    if re.match(r"^\w+\s*:", s):
        return False
    if open_end:
        return True
    words = [w.strip(".") for w in re.split(r"[\s,;]+", s.upper()) if w.strip(".")]
    if not words:
        return False
    if len(words) == 1 and s == s.upper() and _CODE_SHAPE.fullmatch(words[0]):
        return len(words[0]) <= 6  # a lone code carried over (`UNMIK`)
    if _codes_of(words[0]):
        codes = sum(1 for w in words if _codes_of(w))
    elif "," in s and s == s.upper():  # `AU-I, CD, SU, LY`, `PTERS, SP`
        codes = sum(1 for w in words if _CODE_SHAPE.fullmatch(w))
        if not _CODE_SHAPE.fullmatch(words[0]):
            return False
    else:
        return False
    return codes * 2 >= len(words)


def _add_group(tags: list[str], tok: str) -> None:
    """A `(...)` group after a tag: its content is a tag of its own, a person's name
    (`OVIP (CLINTON, HILLARY)` gives `OVIP`, `CLINTON, HILLARY`), or, when it opens with a
    code, a list of tags (`LY (OVIP, RUMSFELD DONALD)`)."""
    inner = " ".join(tok.strip("()").split()).upper()
    inner = re.sub(r"\s*,[\s,]*", ", ", inner).strip(" ,")  # `GHONDA,, ANTOINE`
    if not inner:  # an empty group (`SP ()`) adds nothing
        return
    if "," in inner and is_code(inner.partition(",")[0].strip()):
        _read_list(inner, tags, [])  # `(OVIP, RUMSFELD DONALD)`: tags in a bracket
    else:
        tags.append(inner)


def _person(run: list[str]) -> str:
    """A name after OVIP as a person tag, surname first: `BIDEN JOSEPH` -> `BIDEN, JOSEPH`."""
    return run[0] if len(run) == 1 else f"{run[0]}, {' '.join(run[1:])}"


def _read_list(line: str, tags: list[str], expansions: list[str]) -> None:
    """A line with commas or semicolons: each piece is a tag (codes in it split apart)."""
    pieces = _pieces(line) if "(" in line else line.replace(";", ",").split(",")
    for raw in pieces:
        spelled = _SPELLED.match(" ".join(raw.split())) if ")" in raw else None
        words = spelled.group("words").split() if spelled is not None else []
        if spelled is not None and len(words) >= 2 and not is_code(words[0]):
            # `FEE TRADE AGREEMENT OF AMERICA (FTAA)`, `Fee Trade Agreement of America
            # (FTAA)`: the publisher's spelling in place of the code; the code, spelling apart
            tags.append(spelled.group("code"))
            expansions.append(spelled.group(0))
            continue
        if raw != raw.upper():  # `Defense Reform (Mil & NATO)`: the whole piece, group too
            if raw.strip():
                expansions.append(" ".join(raw.split()))
            continue
        if ")" not in raw:
            _read_piece(raw, tags, expansions)
            continue
        for tok in _PIECE.findall(raw):
            if tok.startswith("("):
                _add_group(tags, tok)
            else:
                _read_piece(tok, tags, expansions)


def _pieces(line: str) -> list[str]:
    """The line cut at commas and semicolons outside parentheses."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, c in enumerate(line):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(depth - 1, 0)
        elif c in ",;" and depth == 0:
            out.append(line[start:i])
            start = i + 1
    out.append(line[start:])
    return out


_CODE_SEP = re.compile(r"[\s.]+-*[\s.]*|\s*-+\s*$")


def _read_piece(tok: str, tags: list[str], expansions: list[str]) -> None:
    piece = tok.strip()
    if len(piece) == 4 and piece in _knowledge()[0]:  # most pieces: one known code
        tags.append(piece)
        return
    piece = " ".join(tok.split()).strip(".: ")
    if piece:
        if piece != piece.upper():
            expansions.append(piece)  # `Economic Policy & General Analysis`
            return
        # codes apart, also when a period or a dash stands between them (`PGOV. PREL`,
        # `TW.PREL`, `PREL -`)
        words = piece.split() if "." not in piece and "-" not in piece else _CODE_SEP.split(piece)
        split = [_codes_of(w) for w in words if w]
        if all(split):
            for codes in split:
                tags.extend(codes or ())
        elif piece.startswith("OVIP "):
            _read_words(piece, tags, expansions)  # `…, OVIP BIDEN JOSEPH, …` as without commas
        else:
            tags.append(piece)


def _read_words(line: str, tags: list[str], expansions: list[str]) -> None:
    """A line without commas: codes one by one, known phrases whole, and each run of other
    words as one free tag (`OVIP BIDEN JOSEPH` gives `OVIP`, `BIDEN, JOSEPH`)."""
    words = line.split()
    known = _knowledge()[0]
    if "OVIP" not in words and all(
        w in known or (len(w) == 2 and w.isalpha() and w.isupper()) for w in words
    ):
        tags.extend(words)  # most lines: known codes only
        return
    toks = [t if t.startswith("(") else t.strip(".:-") for t in _TOKEN.findall(line)]
    toks = [t for t in toks if t]
    phrases = _knowledge()[1]
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        if tok.startswith("("):
            _add_group(tags, tok)
            i += 1
            continue
        known = _expansion_at(toks, i)
        if known is not None:
            # a known expansion of the publisher's, each word a link on a page: whole, its
            # upper-case words no codes (`Defense Reform Mil NATO`); a code it spells kept
            text, end = known
            spelled = _SPELLED.match(text)
            if spelled is not None:
                tags.append(spelled.group("code"))
            expansions.append(text)
            i = end
            continue
        if tok != tok.upper():
            # the publisher's expansion (`Press Summaries`), up to an upper-case word: on a
            # page the site dropped the commas, and a code may follow (`Ethnics, NLD`)
            end = next((j for j in range(i + 1, n) if _upper_word(toks[j])), n)
            expansions.append(" ".join(toks[i:end]))
            i = end
            continue
        if _part_number(tok) and tags and tags[-1] == toks[i - 1] and toks[i - 1].isalpha():
            # `UNHRC 1`: a page's link words for `UNHRC-1` (a number alone is no tag)
            tags[-1] = f"{tags[-1]}-{tok}"
            i += 1
            continue
        hit = _phrase_at(toks, i, phrases)
        place_end = _place_end(toks, i) if hit is None and tok in _places() else None
        if place_end is not None and _run_ends(toks, place_end):
            hit = " ".join(toks[i:place_end]), place_end  # `COSTA RICA` standing alone
        if hit is not None:
            tags.append(hit[0])
            i = hit[1]
            continue
        end = _joined_phrase_end(toks, i, tags)
        if end is not None:
            tags[-1] = " ".join(toks[i - 1 : end])  # `TIP IN TURKEY`: one free tag
            i = end
            continue
        # after OVIP comes a person's name: `RICE` or `BUSH` there is no code; nor is a
        # word that only looks like one before a given name (`CROS GERARD`)
        after_ovip = bool(tags) and tags[-1] == "OVIP"
        codes = None if place_end else _codes_of(tok, strict=after_ovip or _person_at(toks, i))
        if codes:
            tags.extend(codes)
            i += 1
            continue
        j = place_end or i + 1  # a place's words are no codes (`MIDDLE EAST PEACE`)
        while j < n and not toks[j].startswith("(") and toks[j] == toks[j].upper():
            w = toks[j]
            if _part_number(w) or _phrase_at(toks, j, phrases) is not None:
                break
            if _codes_of(w, strict=after_ovip or _person_at(toks, j)) and not (
                w in _JOINERS and j + 1 < n and not _codes_of(toks[j + 1])
            ):
                break
            j += 1
        run = toks[i:j]
        if after_ovip and len(run) <= 3:
            tags.append(_person(run))  # `OVIP MQADHAFI`, `OVIP BIDEN JOSEPH`
        elif after_ovip:
            tags.append(" ".join(run))
        elif (
            len(run) > 1
            and not _names_place(run)  # `SAN JOSE`, `MIDDLE EAST PEACE`: no codes
            and not _has_person(run)
            and all(_short_code(w) for w in run)
        ):
            # `UNO UNMIK`, `IIP ECA`, `TFUS01 TFUS02`: short organisation or numbered codes
            tags.extend(run)
        else:
            # persons and several free tags run together (`NOVO GUILLERMO REMON PEDRO`,
            # `HUMAN RIGHTSPOLMIL`): persons cut out, the rest cut only into known tags
            tags.extend(_split_run(run))
        i = j


def _part_number(tok: str) -> bool:
    """One or two digits: the numbered part of a tag (`CHR-1`), never a tag alone."""
    return len(tok) <= 2 and tok.isdigit()


_NUMBERED_CODE = re.compile(r"[A-Z]{2,5}[0-9]{1,3}")


def _short_code(word: str) -> bool:
    """A short code that no phrase is made of: 3-5 letters (`UNMIK`), or letters and a
    number (`TFUS01`, `HT48`: a task force's or a series' tags)."""
    return (3 <= len(word) <= 5 and word.isalpha()) or bool(_NUMBERED_CODE.fullmatch(word))


def _upper_word(tok: str) -> bool:
    """A word of two upper-case letters or more (`NLD`, `ADANA`), no number (`2004`)."""
    return len(tok) > 1 and tok.isalpha() and tok.isupper()


def _joined_phrase_end(toks: list[str], i: int, tags: list[str]) -> int | None:
    """A small word that also spells a country code (`IN`, `TO`, `IS`) joining an acronym
    that is no subject or country code (three, five or six letters: `TIP`) to words that are
    no codes: the end of that phrase (`TIP IN TURKEY`), or None."""
    tok = toks[i]
    if tok not in _JOINERS or i == 0 or i + 1 >= len(toks) or not tags:
        return None
    before = toks[i - 1]
    if tags[-1] != before or len(before) in (2, 4) or not before.isalpha():
        return None
    j = i + 1
    while j < len(toks) and _plain_word(toks[j]):
        j += 1
    return j if j > i + 1 else None


def _plain_word(w: str) -> bool:
    """An upper-case word of three letters or more that is no code."""
    return len(w) > 2 and w.isalpha() and w.isupper() and not _codes_of(w, strict=True)


@cache
def _places() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The place names keyed by their first word."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for name in sorted(_place_names(), key=len, reverse=True):  # the longest first
        words = tuple(name.split())
        out.setdefault(words[0], []).append(words)
    return {k: tuple(v) for k, v in out.items()}


def _names_place(run: list[str]) -> bool:
    """The run opens with a place word (`SAN JOSE`) or holds a country's name."""
    if run[0] in _NOT_SURNAMES:
        return True
    places = _places()
    return any(
        tuple(run[k : k + len(words)]) == words
        for k, w in enumerate(run)
        for words in places.get(w, ())
    )


def _place_end(toks: list[str], i: int) -> int | None:
    """The end of a place name of several words starting at toks[i] (`COSTA RICA`), or None."""
    for words in _places().get(toks[i], ()):
        j = i + len(words)
        if tuple(toks[i:j]) == words:
            return j
    return None


def _run_ends(toks: list[str], j: int) -> bool:
    """A run of words ends before toks[j]: the end, a group or a code follows.  (A place name
    inside a longer free tag, `SOUTH AFRICA TRADE`, stays in that tag.)"""
    return j >= len(toks) or toks[j].startswith("(") or bool(_codes_of(toks[j], strict=True))


def _phrase_at(
    toks: list[str], i: int, phrases: dict[tuple[str, ...], str]
) -> tuple[str, int] | None:
    """A known free-tag phrase starting at toks[i]: (phrase, index after it)."""
    first = _WORDS.match(toks[i])
    if first is None or first.group(0) not in _phrase_starts():
        return None
    end = i
    while end < min(i + 5, len(toks)) and not toks[end].startswith("("):
        end += 1
    for j in range(end, i, -1):
        key = _phrase_key(" ".join(toks[i:j]))
        if len(key) >= 2 and key in phrases:
            return phrases[key], j
    return None
