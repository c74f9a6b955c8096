"""The archive's query language: text -> syntax tree -> parameterised SQL (docs/search.md).

    words  "a phrase"  prefix*  AND  OR  NOT  -term  ( ... )
    id:09BAMAKO776  origin:bamako  tag:PGOV  class:>=confidential  handling:noforn
    subject:word  signer:milovanovic  from:2009-01  to:2009-12-31  year:2009  year:2008..2010
    cites:09BAMAKO754  citedby:09BAMAKO776

Juxtaposed terms are ANDed.  Every value travels as an SQL parameter; query text never becomes
SQL.  A malformed query raises QueryError with the position of the fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

CLASS_RANK = {
    "U": 0,
    "UNCLAS": 0,
    "UNCLASSIFIED": 0,
    "C": 1,
    "CONFIDENTIAL": 1,
    "S": 2,
    "SECRET": 2,
    "TS": 3,
    "TOP SECRET": 3,
    "TOPSECRET": 3,
    "TOP-SECRET": 3,
}
FIELDS = (
    "id",
    "origin",
    "tag",
    "class",
    "handling",
    "subject",
    "signer",
    "from",
    "to",
    "year",
    "cites",
    "citedby",
)
MAX_QUERY = 2000  # characters; longer queries are refused rather than planned


class QueryError(ValueError):
    """A query that cannot be read; `position` is the 0-based offset of the fault."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


# -- syntax tree ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """Free text: a word, a prefix (word*) or a phrase, optionally limited to `subject`."""

    text: str
    phrase: bool = False
    prefix: bool = False
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    op: str  # = < <= > >=
    value: str
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class All:
    """The empty query: every cable."""


Node = Term | Field | Not | And | Or | All

# -- lexer --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"(?P<ptext>[^"]*)(?P<pend>"?))
  | (?P<field>(?P<fname>[A-Za-z]+):(?P<fop><=|>=|<|>|=)?)
  | (?P<word>[^\s()"]+)
    """,
    re.X,
)


@dataclass(slots=True)
class _Tok:
    kind: str  # lparen rparen phrase field word and or not minus
    text: str
    pos: int
    op: str = "="


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if m is None:  # pragma: no cover - the word alternative matches anything left
            raise QueryError("unexpected character", pos)
        if m.group("phrase"):
            if not m.group("pend"):
                raise QueryError("unclosed quote", pos)
            toks.append(_Tok("phrase", m.group("ptext"), pos))
        elif m.group("field") and m.group("fname").lower() in FIELDS:
            toks.append(_Tok("field", m.group("fname").lower(), pos, m.group("fop") or "="))
        elif m.group("field"):
            raise QueryError(
                f"unknown field {m.group('fname')!r}; fields are {', '.join(FIELDS)}", pos
            )
        elif m.group("word"):
            word = m.group("word")
            if word in ("AND", "&&"):
                toks.append(_Tok("and", word, pos))
            elif word in ("OR", "||"):
                toks.append(_Tok("or", word, pos))
            elif word == "NOT":
                toks.append(_Tok("not", word, pos))
            elif word.startswith("-") and len(word) > 1:
                toks.append(_Tok("minus", "-", pos))
                toks.append(_Tok("word", word[1:], pos + 1))
            else:
                toks.append(_Tok("word", word, pos))
        elif m.group("lparen"):
            toks.append(_Tok("lparen", "(", pos))
        elif m.group("rparen"):
            toks.append(_Tok("rparen", ")", pos))
        pos = m.end()
    return toks


# -- parser -------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            return All()
        node = self.or_expr()
        if (tok := self.peek()) is not None:
            raise QueryError(f"unexpected {tok.text!r}", tok.pos)
        return node

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("the query ends where a term was expected", len(self.text))
        if tok.kind in ("not", "minus"):
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "lparen":
            if (nxt := self.peek()) is not None and nxt.kind == "rparen":
                raise QueryError("empty parentheses", nxt.pos)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError("missing closing parenthesis", tok.pos)
            self.take()
            return node
        if tok.kind == "phrase":
            if not tok.text.strip():
                raise QueryError("empty phrase", tok.pos)
            return Term(tok.text, phrase=True)
        if tok.kind == "word":
            return _word(tok.text, tok.pos)
        if tok.kind == "field":
            return self.field(tok)
        raise QueryError(f"unexpected {tok.text!r}", tok.pos)

    def field(self, tok: _Tok) -> Node:
        value = self.peek()
        if value is None or value.kind not in ("word", "phrase"):
            raise QueryError(f"{tok.text}: needs a value", tok.pos)
        self.take()
        if tok.text == "subject":
            if value.kind == "phrase":
                return Term(value.text, phrase=True, column="subject")
            term = _word(value.text, value.pos)
            return Term(term.text, prefix=term.prefix, column="subject")
        if tok.op != "=" and tok.text not in ("class", "year", "from", "to"):
            raise QueryError(f"{tok.text}: does not take {tok.op}", tok.pos)
        return Field(tok.text, tok.op, value.text, value.pos)


def _word(text: str, pos: int) -> Term:
    prefix = text.endswith("*")
    core = text.rstrip("*")
    if not core:
        raise QueryError("a prefix needs at least one character before *", pos)
    if "*" in core:
        raise QueryError("* is allowed only at the end of a word", pos + core.index("*"))
    return Term(core, prefix=prefix)


def parse_query(text: str) -> Node:
    """Read a query into its syntax tree (raises QueryError)."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"query longer than {MAX_QUERY} characters", MAX_QUERY)
    return _Parser(text).parse()


# -- SQL ----------------------------------------------------------------------------


def _fts_string(term: Term) -> str | None:
    """An FTS5 query string for one term, every token quoted (no FTS syntax passes through)."""
    words = re.findall(r"\w+", term.text)
    if not words:
        return None
    quoted = '"' + " ".join(words) + '"'
    if term.prefix:
        quoted += " *"
    return f"{{{term.column}}} : {quoted}" if term.column else quoted


def _period(value: str, pos: int, *, end: bool) -> str:
    """from:/to: values: YYYY, YYYY-MM or YYYY-MM-DD -> an ISO bound."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
    if not m:
        raise QueryError(f"not a date {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)", pos)
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        start = date(y, mo, d)
    except ValueError:
        raise QueryError(f"not a date {value!r}", pos) from None
    if not end:
        return start.isoformat()
    if m.group(3):
        stop = start + timedelta(days=1)
    elif m.group(2):
        stop = date(y + (mo == 12), mo % 12 + 1, 1)
    else:
        stop = date(y + 1, 1, 1)
    return stop.isoformat()


_OPS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _field_sql(f: Field, params: list) -> str:
    v = f.value
    if f.name == "id":
        if v.endswith("*"):
            params.append(v[:-1].upper().replace("%", "").replace("_", "") + "%")
            return "c.reference_id LIKE ?"
        params.append(v.upper())
        return "c.reference_id = ?"
    if f.name == "origin":
        # origin:bamako matches "Embassy Bamako"; spaces in the value are written as _ or quoted.
        params.extend([f"%{v.replace('_', ' ')}%", v.upper().replace("_", " ")])
        return "(c.origin LIKE ? OR c.post = ?)"
    if f.name == "tag":
        params.append(v.upper())
        return "c.id IN (SELECT cable_id FROM tags WHERE tag = ?)"
    if f.name == "handling":
        params.append(v.upper().replace("_", " "))
        return "c.id IN (SELECT cable_id FROM handling WHERE caveat = ?)"
    if f.name == "signer":
        params.append(v)
        return "c.id IN (SELECT cable_id FROM people WHERE role = 'signer' AND name = ? COLLATE NOCASE)"
    if f.name == "class":
        rank = CLASS_RANK.get(v.upper().replace("_", " "))
        if rank is None:
            raise QueryError(f"unknown classification {v!r}", f.position)
        params.append(rank)
        return f"c.class_rank {_OPS[f.op]} ?"
    if f.name == "year":
        if m := re.fullmatch(r"(\d{4})\.\.(\d{4})", v):
            params.extend([int(m.group(1)), int(m.group(2))])
            return "c.year BETWEEN ? AND ?"
        if not re.fullmatch(r"\d{4}", v):
            raise QueryError(f"not a year {v!r}", f.position)
        params.append(int(v))
        return f"c.year {_OPS[f.op]} ?"
    if f.name == "from":
        params.append(_period(v, f.position, end=False))
        return "c.created >= ?"
    if f.name == "to":
        params.append(_period(v, f.position, end=True))
        return "c.created < ?"
    if f.name == "cites":
        params.append(v.upper())
        return "c.id IN (SELECT cable_id FROM refs WHERE target = ?)"
    if f.name == "citedby":
        params.append(v.upper())
        return (
            "c.reference_id IN (SELECT r.target FROM refs r JOIN cables s ON s.id = r.cable_id"
            " WHERE s.reference_id = ?)"
        )
    raise QueryError(f"unknown field {f.name!r}", f.position)  # pragma: no cover


def to_sql(node: Node, params: list) -> str:
    """A WHERE condition over `cables c` for the tree; values are appended to `params`."""
    if isinstance(node, All):
        return "1"
    if isinstance(node, Term):
        fts = _fts_string(node)
        if fts is None:  # punctuation only: matches nothing, like an empty word would
            return "0"
        params.append(fts)
        return "c.id IN (SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?)"
    if isinstance(node, Field):
        return _field_sql(node, params)
    if isinstance(node, Not):
        return f"NOT ({to_sql(node.node, params)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_sql(n, params) for n in node.nodes) + ")"


def positive_terms(node: Node) -> list[Term]:
    """Free-text terms that are not negated: they decide relevance and snippets."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in positive_terms(n)]
    return []


def relevance_match(node: Node) -> str | None:
    """One FTS5 expression ORing the positive terms, for bm25 ranking and snippets."""
    parts = [s for t in positive_terms(node) if (s := _fts_string(t))]
    return " OR ".join(parts) if parts else None
