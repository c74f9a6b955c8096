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

import json
import re
from itertools import pairwise
from typing import NamedTuple

from cablebase.archive.query import Term
from cablebase.archive.snippets import words

MAX_POSITION = 16383
MAX_POSITIONS = 256  # per word
MAX_WORD = 2046  # bytes
PAIR_WORD = 31  # bytes: longer words are not paired (pairs())
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


class Indexed(NamedTuple):
    """A cable's full-text column as COPY writes it, and its distinct words.  Its pairs
    (pairs()) are the server's to compute, from the positions this writes (schema.py's
    cable_pairs, migration 8)."""

    fts: str  # the tsvector literal of the subject (weight A) and body (D)
    words: set[str]


def tsvector(subject: str, body: str) -> Indexed:
    """A cable's subject and body indexed.  Positions past MAX_POSITION are written as
    MAX_POSITION, as PostgreSQL's own to_tsvector does: the word stays findable."""
    positions: dict[str, list[str]] = {}
    first, rest = tokens(subject), tokens(body)
    for i, token in enumerate(first, start=1):
        positions.setdefault(token, []).append(f"{i}A")
    # A gap: no phrase runs from the subject into the body.
    for i, token in enumerate(rest, start=len(first) + 2):
        where = positions.get(token)
        if where is None:
            positions[token] = [str(min(i, MAX_POSITION))]
        elif len(where) < MAX_POSITIONS and i <= MAX_POSITION:
            where.append(str(i))
    for where in positions.values():  # a subject repeating a word more often than that
        del where[MAX_POSITIONS:]
    kept = [t for t in positions if len(t.encode()) <= MAX_WORD]
    literal = " ".join(f"{quoted(t)}:{','.join(positions[t])}" for t in kept)
    return Indexed(literal, set(kept))


def _literal(lexemes: set[str]) -> str:
    """A tsvector literal of lexemes without positions (quoted, each holding a space)."""
    joined = "' '".join(lexemes)
    if joined.count("'") > 2 * len(lexemes) or "\\" in joined:  # to escape (not in ASCII tokens)
        return " ".join(map(quoted, lexemes))
    return f"'{joined}'" if lexemes else ""


def pairs(positions: dict[str, list[int]]) -> str:
    """The tsvector literal (lexemes, no positions) of a cable's adjacent word pairs: `a b`
    for every position p where the cable's tsvector holds `a` at p and `b` at p + 1, the
    positions as PostgreSQL keeps them (clamped to MAX_POSITION).  So a two-word phrase
    `a <-> b` matches the tsvector exactly when the pairs hold `a b`: the phrase becomes one
    lexeme of a GIN index, answered without reading any tsvector (archive/pg/plan.py).
    Only words of at most PAIR_WORD bytes are paired (a phrase with a longer word is
    matched on the tsvector, as before), which also keeps a cable's pairs within
    PostgreSQL's 1 MB of lexemes (at most MAX_POSITION pairs of 2 * 31 + 1 bytes).
    The rule schema.py's cable_pairs computes in SQL for the index (migration 8); migration
    6 wrote a column by this function."""
    return _literal(_pairs(positions))


def _pairs(positions: dict[str, list[int]]) -> set[str]:
    at: dict[int, str] = {}
    n = 0
    for word, where in positions.items():
        if len(word.encode()) <= PAIR_WORD:
            n += len(where)
            at.update(dict.fromkeys(where, word))
    if n == len(at) and max(at, default=0) <= MAX_POSITION:  # one word a position (no clamp)
        following = at.get
        return {f"{a} {b}" for i, a in at.items() if (b := following(i + 1)) is not None}
    return _clamped_pairs(positions)


def _clamped_pairs(positions: dict[str, list[int]]) -> set[str]:
    """_pairs where several words share a position (clamped to MAX_POSITION)."""
    at: dict[int, list[str]] = {}
    for word, where in positions.items():
        if len(word.encode()) <= PAIR_WORD:
            for i in where:
                at.setdefault(min(i, MAX_POSITION), []).append(word)
    return {f"{a} {b}" for i, firsts in at.items() for a in firsts for b in at.get(i + 1, ())}


_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'(?::([0-9A-D,]+))?")
_UNESCAPE = re.compile(r"''|\\(.)")
_NO_WEIGHTS = str.maketrans("", "", "ABCD")


def parsed(literal: str) -> dict[str, list[int]]:
    """A tsvector's text output read back: each lexeme's positions (weights dropped)."""
    items = literal.split(" ")
    if "\\" in literal or literal.count("'") != 2 * len(items):  # a quote or space within
        return _parsed_escaped(literal)
    words, wheres = [], []
    for item in items:  # 'word':1A,5 (or 'word' with no positions)
        word, _, where = item.partition("':")
        words.append(word[1:] if where else word[1:-1])
        wheres.append(where)
    # every position read by one json.loads: int() of each would take twice the time
    read = json.loads("[[" + "],[".join(wheres).translate(_NO_WEIGHTS) + "]]")
    return dict(zip(words, read, strict=True))


def _parsed_escaped(literal: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for m in _LEXEME.finditer(literal):
        word = _UNESCAPE.sub(lambda e: e.group(1) or "'", m.group(1))
        out[word] = [int(p.rstrip("ABCD")) for p in m.group(2).split(",")] if m.group(2) else []
    return out


def phrase_pairs(term: Term) -> list[str]:
    """The pair lexemes (pairs()) a phrase term's hits all hold: each two adjacent tokens of
    it, neither longer than PAIR_WORD nor the prefix of `word*`.  None (empty) for a term limited to
    the subject (its own tsvector answers it) or of one token."""
    kept = [t for t in term.tokens if t]
    if term.column is not None or len(kept) < 2:
        return []
    whole = kept[:-1] if term.prefix else kept
    return [
        f"{a} {b}"
        for a, b in pairwise(whole)
        if len(a.encode()) <= PAIR_WORD and len(b.encode()) <= PAIR_WORD
    ]


def exact_by_pairs(term: Term) -> bool:
    """Whether a phrase's pairs alone find exactly its hits: two whole words, each paired."""
    kept = [t for t in term.tokens if t]
    return len(kept) == 2 and not term.prefix and len(phrase_pairs(term)) == 1


def pairs_query(terms: list[Term]) -> str:
    """One tsquery of the pairs of the phrase terms given (each has some): all of them."""
    found = dict.fromkeys(p for t in terms for p in phrase_pairs(t))
    return " & ".join(map(quoted, found))


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
