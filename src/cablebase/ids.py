"""Reference ids, station names and post-name resolution (FORMAT.md §2, §4.6).

The post table (`data/posts.json`, built by `tools/build_posts.py`) holds the post names as spelled
in reference ids (`BUENOSAIRES`, `USUNNEWYORK`, `RPODUBAI`) with their id counts, aliases for
short and variant names (`RIO`, `SECSTATE`, `UNVIE`) and the routing indicator -> post table.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Reference id: 2-digit year, post (letters), serial (1-6 digits, no zero padding).
REFID_RE = re.compile(r"^(\d{2})([A-Z]+?)(\d{1,7})$")

# Any id a published cable carries: Cablegate's universe holds a few dozen that break the pattern
# above (`90STATE255723TOSEC140328`, `06SECTION01OF02HARARE628`, `06ASTANA`). Stored records, URLs
# and API answers accept these; references that the parser builds are always REFID_RE.
CABLE_ID_PATTERN = r"^\d{2}[0-9A-Z]*[A-Z][0-9A-Z]*$"
CABLE_ID_RE = re.compile(CABLE_ID_PATTERN)

_NOT_LETTER = re.compile(r"[^A-Z][^A-Z]*")  # (a class first, not a repeat: a fast scan)
_PREFIX_MIN = 4  # shortest name accepted as a unique prefix (CASA, TEGUC, BUENOS AIR)
_RELIABLE = 3  # posts with fewer ids take part in exact matches only, not prefix matches


def year_from_yy(yy: int) -> int:
    """2-digit year -> 4-digit: 66-99 -> 19xx, 00-65 -> 20xx (cables go back to 1966)."""
    return 1900 + yy if yy >= 66 else 2000 + yy


def parse_reference_id(refid: str) -> tuple[int, str, int] | None:
    """`09BAMAKO776` -> (2009, "BAMAKO", 776); None when it is not a reference id."""
    m = REFID_RE.match(refid.strip().upper()) if refid else None
    if m is None:
        return None
    return year_from_yy(int(m[1])), m[2], int(m[3])


class _PostTable:
    """The loaded posts.json with the lookup structures built once."""

    __slots__ = (
        "posts",
        "aliases",
        "prefixes",
        "routes",
        "twins",
        "families",
        "reliable",
        "_sorted",
    )

    def __init__(self, data: dict) -> None:
        self.posts: dict[str, int] = data.get("posts", {})
        self.aliases: dict[str, str] = data.get("aliases", {})
        self.prefixes: tuple[str, ...] = tuple(
            _NOT_LETTER.sub("", p.upper()) for p in data.get("station_prefixes", [])
        )
        self.routes: dict[str, str] = data.get("routes", {})
        self.twins: dict[str, tuple[str, ...]] = {}
        for group in data.get("twins", []):
            for p in group:
                self.twins[p] = tuple(q for q in group if q != p)
        # Spellings of one post sharing one serial sequence (TAIPEI / AITTAIPEI).
        self.families: dict[str, tuple[str, ...]] = {}
        for group in data.get("families", []):
            for p in group:
                self.families[p] = tuple(group)
        # Candidates for unique-prefix matching: well-attested posts and alias spellings.
        self.reliable = [p for p, n in self.posts.items() if n >= _RELIABLE]
        self._sorted = sorted(p for p, n in self.posts.items() if n >= _RELIABLE or n == 0)

    def prefix_match(self, key: str) -> str | None:
        from bisect import bisect_left

        i = bisect_left(self._sorted, key)
        found: str | None = None
        while i < len(self._sorted) and self._sorted[i].startswith(key):
            if found is not None:
                return None  # ambiguous
            found = self._sorted[i]
            i += 1
        return found


@lru_cache(maxsize=1)
def _table() -> _PostTable:
    try:
        text = resources.files("cablebase").joinpath("data/posts.json").read_text("utf-8")
        return _PostTable(json.loads(text))
    except (OSError, ValueError):  # a broken install still parses, with no post names
        return _PostTable({})


def post_names() -> dict[str, int]:
    """Canonical post names (reference-id spelling) -> number of Cablegate ids."""
    return _table().posts


@lru_cache(maxsize=4096)
def resolve_post(name: str) -> str | None:
    """A post name as written -> its reference-id spelling, or None.

    Exact (upper case, spaces and punctuation removed), then alias, then a station prefix removed
    (`AMEMBASSY BAMAKO`), then an unambiguous unique prefix of at least 4 letters
    (`BUENOS AIR` -> BUENOSAIRES, cut page markers)."""
    if not name:
        return None
    t = _table()
    key = _NOT_LETTER.sub("", name.upper())
    if not key:
        return None
    for k in _variants(key, t):
        if k in t.posts:
            return k
        hit = t.aliases.get(k)
        if hit is not None:
            return hit
    for k in _variants(key, t):
        hit = _without_suffix(k, t)
        if hit is not None:
            return hit
    if len(key) >= _PREFIX_MIN:
        for k in _variants(key, t):
            hit = t.prefix_match(k)
            if hit is not None:
                return hit
            # an alias cut short (UNVIE VIEN -> UNVIEVIEN... handled by the alias table)
    return None


# Place words that follow a station name in FM/TO lines and some REF items: Washington
# (`USDOC WASHDC`, `SECDEF WASH`) and a 2-letter country or state code (`MADRID SP`, `ATLANTA GA`).
_PLACE_SUFFIXES = ("WASHINGTONDC", "WASHDC", "WASH", "DC")


def _without_suffix(key: str, t: _PostTable) -> str | None:
    for suffix in _PLACE_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            hit = _exact(key[: -len(suffix)], t)
            if hit is not None:
                return hit
    if len(key) >= 6:
        return _exact(key[:-2], t)
    return None


def _exact(key: str, t: _PostTable) -> str | None:
    if key in t.posts:
        return key
    return t.aliases.get(key)


@lru_cache(maxsize=1024)
def fuzzy_post(name: str) -> str | None:
    """A misspelt post name (`BEIJINJG`, `TRIPOLII`) -> the one well-attested post it is close
    to, or None.  For items that are nothing but `POST NUMBER`; never used on running text."""
    hit = resolve_post(name)
    if hit is not None:
        return hit
    key = _NOT_LETTER.sub("", name.upper()) if name else ""
    if len(key) < 5:
        return None
    t = _table()
    close = difflib.get_close_matches(key, t.reliable, n=2, cutoff=0.8)
    if not close:
        return None
    if len(close) > 1 and difflib.SequenceMatcher(None, key, close[1]).ratio() >= (
        difflib.SequenceMatcher(None, key, close[0]).ratio() - 0.05
    ):
        return None  # two posts nearly as close: do not guess
    return close[0]


@lru_cache(maxsize=1)
def _country_table() -> dict[str, tuple[str, ...]]:
    """Country name (letters only, upper case, no leading THE) -> its posts' id spellings,
    from the hand-written place table (data/generator_places.json: post -> country code,
    country code -> name)."""
    try:
        raw = resources.files("cablebase").joinpath("data/generator_places.json").read_text("utf-8")
        data = json.loads(raw)
    except (OSError, ValueError):
        return {}
    t = _table()
    by_code: dict[str, list[str]] = {}
    for place, code in data.get("posts", {}).items():
        key = _NOT_LETTER.sub("", place.upper())
        post = key if key in t.posts else t.aliases.get(key)
        if post is not None and post not in by_code.setdefault(code, []):
            by_code[code].append(post)
    out: dict[str, tuple[str, ...]] = {}
    for code, (name, *_rest) in data.get("countries", {}).items():
        key = _NOT_LETTER.sub("", name.upper().removeprefix("THE "))
        if key and code in by_code:
            out[key] = tuple(by_code[code])
    return out


def is_country_key(key: str) -> bool:
    """Whether `key` (letters only, upper case) names a country of the place table."""
    return key in _country_table()


def country_posts(name: str) -> tuple[str, ...]:
    """The posts of a country named as written (`EL SALVADOR` -> SANSALVADOR), or () when the
    name is no country's or is itself a post's (`MEXICO`, `KUWAIT`, `BRAZIL` by its alias)."""
    key = _NOT_LETTER.sub("", name.upper())
    if not key or (key.startswith("THE") and key[3:] in _country_table()):
        key = key[3:]
    posts = _country_table().get(key, ())
    return posts if posts and resolve_post(name) is None else ()


def post_alias(name: str) -> str | None:
    """The alias table alone: `RIO` -> RIODEJANEIRO; None when `name` is no alias."""
    return _table().aliases.get(_NOT_LETTER.sub("", name.upper())) if name else None


def _variants(key: str, t: _PostTable) -> list[str]:
    out = [key]
    for p in t.prefixes:
        if key.startswith(p) and len(key) > len(p):
            out.append(key[len(p) :])
            break
    return out


def post_for_route(route: str) -> str | None:
    """Routing indicator of an embassy/consulate/mission (RUEHBP) -> post (BAMAKO)."""
    return _table().routes.get(route.strip().upper()) if route else None


def same_post(a: str, b: str) -> bool:
    """Whether two spellings name the same post, leniently: a page marker's `DUBAI` or
    `BUENOS AIR` against the banner's `RPO DUBAI` or `BUENOS AIRES`."""
    ka, kb = _NOT_LETTER.sub("", a.upper()), _NOT_LETTER.sub("", b.upper())
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    ra, rb = resolve_post(a), resolve_post(b)
    if ra is not None and ra == rb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= _PREFIX_MIN and (long_.startswith(short) or long_.endswith(short))


def alternate_ids(refid: str) -> list[str]:
    """The same id under the other spellings of its post (`04TAIPEI3152` -> `04AITTAIPEI3152`):
    for resolving against the known ids, never for the parsed record."""
    m = REFID_RE.match(refid) if refid else None
    if m is None:
        return []
    return [f"{m[1]}{p}{m[3]}" for p in _table().twins.get(m[2], ())]


def canonical_id(post: str, number: str | int, year: int | str | None) -> str | None:
    """`BAMAKO`, `0754`, 2009 -> `09BAMAKO754`; short/variant post names resolved.

    `year` may be 2 or 4 digits (int or str). None when the post is unknown, the number is not
    a number, or the year is missing."""
    p = resolve_post(post)
    if p is None or year is None:
        return None
    digits = str(number).strip().lstrip("0") or "0"
    if not digits.isdigit() or len(digits) > 7:
        return None
    yy = _two_digit_year(year)
    if yy is None:
        return None
    return f"{yy:02d}{p}{int(digits)}"


_ID_SHAPE = re.compile(r"^(\d{2})([A-Z][A-Z.' -]*?)-?0*(\d{1,7})$")
# Ids damaged in Cablegate: a section banner glued in (`06SECION01OF02HARARE628`,
# `0901OF02RPODUBAI288`), a retransmission or a note after the serial (`06MADRID002583ZFR2585`,
# `08ACCRA001382SUSPECTEDDUPLICATE1392`, `90STATE255195TOSEC140301`).
_GARBLED_ID = re.compile(
    r"^(\d{2})\1?(?:[A-Z]{0,8}[0-9Q]{1,2}[A-Z]{1,2}[0-9]{2})?([A-Z]{2,}?)0*(\d{1,7})"
    r"(?:[A-Z]{2,}\d+)?$"
)
# A caption or classification glued before the post (`EFTO`, `NOFORN`, the tail of
# `UNCLASSIFIED`).
_CAPTION_BEFORE = re.compile(r"^(?:EFTO|NOFORN|(?:UNCLAS|CLAS)?SIFIED|UNCLAS)(?=[A-Z]{3})")


def canonicalize_id(refid: str, repair: bool = True) -> str | None:
    """An id as written anywhere (`09BRAZIL234`, `06PORT-OF-SPAIN123`, `03MADRIDSP1234`,
    `09TRIPOLII12`) -> the id in Cablegate's spelling of the post (`09BRASILIA234`); a sender
    that is no Cablegate post keeps its own name (`06SECDEF123`, `05EMBASSYBLABLA1` ->
    `05BLABLA1`); damaged ids lose the section banner, caption or note glued in
    (`08SECTON01OF02LIMA12`, `09EFTOLIMA7` -> `09LIMA7`); a name one letter off a post is
    that post (`07SOIA828` -> `07SOFIA828`), and with `repair`, a name damaged further is the
    close post whose id exists in the Cablegate ids (`07QXICO3307` -> `07MEXICO3307`).  None
    when the text is not shaped like an id."""
    text = " ".join(refid.upper().split()) if refid else ""
    m = _ID_SHAPE.match(text) or _GARBLED_ID.match(text)
    if m is None:
        return None
    written = m[2]
    bare = _CAPTION_BEFORE.sub("", written.replace(" ", ""))
    if bare != written and resolve_post(bare) is not None:
        written = bare
    serial = int(m[3])
    key = _NOT_LETTER.sub("", written)
    post = fuzzy_post(written)
    if post is not None:
        post = well_spelt(post)
    if post is None:
        post = (
            _one_edit_post(key)
            or _garbled_post(key, m[1], serial)
            or (_known_post(m[1], key, serial) if repair else None)
        )
    if post is None:
        post = _variants(key, _table())[-1]
    return f"{m[1]}{_family_spelling(post, m[1], serial)}{serial}"


@lru_cache(maxsize=2048)
def well_spelt(post: str) -> str:
    """A post name of the table that is a misspelling Cablegate holds once or twice (NDJAENA,
    AITTAIPIE) -> the well-attested post one letter away, or the one a garble stands for
    (AQNA -> ASTANA); any other post unchanged."""
    if 0 < _table().posts.get(post, _RELIABLE) < _RELIABLE:
        return _one_edit_post(post) or _garbled_post(post) or post
    return post


# A post one letter away (dropped, added, changed or two swapped) from a misspelt name must be
# well attested to be taken for it.
_ONE_EDIT_MIN = 100


@lru_cache(maxsize=1024)
def _one_edit_post(key: str) -> str | None:
    """The one well-attested post one edit from `key` (`SOIA` -> SOFIA, `ANOI` -> HANOI, `BAU`
    -> BAKU: a letter dropped; `MINSI` -> MINSK), or None when none or several are."""
    if len(key) < 3:
        return None
    found = None
    for p, n in _table().posts.items():
        if n >= _ONE_EDIT_MIN and p != key and _one_edit(key, p):
            if found is not None or (len(key) == 3 and len(p) != 4):
                return None  # ambiguous; a 3-letter name only as a 4-letter post less a letter
            found = p
    return found


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one letter dropped, added or changed, or two swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0] if len(diff) == 2 else -1
        return i >= 0 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


# A transmission garble: a `Q` (not `QU`) where one to three letters were lost.
_GARBLE = re.compile(r"Q(?!U)")


def _garbled_post(key: str, yy: str | None = None, serial: int | None = None) -> str | None:
    """The one well-attested post a garbled name stands for, each lone `Q` read as one to
    three lost letters (`BAQDAD` -> BAGHDAD); with the Cablegate ids at hand, only a post
    whose id with this year and serial exists (`AQNA`: ADANA and ASTANA fit).  None when none
    or several fit, or fewer than three letters are left to tell."""
    if "Q" not in key:
        return None
    hits = _garble_fits(key)
    if yy is not None and KNOWN_IDS.available:
        hits = [p for p in hits if KNOWN_IDS.exists(f"{yy}{p}{serial}")]
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=1024)
def _garble_fits(key: str) -> tuple[str, ...]:
    """The well-attested posts a name with lone `Q`s fits (see _garbled_post)."""
    if not _GARBLE.search(key) or sum(c != "Q" for c in key) < 3:
        return ()
    rx = re.compile(_GARBLE.sub(".{1,3}", key))
    return tuple(p for p, n in _table().posts.items() if n >= _ONE_EDIT_MIN and rx.fullmatch(p))


# How close a damaged name must be to a post whose id (same year and serial) Cablegate holds.
_KNOWN_REPAIR = 0.6


def _known_post(yy: str, key: str, serial: int) -> str | None:
    """A name damaged past one edit (`QXICO` for MEXICO) read as the one post, close to it,
    whose id with this year and serial exists in the Cablegate ids; None without that list."""
    if len(key) < 3 or not KNOWN_IDS.available:
        return None
    scored = []
    for p in _table().reliable:  # the id lookups first: cheaper than the ratios
        if KNOWN_IDS.exists(f"{yy}{p}{serial}"):
            ratio = difflib.SequenceMatcher(None, key, p).ratio()
            if ratio >= _KNOWN_REPAIR:
                scored.append((ratio, p))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.05):
        return None
    return scored[0][1]


def _family_spelling(post: str, yy: str, serial: int) -> str:
    """The spelling of a post spelled several ways (TAIPEI / AITTAIPEI) under which the id
    exists in the Cablegate ids, else Cablegate's spelling of that year (spelling_for)."""
    names = family(post)
    if len(names) > 1 and KNOWN_IDS.available:
        for p in (post, *(q for q in names if q != post)):
            if KNOWN_IDS.exists(f"{yy}{p}{serial}"):
                return p
    return spelling_for(post, int(yy))


def twin_spelling(post: str, yy: str, serial: int, known: KnownIds | None) -> str:
    """The spelling under which Cablegate files a cited id of a post it did not yet file under
    its own name: `USEU BRUSSELS 1090` cited in 2004 is 04BRUSSELS1090 (the mission's cables
    carry the BRUSSELS id until 2006; USEUBRUSSELS ids start in 2007).  The twin (posts.json
    `twins`) is taken only for a year before the first that Cablegate files this spelling in,
    and only when `known` holds the twin's id and not this one; else `post` itself."""
    twins = _table().twins.get(post)
    if not twins or known is None or not known.available:
        return post
    first = _first_year(post)
    if first is not None and year_from_yy(int(yy)) >= first:
        return post
    if known.exists(f"{yy}{post}{serial}"):
        return post
    return next((p for p in twins if known.exists(f"{yy}{p}{serial}")), post)


@lru_cache(maxsize=256)
def _first_year(post: str) -> int | None:
    """The first year Cablegate files ids under this spelling (serials.json holds a year from
    three ids on); None when it never does."""
    years = [year_from_yy(int(yy)) for yy in _serials().get(post, {})]
    return min(years) if years else None


# -- spellings and serials by date ---------------------------------------------------------


@lru_cache(maxsize=1)
def _serial_data() -> dict:
    """serials.json (built by tools/build_posts.py): `years`: post -> 2-digit year -> 12 monthly
    median serials (0: no id that month) and the year's top serial; `spellings`: for posts
    spelled several ways, each spelling's id count per year."""
    try:
        text = resources.files("cablebase").joinpath("data/serials.json").read_text("utf-8")
        return json.loads(text)
    except (OSError, ValueError):  # without the table, years fall back to the citing year
        return {}


def _serials() -> dict[str, dict[str, list[int]]]:
    return _serial_data().get("years", {})


@lru_cache(maxsize=8192)
def _figures(post: str, yy: int) -> list[int] | None:
    row = _serials().get(post, {}).get(f"{yy % 100:02d}")
    return row if row is not None and len(row) == 13 else None


def family(post: str) -> tuple[str, ...]:
    """The spellings Cablegate gives one post (`TAIPEI` -> TAIPEI, AITTAIPEI); the post alone
    when it has one spelling."""
    return _table().families.get(post, (post,))


def spelling_for(post: str, year: int | str) -> str:
    """Cablegate's spelling of `post` in `year`: the written one when Cablegate uses it that year
    (at least a fifth of the family's ids), else the family's spelling most used that year
    (`KIEV` in 2008 -> KYIV, `AITTAIPEI` in 2004 -> TAIPEI)."""
    names = family(post)
    if len(names) == 1:
        return post
    yy = _two_digit_year(year)
    if yy is None:
        return post
    counts = {p: _year_count(p, yy) for p in names}
    total = sum(counts.values())
    if total == 0 or counts.get(post, 0) * 5 >= total:
        return post
    return max(names, key=lambda p: counts[p])


def _year_count(post: str, yy: int) -> int:
    """How many Cablegate ids carry this spelling in a year."""
    return _serial_data().get("spellings", {}).get(post, {}).get(f"{yy:02d}", 0)


# Slack on the serial bounds: a month median is a middle, not an edge, of the month's serials.
_SLACK = 1.1


@lru_cache(maxsize=8192)
def serial_bound(post: str, year: int, month: int) -> int | None:
    """The highest serial `post` can have reached by the end of `month` of `year`, from the
    medians of the later months (serials only grow within a year); None when no later month
    has figures."""
    row = _figures(post, year)
    if row is None:
        return None
    later = [v for v in row[month:12] if v]
    return int(min(later) * _SLACK) if later else None


@lru_cache(maxsize=8192)
def serial_reached(post: str, year: int, month: int) -> int:
    """A serial `post` had surely passed before `month` of `year`: the largest median of the
    earlier months (0 when none)."""
    row = _figures(post, year)
    return max(row[: month - 1], default=0) if row is not None else 0


@lru_cache(maxsize=8192)
def serial_top(post: str, year: int) -> int | None:
    """The top serial `post` reached in `year`, with slack; None without figures."""
    row = _figures(post, year)
    return int(row[12] * _SLACK) + 1 if row is not None else None


def year_of_reference(
    post: str,
    serial: int,
    year: int,
    month: int | None = None,
    citing_post: str | None = None,
    citing_serial: int | None = None,
    known: KnownIds | None = None,
) -> int:
    """The year of a REF item written without one, cited by a cable of `year` (`month`): the
    citing year unless the cable cannot be of that year yet, then the year before.

    In order: a serial of the citing cable's own post is this year's below its own serial and
    last year's above it (`TRIPOLI 1033` in 08TRIPOLI870); an exact id list (`known`, the
    Cablegate ids when present) that holds the id in the citing year keeps that year, unless
    the id is dated after the citing month; a serial past the bound serials.json gives for the
    citing month is last year's (`STATE 270998` cited in January).  The year before is taken only when its figures
    allow that serial.  That last year's id exists is no evidence: a serial of this year and
    last year's are about as likely to have been released."""
    prev = year - 1
    top = serial_top(post, prev)
    if top is not None and serial > top:
        return year  # last year's serials never went that high
    if citing_post is not None and citing_serial is not None and citing_post in family(post):
        # the citing cable's own serial orders its post's cables exactly
        return prev if serial > citing_serial else year
    if month is not None and serial <= serial_reached(post, year, month):
        return year  # below what the post had reached before the citing month
    if known is not None and known.available:
        here = _existing(post, serial, year, known)
        if here is not None:
            if month is None or (known.month(here) or 0) <= month:
                return year
            return prev  # that id is later than the citing cable: the cited one is older
    if month is not None:
        bound = serial_bound(post, year, month)
        if bound is not None and serial > bound:
            return prev
    return year


def _existing(post: str, serial: int, year: int, known: KnownIds) -> str | None:
    yy = year % 100
    for p in family(post):
        rid = f"{yy:02d}{p}{serial}"
        if known.exists(rid):
            return rid
    return None


def _two_digit_year(year: int | str) -> int | None:
    try:
        y = int(str(year).strip())
    except ValueError:
        return None
    if 0 <= y <= 99:
        return y
    if 1900 <= y <= 2099:
        return y % 100
    return None


# -- known ids ---------------------------------------------------------------------------------


def _shared_dir() -> Path:
    env = os.environ.get("CABLEBASE_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared"


_MONTHS = tuple((m, f",{m}") for m in range(1, 13))


class KnownIds:
    """Whether an id is among the 251,287 Cablegate reference ids, and its creation month.

    Loaded lazily from ../shared/corpus/cablegate-refids.csv.gz; when that file is absent every
    answer is None ("unknown"), never False."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._ids: frozenset[str] | None = None  # the file's lines, `id,month`
        self._loaded = False

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int | None]]) -> KnownIds:
        """An id list given as (id, month) pairs: an archive's own cables, to settle the years
        of yearless REF items against them (refs.Citing(known=..., exact_years=True))."""
        known = cls()
        known._ids = frozenset(f"{rid},{month or ''}" for rid, month in pairs)
        known._loaded = True
        return known

    def _load(self) -> frozenset[str] | None:
        if not self._loaded:
            self._loaded = True
            path = self._path or _shared_dir() / "corpus" / "cablegate-refids.csv.gz"
            try:
                with gzip.open(path, "rb") as f:
                    text = f.read().decode("utf-8", "replace")
            except (OSError, EOFError):
                self._ids = None
            else:
                # The `id,month` lines themselves: splitting is all the parsing there is, three
                # times faster than a dict built row by row (a lookup tries the 12 months).
                self._ids = frozenset(text.replace("\r", "").split("\n"))
        return self._ids

    def _find(self, refid: str) -> tuple[bool, int | None]:
        ids = self._load()
        if ids is None or not refid:
            return False, None
        for month, suffix in _MONTHS:
            if refid + suffix in ids:
                return True, month
        return (refid in ids or refid + "," in ids), None

    @property
    def available(self) -> bool:
        return self._load() is not None

    def exists(self, refid: str | None) -> bool | None:
        """True/False when the id list is available, None when it is not."""
        if self._load() is None:
            return None
        return bool(refid) and refid != "reference_id" and self._find(refid)[0]

    __call__ = exists

    def month(self, refid: str) -> int | None:
        """The id's creation month (1-12); None when unknown or the list is absent."""
        return self._find(refid)[1]

    def __len__(self) -> int:
        ids = self._load()
        return sum(1 for line in ids if line and line[0].isdigit()) if ids is not None else 0


KNOWN_IDS = KnownIds()
