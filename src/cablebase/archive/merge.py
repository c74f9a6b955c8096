"""One cable from many sources: the merge rule (docs/sources.md).

The same cable reaches the archive in several forms: its Cablegate page, its cables.csv row, a
text or markdown copy of a web page, a telegram.  The archive keeps every source's own record
and stores one merged record, built field group by field group, each from the source that
carries it best.  The rule, one function per group below:

- sources are ranked once: a form's rank (html, csv, telegram, text, markdown, fragment), then
  location and content, so the same set of sources gives the same record whatever order they
  arrived in.  "First" below means first in this ranking among the sources that have a value.
- identity, title, post, origin: the first source that has one.
- created: the source whose time is best founded (`created_from` dtg, weekday, csv, meta: the
  DTG minute from the form that has it; the Cablegate `meta` time knows only the hour).
- released (WikiLeaks' publication date, Cablegate pages only): the earliest any source states.
- classification: the highest any source states; handling: every caveat any source states, in
  order, and then every caveat a source states only in a portion mark or an ENTIRE TEXT
  statement that the merged body lacks (its text is quoted in the disagreements).
  Disagreeing sources never make a record less restricted than its strictest source, so
  access control (access/policy.py), which judges the merged record, errs on the safe side.
- header and routing (header_kind ... recipients, captions, the DTG): all from the one source
  with the fullest header (an ACP-127 header over a bare one over a printout ... over none,
  then the most addressees).
- preamble (E.O. line, Classified By, reasons): each from the first source that has it.
- tags: codes over expansions: the source with the fewest tags that read as WikiLeaks'
  expansions (`Economic Policy & General Analysis`, `FREE TRADE AGREEMENT ... (FTAA)`), then
  the first; subject: the first source that has a SUBJECT line; references: the source that
  read the most REF items (the others missed some), then the first; listed_references: all.
- body (paragraphs, summary, signers, redactions, sections, partial): the longest complete body
  (a whole text over a partial extract, then the most characters); summary and signers fall
  back to the first other source that has them.
- warnings: every source's warnings, once each (those about the header, the text or the
  created time only from the source that part was taken from), and one `merge.disagree`
  warning per field on which sources that both carry it disagree (where = the field, the
  message names the sources and their values).  `source` is the body source's, with the
  header source's header text.

A field no group names (one added to the record later) is taken from the first source that has
it.  A single source is its own merged record, unchanged (merge([r]) is r).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import orjson

from cablebase.record import CLASSIFICATIONS, Cable, Source, Warning

if TYPE_CHECKING:
    from cablebase.archive.db import Db
    from cablebase.archive.sqlite import SourceInfo

FORM_RANK = {
    f: i for i, f in enumerate(("html", "csv", "telegram", "text", "markdown", "fragment"))
}
CREATED_RANK = {"dtg": 0, "weekday": 1, "csv": 2, "meta": 3}
HEADER_RANK = {"acp127": 0, "bare": 1, "email": 2, "printout": 3, "placeholder": 4, "none": 5}
DISAGREE = "merge.disagree"


def label(cable: Cable) -> str:
    """A short name of a source for messages: `html 09BAMAKO776.html`, `csv cables.csv#row12`."""
    src = cable.source
    if src is None:
        return "?"
    where = os.path.basename((src.path or "").rsplit("!", 1)[-1]) if src.path else ""
    if src.offset is not None and src.form == "csv":
        where += f"#row{src.offset}"
    return f"{src.form} {where}".strip()


def _rank(c: Cable) -> tuple:
    src = c.source
    form = src.form if src else ""
    return (
        FORM_RANK.get(form, len(FORM_RANK)),
        form,
        (src.path or "") if src else "",
        (src.offset if src and src.offset is not None else -1),
        orjson.dumps(c),  # last: content, so that the order never depends on arrival
    )


def ranked(sources: Sequence[Cable]) -> list[Cable]:
    return sorted(sources, key=_rank)


def merge(sources: Sequence[Cable]) -> Cable:
    """The merged record of the sources of one cable (see the module's docstring)."""
    if not sources:
        raise ValueError("nothing to merge")
    if len(sources) == 1:
        return sources[0]
    srcs = ranked(sources)
    out = Cable()
    _identity(out, srcs)
    _dates(out, srcs)
    _access(out, srcs)
    _header(out, srcs)
    _preamble(out, srcs)
    _tags(out, srcs)
    _subject(out, srcs)
    _references(out, srcs)
    _body(out, srcs)
    _warnings(out, srcs)
    _rest(out, srcs)
    _stated_caveats(out, srcs)
    return out


def _stated_caveats(out: Cable, srcs: list[Cable]) -> None:
    """Every caveat and restriction any source states *anywhere* (a portion mark, an ENTIRE
    TEXT statement) and the merged record no longer does (its body came from another source)
    joins its handling: the record shows what every source said (its disagreements quote
    their text), so it must require what each of them requires (access/policy.py)."""
    from cablebase.access.policy import ALL_BITS, ENTIRE_TEXT, bit_names, requirement

    have = requirement(out).bits
    for c in srcs:
        need = requirement(c).bits
        for name in bit_names(need & ~have):
            if name not in out.handling:
                out.handling.append(name)
        if need & ENTIRE_TEXT and not have & ENTIRE_TEXT:
            # The statement covers the cable, so every portion of the merged body too: a (C)
            # paragraph is NOFORN when a source says NOFORN - ENTIRE TEXT (partial views).
            out.handling.append("/".join(bit_names(need & ALL_BITS)) + " - ENTIRE TEXT")
            have |= ENTIRE_TEXT


# The transmission header's fields: taken together from the one source with the best header.
HEADER_FIELDS = (
    "header_kind",
    "transmission_id",
    "routing",
    "station",
    "security",
    "dtg",
    "precedence",
    "info_precedence",
    "sender",
    "recipients",
)

# Every field some group above sets; any other (one added to the record later) is the first's.
_GROUPED = frozenset(
    [
        "reference_id",
        "title",
        "origin",
        "post",
        "created",
        "created_from",
        "released",
        "classification",
        "handling",
        *HEADER_FIELDS,
        "captions",
        "eo",
        "declassify_on",
        "declassify_rule",
        "classified_by",
        "classification_reasons",
        "tags",
        "subject",
        "subject_portion",
        "references",
        "listed_references",
        "paragraphs",
        "redactions",
        "sections",
        "partial",
        "summary",
        "signers",
        "source",
        "warnings",
    ]
)


def _rest(out: Cable, srcs: list[Cable]) -> None:
    for f in fields(Cable):
        if f.name not in _GROUPED:
            setattr(out, f.name, _first(srcs, lambda c, name=f.name: getattr(c, name)))


# -- field comparison -------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _text(s: str | None) -> str | None:
    return _SPACE.sub(" ", s).strip() or None if s else None


def _created_key(c: Cable) -> str | None:
    # The Cablegate time knows date and hour only: compare everything to the hour.
    return c.created[:13] if c.created else None


def _minute_key(c: Cable) -> str | None:
    if not c.created or c.created_from == "meta":
        return None  # no minute to compare
    return c.created[:16]


@dataclass(frozen=True, slots=True)
class Compared:
    """One field as the merge compares it: a value per source, None when it has none."""

    name: str
    key: Callable[[Cable], Any]
    # Whether two values are consistent (default: equal).
    agree: Callable[[Any, Any], bool] = lambda a, b: a == b


def _nested(a: frozenset, b: frozenset) -> bool:
    return a <= b or b <= a


COMPARED: tuple[Compared, ...] = (
    Compared("created", _created_key),
    Compared("created minute", _minute_key),
    Compared("released", lambda c: c.released),
    Compared("origin", lambda c: c.origin),
    Compared("classification", lambda c: c.classification),
    # Containers state caveats the text lacks (`SECRET//NOFORN`): more is not a contradiction.
    Compared("handling", lambda c: frozenset(c.handling) or None, _nested),
    Compared("dtg", lambda c: _text(c.dtg)),
    Compared("sender", lambda c: _text(c.sender)),
    Compared("recipients", lambda c: tuple((r.role, _text(r.name)) for r in c.recipients) or None),
    Compared("eo", lambda c: c.eo),
    Compared(
        "declassify",
        lambda c: (
            (c.declassify_on, c.declassify_rule) if c.declassify_on or c.declassify_rule else None
        ),
    ),
    Compared("classified_by", lambda c: _text(c.classified_by.name) if c.classified_by else None),
    Compared("reasons", lambda c: tuple(c.classification_reasons) or None),
    Compared("tags", lambda c: frozenset(t.upper() for t in c.tags) or None),
    Compared("subject", lambda c: _text(c.subject)),
    Compared("references", lambda c: tuple(r.id or _text(r.text) for r in c.references) or None),
    # A partial extract's text is not the cable's whole text: not compared.
    Compared("summary", lambda c: None if c.partial else _text(c.summary)),
    Compared(
        "signers", lambda c: None if c.partial else tuple(s.upper() for s in c.signers) or None
    ),
    Compared(
        "body", lambda c: None if c.partial else _text("\n".join(p.text for p in c.paragraphs))
    ),
)


def compare(a: Cable, b: Cable) -> dict[str, bool | None]:
    """Per compared field: True (agree), False (disagree) or None (not both carry it)."""
    out: dict[str, bool | None] = {}
    for f in COMPARED:
        va, vb = f.key(a), f.key(b)
        out[f.name] = None if va is None or vb is None else f.agree(va, vb)
    return out


def _show(value: Any, skip: int = 0) -> str:
    """A value for a message; `skip`: characters of text the values share at their start,
    so that a long text is shown from just before where it differs."""
    if isinstance(value, frozenset):
        value = sorted(value)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, str) and skip > 30:
        text = "..." + text[skip - 20 :]
    return text if len(text) <= 80 else text[:77] + "..."


def _disagreements(srcs: list[Cable]) -> list[Warning]:
    found: list[Warning] = []
    for f in COMPARED:
        seen: dict[Any, list[str]] = {}
        for c in srcs:
            v = f.key(c)
            if v is not None:
                seen.setdefault(v, []).append(label(c))
        values = list(seen)
        if any(not f.agree(a, b) for i, a in enumerate(values) for b in values[i + 1 :]):
            texts = [v for v in seen if isinstance(v, str)]
            skip = len(os.path.commonprefix(texts)) if len(texts) == len(seen) else 0
            parts = [f"{' + '.join(names)}: {_show(v, skip)}" for v, names in seen.items()]
            found.append(
                Warning(code=DISAGREE, message=f"{f.name}: " + " | ".join(parts), where=f.name)
            )
    return found


# -- choosing -------------------------------------------------------------------------


def _has(value: Any) -> bool:
    return value is not None and value != [] and value != ""


def _first(srcs: list[Cable], get: Callable[[Cable], Any]) -> Any:
    for c in srcs:
        if _has(v := get(c)):
            return v
    return get(srcs[0])


def _identity(out: Cable, srcs: list[Cable]) -> None:
    out.reference_id = _first(srcs, lambda c: c.reference_id)
    out.title = _first(srcs, lambda c: c.title)
    out.origin = _first(srcs, lambda c: c.origin)
    out.post = _first(srcs, lambda c: c.post)


def _dates(out: Cable, srcs: list[Cable]) -> None:
    best = _created_source(srcs)
    out.created, out.created_from = best.created, best.created_from
    released = [c.released for c in srcs if c.released]
    out.released = min(released) if released else None


def _access(out: Cable, srcs: list[Cable]) -> None:
    ranks = [
        CLASSIFICATIONS.index(c.classification) for c in srcs if c.classification in CLASSIFICATIONS
    ]
    out.classification = (
        CLASSIFICATIONS[max(ranks)] if ranks else _first(srcs, lambda c: c.classification)
    )
    handling: list[str] = []
    for c in srcs:
        handling.extend(h for h in c.handling if h not in handling)
    out.handling = handling


def _header_rank(c: Cable) -> tuple:
    return (
        HEADER_RANK.get(c.header_kind or "", len(HEADER_RANK)),
        -len(c.recipients),
        not c.dtg,
    )


def _header(out: Cable, srcs: list[Cable]) -> None:
    h = min(srcs, key=_header_rank)  # min is stable: the first of equals
    for name in HEADER_FIELDS:
        setattr(out, name, getattr(h, name))
    out.captions = _first(srcs, lambda c: c.captions)


def _preamble(out: Cable, srcs: list[Cable]) -> None:
    eo = next((c for c in srcs if c.eo or c.declassify_on or c.declassify_rule), srcs[0])
    out.eo, out.declassify_on, out.declassify_rule = eo.eo, eo.declassify_on, eo.declassify_rule
    out.classified_by = _first(srcs, lambda c: c.classified_by)
    out.classification_reasons = _first(srcs, lambda c: c.classification_reasons)


_CODE = re.compile(r"[A-Z0-9]{2,6}")


def expansions(tags: list[str]) -> int:
    """How many tags read as a publisher's expansion rather than the cable's own TAGS entry:
    lower-case words (`Economic Policy & General Analysis`) or a code in brackets after words
    (`FREE TRADE AGREEMENT OF AMERICA (FTAA)`)."""
    n = 0
    for t in tags:
        if _CODE.fullmatch(t):
            continue
        if any(ch.islower() for ch in t) or re.search(r"\S \([A-Z0-9]{2,6}\)$", t):
            n += 1
    return n


def _tags(out: Cable, srcs: list[Cable]) -> None:
    tagged = [c for c in srcs if c.tags]
    if tagged:
        out.tags = list(min(tagged, key=lambda c: expansions(c.tags)).tags)


def _subject(out: Cable, srcs: list[Cable]) -> None:
    c = next((c for c in srcs if c.subject), srcs[0])
    out.subject, out.subject_portion = c.subject, c.subject_portion


def _references(out: Cable, srcs: list[Cable]) -> None:
    c = min(srcs, key=lambda c: -len(c.references))
    out.references = list(c.references)
    listed: list[str] = []
    for c in srcs:
        listed.extend(r for r in c.listed_references if r not in listed)
    out.listed_references = listed


def _body_rank(c: Cable) -> tuple:
    return (c.partial, -sum(len(p.text) for p in c.paragraphs))


def _body(out: Cable, srcs: list[Cable]) -> None:
    b = min(srcs, key=_body_rank)
    out.paragraphs = list(b.paragraphs)
    out.redactions = list(b.redactions)
    out.sections, out.partial = b.sections, b.partial
    out.summary = b.summary if b.summary else _first(srcs, lambda c: c.summary)
    out.signers = list(b.signers) if b.signers else list(_first(srcs, lambda c: c.signers))
    h = min(srcs, key=_header_rank)
    if b.source is not None:
        out.source = Source(
            form=b.source.form,
            path=b.source.path,
            offset=b.source.offset,
            header=h.source.header if h.source and h.source.header else b.source.header,
            body=b.source.body,
        )


def _created_source(srcs: list[Cable]) -> Cable:
    dated = [c for c in srcs if c.created] or srcs
    return min(dated, key=lambda c: CREATED_RANK.get(c.created_from or "", len(CREATED_RANK)))


def _warnings(out: Cable, srcs: list[Cable]) -> None:
    # Warnings about a part of the cable come only from the source that part was taken from
    # (a page's "minute unknown" is moot when a row's DTG gave the minute); the others from all.
    owners = (
        ("header.", min(srcs, key=_header_rank)),
        ("check.", min(srcs, key=_header_rank)),
        ("text.", min(srcs, key=_body_rank)),
        ("meta.created", _created_source(srcs)),
    )
    seen: set[tuple] = set()
    for c in srcs:
        for w in c.warnings:
            if w.code == DISAGREE:
                continue  # a source's own record never holds these; recomputed below
            if any(w.code.startswith(p) and c is not owner for p, owner in owners):
                continue
            key = (w.code, w.message, w.where)
            if key not in seen:
                seen.add(key)
                out.warnings.append(w)
    out.warnings.extend(_disagreements(srcs))


def source_record(db: Db, s: SourceInfo, stored: Callable[[int], Cable]) -> Cable | None:
    """A source's own record, on either store: kept with the source, or the cable's record
    with its digest (`stored(cable id)` reads it), or the earlier version with it."""
    if s.record_json is not None:
        cable = Cable.from_json(s.record_json)
    else:
        row = db.execute(
            "SELECT id FROM cables WHERE reference_id = ? AND source_hash = ?",
            (s.reference_id, s.digest),
        ).fetchone()
        if row is not None:
            cable = stored(row[0])
        else:
            old = db.execute(
                "SELECT record FROM cable_versions WHERE reference_id = ? AND source_hash = ?"
                " ORDER BY version DESC LIMIT 1",
                (s.reference_id, s.digest),
            ).fetchone()
            if old is None:
                return None  # cannot happen: every record without its own copy is a version
            cable = Cable.from_json(old[0])
    if cable.source is not None:  # the copy's location is the source row's, not the JSON's
        cable.source.path, cable.source.offset = s.path, s.offset
    return cable
