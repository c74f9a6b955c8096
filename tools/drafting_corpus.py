#!/usr/bin/env python3
"""Run the drafting rules over the dev corpus, as if each real cable were a draft.

Each cable is judged on its own date (the rules in force then; declassification after that
date), REF items resolve against all Cablegate ids (../shared/corpus/cablegate-refids.csv.gz).
Prints a markdown table: per rule, how many cables it fires on in each part of the corpus, and
writes every firing to --samples (JSON lines: rule, cable id, line, message) for reading by hand.

Run from the repository root:
    python tools/drafting_corpus.py [--shared ../shared] [--samples /tmp/firings.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from pathlib import Path

from cablebase.drafting.draft import draft_from_cable
from cablebase.drafting.rules import RULES, Context, run
from cablebase.forms.sources import Failure
from cablebase.parse import iter_cables

ROOT = Path(__file__).resolve().parents[1]
# Rules that judge something absent: a partial extract (Cablegate's `This record is a partial
# extract of the original cable`) lost its header and parts of its text, so they do not apply.
ABSENCE = frozenset(
    [
        "addressee.missing", "post.missing", "classified-by.missing", "subject.missing",
        "signer.missing", "eo.missing", "decl.missing", "reasons.missing", "tags.missing",
        "marking.banner-missing", "summary.required", "marking.portion-missing",
    ]
)  # fmt: skip
PARTS = (("cablegate-html-dev.tar.xz", "Cablegate pages"), ("cables-dev.csv.xz", "cables.csv"))


def load_ids(shared: Path) -> set[str]:
    with gzip.open(shared / "corpus" / "cablegate-refids.csv.gz", "rt") as f:
        next(f)
        return {line.split(",", 1)[0] for line in f}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--samples", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None, help="cables per part (a quick look)")
    args = ap.parse_args()
    ids = load_ids(args.shared)
    ctx = Context(resolve=lambda rid: rid in ids)
    fired: dict[str, Counter] = {label: Counter() for _, label in PARTS}
    in_force: dict[str, Counter] = {label: Counter() for _, label in PARTS}
    totals: Counter = Counter()
    skipped: Counter = Counter()
    out = args.samples.open("w") if args.samples else None
    start = time.time()
    for name, label in PARTS:
        for n, cable in enumerate(iter_cables(args.shared / "corpus" / name)):
            if args.limit and n >= args.limit:
                break
            if isinstance(cable, Failure):
                continue
            totals[label] += 1
            if cable.partial:
                skipped[label] += 1
            draft = draft_from_cable(cable)
            applies = {
                r.id
                for r in RULES
                if (r.since is None or draft.date >= r.since)
                and not (cable.partial and r.id in ABSENCE)
            }
            for rid in applies:
                in_force[label][rid] += 1
            seen = set()
            for f in run(draft, ctx, select=applies):
                if f.severity == "info":
                    key = f"{f.rule} (info)"
                else:
                    key = f.rule
                if key not in seen:
                    fired[label][key] += 1
                    seen.add(key)
                if out:
                    rec = {"rule": key, "id": cable.reference_id, "part": label}
                    rec |= {"line": f.line, "message": f.message}
                    out.write(json.dumps(rec) + "\n")
    if out:
        out.close()
    print(
        f"<!-- {sum(totals.values())} cables in {time.time() - start:.0f} s;"
        f" partial extracts (absence rules not applied): {dict(skipped)} -->"
    )
    labels = [label for _, label in PARTS]
    head = " | ".join(f"{lb} ({totals[lb]:,} cables)" for lb in labels)
    print(f"| rule | severity | {head} |")
    print("|---|---|" + "---|" * len(labels))
    keys = sorted({k for c in fired.values() for k in c} | {r.id for r in RULES})
    sev = {r.id: r.severity for r in RULES}
    for key in keys:
        rid = key.split(" ")[0]
        cells = []
        for lb in labels:
            n, base = fired[lb][key], in_force[lb][rid]
            pct = f" ({100 * n / base:.1f}%)" if base else ""
            cells.append(f"{n:,}{pct}" if base else "not in force")
        severity = "info" if key.endswith("(info)") else sev.get(rid, "?")
        print(f"| `{key}` | {severity} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
