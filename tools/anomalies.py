"""Count suspicious field values over the dev corpus, per kind, with example ids.

Parses every cable of ../shared/corpus (Cablegate pages and cables.csv rows, read in place)
and flags values a correct parser should rarely give: a Classified By name carrying title or
reason words, tags that are not code-shaped, signers that are not surnames, references that do
not exist in the Cablegate universe, over-long subjects, missing summaries, LOU markings read as
another class, and the same cable disagreeing with itself across its two forms. The counts are
leads for reading cables by hand (docs/coverage.md keeps them before and after parser work),
not a score: some flagged values are right.

    python3 tools/anomalies.py [--shared ../shared] [--examples 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cablebase.parse import iter_cables  # noqa: E402
from cablebase.record import Cable  # noqa: E402

# Words of job titles and offices, with misspelt stems (Ambassaor, Counseor, Direcotr).
TITLE_WORDS = re.compile(
    r"\b(?:amb\w*|charg\w*|d'?affair\w*|couns\w*|coun\w*or|dir\w*or|director\w*|chief|"
    r"officer|deputy|dcm|cda|consul\w*|attach\w*|secretary|minister|coordinator|"
    r"representative|polcouns|pol|econ|poloff|econoff|mgmt|management|section|office|"
    r"embassy|mission|usun|usnato|usmission|head|acting|assistant|principal|advisor|"
    r"adviser|special|political|economic|defense|military|affairs|unit|ltc|col|"
    r"colonel|general|envoy|a/dcm|p/e|s/e|pe|rso|dao|odc|lt)\b",
    re.I,
)
REASON_WORDS = re.compile(
    r"\b(?:reasons?|rasons?|due|for|per|1\.[45]|e\.?o\.?|12958|13526|ref|reftel|this|"
    r"message|added|line|section)\b|[-:;(]\s*$",
    re.I,
)
CODE_SHAPE = re.compile(r"^(?:[A-Z]{2}|[A-Z]{4}|K[A-Z]{3})$")
TAGS_LINE = re.compile(r"^\s*(?:TAGS?|TAS|TABS|TGS|TAGES|TAGSS)\s*[:;.]?\s+\S", re.I | re.M)
SENTENCE_WORDS = {
    "THE", "OF", "AND", "TO", "IS", "IN", "FOR", "ON", "END", "THAT", "WITH", "BE", "WILL",
    "THIS", "ARE", "WAS", "NOT", "IT", "AS", "BY", "AT", "COMMENT", "SUMMARY", "NOTE",
    "TEXT", "UNQUOTE", "MINIMIZE", "CONSIDERED", "SIPDIS", "CLASSIFIED", "UNCLASSIFIED",
    "CONFIDENTIAL", "SECRET", "PAGE",
}  # fmt: skip
PAGE_MARKER = re.compile(r"\bPAGE\s+\d+\b|\b\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\b", re.I)
SUMMARY_WORD = re.compile(r"\bSUMMARY\b", re.I)
LOU = re.compile(r"\bLIMITED\s+OFFICIAL\s+USE\b|^\s*LOU\b", re.I | re.M)
REFID = re.compile(r"^(\d\d)([A-Z-]+?)(\d+)$")
# A summary marker opening a line or paragraph (`2. (C) Summary:`, `SUMMARY.`, `END SUMMARY`),
# stricter than SUMMARY_WORD, which also counts the word in prose and in subjects.
SUMMARY_MARK = re.compile(
    r"^\s*(?:\d{1,2}\s*[.)]\s*)?(?:\([A-Z/ ]{1,8}\)\s*)?SUMMARY\s*(?:AND\s+COMMENT\s*)?[:.-]"
    r"|\bEND\s+(?:OF\s+)?SUMMARY\b",
    re.I | re.M,
)
# A REF label opening a line of the preamble, with an item (`REF: NONE` has none).
REF_LINE = re.compile(
    r"^[ \t]*(?:REFS?|REFTELS?|REFERENCES?)[ \t]*[:.][ \t]*(?!(?:NONE|N/?A|NIL)\b)\S", re.I | re.M
)
# The text's last line is one or two upper-case words: the shape of a signature.
LAST_LINE_NAME = re.compile(r"(?:^|\n)[ \t]*([A-Z][A-Z'-]+(?:[ \t]+[A-Z][A-Z'-]+)?)[ \t]*\s*$")

KINDS = {
    "classified_by.title_words": "Classified By name with title or office words",
    "classified_by.long": "Classified By name longer than 4 words",
    "classified_by.reason_words": "Classified By name with reason words or a dangling mark",
    "classified_by.missing": "no Classified By name though the text says CLASSIFIED BY",
    "tags.space": "a tag with a space",
    "tags.lower": "a tag with lower case",
    "tags.shape": "a tag neither code-shaped nor a known subject/organisation tag",
    "tags.missing": "a TAGS-like line but no tags",
    "signers.implausible": "signer with sentence words, NNN, all lower case or > 3 words",
    "signers.missing": "no signer",
    "signers.missing_name": "no signer though the text's last line is one or two upper-case words",
    "references.unknown_post": "REF cable id whose post is not in the Cablegate universe",
    "references.unknown_id": "REF cable id (known post) not in the universe (weak: a share of serials)",
    "references.after_cable": "REF cable id dated after the citing cable",
    "references.year_shift": "REF cable id unknown, but the same post and number a year earlier exists",
    "references.page_marker": "REF item that looks like a page marker",
    "references.missing": "no references though a preamble line opens with a REF label",
    "subject.long": "subject over 200 characters",
    "subject.missing": "no subject though the cable has an E.O. line",
    "summary.missing": "no summary though SUMMARY appears in the text",
    "summary.missing_marker": "no summary though a line opens with a SUMMARY marker or says END SUMMARY",
    "classification.lou": "LIMITED OFFICIAL USE marking read neither as the class nor as a marking",
    "forms.tags": "same cable, HTML and CSV forms: tags differ",
    "forms.subject": "same cable, HTML and CSV forms: subject differs",
    "forms.signers": "same cable, HTML and CSV forms: signers differ",
    "forms.created_minute": "same cable, HTML and CSV forms: created minute differs",
}


def load_universe(path: Path) -> tuple[dict[str, str], set[str]]:
    """Reference id -> 'YYYY-MM', and the set of posts the ids use."""
    ids: dict[str, str] = {}
    posts: set[str] = set()
    with gzip.open(path, "rt") as fh:
        next(fh)
        for line in fh:
            refid, _, month = line.strip().partition(",")
            m = REFID.match(refid)
            if not m:
                continue
            yy = int(m.group(1))
            year = 1900 + yy if yy >= 60 else 2000 + yy
            ids[refid] = f"{year}-{int(month):02d}"
            posts.add(m.group(2))
    return ids, posts


def _known_tags(shared: Path) -> set[str]:
    out: set[str] = set()
    for name in ("subject-tags.txt", "organization-tags.txt"):
        p = shared / "reference" / name
        if p.exists():
            out |= {w.strip().upper() for w in p.read_text().split("\n") if w.strip()}
    return out


def _signer_odd(name: str) -> bool:
    words = name.split()
    return (
        not words
        or len(words) > 3
        or name == name.lower()
        or bool(re.search(r"\bNNN", name))
        or any(w.strip(".,").upper() in SENTENCE_WORDS for w in words)
    )


def check(cable: Cable, ids: dict[str, str], posts: set[str], known: set[str]):
    """Yield the anomaly kinds of one cable."""
    body = (cable.source.body if cable.source else "") or ""
    cb = cable.classified_by
    if cb is not None and cb.name:
        name = cb.name
        if TITLE_WORDS.search(name):
            yield "classified_by.title_words"
        if len(name.split()) > 4:
            yield "classified_by.long"
        if REASON_WORDS.search(name) or name.rstrip().endswith("-"):
            yield "classified_by.reason_words"
    elif re.search(r"CLASSIFIED\s+BY\b", body, re.I):
        yield "classified_by.missing"

    if any(" " in t for t in cable.tags):
        yield "tags.space"
    if any(t != t.upper() for t in cable.tags):
        yield "tags.lower"
    if any(not CODE_SHAPE.match(t) and t.upper() not in known for t in cable.tags):
        yield "tags.shape"
    if not cable.tags and TAGS_LINE.search(body[:4000]):
        yield "tags.missing"

    if not cable.signers:
        yield "signers.missing"
        last = LAST_LINE_NAME.search(body[-200:])
        if last and last.group(1).split()[0] not in SENTENCE_WORDS:
            yield "signers.missing_name"
    elif any(_signer_odd(s) for s in cable.signers):
        yield "signers.implausible"

    month = (cable.created or "")[:7]
    seen = set()
    for r in cable.references:
        if PAGE_MARKER.search(r.text or ""):
            seen.add("references.page_marker")
        if r.kind != "cable" or not r.id:
            continue
        m = REFID.match(r.id)
        if not m or m.group(2) not in posts:
            seen.add("references.unknown_post")
        elif r.id not in ids:
            # Cablegate holds a share of each post's serials, so this alone is a weak lead.
            seen.add("references.unknown_id")
            prev = f"{int(m.group(1)) - 1:02d}{m.group(2)}{m.group(3)}"
            if int(m.group(1)) > 0 and prev in ids and ids[prev] <= month:
                seen.add("references.year_shift")
        elif month and ids[r.id] > month:
            seen.add("references.after_cable")
    if not cable.references and REF_LINE.search(body[:3000]):
        seen.add("references.missing")
    yield from sorted(seen)

    if cable.subject and len(cable.subject) > 200:
        yield "subject.long"
    if not cable.subject and cable.eo:
        yield "subject.missing"
    if not cable.summary and SUMMARY_WORD.search(body):
        yield "summary.missing"
        if SUMMARY_MARK.search(body):
            yield "summary.missing_marker"
    head = body[:300]
    lou = "LIMITED OFFICIAL USE"
    if LOU.search(head) and cable.classification != lou and lou not in cable.handling:
        yield "classification.lou"


def _form_kinds(html: Cable, csv: Cable):
    if html.tags != csv.tags:
        yield "forms.tags"
    if (html.subject or "").split() != (csv.subject or "").split():
        yield "forms.subject"
    if html.signers != csv.signers:
        yield "forms.signers"
    # Only a minute both forms claim to know: the HTML page's own minute is unreliable (§2).
    if html.created_from == "dtg" and (html.created or "")[:16] != (csv.created or "")[:16]:
        yield "forms.created_minute"


def run(shared: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    corpus = shared / "corpus"
    ids, posts = load_universe(corpus / "cablegate-refids.csv.gz")
    known = _known_tags(shared)
    found: dict[str, list[str]] = defaultdict(list)
    totals: dict[str, int] = {}
    by_form: dict[str, dict[str, Cable]] = {"html": {}, "csv": {}}
    for form, name in (("html", "cablegate-html-dev.tar.xz"), ("csv", "cables-dev.csv.xz")):
        n = 0
        for item in iter_cables(corpus / name):
            if not isinstance(item, Cable):
                continue
            n += 1
            rid = item.reference_id or "?"
            by_form[form][rid] = item
            for kind in check(item, ids, posts, known):
                found[kind].append(f"{rid}:{form}")
        totals[form] = n
    both = sorted(set(by_form["html"]) & set(by_form["csv"]))
    totals["both forms"] = len(both)
    for rid in both:
        for kind in _form_kinds(by_form["html"][rid], by_form["csv"][rid]):
            found[kind].append(rid)
    # Keep the forms cached objects from holding memory past the run.
    by_form.clear()
    return found, totals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared")
    ap.add_argument("--examples", type=int, default=5, help="example ids shown per kind")
    ap.add_argument("--json", type=Path, help="also write every flagged id per kind here")
    args = ap.parse_args(argv)
    if not (args.shared / "corpus").exists():
        print(f"no corpus at {args.shared / 'corpus'}", file=sys.stderr)
        return 2
    found, totals = run(args.shared.resolve())
    print("cables: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
    print(f"{'kind':34} {'count':>6}  examples")
    for kind in KINDS:
        hits = found.get(kind, [])
        ex = " ".join(hits[: args.examples])
        print(f"{kind:34} {len(hits):6}  {ex}")
    print("\n" + "\n".join(f"{k}: {v}" for k, v in KINDS.items()), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
