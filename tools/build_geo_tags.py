#!/usr/bin/env python3
"""Build src/cablebase/data/geo_tags.json: the geographic TAGS codes the drafting rules know.

Derived data only, counted from the dev corpus in ../shared/corpus (read in place, not shipped):
every two-letter TAGS word (a country code such as `ML`, or a region code such as `XA`) that
the project's parser reads as a tag in at least MIN_CABLES cables of at least MIN_POSTS posts.
A two-letter word used once or by one post only (a typo, a person's initials) is left out.

Run from the repository root:  python tools/build_geo_tags.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from cablebase.forms.sources import Failure
from cablebase.parse import iter_cables

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cablebase" / "data" / "geo_tags.json"
MIN_CABLES, MIN_POSTS = 2, 2
TWO = re.compile(r"[A-Z]{2}")
# two-letter organisation tags, not places
NOT_GEO = frozenset(["UN", "EU"])


def build(shared: Path) -> dict:
    cables: dict[str, int] = defaultdict(int)
    posts: dict[str, set[str]] = defaultdict(set)
    corpus = shared / "corpus"
    for name in ("cablegate-html-dev.tar.xz", "cables-dev.csv.xz"):
        for cable in iter_cables(corpus / name):
            if isinstance(cable, Failure):
                continue
            for tag in set(cable.tags):
                if TWO.fullmatch(tag):
                    cables[tag] += 1
                    posts[tag].add(cable.post or cable.sender or "?")
    codes = sorted(
        t
        for t, n in cables.items()
        if n >= MIN_CABLES and len(posts[t]) >= MIN_POSTS and t not in NOT_GEO
    )
    return {
        "about": "Derived by tools/build_geo_tags.py from TAGS of the dev corpus: two-letter "
        f"country and region codes seen in >= {MIN_CABLES} cables of >= {MIN_POSTS} posts (UN, EU: organisations).",
        "codes": codes,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    data = build(args.shared)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{len(data['codes'])} codes -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
