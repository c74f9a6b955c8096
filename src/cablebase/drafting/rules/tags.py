"""TAGS: known codes, at least one subject tag and one geographic tag."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.reference import tag_lists
from cablebase.drafting.rules import Context, Hit, rule

# A TAGS entry that is a person's or a thing's name rather than a code (`CLINTON, HILLARY`
# after OVIP, `GAZA DISENGAGEMENT`): the TAGS system allows them.
_CODE = re.compile(r"^[A-Z]{2,6}$")


def _codes(d: Draft) -> list[str]:
    return [t.upper() for t in d.cable.tags if _CODE.match(t.upper())]


def _visitors(d: Draft) -> set[str]:
    """The tags right after OVIP: the visitor's name, also when it is one short word
    (`OVIP (WWARD)`), is no code."""
    tags = [t.upper() for t in d.cable.tags]
    return {t for prev, t in zip(tags, tags[1:], strict=False) if prev == "OVIP"}


@rule(
    "tags.missing",
    "error",
    "The draft has a TAGS line.",
    "5 FAH-1 H-232.6 (TAGS); 5 FAH-3 (TAGS/Terms Handbook)",
)
def tags_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not d.cable.tags:
        yield Hit("no TAGS line", d.locate.subject() or d.locate.eo())


@rule(
    "tags.known",
    "warning",
    "Each TAGS code is a known subject, program, organisation, country or region code.",
    "5 FAH-3 (TAGS/Terms Handbook); lists: ../shared/reference/*-tags.txt",
)
def tags_known(d: Draft, ctx: Context) -> Iterator[Hit]:
    lists = tag_lists()
    visitors = _visitors(d)
    for code in _codes(d):
        if lists.kind(code) is None and code not in visitors:
            yield Hit(f"TAGS {code} is not a known code", d.locate.tags())


@rule(
    "tags.subject",
    "error",
    "TAGS include at least one subject tag (a program tag, KDEM …, does not count).",
    "5 FAH-3 (TAGS/Terms Handbook: every telegram has a subject TAG)",
)
def tags_subject(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not d.cable.tags:
        return
    lists = tag_lists()
    if not any(lists.kind(c) == "subject" for c in _codes(d)):
        yield Hit("TAGS name no subject tag (PREL, PGOV, ECON …)", d.locate.tags())


@rule(
    "tags.geographic",
    "error",
    "TAGS include at least one country or region code.",
    "5 FAH-3 (TAGS/Terms Handbook: geo-political TAGS); issue 14",
)
def tags_geographic(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not d.cable.tags:
        return
    lists = tag_lists()
    if not any(lists.kind(c) == "geographic" for c in _codes(d)):
        yield Hit("TAGS name no country or region code (ML, FR, XA …)", d.locate.tags())
