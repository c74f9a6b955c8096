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

import re

from cablebase.archive.query import Term
from cablebase.archive.snippets import words

MAX_POSITION = 16383
MAX_POSITIONS = 256  # per word
MAX_WORD = 2046  # bytes
_ASCII_RUN = re.compile(r"[a-z0-9]+")


def quoted(token: str) -> str:
    """A lexeme as tsvector/tsquery input reads it literally."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tokens(text: str) -> list[str]:
    """`snippets.words`, with a fast path for ASCII text (most cables): runs of letters and
    digits, lower-cased, which is what the FTS5 tokenizer makes of ASCII.  A run that folds to
    nothing (a lone combining accent) is no token: FTS5 finds nothing there and keeps the words
    around it adjacent, and PostgreSQL refuses an empty lexeme."""
    if text.isascii():
        return _ASCII_RUN.findall(text.lower())
    return [t for t in words(text) if t]


def tsvector(subject: str, body: str) -> tuple[str, set[str]]:
    """(the tsvector literal of a cable's subject and body, its distinct words).  Positions
    past MAX_POSITION are written as MAX_POSITION, as PostgreSQL's own to_tsvector does: the
    word stays findable."""
    positions: dict[str, list[str]] = {}
    first = tokens(subject)
    for i, token in enumerate(first, start=1):
        positions.setdefault(token, []).append(f"{i}A")
    # A gap: no phrase runs from the subject into the body.
    for i, token in enumerate(tokens(body), start=len(first) + 2):
        where = positions.get(token)
        if where is None:
            positions[token] = [str(min(i, MAX_POSITION))]
        elif len(where) < MAX_POSITIONS and i <= MAX_POSITION:
            where.append(str(i))
    for where in positions.values():  # a subject repeating a word more often than that
        if len(where) > MAX_POSITIONS:
            del where[MAX_POSITIONS:]
    kept = [t for t in positions if len(t.encode()) <= MAX_WORD]
    literal = " ".join(f"{quoted(t)}:{','.join(positions[t])}" for t in kept)
    return literal, set(kept)


def term_query(term: Term, *, weights: bool = True) -> str | None:
    """A term as a tsquery: its tokens in sequence (`<->`), the last a prefix for `word*`,
    each limited to the subject (weight A) for `subject:` (unless `weights` is false: a
    query of the subject's own tsvector, `subject_fts`, whose every position is the
    subject's; a weight would only make PostgreSQL recheck each row).  Tokens that fold to
    nothing are left out, as FTS5 leaves them out of its phrase; None for a term of no token
    at all (it matches nothing, as in FTS5): archive/pg/plan.py writes it as FALSE."""
    weight = "A" if term.column == "subject" and weights else ""
    kept = [t for t in term.tokens if t]
    if not kept:
        return None
    parts = []
    for i, token in enumerate(kept):
        star = "*" if term.prefix and i == len(kept) - 1 else ""
        label = star + weight
        parts.append(quoted(token) + (f":{label}" if label else ""))
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
