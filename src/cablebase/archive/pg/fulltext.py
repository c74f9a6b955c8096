"""Full text on PostgreSQL with the SQLite index's meaning (docs/search.md, "Free text").

PostgreSQL's own parser splits text otherwise than FTS5's unicode61 tokenizer (hyphenated
words, e-mail addresses, numbers with points), so neither side is parsed here by PostgreSQL:
the tsvector is written from the tokens `snippets.words` gives (the ones FTS5 indexes: case
and diacritics folded), and a query term becomes a tsquery of its tokens, quoted.  The subject's
tokens carry weight A and the body's weight D, so `subject:` is a weight filter; the body's
positions start one past the subject's last, so no phrase spans the two (FTS5 columns).

Limits PostgreSQL sets (documented in docs/search.md for this store): positions stop at 16,383
(a phrase further into a cable is not found; its words are) and a word keeps 256 positions;
words longer than 2,046 bytes are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterable

from cablebase.archive.query import Term
from cablebase.archive.snippets import words

MAX_POSITION = 16383
MAX_POSITIONS = 256  # per word
MAX_WORD = 2046  # bytes


def quoted(token: str) -> str:
    """A lexeme as tsvector/tsquery input reads it literally."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(subject: str, body: str) -> tuple[str, set[str]]:
    """(the tsvector literal of a cable's subject and body, its distinct words)."""
    positions: dict[str, list[str]] = {}
    pos = 0

    def add(tokens: Iterable[str], weight: str) -> None:
        nonlocal pos
        for token in tokens:
            pos += 1
            if pos > MAX_POSITION or len(token.encode()) > MAX_WORD:
                continue
            where = positions.setdefault(token, [])
            if len(where) < MAX_POSITIONS:
                where.append(f"{pos}{weight}")

    add(words(subject), "A")
    pos += 1  # a gap: no phrase runs from the subject into the body
    add(words(body), "")
    literal = " ".join(f"{quoted(t)}:{','.join(p)}" for t, p in positions.items() if p)
    return literal, set(positions)


def term_query(term: Term) -> str:
    """A term as a tsquery: its tokens in sequence (`<->`), the last a prefix for `word*`,
    each limited to the subject (weight A) for `subject:`."""
    weight = "A" if term.column == "subject" else ""
    parts = []
    for i, token in enumerate(term.tokens):
        star = "*" if term.prefix and i == len(term.tokens) - 1 else ""
        label = star + weight
        parts.append(quoted(token) + (f":{label}" if label else ""))
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
