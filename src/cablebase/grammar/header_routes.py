"""Routing indicator -> station name table, and the RI/name agreement check (FORMAT.md §3.7).

route2name.csv is shared reference data that cannot ship in the package, so it is read lazily
from ``../shared/reference/route2name.csv`` next to the repository (or ``$CABLEBASE_ROUTE2NAME``).
Without it the table is empty and the check is skipped.
"""

from __future__ import annotations

import csv
import os
import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

_REPO = Path(__file__).resolve().parents[3]
_DEFAULT_PATH = _REPO / ".." / "shared" / "reference" / "route2name.csv"

_SPACES = re.compile(r"\s\s*")  # (a class first, not a repeat: a fast scan)

# Plain-language prefixes of diplomatic posts; only names of this shape are compared, because
# agency and military names (SECSTATE WASHDC vs DEPT OF STATE WASHINGTON DC) vary too freely.
_POST_PREFIX = re.compile(
    r"^(?:AMEMBASSY|AMEMB|AMCONSUL(?:ATE)?|US\s?MISSION|USMISSIN|USOFFICE|USINT|USEU|USLO|AIT|"
    r"AMERICAN\s+EMBASSY|AMERICAN\s+CONSULATE)\s+"
)

# Renamed cities: the 2010 routing book uses the new name, older cables the old one.
_CITY_ALIASES = {
    "CALCUTTA": "KOLKATA",
    "BOMBAY": "MUMBAI",
    "MADRAS": "CHENNAI",
    "LENINGRAD": "ST PETERSBURG",
    "SAINT PETERSBURG": "ST PETERSBURG",
    "SAIGON": "HO CHI MINH CITY",
    "RANGOON": "YANGON",
    "ALMA ATA": "ALMATY",
    "ASTANA": "ALMATY",  # the embassy moved in 2006 and kept its RI
    "PEKING": "BEIJING",
    "KIEV": "KYIV",
    "BELIZE": "BELMOPAN",  # the capital moved; the embassy kept its RI
    "USEU": "BRUSSELS",
    "USNATO": "BRUSSELS",
}


def _norm(name: str) -> str:
    return _SPACES.sub(" ", name.strip().upper())


@lru_cache(maxsize=1)
def load_route_names() -> dict[str, str]:
    """{routing indicator: station name} from route2name.csv; {} when the file is absent."""
    path = Path(os.environ.get("CABLEBASE_ROUTE2NAME") or _DEFAULT_PATH)
    table: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            for row in csv.reader(f):
                if len(row) < 2:
                    continue
                ri, name = row[0].strip().upper(), _norm(row[1])
                if ri and name and ri not in table:  # first entry wins on duplicates
                    table[ri] = name
    except OSError:
        return {}
    return table


def _city(name: str) -> str | None:
    """The place part of a post name (AMEMBASSY NIAMEY -> NIAMEY); None for other names."""
    m = _POST_PREFIX.match(name)
    if m is None:
        return None
    city = name[m.end() :].strip()
    return _CITY_ALIASES.get(city, city) if city else None


def _tokens_agree(a: str, b: str) -> bool:
    if a == b:
        return True
    # tolerate typos in either source (QUINTO/QUITO, COLUMBO/COLOMBO, VAOUNDE/YAOUNDE)
    return min(len(a), len(b)) >= 5 and SequenceMatcher(None, a, b).ratio() >= 0.8


def _cities_agree(a: str, b: str) -> bool:
    if a == b or a.startswith(b) or b.startswith(a):  # MEXICO / MEXICO CITY, USUN NEW YORK NY
        return True
    ta, tb = a.split(), b.split()
    # any shared place word (USAU ADDIS ABABA / ADDIS ABABA, LA PAZ MAR LIMA / LA PAZ)
    return any(_tokens_agree(x, y) for x in ta for y in tb if len(x) > 2 and len(y) > 2)


def route_mismatch(route: str, name: str, table: dict[str, str] | None = None) -> str | None:
    """The station name the table gives for *route* when it names a different post than *name*.

    None when the RI is unknown, either name is not a post name, or the places agree.
    """
    names = load_route_names() if table is None else table
    expected = names.get(route)
    if expected is None:
        return None
    got = _norm(name)
    if got == expected:
        return None
    city_got, city_exp = _city(got), _city(expected)
    if city_got is None or city_exp is None or _cities_agree(city_got, city_exp):
        return None
    if got.startswith("AMCONSUL") and expected.startswith("AMEMBASSY"):
        return None  # a consulate served through its embassy's station (AMSTERDAM via THE HAGUE)
    return expected
