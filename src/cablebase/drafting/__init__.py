"""The drafting desk: drafts, and the rules a draft is checked against.

    >>> from cablebase.drafting import load_draft, check
    >>> draft = load_draft("draft.txt")          # telegram text, or .yaml / .json
    >>> for f in check(draft):
    ...     print(f.line, f.rule, f.severity, f.message)

See docs/drafting.md for the draft format, the rules and their sources.
"""

from __future__ import annotations

from cablebase.drafting.check import check, load_draft
from cablebase.drafting.draft import Draft, draft_from_text
from cablebase.drafting.rules import RULES, Context, Finding

__all__ = ["RULES", "Context", "Draft", "Finding", "check", "draft_from_text", "load_draft"]
