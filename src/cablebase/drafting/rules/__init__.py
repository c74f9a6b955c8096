"""The drafting rules: one small function per rule, registered with its id, severity and source.

Each rule looks at a :class:`~cablebase.drafting.draft.Draft` and yields findings.  A rule has

- ``id``: stable, dotted (`marking.banner`); ``--json`` output and docs/drafting.md use it;
- ``severity``: ``error`` (the cable must not go out so) or ``warning`` (check it);
- ``source``: the regulation it implements (docs/drafting.md quotes them);
- ``since``: the first day the rule was in force, so a real cable is judged by the rules of its
  own day (the corpus run); a draft of today is judged by all of them.

Rules live in the modules of this package, grouped by the part of the cable they read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cablebase.drafting.draft import Draft

__all__ = ["Finding", "Rule", "RULES", "rule", "run"]


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str  # error | warning | info
    message: str
    line: int | None = None  # line of the draft file (text: the line; structured: its field's)
    field: str | None = None  # structured drafts: the field path (tags[2])
    fix: str | None = None  # a proposed fix, only where it is safe to propose one

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    summary: str
    source: str
    since: dt.date | None
    check: Callable[[Draft, Context], Iterator[Hit]]


@dataclass(slots=True)
class Hit:
    """What a rule reports: the message, the line of the read text, a fix; severity override."""

    message: str
    line: int | None = None
    fix: str | None = None
    severity: str | None = None
    field: str | None = None  # a structured draft's field, when the rule read it directly


@dataclass(slots=True)
class Context:
    """What the rules may consult besides the draft: an archive to resolve REF items in."""

    resolve: Callable[[str], bool] | None = None  # cable id -> exists (None: cannot tell)


RULES: list[Rule] = []


def rule(rule_id: str, severity: str, summary: str, source: str, since: str | None = None):
    def register(fn: Callable[[Draft, Context], Iterator[Hit]]):
        RULES.append(
            Rule(
                rule_id,
                severity,
                summary,
                source,
                dt.date.fromisoformat(since) if since else None,
                fn,
            )
        )
        return fn

    return register


def run(
    draft: Draft, context: Context | None = None, *, select: set[str] | None = None
) -> list[Finding]:
    """Every finding of every rule in force on the draft's date, in line order."""
    _load()
    ctx = context or Context()
    out: list[Finding] = []
    for r in RULES:
        if select is not None and r.id not in select:
            continue
        if r.since is not None and draft.date < r.since:
            continue
        for hit in r.check(draft, ctx):
            if hit.field is not None:
                line, path = draft.field_lines.get(hit.field), hit.field
            else:
                line, path = draft.where(hit.line)
            out.append(
                Finding(
                    rule=r.id,
                    severity=hit.severity or r.severity,
                    message=hit.message,
                    line=line,
                    field=path,
                    fix=hit.fix,
                )
            )
    out.sort(key=lambda f: (f.line is None, f.line or 0, f.rule))
    return out


def load() -> list[Rule]:
    """Every rule, registered."""
    _load()
    return RULES


def _load() -> None:
    # importing the modules registers their rules (once)
    from cablebase.drafting.rules import (  # noqa: F401
        addressing,
        captions,
        declass,
        marking,
        paragraphs,
        references,
        tags,
    )
