"""Captions and handling markings valid for the cable's level."""

from __future__ import annotations

from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Hit, rule
from cablebase.drafting.rules.common import classified, paragraph_portion

# Controls that exist only on classified text, and the unclassified markings that may carry
# NOFORN (State's SBU NOFORN).
CLASSIFIED_ONLY = ("NOFORN", "ORCON", "REL TO")
SBU_MARKS = ("SBU", "SENSITIVE", "FOUO", "FOR OFFICIAL USE ONLY", "LIMITED OFFICIAL USE")


def _sbu(d: Draft) -> bool:
    c = d.cable
    if c.classification == "LIMITED OFFICIAL USE":
        return True
    marks = [h.upper() for h in c.handling] + [x.upper() for x in c.captions]
    portions = [paragraph_portion(p) or "" for p in c.paragraphs] + [c.subject_portion or ""]
    return any(m.startswith(SBU_MARKS) for m in marks) or any(
        p.split("/")[0] in ("SBU", "LOU", "FOUO") for p in portions
    )


@rule(
    "captions.level",
    "error",
    "NOFORN (and ORCON, REL TO) stand only on classified text, or on SBU text as SBU NOFORN; "
    "SBU is no marking for classified text.",
    "5 FAH-2 H-443 (captions); 5 FAH-1 H-246.2c (SBU, SBU-NOFORN); 32 CFR 2001.23(a)",
)
def captions_level(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if c.classification is None:
        return
    handling = [h.upper() for h in c.handling]
    if not classified(c) and not _sbu(d):
        for word in CLASSIFIED_ONLY:
            if any(h.startswith(word) for h in handling):
                yield Hit(
                    f"{word} on {c.classification} text that is not SBU",
                    d.locate.caption(word) or d.locate.banner(),
                    fix=f"remove {word}, or mark the text SBU (SBU NOFORN)",
                )
    if classified(c) and any(h in ("SBU", "SENSITIVE BUT UNCLASSIFIED") for h in handling):
        yield Hit(
            f"SBU caption on a {c.classification} cable",
            d.locate.caption("SBU") or d.locate.caption("SENSITIVE"),
            fix="remove the SBU caption",
        )
