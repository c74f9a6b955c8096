#!/usr/bin/env python3
"""Build src/cablebase/data/given_names.json: given names, to tell a person in a TAGS line.

A Cablegate page writes person tags without their commas (`NOVO GUILLERMO REMON PEDRO`, for the
cable's `NOVO, GUILLERMO, REMON, PEDRO`), surname first.  The TAGS reader cuts such a run into
persons where every second word is a given name.  The names come from the frequency lists of the
1990 US Census (public domain), as shipped by the `names` package on PyPI
(`dist.male.first`, `dist.female.first`):

    pip download names==0.3.0 --no-deps && tar xzf names-0.3.0.tar.gz
    python tools/build_given_names.py names-0.3.0/names

Left out: names shorter than three letters (`TU`, `UN`, `IN` are tag codes), the most common
quarter-rare female names (the tail of that list holds place words such as `CHINA`, `ASIA`),
and every name that is also a place or a word of a TAGS line: a post name or alias
(`data/posts.json`), a word of a country's name (`data/generator_places.json`), a tag code or a
word of a free tag (`data/tag_codes.json`), or one of the English words below.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "cablebase" / "data"
OUT = DATA / "given_names.json"
FEMALE_MAX_RANK = 3000  # further down, the female list is mostly rare or place-like words
# Given names that are also ordinary words of a TAGS line or of a free tag.
WORDS = frozenset(
    {
        "APRIL",
        "AUGUST",
        "BILL",
        "BUD",
        "CHANCE",
        "CHRISTIAN",
        "CHRISTIANS",
        "DAWN",
        "FAITH",
        "GRACE",
        "GRANT",
        "HOPE",
        "JOY",
        "JUNE",
        "JUSTICE",
        "LIBERTY",
        "MARK",
        "MAY",
        "MERCY",
        "PAGE",
        "PATIENCE",
        "ROSE",
        "SUMMER",
        "UNITY",
        "WILL",
    }
)


def _names(path: Path, max_rank: int | None) -> list[str]:
    out = []
    for line in path.read_text("ascii").splitlines():
        parts = line.split()
        if len(parts) == 4 and (max_rank is None or int(parts[3]) <= max_rank):
            out.append(parts[0])
    return out


def _excluded() -> set[str]:
    posts = json.loads((DATA / "posts.json").read_text("utf-8"))
    places = json.loads((DATA / "generator_places.json").read_text("utf-8"))
    tags = json.loads((DATA / "tag_codes.json").read_text("utf-8"))
    out = set(posts["posts"]) | set(posts.get("aliases", {}))
    for name, _adjective in places["countries"].values():
        out.update(re.findall(r"[A-Z]+", name.upper()))
    for tag in [*tags["codes"], *tags["phrases"], *tags["free_tags"]]:
        out.update(re.findall(r"[A-Z]+", tag.upper()))
    return out | WORDS


def build(source: Path) -> dict:
    male = _names(source / "dist.male.first", None)
    female = _names(source / "dist.female.first", FEMALE_MAX_RANK)
    excluded = _excluded()
    names = sorted({n for n in male + female if len(n) >= 3 and n not in excluded})
    return {
        "about": "Given names from the 1990 US Census lists (public domain), less place names "
        "and TAGS words; built by tools/build_given_names.py.",
        "names": names,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="folder with dist.male.first and dist.female.first")
    args = ap.parse_args()
    if not (args.source / "dist.male.first").is_file():
        print(f"no dist.male.first in {args.source}", file=sys.stderr)
        return 2
    data = build(args.source)
    OUT.write_text(json.dumps(data, indent=0, ensure_ascii=True) + "\n", "utf-8")
    print(f"{len(data['names'])} given names -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
