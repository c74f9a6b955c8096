"""Snippets for search hits, and the tokeniser the full-text index uses, in Python.

The FTS table is contentless, so SQLite's `snippet()` cannot see the text.  This module finds
the passage itself: it tokenises text exactly as the index's `unicode61 remove_diacritics 2`
tokenizer does (case and diacritics folded, split on everything that is not a letter or digit),
finds the first match of the query's positive terms and cuts ~30 words around it, with the
matches wrapped in markers.

Exactness of the tokeniser: ASCII is fixed (letters and digits are token characters, folded to
lower case).  Every other character is classified once by asking SQLite's own tokenizer (an
in-memory FTS5 table), so the fold follows whatever SQLite build is in use, and cached.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# -- the tokeniser -----------------------------------------------------------------------

_SEP = None  # marks a separator character in the fold table
_FOLD: dict[int, str | None] = {}
for _cp in range(128):
    _ch = chr(_cp)
    _FOLD[_cp] = _ch.lower() if _ch.isalnum() else _SEP
_LOCK = threading.Lock()
_PROBE: sqlite3.Connection | None = None

# Runs of ASCII letters/digits or of any non-ASCII characters: the candidate tokens.
_RUN = re.compile(r"[A-Za-z0-9\x80-\U0010ffff]+")


def _probe(chars: Iterable[str]) -> None:
    """Classify unseen non-ASCII characters with SQLite's own unicode61 tokenizer."""
    global _PROBE
    todo = sorted({c for c in chars if ord(c) not in _FOLD})
    if not todo:
        return
    with _LOCK:
        if _PROBE is None:
            _PROBE = sqlite3.connect(":memory:", check_same_thread=False)
            _PROBE.execute(
                "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')"
            )
            _PROBE.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        con = _PROBE
        with con:
            con.execute("DELETE FROM t")
            # "q<c>q": one token "q<fold>q" if c is a token character, two tokens "q" if not.
            con.executemany(
                "INSERT INTO t (rowid, x) VALUES (?, ?)", [(ord(c), f"q{c}q") for c in todo]
            )
            found: dict[int, list[str]] = {}
            for term, doc in con.execute("SELECT term, doc FROM v"):
                found.setdefault(doc, []).append(term)
            con.execute("DELETE FROM t")
        for c in todo:
            terms = found.get(ord(c), [])
            if len(terms) == 1 and terms[0].startswith("q") and terms[0].endswith("q"):
                _FOLD[ord(c)] = terms[0][1:-1]
            else:
                _FOLD[ord(c)] = _SEP


def fold_chars(text: str) -> list[str | None]:
    """Per character: its folded form ('' for a diacritic the index drops) or None (separator)."""
    if not text.isascii():
        _probe(text)
    fold = _FOLD
    return [fold[ord(c)] for c in text]


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # folded: what the index stores
    start: int  # span in the original text
    end: int


def tokenize(text: str) -> list[Token]:
    """The tokens the FTS index holds for `text`, with their spans."""
    out: list[Token] = []
    for m in _RUN.finditer(text):
        run = m.group()
        if run.isascii():
            out.append(Token(run.lower(), m.start(), m.end()))
            continue
        folds = fold_chars(run)
        base = m.start()
        cur: list[str] = []
        start = -1
        for i, f in enumerate(folds):
            if f is None:
                if start >= 0 and cur:
                    out.append(Token("".join(cur), base + start, base + i))
                cur, start = [], -1
            else:
                if start < 0:
                    start = i
                cur.append(f)
        if start >= 0 and cur:
            out.append(Token("".join(cur), base + start, base + len(run)))
    return out


def words(text: str) -> list[str]:
    """The folded tokens of `text` (what a term's text means to the index)."""
    return [t.text for t in tokenize(text)]


# -- matching ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pattern:
    """One positive query term: folded tokens, the last one a prefix if `prefix`."""

    tokens: tuple[str, ...]
    prefix: bool = False
    subject_only: bool = False


def _matches(tokens: Sequence[Token], patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """Every (first, last) token index range where a pattern matches, in text order."""
    out: list[tuple[int, int]] = []
    texts = [t.text for t in tokens]
    n = len(texts)
    for i in range(n):
        for p in patterns:
            k = len(p.tokens)
            if i + k > n:
                continue
            last = k - 1
            ok = True
            for j in range(k):
                tok = texts[i + j]
                want = p.tokens[j]
                if (j == last and p.prefix and not tok.startswith(want)) or (
                    not (j == last and p.prefix) and tok != want
                ):
                    ok = False
                    break
            if ok:
                out.append((i, i + last))
                break
    return out


_WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=256)
def _ascii_regex(patterns: tuple[Pattern, ...]) -> re.Pattern[str] | None:
    """A regex over lower-cased ASCII text finding the patterns' matches (None if not ASCII).

    The alternatives start with their words, not with a look-behind for the word start: so
    Python's engine factors out their common start (a stemmed word's forms share theirs) and
    skips through the text to it, instead of trying every alternative at every position
    (14 times faster on stem expansions).  `_ascii_spans` checks the word start."""
    alts = []
    for p in patterns:
        if not all(t.isascii() for t in p.tokens):
            return None
        body = r"[^0-9a-z]+".join(re.escape(t) for t in p.tokens)
        tail = r"[0-9a-z]*" if p.prefix else r"(?![0-9a-z])"
        alts.append(f"{body}{tail}")
    return re.compile("|".join(alts)) if alts else None


def _ascii_spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The matches of `rx` in lower-cased `text` that start a word."""
    out: list[tuple[int, int]] = []
    search, pos = rx.search, 0
    # Past the end, search() starts at the end again: an empty match there would never stop.
    while pos <= len(text) and (m := search(text, pos)) is not None:
        a = m.start()
        if a and text[a - 1] in _WORD_CHARS:  # inside a word: look again one further on
            pos = a + 1
            continue
        out.append(m.span())
        pos = m.end() if m.end() > a else a + 1
    return out


def _spans(text: str, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """Character spans of the matches of the patterns in `text`, in order."""
    if not patterns:
        return []
    if text.isascii():
        rx = _ascii_regex(tuple(patterns))
        if rx is not None:
            return _ascii_spans(rx, text.lower())
    toks = tokenize(text)
    return [(toks[a].start, toks[b].end) for a, b in _matches(toks, patterns)]


# -- the snippet -------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def snippet(
    subject: str | None,
    body: str,
    patterns: Sequence[Pattern],
    *,
    words_before: int = 10,
    words_after: int = 20,
    marks: tuple[str, str] = ("[", "]"),
    ellipsis: str = "…",
) -> str | None:
    """A ~30-word passage around the first match in the body (else the subject), matches marked.

    `body` is the indexed text (headings and paragraphs joined by newlines).  Without any
    match, the start of the body is returned unmarked; None when there is no text at all."""
    body_patterns = [p for p in patterns if not p.subject_only]
    text, spans = body, _spans(body, body_patterns)
    if not spans and subject:
        subj_spans = _spans(subject, patterns)
        if subj_spans:
            text, spans = subject, subj_spans
    if not text:
        text = subject or ""
        if not text:
            return None
    first = spans[0][0] if spans else 0
    # The window: whole whitespace-separated words around the first match.
    lo = max(0, first - 40 * words_before)
    before = [m.start() for m in _WORD.finditer(text, lo, first)]
    if len(before) > words_before:
        start = before[-words_before] if words_before else first
    elif lo == 0:
        start = 0
    else:
        start = before[0] if before else first
    after = _WORD.finditer(text, first)
    end = first
    for i, m in enumerate(after):
        end = m.end()
        if i + 1 >= words_after:
            break
    # A match that runs past the last word is kept whole.
    for a, b in spans:
        if a < end < b:
            end = b
    parts: list[str] = []
    pos = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        parts.append(text[pos:a])
        parts.append(marks[0] + text[a:b] + marks[1])
        pos = b
    parts.append(text[pos:end])
    out = " ".join("".join(parts).split())
    if start > 0:
        out = ellipsis + out
    if text[end:].strip():
        out += ellipsis
    return out
