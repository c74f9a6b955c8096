"""Classification marking: the banner, portion marks, the SUBJECT line."""

from __future__ import annotations

from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Hit, rule
from cablebase.drafting.rules.common import (
    LEVEL_OF_RANK,
    LEVEL_RANK,
    classified,
    entire_text_rank,
    marks_within,
    paragraph_portion,
    portion_rank,
    redacted,
)


@rule(
    "marking.banner-missing",
    "error",
    "The draft states its classification on a banner line.",
    "5 FAH-2 H-222; 32 CFR 2001.21(b)",
)
def banner_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if d.cable.classification is None:
        yield Hit(
            "no classification banner (UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP SECRET)",
            d.locate.banner(),
        )


@rule(
    "marking.banner",
    "error",
    "The banner is the highest portion mark of the text.",
    "32 CFR 2001.21(b), 2001.21(c); E.O. 13526 §1.6(a)",
)
def banner_highest(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if c.classification is None or c.classification not in LEVEL_RANK:
        return
    marks = [paragraph_portion(p) for p in c.paragraphs] + [c.subject_portion]
    marks += [m for p in c.paragraphs for m in marks_within(p)]
    ranks = [r for r in (portion_rank(m) for m in marks) if r is not None]
    entire = entire_text_rank(c)
    if entire is not None:
        ranks.append(entire)
    if not ranks:
        return
    top, banner = max(ranks), LEVEL_RANK[c.classification]
    if top == banner:
        return
    want = LEVEL_OF_RANK[top]
    if top > banner:
        msg = f"banner {c.classification} is below the highest portion mark ({want})"
    else:
        msg = f"banner {c.classification} is above every portion mark (highest: {want})"
    yield Hit(msg, d.locate.banner(), fix=f"set the banner to {want}")


@rule(
    "marking.portion-missing",
    "error",
    "Every paragraph of a classified cable carries a portion mark.",
    "32 CFR 2001.21(c); 5 FAH-1 H-246.2c",
    since="1982-08-01",  # E.O. 12356 required portion marking
)
def portion_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not classified(d.cable) or entire_text_rank(d.cable) is not None:
        return
    for p in d.cable.paragraphs:
        if paragraph_portion(p) or not p.text.strip() or redacted(p.text):
            continue
        label = f"paragraph {p.number}" if p.number is not None else "an unnumbered paragraph"
        yield Hit(
            f"{label} of a {d.cable.classification} cable has no portion mark",
            d.locate.paragraph(p.number, p.text),
        )


@rule(
    "subject.missing",
    "error",
    "The draft has a SUBJECT line.",
    "5 FAH-1 H-240 (telegram format: the SUBJECT line)",
)
def subject_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not (d.cable.subject or "").strip() and not d.cable.title:
        yield Hit("no SUBJECT line", d.locate.tags())


@rule(
    "subject.unmarked",
    "error",
    "The SUBJECT of a classified cable carries a portion mark.",
    "32 CFR 2001.21(c) (subjects and titles are portion marked)",
    since="1995-10-14",  # E.O. 12958 and its directive
)
def subject_unmarked(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if not classified(c) or not (c.subject or "").strip() or c.subject_portion:
        return
    if redacted(c.subject or ""):
        return
    yield Hit(
        f"the SUBJECT of a {c.classification} cable has no portion mark",
        d.locate.subject(),
        fix="mark it, e.g. SUBJECT: (U) … or (C) …",
    )
