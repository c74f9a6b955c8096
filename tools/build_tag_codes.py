#!/usr/bin/env python3
"""Build src/cablebase/data/tag_codes.json: which TAGS words are codes, and known free-tag phrases.

Derived data only, counted from the TAGS lines of the dev corpus in ../shared/corpus (read in
place, not shipped):

- ``codes``: upper-case tokens of 3 to 6 letters that stand alone as a tag (a comma piece of a
  cables.csv TAGS line, or a word of a Cablegate page's TAGS line) in at least MIN_CABLES cables
  of at least MIN_POSTS posts.  Subject tags (`PGOV`), program tags (`KPAL`) and organisation
  tags (`NATO`, `UNESCO`) pass; a person's or a place's name, used by one post, does not.
- ``phrases``: free tags of several words written as one comma piece of a cables.csv TAGS line
  (`GAZA DISENGAGEMENT`), upper-cased, seen in at least MIN_PHRASE cables; a Cablegate page
  writes them without commas, and the list lets the parser keep them whole there.
- ``free_tags``: every free tag (not a code) that cables write apart from the tags beside it,
  with the number of cables that do: a comma piece of a cables.csv TAGS line (`HUMAN RIGHTS`,
  `POLMIL`), or a run of several non-code words that a Cablegate page's TAGS line has between
  codes or the line's ends (`ITALIAN POLITICS`), not a person's name after OVIP.  Kept when seen
  in at least MIN_FREE cables.  The parser cuts a page's run of words with no commas into these
  (`HUMAN RIGHTSPOLMIL`, two tags glued) only when every piece is one of them.
- ``expansions``: the publisher's mixed-case comma pieces of cables.csv TAGS lines that hold an
  upper-case word (`Defense Reform (Mil & NATO)`, `PSOE - Socialist Party`), seen in at least
  MIN_FREE cables: on a page, whose site linked each word, the parser drops the whole run
  rather than read `NATO` or `PSOE` as the cable's code.

Two-letter country codes need no list (every two-letter tag word is one).

Run from the repository root:  python tools/build_tag_codes.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import html
import io
import json
import lzma
import re
import tarfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cablebase" / "data" / "tag_codes.json"
MIN_CABLES, MIN_POSTS, MIN_PHRASE, MIN_FREE = 3, 2, 1, 2

TAGS_LINE = re.compile(r"(?m)^[ \t]*TAGS?[ \t]*:?[ \t]+(\S.*)$")
CSV_ID = re.compile(r'^"\d+","[^"]*","(\d\d)([A-Z]+?)\d+"')
HTML_ID = re.compile(r"/(\d\d)([A-Z]+?)\d+\.html$")
WORD = re.compile(r"[A-Z]{3,6}")
# Words that are never a code, however often they stand alone (free-tag words, labels).
NOT_CODES = frozenset(["SIPDIS", "TAGS", "SUBJECT", "REF", "NOFORN", "THE", "AND", "FOR"])
# A free tag's shape: upper-case words, with `&`, `'`, `/`, `.` or `-` inside.
FREE_TAG = re.compile(r"[A-Z][A-Z '&/.-]*[A-Z]")
MARKUP = re.compile(r"<[^>]+>")  # a page links each word of its TAGS line
LIST_PIECE = re.compile(r"[,;](?![^()]*\))")  # a comma outside brackets
UPPER_WORD = re.compile(r"\b[A-Z]{2,}\b")


def _pieces(line: str) -> tuple[list[str], bool]:
    line = re.sub(r"\([^()]*\)", " ", line)  # `OVIP (CLINTON, HILLARY)`: the name is no code
    line = re.sub(r"\([^()]*$", " ", line)  # a group the next line closes: names too
    if "," in line or ";" in line:
        return [p.strip() for p in re.split(r"[,;]", line) if p.strip()], True
    return line.split(), False


def build(shared: Path) -> dict:
    cables: dict[str, set[str]] = defaultdict(set)
    posts: dict[str, set[str]] = defaultdict(set)
    phrases: dict[str, set[str]] = defaultdict(set)
    free: dict[str, set[str]] = defaultdict(set)  # free tags written apart, by cable
    page_lines: list[tuple[str, str]] = []  # (cable, TAGS value) of pages without commas
    expansions: dict[str, set[str]] = defaultdict(set)  # the publisher's, by cable

    def add(cable: str, post: str, value: str) -> None:
        pieces, listed = _pieces(value)
        for p in pieces:
            if WORD.fullmatch(p) and p not in NOT_CODES:
                cables[p].add(cable)
                posts[p].add(post)
            elif (
                listed
                and p == p.upper()
                and " " in p
                and re.fullmatch(r"[A-Z][A-Z '&/.-]+[A-Z]", p)
            ):
                words = p.split()
                if 2 <= len(words) <= 4:
                    phrases[" ".join(words)].add(cable)
            if listed and p == p.upper() and FREE_TAG.fullmatch(p) and not WORD.fullmatch(p):
                free[" ".join(p.split())].add(cable)
            elif listed and WORD.fullmatch(p) and p not in NOT_CODES:
                free[p].add(cable)  # a code among them is dropped below

    corpus = shared / "corpus"
    with tarfile.open(corpus / "cablegate-html-dev.tar.xz") as tar:
        for m in tar:
            mid = HTML_ID.search(m.name)
            if not m.isfile() or not mid:
                continue
            raw = tar.extractfile(m).read().decode("utf-8", "replace")  # type: ignore[union-attr]
            text = html.unescape(raw)  # a page writes its line breaks as `&#x000A;`
            found = TAGS_LINE.search(text)
            if found:
                add(m.name, mid.group(2), found.group(1))
                value = MARKUP.sub("", found.group(1))
                if not re.search(r"[,;()]", value):
                    page_lines.append((m.name, value))
    with lzma.open(corpus / "cables-dev.csv.xz") as fh:
        cable, post, seen = None, None, False
        for raw in io.TextIOWrapper(fh, encoding="utf-8", errors="replace"):
            mid = CSV_ID.match(raw)
            if mid:
                cable, post, seen = raw[:40], mid.group(2), False
                continue
            if cable and not seen:
                found = TAGS_LINE.match(raw.rstrip("\n"))
                if found:
                    seen = True
                    add(cable, post or "", found.group(1))
                    for piece in LIST_PIECE.split(found.group(1)):
                        piece = " ".join(piece.split())
                        if piece != piece.upper() and UPPER_WORD.search(piece):
                            expansions[piece].add(cable)
    codes = sorted(w for w in cables if len(cables[w]) >= MIN_CABLES and len(posts[w]) >= MIN_POSTS)
    code_set = set(codes)

    def all_codes(phrase: str) -> bool:
        """`PHUM BM`, `PGOV. PREL`, `BK BOSNIA AND …`: codes that lost a comma, no phrase."""
        words = phrase.split()
        return (
            len(words[0]) == 2
            or any(w.endswith(".") for w in words)
            or all(len(w) == 2 or w in code_set for w in words)
        )

    kept = sorted(p for p, c in phrases.items() if len(c) >= MIN_PHRASE and not all_codes(p))
    for cable, value in page_lines:
        for run in _page_runs(value, code_set):
            free[run].add(cable)
    free_tags = {
        t: len(c)
        for t, c in sorted(free.items())
        if len(c) >= MIN_FREE and t not in code_set and not all_codes(t)
    }
    return {
        "about": "Derived by tools/build_tag_codes.py from TAGS lines of the dev corpus.",
        "codes": codes,
        "phrases": kept,
        "free_tags": free_tags,
        "expansions": sorted(e for e, c in expansions.items() if len(c) >= MIN_FREE),
    }


def _page_runs(value: str, codes: set[str]) -> list[str]:
    """Runs of two or more non-code words on a page's TAGS line, between codes or the line's
    ends; a name after OVIP is a person, no free tag."""
    runs: list[str] = []
    run: list[str] = []
    after_ovip = False
    for w in [*value.split(), "ZZ"]:  # ZZ: a code-shaped end
        if len(w) == 2 and w.isalpha() or w in codes or re.fullmatch(r"K[A-Z]{3}", w):
            if len(run) >= 2 and not after_ovip and FREE_TAG.fullmatch(" ".join(run)):
                runs.append(" ".join(run))
            run, after_ovip = [], w == "OVIP"
        else:
            run.append(w)
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared")
    args = ap.parse_args()
    data = build(args.shared.resolve())
    OUT.write_text(json.dumps(data, indent=0) + "\n")
    print(
        f"{OUT}: {len(data['codes'])} codes, {len(data['phrases'])} phrases, "
        f"{len(data['free_tags'])} free tags"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
