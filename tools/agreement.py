"""How far the two forms of the same cable agree: Cablegate page vs cables.csv row.

    python tools/agreement.py [--shapes N] [--field NAME] [--html PAGES] [--csv CABLES.CSV]
    python tools/agreement.py --generated N --form markdown [--shapes N]
    python tools/agreement.py --rows-as-pages [N] [--csv CABLES.CSV] [--shapes N]

Reads the inputs in place (by default ../shared/corpus: cablegate-html-dev.tar.xz and
cables-dev.csv.xz, which share no reference id), parses every cable present in both, and
prints, per field the merge compares (archive/merge.py COMPARED: the same comparison that
makes a `merge.disagree` warning), how many pairs carry it in both forms, how many agree, and
the share.  --shapes N prints N disagreeing pairs per field.  --generated N compares instead
N generated cables (seed 33) rendered as a page and in --form: the parsers' own consistency.
--rows-as-pages [N] renders each of the first N (default all) cables.csv rows as the site
rendered its pages (tools/row_page.py, from the raw row) and compares the page's parse with
the row's: real text in both forms.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

from cablebase.archive.merge import COMPARED, compare
from cablebase.forms.sources import iter_items
from cablebase.grammar import parse_unwrapped

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
HTML_TAR = CORPUS / "cablegate-html-dev.tar.xz"
CABLES_CSV = CORPUS / "cables-dev.csv.xz"


def _items(path: Path):
    """(reference id or None, unwrapped item) of every cable in a file, folder or archive."""
    for item in iter_items(path):
        if hasattr(item, "meta"):  # a Failure has none
            rid = item.meta.reference_id
            yield (rid.strip() if rid else None), item


def pairs(html_path: Path, csv_path: Path) -> list[tuple]:
    """(id, page record, other record) of every cable present in both inputs.  The second
    input may be of any form: an item without a container id is parsed to find its id."""
    html_ids = {rid for rid, _ in _items(html_path)}
    other = {}
    for rid, u in _items(csv_path):
        if rid is None or rid in html_ids:
            record = parse_unwrapped(u)
            if record.reference_id in html_ids:
                other[record.reference_id] = record
    out = [(rid, parse_unwrapped(u), other[rid]) for rid, u in _items(html_path) if rid in other]
    return sorted(out, key=lambda t: t[0])


def generated_pairs(n: int, form: str) -> list[tuple]:
    from cablebase.generate import generate
    from cablebase.parse import parse_text
    from cablebase.render import to_form

    out = []
    for c in generate(n, seed=33):
        page = parse_text(to_form(c, "html"), form="html")
        other = parse_text(to_form(c, form), form=form, reference_id=c.reference_id)
        out.append((c.reference_id, page, other))
    return out


def row_page_pairs(csv_path: Path, n: int | None = None) -> list[tuple]:
    """(id, page record, row record) of the first n rows of a cables.csv, each row rendered
    as a Cablegate page by tools/row_page.py and read back by the page reader."""
    import itertools
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from row_page import row_page

    from cablebase.forms.html import unwrap_html

    out = []
    rows = (u for u in iter_items(csv_path) if hasattr(u, "meta"))
    for u in itertools.islice(rows, n):
        page = parse_unwrapped(unwrap_html(row_page(u)))
        row = parse_unwrapped(u)
        out.append((row.reference_id or str(u.offset), page, row))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shapes", type=int, default=0, help="disagreeing pairs to print per field")
    ap.add_argument("--field", help="only this field's shapes")
    ap.add_argument("--html", type=Path, default=HTML_TAR, help="Cablegate pages (tar, folder)")
    ap.add_argument("--csv", type=Path, default=CABLES_CSV, help="cables.csv, or any other form")
    ap.add_argument("--generated", type=int, default=0, help="generated cables instead")
    ap.add_argument("--form", default="csv", help="the other form of --generated")
    ap.add_argument(
        "--rows-as-pages",
        type=int,
        nargs="?",
        const=-1,
        default=0,
        metavar="N",
        help="every (or the first N) cables.csv row rendered as a page, both parsed",
    )
    args = ap.parse_args()
    if args.rows_as_pages:
        n = None if args.rows_as_pages < 0 else args.rows_as_pages
        found = row_page_pairs(args.csv, n)
    elif args.generated:
        found = generated_pairs(args.generated, args.form)
    elif not args.html.exists() or not args.csv.exists():
        raise SystemExit(f"not found: {args.html} or {args.csv}")
    else:
        found = pairs(args.html, args.csv)
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
                a, b = f.key(h), f.key(c)
                if isinstance(a, str) and isinstance(b, str):  # from just before they differ
                    k = max(len(os.path.commonprefix([a, b])) - 30, 0)
                    a, b = a[k : k + 100], b[k : k + 100]
                print(f"  {rid}\n    html:  {a!r}\n    other: {b!r}")


if __name__ == "__main__":
    main()
