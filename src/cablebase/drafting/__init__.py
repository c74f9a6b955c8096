"""The drafting desk: drafts, and the rules a draft is checked against.

    >>> from cablebase.drafting import load_draft, check
    >>> draft = load_draft("draft.txt")          # telegram text, or .yaml / .json
    >>> for f in check(draft):
    ...     print(f.line, f.rule, f.severity, f.message)

Clearance and release: `Desk` (drafting/desk.py); the released cable as a telegram:
`released.telegram` (drafting/released.py).  See docs/drafting.md for the draft format, the
rules and their sources, the workflow, numbering and rendering.
"""

from __future__ import annotations

from cablebase.drafting.check import check, load_draft
from cablebase.drafting.desk import Desk
from cablebase.drafting.draft import Draft, draft_from_text
from cablebase.drafting.rules import RULES, Context, Finding

__all__ = [
    "RULES",
    "Context",
    "Desk",
    "Draft",
    "Finding",
    "check",
    "draft_from_text",
    "load_draft",
]
