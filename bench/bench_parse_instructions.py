"""Instructions executed to parse a fixed sample of the dev corpus: a before/after measure that a
shared machine does not disturb (CPU and wall time on the project VM vary by ±7 % run to run).

    python bench/bench_parse_instructions.py [SRC ...]

Each SRC is a `src` folder (default: this checkout's); for the code at a commit, use a worktree:
`git worktree add --detach /tmp/old COMMIT` and pass /tmp/old/src.  Needs valgrind.  The sample
is every 10th Cablegate page (578) and the first 1,000 cables.csv rows, read into memory first.
The parser is warmed first: it reads the reference tables from ../shared (the Cablegate id list
and route2name.csv, about 420 M instructions) and parses one page and one row (the post tables
and regexes it loads on first use, about 45 M): one-time costs, not costs per cable.  The count
of an interpreter that loads the sample and warms the parser is subtracted.
Hash randomisation is off (PYTHONHASHSEED=0), so a count repeats to within about 0.1 %.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
_ROW_START = re.compile(rb'(?m)^"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}",')

# Run in the child: parse the sample's `html` pages or `csv` rows, or nothing (`none`).
_CHILD = """
import io, pickle, sys
from cablebase.grammar.header_routes import load_route_names
from cablebase.ids import KNOWN_IDS
from cablebase.parse import iter_cables, parse_text
pages, rows, warm_page, warm_row = pickle.load(open(sys.argv[1], "rb"))
KNOWN_IDS.available, load_route_names()  # read once per process, whatever it parses
parse_text(warm_page, form="html")
for _ in iter_cables(io.BytesIO(warm_row), form="csv"):
    pass
if sys.argv[2] == "html":
    for page in pages:
        parse_text(page, form="html")
elif sys.argv[2] == "csv":
    for _ in iter_cables(io.BytesIO(rows), form="csv"):
        pass
"""


def _sample(path: Path) -> None:
    import lzma
    import tarfile

    with tarfile.open(CORPUS / "cablegate-html-dev.tar.xz") as tar:
        pages = [tar.extractfile(m).read().decode("utf-8") for m in tar if m.isfile()]
    with lzma.open(CORPUS / "cables-dev.csv.xz") as f:
        data = f.read()
    starts = [m.start() for m in _ROW_START.finditer(data)]
    rows = data[: starts[1000]] if len(starts) > 1000 else data
    # the warm-up cables are not in the sample: the second page, the row after the sample's
    warm_row = data[starts[1000] : starts[1001]] if len(starts) > 1001 else b""
    path.write_bytes(pickle.dumps((pages[::10], rows, pages[1], warm_row)))


def _instructions(src: str, sample: Path, child: Path, what: str) -> int:
    env = dict(os.environ, PYTHONPATH=src, PYTHONHASHSEED="0")
    out = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            os.path.realpath(sys.executable),  # not a pyenv shim: valgrind must see python
            str(child),
            str(sample),
            what,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if m is None:
        raise SystemExit(f"no instruction count from valgrind:\n{out.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind not found")
    if not (CORPUS / "cablegate-html-dev.tar.xz").exists():
        raise SystemExit("../shared/corpus not found")
    srcs = sys.argv[1:] or [str(ROOT / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        sample, child = Path(tmp) / "sample.pkl", Path(tmp) / "child.py"
        _sample(sample)
        child.write_text(_CHILD)
        for src in srcs:
            base = _instructions(src, sample, child, "none")
            for what, unit in (("html", "578 pages"), ("csv", "1,000 rows")):
                n = _instructions(src, sample, child, what) - base
                print(f"{src}  {what:<4} {n / 1e6:8,.0f} M instructions ({unit})", flush=True)


if __name__ == "__main__":
    main()
