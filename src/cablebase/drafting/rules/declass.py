"""The E.O. line, the declassification instruction, the reasons and the Classified By line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from cablebase.drafting.draft import Draft
from cablebase.drafting.rules import Context, Hit, rule
from cablebase.drafting.rules.common import classified

# The order in force on a day (its number as written on the E.O. line) and when it took effect.
ORDERS = [
    (dt.date(1972, 6, 1), "11652"),
    (dt.date(1978, 12, 1), "12065"),
    (dt.date(1982, 8, 1), "12356"),
    (dt.date(1995, 10, 14), "12958"),
    (dt.date(2010, 6, 27), "13526"),
]
EXEMPTIONS = {f"25X{i}" for i in range(1, 10)} | {"50X1-HUM", "50X2-WMD"}
_EXEMPTION = re.compile(r"\b(25X\d+|50X\d+(?:-[A-Z]+)?|X[1-8])\b", re.I)
_OBSOLETE_X = re.compile(r"^X[1-8]$")
AMENDED = dt.date(2003, 9, 22)  # E.O. 13292 amendments and ISOO Directive No. 1 in force
MAX_YEARS = 25


def order_in_force(day: dt.date) -> str | None:
    current = None
    for since, number in ORDERS:
        if day >= since:
            current = number
    return current


def _eo_text(d: Draft) -> str:
    at = d.locate.eo()
    return d.lines[at - 1] if at else ""


def _exemptions(d: Draft) -> list[str]:
    words = _EXEMPTION.findall(_eo_text(d))
    if d.cable.declassify_rule:
        words += _EXEMPTION.findall(d.cable.declassify_rule)
    return list(dict.fromkeys(w.upper().replace("-HUMAN", "-HUM") for w in words))


@rule(
    "eo.missing",
    "error",
    "A classified cable has an E.O. line.",
    "5 FAH-1 H-240 (E.O. line); 32 CFR 2001.21(a)(4)",
)
def eo_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if classified(d.cable) and d.cable.eo is None and d.locate.eo() is None:
        yield Hit(
            f"a {d.cable.classification} cable without an E.O. line",
            d.locate.tags(),
            fix=f"add E.O. {order_in_force(d.date)}: DECL: <date>",
        )


@rule(
    "eo.in-force",
    "warning",
    "The E.O. line cites the order in force on the cable's date.",
    "E.O. 13526 §6.2(g) (revokes E.O. 12958 from 27 June 2010); earlier orders likewise",
)
def eo_in_force(d: Draft, ctx: Context) -> Iterator[Hit]:
    want = order_in_force(d.date)
    got = d.cable.eo
    if want is None or got is None or got == want:
        return
    if "DECLASSIF" in _eo_text(d).upper():
        return  # a review stamp (`E.O. 12958: AS AMENDED; DECLASSIFIED …`) replaced the line
    known = {n for _, n in ORDERS}
    if got not in known:
        msg = f"E.O. {got} is not an order on classified information"
    else:
        msg = f"E.O. {got} cited on {d.date.isoformat()}, when E.O. {want} was in force"
    yield Hit(msg, d.locate.eo(), fix=f"cite E.O. {want}")


@rule(
    "decl.missing",
    "error",
    "A classified cable says when it is declassified.",
    "32 CFR 2001.21(a)(4); E.O. 13526 §1.5(a), §1.6(a)(4)",
    since="1995-10-14",
)
def decl_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if not classified(c) or c.declassify_on or (c.declassify_rule and c.declassify_rule != "N/A"):
        return
    if c.eo is None and d.locate.eo() is None:
        return  # eo.missing says it
    yield Hit(
        f"the E.O. line of a {c.classification} cable gives no declassification date",
        d.locate.eo(),
    )


@rule(
    "decl.date",
    "error",
    "The declassification date lies after the cable's date and at most 25 years out, unless "
    "a listed exemption (25X1-25X9, 50X1-HUM, 50X2-WMD) is given.",
    "E.O. 13526 §1.5(a)-(b), §3.3(b)-(h); 32 CFR 2001.12",
    since="1995-10-14",
)
def decl_date(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if not c.declassify_on or not classified(c):
        return
    try:
        on = dt.date.fromisoformat(c.declassify_on)
    except ValueError:
        return
    if on <= d.date:
        yield Hit(
            f"declassification date {on.isoformat()} is not after the cable's date "
            f"{d.date.isoformat()}",
            d.locate.eo(),
        )
        return
    limit = d.date.replace(year=d.date.year + MAX_YEARS, day=min(d.date.day, 28))
    if on > limit and not [e for e in _exemptions(d) if e in EXEMPTIONS]:
        yield Hit(
            f"declassification date {on.isoformat()} is more than {MAX_YEARS} years out "
            "without an exemption (25X1-25X9, 50X1-HUM, 50X2-WMD)",
            d.locate.eo(),
            fix=f"DECL: {limit.strftime('%m/%d/%Y')}, or name the exemption",
        )


@rule(
    "decl.exemption",
    "error",
    "An exemption on the E.O. line is one the order lists; the old X1-X8 are not used since "
    "22 September 2003, OADR not since 14 October 1995.",
    "E.O. 13526 §1.5, §3.3; ISOO Directive No. 1 (2003), 32 CFR 2001.21(a)(4)",
    since="1995-10-14",
)
def decl_exemption(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not classified(d.cable):
        return
    rule_word = (d.cable.declassify_rule or "").upper()
    if rule_word == "OADR":
        yield Hit(
            "OADR (originating agency's determination required) is no longer a declassification "
            "instruction",
            d.locate.eo(),
            fix="give a date at most 25 years out",
        )
    for word in _exemptions(d):
        if word in EXEMPTIONS:
            continue
        if _OBSOLETE_X.match(word):
            if d.date >= AMENDED:
                yield Hit(
                    f"exemption {word} is obsolete (X1-X8 are not used since 22 September 2003)",
                    d.locate.eo(),
                    fix="give a date at most 25 years out, or a 25X exemption",
                )
            continue
        yield Hit(f"{word} is not a listed exemption", d.locate.eo())


_REASON = re.compile(r"^1\.(\d)\(([a-z])\)$")


@rule(
    "reasons.missing",
    "error",
    "A classified cable gives the reasons for classification.",
    "32 CFR 2001.21(a)(3); E.O. 13526 §1.6(a)(5)",
    since="1995-10-14",
)
def reasons_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    c = d.cable
    if classified(c) and c.classified_by is not None and not c.classification_reasons:
        yield Hit(
            "the Classified By line gives no reason (1.4(a)-(h))",
            d.locate.classified_by(),
            fix="end it with: for reasons 1.4(b) and (d)",
        )


@rule(
    "reasons.valid",
    "error",
    "Reasons are among 1.4(a)-(h) (before 22 September 2003: 1.5(a)-(g)).",
    "E.O. 13526 §1.4; E.O. 12958 as amended §1.4; 32 CFR 2001.21(a)(3)",
    since="1995-10-14",
)
def reasons_valid(d: Draft, ctx: Context) -> Iterator[Hit]:
    if not classified(d.cable):
        return
    section, letters = ("4", "abcdefgh") if d.date >= AMENDED else ("5", "abcdefg")
    for reason in d.cable.classification_reasons:
        m = _REASON.match(reason)
        if m and m.group(1) == section and m.group(2) in letters:
            continue
        yield Hit(
            f"reason {reason} is not among 1.{section}({letters[0]})-({letters[-1]})",
            d.locate.classified_by(),
        )


@rule(
    "classified-by.missing",
    "error",
    "A classified cable has a Classified By line.",
    "32 CFR 2001.21(a)(1); 5 FAH-1 H-240 (classification block)",
    since="1995-10-14",
)
def classified_by_missing(d: Draft, ctx: Context) -> Iterator[Hit]:
    if classified(d.cable) and d.cable.classified_by is None:
        yield Hit(
            f"a {d.cable.classification} cable without a Classified By line",
            d.locate.subject(),
            fix="add: Classified By: <name>, <position>, for reasons 1.4(…)",
        )


@rule(
    "classified-by.complete",
    "error",
    "The Classified By line names the classifier and gives their position.",
    "32 CFR 2001.21(a)(1)",
    since="1995-10-14",
)
def classified_by_complete(d: Draft, ctx: Context) -> Iterator[Hit]:
    cb = d.cable.classified_by
    if cb is None or not classified(d.cable):
        return
    missing = [w for w, v in (("a name", cb.name), ("a position", cb.title)) if not v]
    if missing:
        yield Hit(
            f"the Classified By line lacks {' and '.join(missing)}: {cb.text[:60]!r}",
            d.locate.classified_by(),
        )
