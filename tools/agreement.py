"""How far the two forms of the same cable agree: Cablegate page vs cables.csv row.

    python tools/agreement.py [--shapes N] [--field NAME]

Reads ../shared/corpus in place, parses every cable present both in cablegate-html-dev.tar.xz
and cables-dev.csv.xz, and prints, per field the merge compares (archive/merge.py COMPARED:
the same comparison that makes a `merge.disagree` warning), how many pairs carry it in both
forms, how many agree, and the share.  --shapes N prints N disagreeing pairs per field.
"""

from __future__ import annotations

import argparse
import tarfile
from collections import Counter
from pathlib import Path

from cablebase.archive.merge import COMPARED, compare
from cablebase.forms.sources import iter_items
from cablebase.grammar import parse_unwrapped
from cablebase.parse import parse_text

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
HTML_TAR = CORPUS / "cablegate-html-dev.tar.xz"
CABLES_CSV = CORPUS / "cables-dev.csv.xz"


def pairs() -> list[tuple]:
    with tarfile.open(HTML_TAR) as tar:
        names = {Path(n).stem: n for n in tar.getnames() if n.endswith(".html")}
    csv = {}
    for item in iter_items(CABLES_CSV):
        rid = getattr(getattr(item, "meta", None), "reference_id", None)
        if rid and rid.strip() in names:
            csv[rid.strip()] = parse_unwrapped(item)
    out = []
    with tarfile.open(HTML_TAR) as tar:
        for rid in sorted(csv):
            f = tar.extractfile(names[rid])
            if f is None:
                continue
            html = parse_text(f.read().decode("utf-8", "replace"), form="html")
            out.append((rid, html, csv[rid]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shapes", type=int, default=0, help="disagreeing pairs to print per field")
    ap.add_argument("--field", help="only this field's shapes")
    args = ap.parse_args()
    if not HTML_TAR.exists() or not CABLES_CSV.exists():
        raise SystemExit(f"corpus not found under {CORPUS}")
    found = pairs()
    both, agree = Counter(), Counter()
    bad: dict[str, list] = {f.name: [] for f in COMPARED}
    everything = 0
    for rid, html, csv in found:
        result = compare(html, csv)
        if all(v is not False for v in result.values()):
            everything += 1
        for name, ok in result.items():
            if ok is None:
                continue
            both[name] += 1
            agree[name] += ok
            if not ok:
                bad[name].append(rid)
    print(f"{len(found)} cables in both forms; all compared fields agree on {everything}")
    print(f"{'field':<16} {'both':>5} {'agree':>6} {'share':>7}")
    for f in COMPARED:
        n = both[f.name]
        share = f"{100 * agree[f.name] / n:6.1f}%" if n else "     -"
        print(f"{f.name:<16} {n:>5} {agree[f.name]:>6} {share}")
    if args.shapes:
        by_id = {rid: (h, c) for rid, h, c in found}
        for f in COMPARED:
            if args.field and f.name != args.field or not bad[f.name]:
                continue
            print(f"\n== {f.name}: {len(bad[f.name])} disagree")
            for rid in bad[f.name][: args.shapes]:
                h, c = by_id[rid]
                print(f"  {rid}\n    html: {f.key(h)!r}\n    csv:  {f.key(c)!r}")


if __name__ == "__main__":
    main()
