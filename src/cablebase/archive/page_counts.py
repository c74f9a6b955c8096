"""A page's total counted in the same pass as the page (issue 13: the search tail).

A user action is a page of hits and their total.  When the page's statement evaluates every
hit anyway (a relevance order sorts them all by bm25; a small hit set is collected and sorted
by date), SQLite counts them in that same pass for almost nothing: a window column
`count(*) OVER ()` is computed over the rows that pass the WHERE, before ORDER BY and LIMIT
cut the page.  Counting them again afterwards re-evaluates the whole match (an FTS5 doclist of
200,000 rows costs tens of ms).  The total is remembered per archive state, reader and plan,
and `SQLiteSearch.count` answers from it.

Only the count reads what a page wrote: a page never skips work because of an earlier one,
so a repeated action costs what the first did.  A plan's hit set is the same whoever asks
(the reader's id set is part of the plan, `query.BoundVisible`, and of the key), so the
remembered total is the exact count."""

from __future__ import annotations

from collections.abc import Hashable

# The window column (last of each row of a counted page).
TOTAL = "count(*) OVER ()"
MEMO = 1024  # totals remembered per connection and state (one small tuple each)


class PageCounts:
    """Totals of pages, for one state of the archive at a time."""

    def __init__(self, size: int = MEMO) -> None:
        self.size = size
        self.state: tuple | None = None
        self.known: dict[Hashable, int] = {}

    def put(self, state: tuple, key: Hashable, n: int) -> None:
        if state != self.state:
            self.known.clear()
            self.state = state
        if len(self.known) >= self.size:
            self.known.clear()
        self.known[key] = n

    def get(self, state: tuple, key: Hashable) -> int | None:
        if state != self.state:
            return None
        return self.known.get(key)
