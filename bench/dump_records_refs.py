"""Every dev record as one JSON line, for a byte-for-byte comparison of two checkouts' parsers.

    python bench/dump_records_refs.py SRC OUT

SRC is a checkout's `src` folder (base or branch), OUT the file to write; compare two outputs
with `cmp`.  Reads the 5,775 Cablegate pages and 10,183 cables.csv rows of ../shared/corpus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    from cablebase.parse import iter_cables
    from cablebase.record import Cable

    with open(sys.argv[2], "w") as out:
        for name in ("cablegate-html-dev.tar.xz", "cables-dev.csv.xz"):
            for cable in iter_cables(str(CORPUS / name)):
                if not isinstance(cable, Cable):
                    continue
                record = {"src": name, "d": cable.to_dict()}
                out.write(json.dumps(record, default=str, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
