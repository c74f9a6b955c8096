"""REF items: each resolves to a cable in the archive, or says why it cannot (NOTAL)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Hit, rule

# NOTAL: "not all addressees" received the reference; they cannot be expected to find it.
_NOTAL = re.compile(r"\bNOTAL\b|\bNOT\s+(?:TO\s+)?ALL\b|\bUNKNOWN\b", re.I)


@rule(
    "refs.resolve",
    "warning",
    "Each cable REF item resolves in the archive, or is marked NOTAL / unknown.",
    "5 FAH-1 H-240 (REF line; NOTAL: not all addressees received the reference)",
)
def refs_resolve(d: Draft, ctx: Context) -> Iterator[Hit]:
    for ref in d.cable.references:
        if ref.kind != "cable" or _NOTAL.search(ref.text):
            continue
        label = f"REF {ref.letter}" if ref.letter else "REF"
        line = d.locate.ref(ref.text)
        if ref.id is None:
            yield Hit(f"{label} ({ref.text[:40]}) does not read as a cable id", line)
        elif ctx.resolve is not None and not ctx.resolve(ref.id):
            yield Hit(
                f"{label} {ref.id} is not in the archive",
                line,
                fix=f"check the number, or mark it: {ref.text} (NOTAL)",
            )
