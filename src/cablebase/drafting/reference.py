"""Reference lists the rules consult: known TAGS, geographic codes and station names.

The subject and organisation TAGS lists and the routing book (route2name.csv) are shared
reference data that cannot ship in the package, so they are read in place from
``../shared/reference`` next to the repository (or ``$CABLEBASE_REFERENCE``), as the parser reads
route2name.csv (grammar/header_routes.py).  Without them the lists fall back to what ships:
the TAGS codes derived from the corpus (data/tag_codes.json) and the geographic codes
(data/geo_tags.json, derived by tools/build_geo_tags.py).  ``available()`` says which.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cablebase.grammar.header_routes import load_route_names

_REPO = Path(__file__).resolve().parents[3]
_DEFAULT_DIR = _REPO / ".." / "shared" / "reference"


def _reference_dir() -> Path:
    return Path(os.environ.get("CABLEBASE_REFERENCE") or _DEFAULT_DIR)


def _read_list(name: str) -> frozenset[str] | None:
    try:
        text = (_reference_dir() / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return frozenset(w.strip().upper() for w in text.splitlines() if w.strip())


def _data(name: str) -> dict:
    return json.loads(resources.files("cablebase.data").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class TagLists:
    subject: frozenset[str]  # subject tags (PGOV, PREL, ECON ...)
    organization: frozenset[str]  # NATO, UN, EUN ...
    geographic: frozenset[str]  # two-letter country codes (ML) and region codes (XA)
    shared: bool  # True when the shared subject/organisation lists were read

    def kind(self, tag: str) -> str | None:
        """subject | program | organization | geographic | None (unknown)."""
        t = tag.upper()
        if t in self.subject:
            return "subject"
        if _PROGRAM.fullmatch(t) and t in _corpus_codes() and t not in self.organization:
            return "program"
        if t in self.geographic:
            return "geographic"
        if t in self.organization:
            return "organization"
        if t in _corpus_codes():
            # a code the corpus uses as a tag that neither shared list names (e.g. AORG)
            return "organization" if not self.shared else None
        return None


# Program tags (KDEM, KPAL, KTIP ...) group cables for an office's programme, used with the
# subject tags, not instead of them; the shared lists do not carry them, the corpus-derived
# code list does.
_PROGRAM = re.compile(r"K[A-Z]{3}")


@lru_cache(maxsize=1)
def _corpus_codes() -> frozenset[str]:
    return frozenset(_data("tag_codes.json")["codes"])


@lru_cache(maxsize=1)
def tag_lists() -> TagLists:
    subject = _read_list("subject-tags.txt")
    organization = _read_list("organization-tags.txt")
    geo = frozenset(_data("geo_tags.json")["codes"])
    codes = _corpus_codes()
    shared = subject is not None and organization is not None
    if subject is None:  # fall back to the corpus-derived codes: four-letter A-T codes
        subject = frozenset(c for c in codes if len(c) == 4 and c[0] in "ABCEMOPST")
    if organization is None:
        organization = frozenset(c for c in codes if c not in subject)
    return TagLists(subject=subject, organization=organization, geographic=geo, shared=shared)


# Entries of the routing book that the cables contradict: the book gives RUEHPL to Paramaribo
# (and Paramaribo again, misspelt PARAMIARBO, under RUEHPO) and has no Port Louis, while the dev
# corpus routes AMEMBASSY PORT LOUIS under RUEHPL in 12 cables of 9 posts and Paramaribo under
# RUEHPO (e.g. 09PANAMA322 lists both).  Corrections win over the book.
ROUTE_CORRECTIONS = {"RUEHPL": "AMEMBASSY PORT LOUIS", "RUEHPO": "AMEMBASSY PARAMARIBO"}


@lru_cache(maxsize=1)
def route_table() -> dict[str, str]:
    """The routing book with its corrections; {} when the book is absent."""
    book = load_route_names()
    return {**book, **ROUTE_CORRECTIONS} if book else {}


def available() -> dict[str, bool]:
    """Which shared reference files were found (the rules that need one skip without it)."""
    return {"tags": tag_lists().shared, "routes": bool(load_route_names())}


@lru_cache(maxsize=1)
def posts_and_cities() -> frozenset[str]:
    """Post names (spaces removed: ADDISABABA) from the shipped post table, its aliases, and
    the cities of the routing book's post stations."""
    from cablebase.grammar.header_routes import _city

    posts = _data("posts.json")
    names = set(posts["posts"]) | set(posts["aliases"])
    for name in load_route_names().values():
        city = _city(name)
        if city:
            names.add(city.replace(" ", ""))
    return frozenset(names)
