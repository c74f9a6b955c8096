"""Load a draft from a file (text, YAML or JSON) and check it against every rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cablebase.drafting.draft import Draft, draft_from_text
from cablebase.drafting.rules import Context, Finding, run
from cablebase.drafting.structured import StructuredError, draft_from_data, read_structured

__all__ = ["check", "load_draft", "StructuredError"]

_STRUCTURED = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_draft(path: str | Path, *, date: dt.date | None = None, text: str | None = None) -> Draft:
    """A draft from a file: `.yaml`/`.yml`/`.json` are structured, anything else is telegram
    text.  Raises StructuredError (with the line) for a structured file that does not read."""
    p = Path(path)
    if text is None:
        text = p.read_text(encoding="utf-8", errors="replace")
    kind = _STRUCTURED.get(p.suffix.lower())
    if kind is None and text.lstrip().startswith("{"):
        kind = "json"
    if kind is None:
        return draft_from_text(text, date=date)
    data, lines = read_structured(text, kind)
    return draft_from_data(data, field_lines=lines, date=date, form=kind)


def check(draft: Draft, context: Context | None = None) -> list[Finding]:
    return run(draft, context)
