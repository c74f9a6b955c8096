"""The archive's query language: text -> syntax tree -> parameterised SQL (docs/search.md).

    words  "a phrase"  prefix*  AND  OR  NOT  -term  ( ... )
    id:09BAMAKO776  id:09BAMAKO*  origin:bamako  tag:PGOV  class:>=confidential  handling:noforn
    subject:word  signer:milovanovic  classifiedby:scobey  person:clinton
    from:2009-01  to:2009-12-31  (dates)   from:bamako  to:secstate  (names: sender, addressees)
    sender:"amembassy bamako"  addressee:RUEHC  info:nsc  tag:"COUNTER TERRORISM"  class:lou
    date:2009-12-03  date:2009-03..2009-06  date:<2010  month:2009-12  year:2009  year:2008..2010
    cites:09BAMAKO754  citedby:09BAMAKO776  released:2010-11  released:2010-11..2011-09

Juxtaposed terms are ANDed; NOT and - bind tightest, then AND, then OR.  Free text matches the
full-text index (subject and body) with its own tokenisation: case and diacritics do not matter
and a hyphenated or apostrophised word is the phrase of its parts.  Every value travels as an
SQL parameter: `to_sql` emits only the fixed fragments in `SQL_FRAGMENTS` and `?` placeholders.
A malformed query raises QueryError with the position of the fault.

Every condition is two-valued (never SQL NULL), so NOT x is exactly "every cable but those
matching x", also for cables whose classification, date or origin is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import orjson

from cablebase.access.policy import may_be_acl_token
from cablebase.archive.snippets import Pattern, words

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
# Spellings of LIMITED OFFICIAL USE: a marking of old cables, not a level of the order (such
# cables have no class rank, docs/record.md), so class: matches it by name and takes no < >.
LOU = "LIMITED OFFICIAL USE"
LOU_NAMES = {"LOU", "LIMITED OFFICIAL USE", "LIMITEDOFFICIALUSE", "LIMITED-OFFICIAL-USE"}
# Words people put in class: that are handling caveats: the error says where they belong.
CAVEAT_NOT_CLASS = {
    "SBU": "sbu",
    "SENSITIVE": "sensitive",
    "SENSITIVE BUT UNCLASSIFIED": "sensitive",
    "FOUO": "fouo",
    "NOFORN": "noforn",
    "NF": "noforn",
}
HANDLING_ALIASES = {"FOUO": "FOR OFFICIAL USE ONLY", "SENSITIVE BUT UNCLASSIFIED": "SENSITIVE"}
FIELDS = (
    "id",
    "origin",
    "tag",
    "class",
    "handling",
    "subject",
    "signer",
    "classifiedby",
    "person",
    "sender",
    "addressee",
    "info",
    "from",
    "to",
    "date",
    "month",
    "year",
    "cites",
    "citedby",
    "released",
)
# Fields matched on names (people, header addressees): a value's words, in order, against a
# name's words, spaces optional (`sanjose` = `san jose`); resolved against the archive's
# distinct names (Archive._names).  -> (side table, roles)
NAME_FIELDS = {
    "signer": ("people", ("signer",)),
    "classifiedby": ("people", ("classified_by",)),
    "person": ("people", ("signer", "classified_by")),
    "sender": ("recipients", ("from",)),
    "addressee": ("recipients", ("to", "info")),
    "info": ("recipients", ("info",)),
}
# Fields whose value names a cable, by what their condition reads of the named cable
# (docs/access.md: a cable the reader may not see, named by an operator, is as one the archive
# does not hold; `Archive._scope` applies this, `tests/test_access_oracle.py` checks every field):
#   "hit": the hit itself (id:): the reader's id set decides, as for every hit;
#   "cited": an id as other cables' REF blocks write it (cites:): matched on those blocks,
#            held or not, so nothing of the named cable is read;
#   "content": the named cable's own content (citedby: its REF block): only a cable the
#            reader sees has any.
NAMES_CABLE = {"id": "hit", "cites": "cited", "citedby": "content"}
PREFIX_FIELDS = ("id", "origin", "tag", "subject")  # fields whose value may end in *
COMPARABLE = ("class", "year", "date", "month")  # fields that take < <= > >=
MAX_QUERY = 2000  # characters; longer queries are refused rather than planned
MAX_TERMS = 64  # terms and fields in one query (keeps SQL and FTS expressions shallow)
MAX_DEPTH = 16  # nesting of parentheses and NOTs
# Prefix terms (word*) expand to every indexed word they start: each costs a scan of that
# part of the index, so a query may hold only a few (with the reading room's time budget,
# archive/budget.py, this bounds what one anonymous query can cost).
MAX_PREFIXES = 8


class QueryError(ValueError):
    """A query that cannot be read; `position` is the 0-based offset of the fault."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


# -- syntax tree ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """Free text: a word, a prefix (word*) or a phrase, optionally limited to `subject`.
    (Column `acl`: a tag's token, which the SQLite store puts for tag:X beside free text,
    archive/sqlite_search.py `_tags_as_text`; the parser never makes one.)

    `tokens` is what the text means to the index (folded tokens); a word of several tokens
    (well-known, O'Brien) is the phrase of them."""

    text: str
    phrase: bool = False
    prefix: bool = False
    column: str | None = None
    tokens: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class Visible:
    """The cables the reader sees, written by the archive (never by the parser) when it
    scopes a query to its reader (`Archive._scope`).  `text`: only those read whole (free
    text must not find a cable through a paragraph withheld from the reader).  Which reader
    is the store's to know: it is told with the plan (store.Reader), and answers this node
    its own way (SQLite: a test of c.id against the reader's id set, `BoundVisible`)."""

    text: bool = False


Node = Term | Field | Not | And | Or | All | Visible


def conjoin(*nodes: Node) -> Node:
    """AND of the nodes, nested ANDs flattened (so free text merges into one MATCH)."""
    parts: list[Node] = []
    for n in nodes:
        parts.extend(n.nodes if isinstance(n, And) else (n,))
    return And(tuple(parts))


def is_column(node: Node) -> bool:
    """Whether a node is a condition on the columns of `cables` (no side table, no text)."""
    return isinstance(node, Visible) or (isinstance(node, Field) and node.name in CABLE_FIELDS)


def has_text(node: Node) -> bool:
    """Whether free text occurs anywhere in the tree (negated or not)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return has_text(node.node)
    if isinstance(node, And | Or):
        return any(has_text(n) for n in node.nodes)
    return False


# -- lexer --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<minus>-(?=[^\s\-)]))
  | (?P<phrase>"(?P<ptext>[^"]*)(?P<pend>"?)(?P<pstar>\*?))
  | (?P<field>(?P<fname>[A-Za-z]+):(?P<fop><=|>=|<|>|=)?(?P<fval>"[^"]*"?\*?|[^\s()"]*))
  | (?P<word>[^\s()"]+)
    """,
    re.X,
)


KEYWORDS = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}  # operator words


@dataclass(slots=True)
class _Tok:
    kind: str  # lparen rparen phrase field word and or not minus
    text: str
    pos: int
    op: str = "="
    value: str = ""
    value_pos: int = 0
    quoted: bool = False


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if m is None:  # pragma: no cover - the word alternative matches anything left
            raise QueryError("unexpected character", pos)
        if m.group("phrase") is not None:
            if not m.group("pend"):
                raise QueryError("unclosed quote", pos)
            toks.append(_Tok("phrase", m.group("ptext"), pos, quoted=bool(m.group("pstar"))))
        elif m.group("field") is not None:
            name = m.group("fname").lower()
            if name not in FIELDS:
                raise QueryError(
                    f"unknown field {m.group('fname')!r}; fields are {', '.join(FIELDS)}", pos
                )
            val, vpos = m.group("fval"), m.start("fval")
            if not val:
                raise QueryError(f"{name}: needs a value right after the colon", vpos)
            quoted = val.startswith('"')
            star = ""
            if quoted:
                if val.endswith('"*') and len(val) > 2:
                    val, star = val[:-1], "*"
                if len(val) < 2 or not val.endswith('"'):
                    raise QueryError("unclosed quote", vpos)
                val, vpos = val[1:-1] + star, vpos + 1
                if not val.strip():
                    raise QueryError(f"{name}: needs a value", vpos)
            toks.append(_Tok("field", name, pos, m.group("fop") or "=", val, vpos, quoted))
        elif m.group("minus") is not None:
            toks.append(_Tok("minus", "-", pos))
        elif m.group("word") is not None:
            word = m.group("word")
            toks.append(_Tok(KEYWORDS.get(word, "word"), word, pos))
        elif m.group("lparen") is not None:
            toks.append(_Tok("lparen", "(", pos))
        elif m.group("rparen") is not None:
            toks.append(_Tok("rparen", ")", pos))
        pos = m.end()
    return toks


# -- parser -------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0
        self.depth = 0
        self.leaves = 0
        self.prefixes = 0

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
        if node is None:
            raise QueryError("nothing to search for: no letters or digits in the query", 0)
        return node

    def _counted(self, term: Term | None, tok: _Tok) -> Term | None:
        if term is not None and term.prefix:
            self.prefixes += 1
            if self.prefixes > MAX_PREFIXES:
                raise QueryError(f"more than {MAX_PREFIXES} prefix terms (word*)", tok.pos)
        return term

    def _deeper(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"nested more than {MAX_DEPTH} levels deep", pos)

    # Parts that hold no letters or digits (a lone "-", "...") are dropped: None below.

    def or_expr(self) -> Node | None:
        nodes = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nodes.append(self.and_expr())
        kept = tuple(n for n in nodes if n is not None)
        return (kept[0] if len(kept) == 1 else Or(kept)) if kept else None

    def and_expr(self) -> Node | None:
        nodes = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
            nodes.append(self.unary())
        kept = tuple(n for n in nodes if n is not None)
        return (kept[0] if len(kept) == 1 else And(kept)) if kept else None

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok is None:
            raise QueryError("the query ends where a term was expected", len(self.text))
        if tok.kind in ("not", "minus"):
            self.take()
            self._deeper(tok.pos)
            node = self.unary()
            self.depth -= 1
            return Not(node) if node is not None else None
        return self.primary()

    def primary(self) -> Node | None:
        tok = self.take()
        if tok.kind == "lparen":
            if (nxt := self.peek()) is not None and nxt.kind == "rparen":
                raise QueryError("empty parentheses", nxt.pos)
            self._deeper(tok.pos)
            node = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError("missing closing parenthesis", tok.pos)
            self.take()
            return node
        if tok.kind in ("phrase", "word", "field"):
            self.leaves += 1
            if self.leaves > MAX_TERMS:
                raise QueryError(f"more than {MAX_TERMS} terms", tok.pos)
        if tok.kind == "phrase":  # `quoted` marks a prefix phrase: "energy sub"*
            return self._counted(_term(tok.text, tok.pos, phrase=True, prefix=tok.quoted), tok)
        if tok.kind == "word":
            return self._counted(_term(tok.text, tok.pos), tok)
        if tok.kind == "field":
            return _field(tok)
        raise QueryError(f"unexpected {tok.text!r}", tok.pos)


def _term(
    text: str, pos: int, *, phrase: bool = False, prefix: bool = False, column: str | None = None
) -> Term | None:
    if not phrase:
        prefix = text.endswith("*")
        core = text.rstrip("*")
        if not core:
            raise QueryError("a prefix needs at least one character before *", pos)
        if "*" in core:
            raise QueryError("* is allowed only at the end of a word", pos + core.index("*"))
        text = core
    tokens = tuple(words(text))
    if not tokens:
        if phrase:
            raise QueryError("a phrase needs letters or digits", pos)
        if prefix:
            raise QueryError("a prefix needs letters or digits before *", pos)
        return None
    return Term(text, phrase=phrase, prefix=prefix, column=column, tokens=tokens)


def _field(tok: _Tok) -> Node:
    name, value, vpos = tok.text, tok.value, tok.value_pos
    if name == "subject":
        if tok.op != "=":
            raise QueryError("subject: does not take comparisons", tok.pos)
        if tok.quoted:
            star = value.endswith("*")
            term = _term(
                value.rstrip("*") if star else value,
                vpos,
                phrase=True,
                prefix=star,
                column="subject",
            )
        else:
            term = _term(value, vpos, column="subject")
        if term is None:
            raise QueryError("subject: needs letters or digits", vpos)
        return term
    if name in ("from", "to") and not _DATE_SHAPED.match(value):
        # A name, not a date: the FM line (or the origin) / the TO and INFO addressees.
        if tok.op != "=":
            raise QueryError(f"{name}: does not take {tok.op}", tok.pos)
        try:
            if name == "to":
                return _field(_Tok("field", "addressee", tok.pos, "=", value, vpos, tok.quoted))
            sender = _field(_Tok("field", "sender", tok.pos, "=", value, vpos, tok.quoted))
            origin = _field(_Tok("field", "origin", tok.pos, "=", value, vpos, tok.quoted))
        except QueryError as e:  # in the words the reader typed
            msg = e.message.replace("addressee:", "to:").replace("sender:", "from:")
            raise QueryError(msg, e.position) from None
        return Or((sender, origin))
    if name in ("date", "month"):
        return _dates(tok)
    if tok.op != "=" and name not in COMPARABLE:
        raise QueryError(f"{name}: does not take {tok.op}", tok.pos)
    if value.endswith("*") and (name not in PREFIX_FIELDS or tok.quoted):
        raise QueryError(f"{name}: does not take a * prefix", vpos + len(value) - 1)
    if "*" in value.rstrip("*") or value == "*" * len(value):
        star = value.index("*")
        raise QueryError("* is allowed only at the end of a value, after a character", vpos + star)
    field = Field(name, tok.op, value, vpos)
    _check(field)
    return field


# -- field values --------------------------------------------------------------------

_DATE_SHAPED = re.compile(r"\d{4}")  # from:/to: values that start so are dates, else names
_MONTH = re.compile(r"\d{4}-\d{1,2}")


def _dates(tok: _Tok) -> Node:
    """date:/month: -> the from:/to: bounds they mean (one date range of `created`).

    A period (YYYY, YYYY-MM, YYYY-MM-DD; month: YYYY-MM only), an inclusive range `P..Q`
    (either end may be left open), or a comparison with a period: `<P` before it starts,
    `<=P` up to its end, `>P` after its end, `>=P` from its start."""
    name, value, pos = tok.text, tok.value, tok.value_pos
    first, sep, last = value.partition("..")
    if sep and tok.op != "=":
        raise QueryError(f"{name}: a range takes no comparison", tok.pos)
    if sep and not first and not last:
        raise QueryError(f"{name}: a range needs at least one end (YYYY..YYYY)", pos)
    ends = [(first, pos)] + ([(last, pos + len(first) + 2)] if sep else [])
    for text, at in ends:
        if text and name == "month" and not _MONTH.fullmatch(text):
            raise QueryError(f"month: takes YYYY-MM, not {text!r} (date: takes any period)", at)
        if text:
            _period(text, at, end=False, field=name)
    lo, hi = (first, last) if sep else (first, first)
    lo_pos, hi_pos = pos, ends[-1][1]
    if tok.op == ">=":
        hi = ""
    elif tok.op == "<=":
        lo = ""
    elif tok.op == ">":  # from the day after the period ends
        lo, hi = _period(first, pos, end=True, field=name), ""
    elif tok.op == "<":  # up to the day before the period starts
        start = date.fromisoformat(_period(first, pos, end=False, field=name))
        if start == date.min:
            raise QueryError(f"{name}: nothing is dated before {first!r}", pos)
        lo, hi = "", (start - timedelta(days=1)).isoformat()
    if lo and hi and _period(lo, lo_pos, end=False) >= _period(hi, hi_pos, end=True):
        raise QueryError(f"{name}: range {value!r} runs backwards", pos)
    bounds = [Field("from", "=", lo, lo_pos)] if lo else []
    bounds += [Field("to", "=", hi, hi_pos)] if hi else []
    return bounds[0] if len(bounds) == 1 else And(tuple(bounds))


_YEAR = re.compile(r"\d{4}")
_YEARS = re.compile(r"(\d{4})\.\.(\d{4})")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_ID = re.compile(r"[0-9A-Za-z]+")
_CAVEAT = re.compile(r"[A-Za-z0-9/ _.-]+")


def _period(value: str, pos: int, *, end: bool, field: str = "") -> str:
    """from:/to: values: YYYY, YYYY-MM or YYYY-MM-DD -> an ISO bound (to: is exclusive)."""
    # from:/to: take names too, but not names that start with four digits.
    hint = "; or a name, that does not start with four digits" if field in ("from", "to") else ""
    m = _DATE.fullmatch(value)
    if not m:
        raise QueryError(f"not a date {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD{hint})", pos)
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        start = date(y, mo, d)
        if not end:
            return start.isoformat()
        if m.group(3):
            stop = start + timedelta(days=1)
        elif m.group(2):
            stop = date(y + (mo == 12), mo % 12 + 1, 1)
        else:
            stop = date(y + 1, 1, 1)
    except (ValueError, OverflowError):
        raise QueryError(f"not a date {value!r} (no such month or day{hint})", pos) from None
    return stop.isoformat()


def class_rank(value: str) -> int | None:
    return CLASS_RANK.get(value.upper().replace("_", " "))


def _years(f: Field) -> tuple[int, int] | int:
    if m := _YEARS.fullmatch(f.value):
        if f.op != "=":
            raise QueryError("year: a range takes no comparison", f.position)
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo > hi:
            raise QueryError(f"year range {f.value!r} runs backwards", f.position)
        return lo, hi
    if not _YEAR.fullmatch(f.value):
        raise QueryError(f"not a year {f.value!r} (use YYYY or YYYY..YYYY)", f.position)
    return int(f.value)


def _released(f: Field) -> tuple[str, str]:
    """released: a period (YYYY, YYYY-MM, YYYY-MM-DD) or an inclusive range of two
    (`2010-11..2011-09`) -> [start, stop) bounds of the release date-time."""
    first, sep, last = f.value.partition("..")
    lo = _period(first, f.position, end=False)
    hi = _period(last if sep else first, f.position + (len(first) + 2 if sep else 0), end=True)
    if lo >= hi:
        raise QueryError(f"released: range {f.value!r} runs backwards", f.position)
    return lo, hi


def _check(f: Field) -> None:
    """Validate a field's value at parse time, so errors point at the query text."""
    v = f.value
    if f.name == "class" and class_rank(v) is None:
        key = " ".join(v.upper().replace("_", " ").split())
        if key in LOU_NAMES:
            if f.op != "=":
                raise QueryError(
                    "class: LIMITED OFFICIAL USE is a marking, not a level: it takes no < or >",
                    f.position,
                )
            return
        if key in CAVEAT_NOT_CLASS:
            raise QueryError(
                f"{v!r} is a handling caveat, not a classification: use"
                f" handling:{CAVEAT_NOT_CLASS[key]}",
                f.position,
            )
        raise QueryError(
            f"unknown classification {v!r} (unclassified or u, confidential or c, secret or s,"
            " top_secret or ts, lou)",
            f.position,
        )
    elif f.name == "year":
        _years(f)
    elif f.name in ("from", "to"):
        _period(v, f.position, end=f.name == "to", field=f.name)
    elif f.name == "released":
        _released(f)
    elif f.name in ("id", "cites", "citedby") and not _ID.fullmatch(v.rstrip("*")):
        raise QueryError(f"not a cable id {v!r}", f.position)
    elif f.name == "origin" and not words(v.rstrip("*")):
        raise QueryError(f"origin: needs letters or digits, not {v!r}", f.position)
    elif f.name == "tag" and not words(v.rstrip("*")):
        raise QueryError(f"not a tag {v!r}: a tag needs letters or digits", f.position)
    elif f.name in NAME_FIELDS and not words(v):
        raise QueryError(f"{f.name}: needs letters or digits, not {v!r}", f.position)
    elif f.name == "handling" and not _CAVEAT.fullmatch(v):
        raise QueryError(f"not a handling caveat {v!r}", f.position)


def field_values(f: Field) -> dict:
    """A field's value in the form both the SQL and a brute-force evaluator compare against."""
    v = f.value
    if f.name in ("id", "cites", "citedby"):
        return {"value": v.rstrip("*").upper(), "prefix": v.endswith("*")}
    if f.name == "tag":  # multi-word tags: spaces (or _) between words, as one space
        value = " ".join(v.rstrip("*").upper().replace("_", " ").split())
        return {"value": value, "prefix": v.endswith("*")}
    if f.name == "origin":
        return {"tokens": tuple(words(v.rstrip("*"))), "prefix": v.endswith("*")}
    if f.name == "handling":
        value = " ".join(v.upper().replace("_", " ").split())
        return {"value": HANDLING_ALIASES.get(value, value)}
    if f.name in NAME_FIELDS:
        return {"tokens": tuple(words(v))}
    if f.name == "class":
        rank = class_rank(v)
        return {"rank": rank} if rank is not None else {"marking": LOU}
    if f.name == "year":
        y = _years(f)
        return {"range": y} if isinstance(y, tuple) else {"year": y}
    if f.name == "from":
        return {"bound": _period(v, f.position, end=False)}
    if f.name == "to":
        return {"bound": _period(v, f.position, end=True)}
    if f.name == "released":
        return {"range": _released(f)}
    raise AssertionError(f.name)  # pragma: no cover


def map_leaves(node: Node, fn: Callable[[Node], Node]) -> Node:
    """The tree with every leaf (a node other than Not, And, Or) replaced by fn(leaf); the
    same tree, object for object, where nothing changes."""
    if isinstance(node, Not):
        inner = map_leaves(node.node, fn)
        return node if inner is node.node else Not(inner)
    if isinstance(node, And | Or):
        nodes = tuple(map_leaves(n, fn) for n in node.nodes)
        if all(a is b for a, b in zip(nodes, node.nodes, strict=True)):
            return node
        return type(node)(nodes)
    return fn(node)


def map_fields(node: Node, fn: Callable[[Field], Field]) -> Node:
    """The tree with every Field replaced by fn(field) (the same tree when nothing changes)."""
    return map_leaves(node, lambda n: fn(n) if isinstance(n, Field) else n)


def parse_query(text: str) -> Node:
    """Read a query into its syntax tree (raises QueryError)."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"query longer than {MAX_QUERY} characters", MAX_QUERY)
    if "\x00" in text:  # no cable holds one, and PostgreSQL refuses it in any value
        raise QueryError("a query cannot contain a NUL character", text.index("\x00"))
    return _Parser(text).parse()


# -- full-text expressions -----------------------------------------------------------


def fts_string(term: Term) -> str:
    """The FTS5 expression of one term.

    The term's folded tokens go inside one FTS5 string: letters and digits only, so no FTS5
    syntax (nor a NUL, which ends an FTS5 string) can pass through."""
    quoted = '"' + " ".join(term.tokens).replace('"', '""') + '"'
    if term.prefix:
        quoted += " *"
    if term.column == "subject":
        return f"subject : {quoted}"
    if term.column == "acl":  # a tag's token (policy.tag_token), never the user's text
        return f"acl : {quoted}"
    # The index's third column holds access tokens (acl), which free text must never match:
    # a column filter keeps it out.  A phrase with a word no access token can be
    # (policy.may_be_acl_token) cannot match there anyway, and goes without: FTS5 then
    # answers a word from its doclist alone, not checking each row's positions for the
    # column (half the cost of a broad word), with the same hits and the same bm25 (the acl
    # column weighs 0; a phrase's row count is the same).
    if not term.prefix and not all(may_be_acl_token(t) for t in term.tokens):
        return quoted
    return f"{{subject body}} : {quoted}"


def fts_expr(node: Node) -> str | None:
    """One FTS5 expression for a subtree made only of free text, or None.

    AND/OR nest freely; NOT needs a positive sibling (FTS5's NOT is binary: a NOT b)."""
    if isinstance(node, Term):
        return fts_string(node)
    if isinstance(node, Or):
        parts = [fts_expr(n) for n in node.nodes]
        if any(p is None for p in parts):
            return None
        return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, And):
        pos = [fts_expr(n) for n in node.nodes if not isinstance(n, Not)]
        neg = [fts_expr(n.node) for n in node.nodes if isinstance(n, Not)]
        if not pos or any(p is None for p in pos) or any(p is None for p in neg):
            return None
        expr = "(" + " AND ".join(pos) + ")"  # type: ignore[arg-type]
        if neg:
            expr = f"({expr} NOT ({' OR '.join(neg)}))"  # type: ignore[arg-type]
        return expr
    return None


# -- SQL ----------------------------------------------------------------------------

# Resolves origin:VALUE to the stored origin strings (and banner posts, for cables without an
# origin) it matches: (folded value tokens, prefix) -> (origins, posts).
# With a third argument, a field of NAME_FIELDS, it resolves that field's value instead:
# (names, routing indicators or person tags) (Archive._origins).
OriginResolver = Callable[..., tuple[list[str], ...]]


@dataclass(frozen=True, slots=True)
class BoundVisible(Visible):
    """A Visible with the SQLite store's condition for it: a test of c.id alone against the
    reader's id set (archive/reader_sets.py), bound by archive/sqlite_search.py before a
    plan is written as SQL."""

    sql: str = "1"


MATCH = "c.id IN (SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?)"
NOT_MATCH = "c.id NOT IN (SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?)"
# Probe forms, for plans that walk the date index and test each row (style="exists").
PROBE_MATCH = "EXISTS (SELECT 1 FROM cables_fts WHERE cables_fts MATCH ? AND rowid = c.id)"
# An IN set that must not drive the plan (unary + hides it from the planner's index choice).
FILTER_MATCH = "+c.id IN (SELECT rowid FROM cables_fts WHERE cables_fts MATCH ?)"
_SIDE = {  # side-table conditions: (IN form, EXISTS form)
    "tag": (
        "c.id IN (SELECT cable_id FROM tags WHERE tag = ?)",
        "EXISTS (SELECT 1 FROM tags x WHERE x.cable_id = c.id AND x.tag = ?)",
    ),
    "tag*": (
        "c.id IN (SELECT cable_id FROM tags WHERE tag >= ? AND tag < ?)",
        "EXISTS (SELECT 1 FROM tags x WHERE x.cable_id = c.id AND x.tag >= ? AND x.tag < ?)",
    ),
    "handling": (
        "c.id IN (SELECT cable_id FROM handling WHERE caveat = ?)",
        "EXISTS (SELECT 1 FROM handling x WHERE x.cable_id = c.id AND x.caveat = ?)",
    ),
    "cites": (
        "c.id IN (SELECT cable_id FROM refs WHERE target = ?)",
        "EXISTS (SELECT 1 FROM refs x WHERE x.cable_id = c.id AND x.target = ?)",
    ),
}


def _roles(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


# Name fields (NAME_FIELDS), their names resolved by the archive: the matching stored names
# (and, for addressees, routing indicators; for person:, person tags) as JSON lists, one
# parameter each.  NOCASE: the people index is NOCASE (every case variant of a resolved name
# folds to the same words, so it is resolved too).
_JSON = "(SELECT value FROM json_each(?))"


def _name_select(name: str) -> str:
    table, roles = NAME_FIELDS[name]
    if table == "people":
        sql = (
            f"SELECT cable_id FROM people WHERE {_roles(roles)} AND name COLLATE NOCASE IN {_JSON}"
        )
        if name == "person":
            sql += f" UNION ALL SELECT cable_id FROM tags WHERE tag IN {_JSON}"
        return sql
    return (
        f"SELECT cable_id FROM recipients WHERE {_roles(roles)} AND name IN {_JSON}"
        f" UNION ALL SELECT cable_id FROM recipients WHERE {_roles(roles)} AND route IN {_JSON}"
    )


# Without an archive to resolve against (to_sql(..., origins=None)): the value's words as a
# LIKE pattern on the name (exact for names of letters, digits and spaces, spaces required).
def _name_like(name: str) -> str:
    table, roles = NAME_FIELDS[name]
    return (
        f"c.id IN (SELECT cable_id FROM {table} WHERE {_roles(roles)}"
        " AND (' ' || lower(name) || ' ') LIKE ?)"
    )


NAMES_SQL = {name: f"c.id IN ({_name_select(name)})" for name in NAME_FIELDS}
# Per-row probe forms: the same set, tested for one id.
NAMES_PROBE = {
    name: f"EXISTS (SELECT 1 FROM ({_name_select(name)}) x WHERE x.cable_id = c.id)"
    for name in NAME_FIELDS
}
NAMES_LIKE = {name: _name_like(name) for name in NAME_FIELDS}
# LIMITED OFFICIAL USE: unclassified text under a control marking, ranked 0 like UNCLASSIFIED
# (access/policy.rank_of), found among the rank-0 cables on the class index; an id set (refers
# to c.id only, as a reader's copy of the columns holds no classification).
LOU_SQL = "c.id IN (SELECT id FROM cables WHERE class_rank = 0 AND classification = ?)"

# Forms of a set condition: an IN set that may drive the plan, an IN set kept from driving it
# (unary +), or a per-row probe.
FORMS = ("in", "filter", "probe")
# released: as a set of ids from its index (it refers to c.id only, like a side table: a
# reader's copy of the cables' columns has no release date).  (IN form, EXISTS form)
RELEASED = (
    "c.id IN (SELECT id FROM cables WHERE released >= ? AND released < ?)",
    "EXISTS (SELECT 1 FROM cables x WHERE x.id = c.id AND x.released >= ? AND x.released < ?)",
)
# Fields on columns of `cables`.  With cols="ids" (COLS) their conditions become sets of ids
# read from the column's index, so that the condition only refers to c.id and can be tested
# on any source of ids (an FTS5 doclist, a side table) without reading the cables' rows.
CABLE_FIELDS = ("id", "origin", "class", "year", "from", "to", "citedby")
# walk: ids, except from:/to: (on the date index walked) and class: (dense along any walk:
# testing the rows the walk passes costs less than building a set of most of the archive).
# probe: ids, except class: tested per id on the (id, class_rank) index: for a short stream
# of ids (an FTS5 doclist), a lookup each costs less than a set of most of the archive.
COLS = ("rows", "ids", "walk", "probe")
CLASS_PROBE_OPEN = (
    "EXISTS (SELECT 1 FROM cables x INDEXED BY cables_requirement WHERE x.id = c.id AND "
)
IDS_OPEN = "c.id IN (SELECT id FROM cables c WHERE "
_OPS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

# Every fragment to_sql can emit; the rest of its output is parentheses, AND, OR, NOT, "?, ".
SQL_FRAGMENTS: tuple[str, ...] = (
    MATCH,
    NOT_MATCH,
    PROBE_MATCH,
    FILTER_MATCH,
    *(f for pair in _SIDE.values() for f in pair),
    *("+" + pair[0] for pair in _SIDE.values()),
    *NAMES_SQL.values(),
    *("+" + f for f in NAMES_SQL.values()),
    *NAMES_PROBE.values(),
    *NAMES_LIKE.values(),
    LOU_SQL,
    "c.reference_id = ?",
    "(c.reference_id >= ? AND c.reference_id < ?)",
    "(c.origin IS NOT NULL AND c.origin IN (",
    "(c.origin IS NULL AND c.post IS NOT NULL AND c.post IN (",
    "(c.origin IS NOT NULL AND (' ' || lower(c.origin) || ' ') LIKE ?)",
    *(f"(c.class_rank IS NOT NULL AND c.class_rank {op} ?)" for op in _OPS.values()),
    *(
        f"{CLASS_PROBE_OPEN}x.class_rank IS NOT NULL AND x.class_rank {op} ?)"
        for op in _OPS.values()
    ),
    *(f"(c.year IS NOT NULL AND c.year {op} ?)" for op in _OPS.values()),
    "(c.year IS NOT NULL AND c.year BETWEEN ? AND ?)",
    "(c.created IS NOT NULL AND c.created >= ?)",
    "(c.created IS NOT NULL AND c.created < ?)",
    "c.reference_id IN (SELECT r.target FROM refs r JOIN cables s ON s.id = r.cable_id"
    " WHERE s.reference_id = ? AND r.target IS NOT NULL)",
    *RELEASED,
    "+" + RELEASED[0],
    "1",
    "0",
    IDS_OPEN,
    "+" + IDS_OPEN,
)


def _upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (ASCII prefixes)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def column_sql(f: Field, v: dict, params: list) -> str | None:
    """The condition of class: (a rank), year:, from: and to: on the cables table's own columns,
    with `?` marks: the same SQL in every store.  None for any other field."""
    name = f.name
    if name == "class" and "marking" not in v:
        params.append(v["rank"])
        return f"(c.class_rank IS NOT NULL AND c.class_rank {_OPS[f.op]} ?)"
    if name == "year":
        if "range" in v:
            params.extend(v["range"])
            return "(c.year IS NOT NULL AND c.year BETWEEN ? AND ?)"
        params.append(v["year"])
        return f"(c.year IS NOT NULL AND c.year {_OPS[f.op]} ?)"
    if name == "from":
        params.append(v["bound"])
        return "(c.created IS NOT NULL AND c.created >= ?)"
    if name == "to":
        params.append(v["bound"])
        return "(c.created IS NOT NULL AND c.created < ?)"
    return None


def _field_sql(f: Field, params: list, origins: OriginResolver | None, form: str) -> str:
    v = field_values(f)
    name = f.name
    side = 1 if form == "probe" else 0
    plus = "+" if form == "filter" else ""
    if name == "id":
        if v["prefix"]:
            params.extend([v["value"], _upper_bound(v["value"])])
            return "(c.reference_id >= ? AND c.reference_id < ?)"
        params.append(v["value"])
        return "c.reference_id = ?"
    if name == "origin":
        if origins is None:
            # Without an archive to resolve against: exact for origins of letters, digits
            # and spaces, which is every origin Cablegate has.
            params.append("% " + " ".join(v["tokens"]) + ("%" if v["prefix"] else " %"))
            return "(c.origin IS NOT NULL AND (' ' || lower(c.origin) || ' ') LIKE ?)"
        found, posts = origins(v["tokens"], v["prefix"])
        parts = []
        if found:
            params.extend(found)
            parts.append(f"(c.origin IS NOT NULL AND c.origin IN ({_marks(len(found))}))")
        if posts:
            params.extend(posts)
            parts.append(
                f"(c.origin IS NULL AND c.post IS NOT NULL AND c.post IN ({_marks(len(posts))}))"
            )
        if not parts:
            return "0"
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if name == "tag" and v["prefix"]:
        params.extend([v["value"], _upper_bound(v["value"])])
        return (plus if not side else "") + _SIDE["tag*"][side]
    if name in ("tag", "handling", "cites"):
        params.append(v["value"])
        return (plus if not side else "") + _SIDE[name][side]
    if name in NAME_FIELDS:
        if origins is None:
            params.append("% " + " ".join(v["tokens"]) + " %")
            return NAMES_LIKE[name]
        params.extend(orjson.dumps(x).decode() for x in origins(v["tokens"], False, name))
        return NAMES_PROBE[name] if side else plus + NAMES_SQL[name]
    if name == "class" and "marking" in v:
        params.append(v["marking"])
        return LOU_SQL
    column = column_sql(f, v, params)
    if column is not None:
        return column
    if name == "released":
        params.extend(v["range"])
        return RELEASED[side] if side else plus + RELEASED[0]
    if name == "citedby":
        params.append(v["value"])
        return (
            "c.reference_id IN (SELECT r.target FROM refs r JOIN cables s ON s.id = r.cable_id"
            " WHERE s.reference_id = ? AND r.target IS NOT NULL)"
        )
    raise QueryError(f"unknown field {name!r}", f.position)  # pragma: no cover


def _year_as_dates(f: Field, params: list) -> str:
    """year: as a range of `created`, for plans that walk the date index (the walk then covers
    only that range).  Exact because the archive derives `year` from `created` (the first four
    characters; both NULL together, see docs/search.md)."""
    v = field_values(f)
    lo, hi = v["range"] if "range" in v else (v["year"], v["year"])
    op = "=" if "range" in v else f.op
    start = f"{lo:04d}-01-01" if op in ("=", ">=") else f"{lo + 1:04d}-01-01"
    # "~" sorts after every digit: the end of year 9999.
    stop = f"{hi + 1:04d}-01-01" if hi < 9999 else "~"
    stop = stop if op in ("=", "<=") else f"{hi:04d}-01-01"
    ge, lt = (
        "(c.created IS NOT NULL AND c.created >= ?)",
        "(c.created IS NOT NULL AND c.created < ?)",
    )
    if op == ">" and lo == 9999:
        return "0"
    if op in (">", ">="):
        params.append(start)
        return ge
    if op in ("<", "<="):
        params.append(stop)
        return lt
    params.extend([start, stop])
    return f"({ge} AND {lt})"


def to_sql(
    node: Node,
    params: list,
    origins: OriginResolver | None = None,
    *,
    side: str = "in",
    text: str = "in",
    cols: str = "rows",
) -> str:
    """A WHERE condition over `cables c` for the tree; values are appended to `params`.

    Free text under one AND or OR becomes a single FTS5 MATCH (one index lookup, not one per
    term); `origins` resolves origin: values against the archive (see OriginResolver).
    `side` and `text` choose the form (FORMS) of side-table and free-text conditions: "in"
    sets, "filter" sets that never drive the plan, or per-row "probe"s.  `cols="ids"` writes
    conditions on the cables' own columns as id sets (CABLE_FIELDS), so that the condition
    refers to nothing but c.id."""
    if side not in FORMS or text not in FORMS or cols not in COLS:
        raise ValueError(f"forms are {FORMS}, cols {COLS}")
    return _sql(node, params, origins, side, text, cols)


def _sql(node: Node, params: list, origins, side: str, text_form: str, cols: str = "rows") -> str:
    match = {"in": MATCH, "filter": FILTER_MATCH, "probe": PROBE_MATCH}[text_form]
    if isinstance(node, All):
        return "1"
    if (expr := fts_expr(node)) is not None:
        params.append(expr)
        return match
    if isinstance(node, BoundVisible):
        return node.sql  # a test of c.id: right on any source of ids, reads no row
    if isinstance(node, Visible):
        raise ValueError("the reader's set is bound by the store (BoundVisible) before SQL")
    if isinstance(node, Field) and node.name == "year" and cols == "walk":
        return _year_as_dates(node, params)
    if isinstance(node, Field):
        sql = _field_sql(node, params, origins, side)
        if cols == "probe" and sql.startswith("(c.class_rank "):
            return CLASS_PROBE_OPEN + sql[1:-1].replace("c.class_rank", "x.class_rank") + ")"
        wrap = cols in ("ids", "probe") or (
            cols == "walk" and node.name not in ("from", "to", "class")
        )
        if wrap and node.name in CABLE_FIELDS and sql not in ("0", "1"):
            # The inner query reads the column's index (covering), not the rows.
            sql = ("+" if side == "filter" else "") + IDS_OPEN + sql + ")"
        return sql
    if isinstance(node, Not):
        return f"NOT ({_sql(node.node, params, origins, side, text_form, cols)})"
    if isinstance(node, And):
        text = [n for n in node.nodes if fts_expr(n) is not None]
        neg = [n for n in node.nodes if isinstance(n, Not) and fts_expr(n.node) is not None]
        rest = [n for n in node.nodes if not any(n is t for t in (*text, *neg))]
        parts = []
        dates = [n for n in rest if isinstance(n, Field) and n.name in ("from", "to")]
        if cols in ("ids", "probe") and len(dates) > 1:
            # from: with to: is one range of the date index: one set of the ids in it, not a
            # set of the ids after the start and another of those before the end.
            inner = " AND ".join(_field_sql(n, params, origins, side) for n in dates)
            parts.append(("+" if side == "filter" else "") + IDS_OPEN + "(" + inner + "))")
            rest = [n for n in rest if not any(n is d for d in dates)]
        parts += [_sql(n, params, origins, side, text_form, cols) for n in rest]
        if text or neg:
            # The text goes last: when rows are probed, the cheap conditions come first.
            if text:
                params.append(fts_expr(And(tuple(text + neg))))
            else:
                params.append(fts_expr(Or(tuple(n.node for n in neg))))
            parts.append(match if text else NOT_MATCH)
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
    assert isinstance(node, Or)
    text = [n for n in node.nodes if fts_expr(n) is not None]
    rest = [n for n in node.nodes if fts_expr(n) is None]
    parts = [_sql(n, params, origins, side, text_form, cols) for n in rest]
    if text:
        params.append(fts_expr(Or(tuple(text))))
        parts.append(match)
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def split_text(node: Node) -> tuple[str | None, Node | None]:
    """(FTS5 expression every hit must match, the rest of the query) for planning.

    The expression is the free text ANDed at the top level; None when there is none."""
    if (expr := fts_expr(node)) is not None:
        return expr, None
    if isinstance(node, And):
        text = [n for n in node.nodes if fts_expr(n) is not None]
        if text:
            neg = [n for n in node.nodes if isinstance(n, Not) and fts_expr(n.node) is not None]
            rest = tuple(n for n in node.nodes if not any(n is t for t in (*text, *neg)))
            rest_node = rest[0] if len(rest) == 1 else And(rest) if rest else None
            return fts_expr(And(tuple(text + neg))), rest_node
    return None, node


def positive_terms(node: Node) -> list[Term]:
    """Free-text terms that are not negated: they decide relevance and snippets.  (A tag's
    token, column acl, is no free text: it neither ranks nor marks.)"""
    if isinstance(node, Term):
        return [node] if node.column != "acl" else []
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in positive_terms(n)]
    return []


def patterns(node: Node) -> list[Pattern]:
    """The positive terms as snippet patterns.  A token that folds to nothing (a lone accent)
    is no word the index holds: it is left out, and a term of nothing else marks nothing."""
    out = []
    for t in positive_terms(node):
        tokens = tuple(x for x in t.tokens if x)
        if tokens:
            out.append(Pattern(tokens, t.prefix, t.column == "subject"))
    return out


def relevance_match(node: Node) -> str | None:
    """One FTS5 expression ORing the positive terms, for bm25 ranking."""
    parts = [fts_string(t) for t in positive_terms(node)]
    return " OR ".join(parts) if parts else None
