"""English stemming for free text (docs/search.md, "Free text").

An unquoted word matches every indexed word with the same Porter stem (`negotiation` finds
negotiations, negotiated, negotiator...); quoted it matches exactly.  The index keeps the
words themselves (exact phrases, snippets and ranking read them), so a word is expanded at
query time into the indexed words that share its stem.  The stemmer is SQLite's own `porter`
tokenizer, run in a private in-memory database: no dependency, and one definition of a stem.
"""

from __future__ import annotations

import sqlite3
import threading

MIN_STEM = 4  # shorter stems are too ambiguous (ties -> ti): such words match exactly
# A word's stem differs from the word's own start in at most its last letter (Porter's
# rewrites touch the suffix: y->i, ational->ate...); two letters of slack when looking up
# the words that could share a stem.
SLACK = 2


def stemmable(token: str) -> bool:
    """Whether a folded token is a word stemming applies to (ASCII letters, 4 or more)."""
    return len(token) >= MIN_STEM and token.isascii() and token.isalpha()


class Stemmer:
    """Porter stems of words, remembered (a word's stem never changes)."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute("CREATE VIRTUAL TABLE s USING fts5(t, tokenize = 'porter ascii')")
        self._conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(s, instance)")
        self._known: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def stems(self, tokens: list[str]) -> dict[str, str | None]:
        """token -> its stem (None for a token that is not one ASCII word)."""
        todo = [t for t in dict.fromkeys(tokens) if t not in self._known]
        if todo:
            with self._lock:
                self._conn.execute("DELETE FROM s")
                self._conn.executemany(
                    "INSERT INTO s (rowid, t) VALUES (?, ?)", enumerate(todo, start=1)
                )
                found: dict[int, list[str]] = {}
                for doc, term in self._conn.execute("SELECT doc, term FROM v"):
                    found.setdefault(doc, []).append(term)
                for i, t in enumerate(todo, start=1):
                    got = found.get(i, [])
                    self._known[t] = got[0] if len(got) == 1 and stemmable(t) else None
        return {t: self._known[t] for t in tokens}

    def stem(self, token: str) -> str | None:
        return self.stems([token])[token]


STEMMER = Stemmer()


def expansion_prefix(stem: str) -> str | None:
    """The start every word with this stem has (None: too short a stem to expand)."""
    if len(stem) < MIN_STEM:
        return None
    return stem[: len(stem) - SLACK]
