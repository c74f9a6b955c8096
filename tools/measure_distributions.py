"""Measure the field distributions the synthetic generator imitates.

Reads the dev corpus in place (../shared/corpus: Cablegate pages, cables.csv rows and
the list of all 251,287 reference ids) with a few quick regexes of its own -- it must not
depend on the parser it helps to test -- and writes counts only (numbers, post and tag
names, routing indicators) to src/cablebase/data/generator_distributions.json.

    python tools/measure_distributions.py [--shared ../shared] [--out PATH]
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import html
import json
import lzma
import re
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")
TRAIL = re.compile(r"[ \t]+\n")
META_CLASS = re.compile(r"classification/\d+_0.html' title='[^']*'>([^<]*)<")
META_ORIGIN = re.compile(r"origin/(\d+)_0.html'>([^<]*)<")
REFID = re.compile(r"^(\d\d)([A-Z]+?)(\d+)$")
DTG = re.compile(r"^([ZOPR])(?: ([ZOPR]))? \d{6}Z [A-Z]{3} \d\d\b")
BANNER = re.compile(
    r"^\s*(S\s?E\s?C\s?R\s?E\s?T|C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|UNCLAS\w*)"
    r"(?:\s+SECTION\s+(\d+)\s+OF\s+(\d+))?\s+([A-Z][A-Z .]*?)\s+(\d{4,6})\s*$",
    re.I,
)
EO = re.compile(r"^\s*E\.?O\.?\s", re.I)
TAGS = re.compile(r"^\s*TAGS?:?\s+(.*)$", re.I)
SUBJECT = re.compile(r"^\s*SUBJ(?:ECT)?:\s*(.*)$", re.I)
REF = re.compile(r"^\s*REF(?:S|TEL)?:?\s+(.*)$", re.I)
CLASSBY = re.compile(r"^\s*(?:\(U\)\s*)?CLASSIFIED\s+BY", re.I)
PARA = re.compile(r"^\s*¶?(\d{1,3})\.(?!\d)\s*(\([A-Za-z/ ]{1,12}\))?")
MARKER = re.compile(r"^[A-Za-z .]{2,20} \d{8} \d{3}(?:\.\d)? (?:OF|of) \d{3}$")
REF_LETTER = re.compile(r"(?:^|\s)\(?([A-Ha-h])[.)]\s")
REF_CABLE = re.compile(r"\b(?:\d{2}|\d{4})?\s*[A-Z][A-Z ]{2,20} \d{1,6}\b")
HEADING_UNDERLINE = re.compile(r"^-{3,}$")
SIGNATURE = re.compile(r"^[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+){0,3}$")
# text conventions (FORMAT.md §4.10), read at a paragraph's start or on a line of their own
SUMMARY_LABEL = re.compile(r"^(?:begin\s+)?summary(?:\s+and\s+comment)?\s*[:.\-]", re.I)
COMMENT_LABEL = re.compile(r"^comments?\s*[:.\-]", re.I)
SUMMARY_LINE = re.compile(r"^[-/# ]*summary[-/:. ]*$", re.I)
COMMENT_LINE = re.compile(r"^[-/# ]*comments?[-/:. ]*$", re.I)
END_SUMMARY = re.compile(r"\bend\s+(?:of\s+)?summary\b", re.I)
INLINE_COMMENT = re.compile(r"\(\s*comment\s*:", re.I)
INLINE_NOTE = re.compile(r"\(\s*note\s*:", re.I)


def hist(counter: collections.Counter) -> dict[str, int]:
    return {str(k): v for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))}


def top(counter: collections.Counter, n: int) -> dict[str, int]:
    return dict(counter.most_common(n))


class Stats:
    def __init__(self) -> None:
        c = collections.Counter
        self.cables = 0
        self.classification = c()
        self.caveat = c()
        self.origin_kind = c()
        self.origin_name: dict[str, collections.Counter] = collections.defaultdict(c)
        self.origin_number: dict[str, str] = {}
        self.precedence = c()
        self.info_count = c()
        self.to_count = c()
        self.info_addressees = c()
        self.handling_by_year: dict[int, collections.Counter] = collections.defaultdict(c)
        self.years_seen = c()
        self.captions_count = c()
        self.tags_count = c()
        self.tags = c()
        self.ref_count = c()
        self.ref_kind = c()
        self.paragraphs = c()
        self.para_words = c()
        self.sections = c()
        self.signature = c()
        self.headings = c()
        self.subject_words = c()
        self.subject_portion = c()
        self.portion = c()
        self.classified_by = c()
        self.conventions: dict[str, collections.Counter] = collections.defaultdict(c)

    def header(self, lines: list[str]) -> None:
        role = None
        counts = collections.Counter()
        for line in lines:
            m = DTG.match(line)
            if m:
                self.precedence[m.group(1) + (m.group(2) or "")] += 1
                continue
            if line.startswith("TO "):
                role, line = "to", line[3:]
            elif line.startswith("INFO "):
                role, line = "info", line[5:]
            elif line.startswith(("FM ", "DE ", "ZN", "VZCZC", "BT")) or not line.strip():
                role = None if line.startswith("FM ") else role
                continue
            if role:
                counts[role] += 1
                if role == "info":
                    addr = re.sub(
                        r"\s+(?:NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE)?\s*[\d-]*$", "", line
                    )
                    if "/" in addr.split(" ")[0]:
                        self.info_addressees[addr.strip()] += 1
        if counts["to"]:  # placeholder and dump headers have no address block
            self.info_count[min(counts["info"], 40)] += 1
            self.to_count[min(counts["to"], 10)] += 1

    def body(self, lines: list[str], year: int) -> None:
        self.years_seen[year] += 1
        i = 0
        while i < len(lines) and not BANNER.match(lines[i]):
            i += 1
            if i > 12 or i >= len(lines):
                return
        m = BANNER.match(lines[i])
        self.sections[int(m.group(3)) if m.group(3) else 0] += 1
        caps = 0
        handling = self.handling_by_year[year]
        seen: set[str] = set()
        j = i + 1
        while j < len(lines) and not EO.match(lines[j]) and j < i + 15:
            s = lines[j].strip()
            if s:
                words = s.upper().split()
                if all(w in ("SIPDIS", "NOFORN", "SENSITIVE") for w in words):
                    seen.update(words)
                else:
                    caps += 1
            j += 1
        for w in seen:
            handling[w] += 1
        handling["_cables"] += 1
        self.captions_count[min(caps, 8)] += 1
        # preamble fields
        k = j
        tags_done = subject_done = False
        ref_text: list[str] = []
        in_ref = False
        first_para = None
        for k in range(j, min(len(lines), j + 40)):
            s = lines[k]
            if PARA.match(s) and not s.lstrip().startswith("1.4"):
                first_para = k
                break
            tm = TAGS.match(s)
            if tm and not tags_done:
                tags_done = True
                toks = [t.upper() for t in re.split(r"[\s,;]+", tm.group(1)) if t]
                self.tags_count[min(len(toks), 20)] += 1
                for t in toks:
                    self.tags[t] += 1
                continue
            sm = SUBJECT.match(s)
            if sm and not subject_done:
                subject_done = True
                subj = sm.group(1)
                nxt = lines[k + 1] if k + 1 < len(lines) else ""
                if nxt.strip() and not REF.match(nxt) and not CLASSBY.match(nxt):
                    subj += " " + nxt
                pm = re.match(r"\s*\(([A-Z/]{1,6})\)", subj)
                self.subject_portion[pm.group(1) if pm else ""] += 1
                self.subject_words[min(len(subj.split()) // 2 * 2, 30)] += 1
                continue
            rm = REF.match(s)
            if rm:
                in_ref = True
                ref_text.append(rm.group(1))
                continue
            if CLASSBY.match(s):
                in_ref = False
                self.classified_by[self._cur_class] += 1
                continue
            if in_ref:
                if not s.strip():
                    in_ref = False
                else:
                    ref_text.append(s)
        self._refs(" ".join(ref_text))
        if first_para is None:
            self.paragraphs[0] += 1
            return
        # paragraphs, headings, portion marks
        n = 0
        words = 0
        prev_nonblank = ""
        prev2 = ""
        starts: list[str] = []  # each paragraph's first line after number and mark
        for s in lines[first_para:]:
            if MARKER.match(s.strip()):
                continue
            pm = PARA.match(s)
            if pm:
                starts.append(s[pm.end() :].strip())
                if n:
                    self.para_words[min(words // 10 * 10, 400)] += 1
                n += 1
                words = len(s.split()) - 1
                self.portion[(pm.group(2) or "").upper().replace(" ", "").replace("//", "/")] += 1
                heading = HEADING_UNDERLINE.match(prev_nonblank) or (
                    prev_nonblank.isupper() and len(prev_nonblank.split()) <= 8 and not prev2
                )
                self.headings["yes" if heading else "no"] += 1
            elif s.strip():
                words += len(s.split())
            if s.strip():
                prev2 = prev_nonblank
                prev_nonblank = s.strip()
        if n:
            self.para_words[min(words // 10 * 10, 400)] += 1
        self.paragraphs[min(n, 60)] += 1
        self._conventions(lines[first_para:], starts)
        last = [s.strip() for s in lines if s.strip()][-1:]
        self.signature["own_line" if last and SIGNATURE.match(last[0]) else "other"] += 1

    def _conventions(self, lines: list[str], starts: list[str]) -> None:
        """Per cable: which summary and comment conventions it uses (one count each)."""
        n = len(starts)
        bucket = "1-2" if n <= 2 else "3-5" if n <= 5 else "6+"
        cnt = self.conventions[bucket]
        cnt["cables"] += 1
        stripped = [x.strip() for x in lines]
        body = "\n".join(stripped)
        label = next((k for k, x in enumerate(starts[:3]) if SUMMARY_LABEL.match(x)), None)
        if label is not None:
            cnt["summary_label"] += 1
        elif any(SUMMARY_LINE.match(x) for x in stripped):
            cnt["summary_heading"] += 1
        if END_SUMMARY.search(body):
            cnt["end_summary"] += 1
        if any(COMMENT_LABEL.match(x) for x in starts[1:]):
            cnt["comment_label"] += 1
        elif any(COMMENT_LINE.match(x) for x in stripped):
            cnt["comment_heading"] += 1
        if INLINE_COMMENT.search(body):
            cnt["comment_inline"] += 1
        if INLINE_NOTE.search(body):
            cnt["note_inline"] += 1

    def _refs(self, text: str) -> None:
        if not text.strip():
            self.ref_count[0] += 1
            return
        letters = REF_LETTER.findall(" " + text)
        items = max(1, len({x.upper() for x in letters}))
        self.ref_count[min(items, 12)] += 1
        up = text.upper()
        for kind, pat in (
            ("email", r"E-?MAIL"),
            ("telcon", r"TELCON|PHONE|SVTC"),
            ("memo", r"MEMO|LETTER|NON-PAPER|POINTS"),
            ("report", r"\bIIR\b|TD-314"),
            ("dtg", r"\bDTG\b"),
            ("other", r"SEPTEL"),
        ):
            if re.search(pat, up):
                self.ref_kind[kind] += 1
        self.ref_kind["cable"] += len(REF_CABLE.findall(up))

    def container(self, refid: str, classification: str, origin: str) -> None:
        self.cables += 1
        level, _, caveat = classification.partition("//")
        self._cur_class = level
        self.classification[level] += 1
        self.caveat[caveat or "-"] += 1
        kind = origin.split(" ")[0]
        m = REFID.match(refid)
        if m:
            self.origin_name[m.group(2)][origin] += 1
        self.origin_kind[kind] += 1


def lines_of(text: str) -> list[str]:
    return TRAIL.sub("\n", text.replace("\r", "")).split("\n")


def measure(shared: Path) -> dict:
    st = Stats()
    corpus = shared / "corpus"
    with tarfile.open(corpus / "cablegate-html-dev.tar.xz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            page = tar.extractfile(member).read().decode("utf-8", "replace")
            pres = PRE.findall(page)
            table = page[page.find("<table class='cable'>") :]
            cm = META_CLASS.search(table)
            om = META_ORIGIN.search(table)
            refid = member.name.rsplit("/", 1)[-1].removesuffix(".html")
            if not (cm and om and len(pres) == 2):
                continue
            st.origin_number[om.group(2)] = om.group(1)
            st.container(refid, cm.group(1), om.group(2))
            year = int(member.name.split("/")[1])
            st.header(lines_of(html.unescape(TAG.sub("", pres[0]))))
            st.body(lines_of(html.unescape(TAG.sub("", pres[1]))), year)
    csv.field_size_limit(1 << 30)
    with lzma.open(corpus / "cables-dev.csv.xz", "rt", encoding="utf-8", newline="") as f:
        for row in csv.reader(f, quotechar='"', escapechar="\\"):
            if len(row) != 8:
                continue
            st.container(row[2], row[4], row[3])
            year = int(row[1].split(" ")[0].split("/")[-1])
            st.header(lines_of(row[6]))
            st.body(lines_of(row[7]), year)
    # every reference id: year/month and post frequency
    months = collections.Counter()
    posts = collections.Counter()
    with gzip.open(corpus / "cablegate-refids.csv.gz", "rt") as f:
        next(f)
        for line in f:
            refid, _, month = line.strip().partition(",")
            m = REFID.match(refid)
            if not m:
                continue
            yy = int(m.group(1))
            year = 1900 + yy if yy >= 50 else 2000 + yy
            months[f"{year}-{int(month):02d}"] += 1
            posts[m.group(2)] += 1
    routes = {}
    with open(shared / "reference" / "route2name.csv") as f:
        for row in csv.reader(f):
            if len(row) == 2 and row[0].startswith("RUEH"):
                routes.setdefault(row[1].strip(), row[0].strip())
    return assemble(st, months, posts, routes)


KINDS = {"Embassy": "AMEMBASSY", "Consulate": "AMCONSUL", "Mission": "USMISSION"}


def assemble(st: Stats, months, posts, routes) -> dict:
    post_table = []
    for refpost, count in posts.most_common():
        names = st.origin_name.get(refpost)
        if refpost == "STATE":
            post_table.append(["STATE", "SECSTATE WASHDC", "Secretary of State", count, "RUEHC"])
            continue
        if not names:
            continue
        origin = names.most_common(1)[0][0]
        kind, _, place = origin.partition(" ")
        if kind not in KINDS or not re.fullmatch(r"[A-Za-z ]+", place):
            continue
        banner = place.upper()
        # the parser title-cases FM words; keep only posts where that reproduces the origin
        if (
            banner.replace(" ", "") != refpost
            or " ".join(w.capitalize() for w in banner.split()) != place
        ):
            continue
        sender = f"{KINDS[kind]} {banner}"
        route = routes.get(sender) or routes.get(f"AMEMBASSY {banner}")
        post_table.append([banner, sender, origin, count, route])
        if len(post_table) >= 400:
            break
    handling = {}
    for year, cnt in sorted(st.handling_by_year.items()):
        total = cnt.pop("_cables")
        if total >= 20:
            handling[str(year)] = {k: round(v / total, 4) for k, v in cnt.items()} | {"_n": total}
    return {
        "about": "Counts measured on the dev corpus by tools/measure_distributions.py; facts only.",
        "cables_measured": st.cables,
        "months": dict(sorted(months.items())),
        "posts": post_table,
        "posts_coverage": round(sum(p[3] for p in post_table) / max(1, sum(posts.values())), 4),
        "classification": top(st.classification, 10),
        "caveat": top(st.caveat, 10),
        "origin_kind": top(st.origin_kind, 10),
        "precedence": top(st.precedence, 10),
        "to_count": hist(st.to_count),
        "info_count": hist(st.info_count),
        "info_addressees": top(st.info_addressees, 120),
        "handling_by_year": handling,
        "captions_count": hist(st.captions_count),
        "tags_count": hist(st.tags_count),
        "tags": {t: n for t, n in st.tags.most_common(400) if re.fullmatch(r"[A-Z]{2,6}", t)},
        "ref_count": hist(st.ref_count),
        "ref_kind": top(st.ref_kind, 10),
        "paragraphs": hist(st.paragraphs),
        "paragraph_words": hist(st.para_words),
        "sections": hist(st.sections),
        "signature": top(st.signature, 5),
        "headings": top(st.headings, 5),
        "subject_words": hist(st.subject_words),
        "subject_portion": top(st.subject_portion, 10),
        "portion": top(st.portion, 14),
        "classified_by": top(st.classified_by, 10),
        "conventions": {k: dict(sorted(v.items())) for k, v in sorted(st.conventions.items())},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "src/cablebase/data/generator_distributions.json"
    )
    args = ap.parse_args()
    data = measure(args.shared)
    args.out.write_text(json.dumps(data, indent=0, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {data['cables_measured']} cables)")


if __name__ == "__main__":
    main()
