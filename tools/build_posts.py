#!/usr/bin/env python3
"""Build src/cablebase/data/posts.json: the post-name table used by cablebase.ids.

Derived data only (a list of post names with counts, aliases and a route table), computed from
the shared reference files, which are not shipped with the package:

- ../shared/corpus/cablegate-refids.csv.gz: the post part of every reference id, with its count;
- ../shared/reference/route2name.csv: station names (AMEMBASSY X, AMCONSUL X, USMISSION X ...),
  which attest post names and give the routing indicator -> post table.

It also writes src/cablebase/data/serials.json: per post and year, the median serial of each
month's Cablegate ids and the year's top serial.  Serials grow monotonically per post and year, so
these figures bound the serial a post can have reached by a date (a REF without a year whose
serial is past that bound cites last year's cable).

Run from the repository root:  python tools/build_posts.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cablebase" / "data" / "posts.json"
SERIALS_OUT = ROOT / "src" / "cablebase" / "data" / "serials.json"

REFID = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
# Damaged ids (section banners, EFTO/NOFORN captions glued on) are not post names.
JUNK_POST = re.compile(r"^(?:EFTO|NOFORN|SIFIED|AMEMBASSY)")
# Posts seen only once are mostly typos (BEIRT, THEHAGU); keep these real ones anyway.
EXTRA_POSTS = ["BONN", "LENINGRAD", "PONTADELGADA", "USTRGENEVA", "FSCCHARLESTON", "KRAKOW"]
MIN_COUNT = 2

# Station-name prefixes that are not part of the post name (route2name.csv, FM/TO lines).
STATION_PREFIXES = [
    "AMEMBASSY",
    "AMCONSUL",
    "AMCOMSUL",
    "USMISSION",
    "USMISSIN",
    "US MISSION",
    "USOFFICE",
    "USINT",
    "AMEMB",
    "EMBASSY",
    "CONSULATE",
    "AMERICAN EMBASSY",
    "AMERICAN CONSULATE",
]
STATION_KINDS = ("AMEMBASSY", "AMCONSUL", "USMISSION", "USMISSIN", "US MISSION", "AIT", "USINT")

# Well-known abbreviations and variants written in REF items, FM lines and page markers.
# Keys are compared with spaces and punctuation removed.
HAND_ALIASES = {
    "SECSTATE": "STATE",
    "SECSTATEWASHDC": "STATE",
    "SECSTAT": "STATE",
    "SECTATE": "STATE",
    "DEPTEL": "STATE",
    "STATEDEPT": "STATE",
    "RIO": "RIODEJANEIRO",
    "RIODE": "RIODEJANEIRO",
    "CASA": "CASABLANCA",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKNY": "USUNNEWYORK",
    "USMISSIONUSUNNEWYORK": "USUNNEWYORK",
    "UNVIE": "UNVIEVIENNA",
    "USUNVIE": "UNVIEVIENNA",
    "UNVIEVIEN": "UNVIEVIENNA",
    "USEU": "USEUBRUSSELS",
    "USEUBRUSS": "USEUBRUSSELS",
    "NATO": "USNATO",
    "USNATOBRUSSELS": "USNATO",
    "USOSCEVIENNA": "USOSCE",
    "OSCE": "USOSCE",
    "HCMC": "HOCHIMINHCITY",
    "HOCHIMINH": "HOCHIMINHCITY",
    "SAIGON": "HOCHIMINHCITY",
    "TEGUC": "TEGUCIGALPA",
    "TEGUZ": "TEGUCIGALPA",
    "BOMBAY": "MUMBAI",
    "RPODUBAI": "RPODUBAI",
    "IRANRPO": "IRANRPODUBAI",
    "USINTHAVANA": "HAVANA",
    "USINT": "HAVANA",
    "CDGENEVA": "CDGENEVA",
    "USTR": "USTRGENEVA",
    "UNROME": "UNROME",
    "USMISSIONGENEVA": "GENEVA",
    "ADDIS": "ADDISABABA",
    "VAT": "VATICAN",
    "MAZARESHARIF": "MAZARESHAIRF",
    "JERUSALEMCG": "JERUSALEM",
    "PORTOFPAIN": "PORTOFSPAIN",
    "SANTODOMINGODR": "SANTODOMINGO",
    "THEHAGUENL": "THEHAGUE",
    "HAGUE": "THEHAGUE",
    "KUALA": "KUALALUMPUR",
    "BSB": "BANDARSERIBEGAWAN",
    "PORTAU": "PORTAUPRINCE",
    "BUENOS": "BUENOSAIRES",
    "STPETE": "STPETERSBURG",
    "SAINTPETERSBURG": "STPETERSBURG",
    "SANJOSECR": "SANJOSE",
    "MEXICOCITY": "MEXICO",
    "GUATEMALACITY": "GUATEMALA",
    "PANAMACITY": "PANAMA",
    "KUWAITCITY": "KUWAIT",
    "VATICANCITY": "VATICAN",
    "HOLYSEE": "VATICAN",
    "TELAVIVISRAEL": "TELAVIV",
    "NDELHI": "NEWDELHI",
    "DELHI": "NEWDELHI",
    # Real spellings in REF items (post abbreviations and misspellings that recur).
    "SECTSTATE": "STATE",
    "SECSTSTE": "STATE",
    "BRAZIL": "BRASILIA",
    "BRAZILIA": "BRASILIA",
    "BA": "BUENOSAIRES",
    "BKK": "BANGKOK",
    "HK": "HONGKONG",
    "HCM": "HOCHIMINHCITY",
    "PAUP": "PORTAUPRINCE",
    "PAP": "PORTAUPRINCE",
    "PORTOFPRINCE": "PORTAUPRINCE",
    "SANJSE": "SANJOSE",
    "TGG": "TEGUCIGALPA",
    "KL": "KUALALUMPUR",
    "NEWYORK": "USUNNEWYORK",  # the mission to the UN, the only US post in New York
    # UNESCO Paris: one mission, spelled PARISFR, UNESCOPARISFR and UNESCOPARIS in Cablegate ids
    # (the spelling of a date is chosen from serials.json).
    "UNESCO": "UNESCOPARISFR",
    "USUNESCO": "UNESCOPARISFR",
    "USUNESCOPARIS": "UNESCOPARISFR",
    "USUNESCOPARISFR": "UNESCOPARISFR",
    "AIT": "AITTAIPEI",
    "AMERICANINSTITUTEINTAIWAN": "AITTAIPEI",
    "AMERICANINSTITUTETAIWAN": "AITTAIPEI",
    # Originators of telegrams that are no Cablegate post (their ids keep their own name).
    "SECDEFWASHDC": "SECDEF",
    "SECDEFWASH": "SECDEF",
    "SECDEFWASHINGTONDC": "SECDEF",
    "USDOCWASHDC": "USDOC",
    "USDA": "USDAFAS",
    "USDAWASHDC": "USDAFAS",
    "USDAFASWASHDC": "USDAFAS",
    "CDCATLANTA": "CDCATLANTAGA",
    "WHITEHOUSEWASHDC": "WHITEHOUSE",
    "CHARLESTON": "FSCCHARLESTON",  # the Financial Service Center, the one sender there
}

# Senders of telegrams outside Cablegate's posts, written in REF items as if they were posts:
# kept under their own name in ids (`SECDEF 1234` -> 08SECDEF1234).
ORIGINATORS = [
    "SECDEF",
    "USDOC",
    "USDAFAS",
    "CDCATLANTAGA",
    "USDOJ",
    "WHITEHOUSE",
    "SECTO",
    "TOSEC",
]

# One post spelled several ways in Cablegate ids, with one serial sequence: AIT Taipei, the
# UNESCO mission, the Iran office in Dubai, and posts renamed (KIEV -> KYIV, CALCUTTA -> KOLKATA).
FAMILIES = [
    ["TAIPEI", "AITTAIPEI"],
    ["PARISFR", "UNESCOPARISFR", "UNESCOPARIS"],
    ["IRANRPODUBAI", "RPODUBAI"],
    ["KIEV", "KYIV"],
    ["CALCUTTA", "KOLKATA"],
    ["MADRAS", "CHENNAI"],
    ["LENINGRAD", "STPETERSBURG"],
]


# Posts written two ways in reference ids over the years (AIT TAIPEI / TAIPEI, CALCUTTA /
# KOLKATA): an id not found under one spelling may exist under the other.
TWINS = [
    ["TAIPEI", "AITTAIPEI"],
    ["DUBAI", "RPODUBAI", "IRANRPODUBAI"],
    ["CALCUTTA", "KOLKATA"],
    ["MADRAS", "CHENNAI"],
    ["KIEV", "KYIV"],
    ["LENINGRAD", "STPETERSBURG"],
    ["PARIS", "PARISFR"],
    ["UNESCOPARIS", "UNESCOPARISFR"],
    ["VIENNA", "UNVIEVIENNA"],
    ["BRUSSELS", "USEUBRUSSELS"],
    ["GENEVA", "CDGENEVA", "USTRGENEVA"],
]


def squash(name: str) -> str:
    return re.sub(r"[^A-Z]", "", name.upper())


def read_counts(refids: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    with gzip.open(refids, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            m = REFID.match(row["reference_id"])
            if m and not JUNK_POST.search(m[2]):
                counts[m[2]] += 1
    return counts


def station_post(name: str, posts: set[str]) -> tuple[str | None, str | None]:
    """A route2name station name -> (post, city squash) or (None, None) when not a post."""
    up = " ".join(name.upper().split())
    kind = next((k for k in STATION_KINDS if up.startswith(k + " ")), None)
    if kind is None:
        return None, None
    city = up[len(kind) + 1 :]
    words = city.split()
    # The kind glued to the city is the id spelling for a few (AIT TAIPEI, IRAN RPO DUBAI).
    for cand in (squash(kind + city), squash(city)):
        if cand in posts:
            return cand, squash(city)
    # Drop trailing country/state codes (MELBOURNE VIC, USUN NEW YORK NY, USNATO BRUSSELS BE).
    for n in range(len(words) - 1, 0, -1):
        cand = squash(" ".join(words[:n]))
        if cand in posts:
            return cand, squash(city)
    # Leading mission word (USOSCE VIENNA, UNVIE VIENNA, USNATO BRUSSELS).
    if words and squash(words[0]) in posts and len(words) > 1:
        return squash(words[0]), squash(city)
    if kind in ("AMEMBASSY", "AMCONSUL"):
        # route2name has typos (COLUMBO, VAOUNDE): a close spelling of a known post is that post.
        close = difflib.get_close_matches(squash(city), posts, n=1, cutoff=0.8)
        if close:
            return close[0], squash(city)
        return squash(city), squash(city)  # a post with no cable in Cablegate
    return None, None


def build(shared: Path) -> dict:
    counts = read_counts(shared / "corpus" / "cablegate-refids.csv.gz")
    keep = {p: n for p, n in counts.items() if n >= MIN_COUNT}
    for p in EXTRA_POSTS + ORIGINATORS:
        keep.setdefault(p, counts.get(p, 0))
    canon = set(keep)
    routes: dict[str, str] = {}
    aliases: dict[str, str] = {}
    with open(shared / "reference" / "route2name.csv", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) < 2 or " " in row[0].strip():
                continue
            post, city = station_post(row[1], canon)
            if post is None:
                continue
            if post not in keep:
                keep[post] = 0
                canon.add(post)
            routes[row[0].strip()] = post
            if city and city != post and city not in canon:
                aliases[city] = post
    for alias, post in HAND_ALIASES.items():
        if alias != post and alias not in canon and post in canon:
            aliases[alias] = post
    return {
        "comment": "Derived by tools/build_posts.py: post names (reference-id spelling) with "
        "their id counts in Cablegate, aliases, and routing indicator -> post.",
        "posts": dict(sorted(keep.items())),
        "aliases": dict(sorted(aliases.items())),
        "station_prefixes": STATION_PREFIXES,
        "routes": dict(sorted(routes.items())),
        "twins": [t for t in TWINS if all(p in canon for p in t)],
        "families": [f for f in FAMILIES if all(p in canon for p in f)],
        "originators": ORIGINATORS,
    }


def _median(values: list[int]) -> int:
    v = sorted(values)
    return v[(len(v) - 1) // 2]


def build_serials(shared: Path, posts: dict[str, int]) -> dict:
    """Per post and 2-digit year: the median serial of each month (0: no id that month) and the
    year's top serial (past the 99th percentile, so a mistyped id does not stretch it).  Medians, not
    minima: a few Cablegate ids carry a wrong month or serial.  A family's spellings share one
    serial sequence, so their figures are pooled and stored under each spelling."""
    family_of = {p: tuple(f) for f in FAMILIES for p in f}
    by: dict[tuple[str, str], dict[int, list[int]]] = {}
    own: dict[tuple[str, str], int] = {}  # (spelling, year) -> its own id count
    with gzip.open(shared / "corpus" / "cablegate-refids.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            m = REFID.match(row["reference_id"])
            if not m or m[2] not in posts or not row.get("month", "").isdigit():
                continue
            own[(m[2], m[1])] = own.get((m[2], m[1]), 0) + 1
            for p in family_of.get(m[2], (m[2],)):
                by.setdefault((p, m[1]), {}).setdefault(int(row["month"]), []).append(int(m[3]))
    years: dict[str, dict[str, list[int]]] = {}
    for (post, yy), months in sorted(by.items()):
        allv = sorted(v for vs in months.values() for v in vs)
        if len(allv) < 3:
            continue  # too few ids to bound anything
        row = [_median(months[m]) if m in months else 0 for m in range(1, 13)]
        # the top serial: the largest but for one stray value in a hundred
        top = allv[-1 - len(allv) // 100] if len(allv) >= 20 else allv[-1]
        years.setdefault(post, {})[yy] = [*row, top]
    spellings: dict[str, dict[str, int]] = {}
    for f in FAMILIES:
        for p in f:
            for post, yy in by:
                if post == p:
                    n = own.get((p, yy), 0)
                    if n:
                        spellings.setdefault(p, {})[yy] = n
    return {
        "comment": "Derived by tools/build_posts.py from the Cablegate id list: per post and "
        "2-digit year, the median serial of each month 1-12 (0: none) and the year's top serial; "
        "for posts spelled several ways, each spelling's id count per year.",
        "years": years,
        "spellings": {p: dict(sorted(v.items())) for p, v in sorted(spellings.items())},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    table = build(args.shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(table, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    serials = build_serials(args.shared, table["posts"])
    SERIALS_OUT.write_text(
        json.dumps(serials, separators=(",", ":")).replace('],"', '],\n"') + "\n", encoding="utf-8"
    )
    print(f"{SERIALS_OUT}: {len(serials['years'])} posts, {SERIALS_OUT.stat().st_size} bytes")
    print(
        f"{args.out}: {len(table['posts'])} posts, {len(table['aliases'])} aliases, "
        f"{len(table['routes'])} routes, {args.out.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
