"""Dump every dev-corpus record as one JSON line, to compare two versions of the parser.

    PYTHONPATH=SRC python3 tools/dump_records.py OUT.jsonl [--corpus DIR]

Run it with each version's `src` on PYTHONPATH (a base worktree under /work, so `../shared` is
found the same way) and `cmp` the two files: a speed change must leave them byte-identical.
Each line holds the form, the record's position in its source, its id and `Cable.to_dict()`
with sorted keys; warnings and fallbacks of the parse are part of the record.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cablebase.parse import iter_cables
from cablebase.record import Cable

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("cablegate-html-dev.tar.xz", "cables-dev.csv.xz")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    default = Path(os.environ.get("CABLEBASE_SHARED", ROOT.parent / "shared")) / "corpus"
    ap.add_argument("--corpus", type=Path, default=default)
    args = ap.parse_args()
    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        for name in SOURCES:
            for i, cable in enumerate(iter_cables(str(args.corpus / name))):
                if not isinstance(cable, Cable):
                    continue
                line = {"src": name, "n": i, "id": cable.reference_id, "d": cable.to_dict()}
                out.write(json.dumps(line, default=str, sort_keys=True) + "\n")
                n += 1
    print(f"{n} records -> {args.out}")


if __name__ == "__main__":
    main()
