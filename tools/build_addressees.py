#!/usr/bin/env python3
"""Build src/cablebase/data/addressees.json: the addressee table of dispatch (docs/dispatch.md).

Derived data only, from what the project already ships and the shared routing book (read in
place, never copied):

- posts: every post of src/cablebase/data/posts.json that the routing book gives a routing
  indicator (posts.json's `routes`, built by tools/build_posts.py), with its indicators and the
  book's station name;
- offices: every other station of ../shared/reference/route2name.csv, keyed by its name, with
  the book's corrections of drafting/reference.py (ROUTE_CORRECTIONS) applied; the Department
  (RUEHC) is the office SECSTATE, the name cables write it under (SECSTATE WASHDC);
- collectives: ALDAC (every post) and two membership collectives written out below.

Run from the repository root:  python tools/build_addressees.py
(the routing book is found as the parser finds it: ../shared/reference or $CABLEBASE_ROUTE2NAME).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from cablebase.drafting.reference import route_table
from cablebase.grammar.header_routes import _city

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cablebase" / "data" / "addressees.json"

# Membership as of 2010 (the end of the Cablegate period): the EU's 27 member states and
# NATO's 28 members less the United States, each by the US embassy in its capital (and NATO's
# own mission).  A collective's members are post keys.
EU_2010 = [
    "VIENNA",
    "BRUSSELS",
    "SOFIA",
    "NICOSIA",
    "PRAGUE",
    "COPENHAGEN",
    "TALLINN",
    "HELSINKI",
    "PARIS",
    "BERLIN",
    "ATHENS",
    "BUDAPEST",
    "DUBLIN",
    "ROME",
    "RIGA",
    "VILNIUS",
    "LUXEMBOURG",
    "VALLETTA",
    "THEHAGUE",
    "WARSAW",
    "LISBON",
    "BUCHAREST",
    "BRATISLAVA",
    "LJUBLJANA",
    "MADRID",
    "STOCKHOLM",
    "LONDON",
]
NATO_2010 = [
    "TIRANA",
    "BRUSSELS",
    "SOFIA",
    "OTTAWA",
    "ZAGREB",
    "PRAGUE",
    "COPENHAGEN",
    "TALLINN",
    "PARIS",
    "BERLIN",
    "ATHENS",
    "BUDAPEST",
    "REYKJAVIK",
    "ROME",
    "RIGA",
    "VILNIUS",
    "LUXEMBOURG",
    "THEHAGUE",
    "OSLO",
    "WARSAW",
    "LISBON",
    "BUCHAREST",
    "BRATISLAVA",
    "LJUBLJANA",
    "MADRID",
    "ANKARA",
    "LONDON",
    "USNATO",
]


def build() -> dict:
    posts_json = json.loads(resources.files("cablebase.data").joinpath("posts.json").read_text())
    book = route_table()
    if not book:
        raise SystemExit("the routing book (route2name.csv) is missing: see the docstring")
    routes: dict[str, str] = dict(posts_json["routes"])
    for ri, name in book.items():  # the corrections, and book posts posts.json lacks
        city = _city(name)
        key = city.replace(" ", "") if city else None
        if key and (ri in ("RUEHPL", "RUEHPO") or key in posts_json["posts"]):
            routes[ri] = key
    posts: dict[str, dict] = {}
    for ri, key in sorted(routes.items()):
        entry = posts.setdefault(key, {"kind": "post", "name": book.get(ri) or key, "routes": []})
        entry["routes"].append(ri)
    offices: dict[str, dict] = {
        "SECSTATE": {
            "kind": "office",
            "name": "SECSTATE WASHDC",
            "routes": ["RUEHC"],
            "aliases": ["SECSTATE WASHDC", "SECSTATE WASHINGTON DC", book.get("RUEHC", "")],
        }
    }
    for ri, name in sorted(book.items()):
        if ri in routes or ri == "RUEHC":
            continue
        entry = offices.setdefault(name, {"kind": "office", "name": name, "routes": []})
        entry["routes"].append(ri)
    for c in (EU_2010, NATO_2010):
        missing = [p for p in c if p not in posts]
        assert not missing, missing
    return {
        "about": (
            "Derived by tools/build_addressees.py from src/cablebase/data/posts.json and the "
            "routing book (route2name.csv, corrected as in drafting/reference.py): posts, "
            "offices and collectives (format: docs/dispatch.md)."
        ),
        "addressees": {**posts, **offices},
        "collectives": {
            "ALDAC": {
                "name": "ALL DIPLOMATIC AND CONSULAR POSTS",
                "aliases": ["ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE", "ALDAC COLLECTIVE"],
                "members": "*posts",
            },
            "EU MEMBER STATES COLLECTIVE": {
                "name": "EU MEMBER STATES COLLECTIVE",
                "aliases": ["EU MEMBER STATES", "EU COLLECTIVE"],
                "members": sorted(EU_2010),
            },
            "NATO MEMBER STATES COLLECTIVE": {
                "name": "NATO MEMBER STATES COLLECTIVE",
                "aliases": ["NATO MEMBER STATES", "NATO COLLECTIVE"],
                "members": sorted(NATO_2010),
            },
        },
    }


def main() -> None:
    data = build()
    OUT.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    kinds = [a["kind"] for a in data["addressees"].values()]
    print(f"{OUT}: {kinds.count('post')} posts, {kinds.count('office')} offices")


if __name__ == "__main__":
    main()
