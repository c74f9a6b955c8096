"""`Archive`: the library the CLI, the HTTP API and the web pages all call."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from cablebase.access.policy import (
    ANONYMOUS,
    RELEASED_ON,
    WITHHELD,
    Access,
    Policy,
    Stored,
    open_access,
    stored,
    view,
)
from cablebase.archive.db import Db, storable
from cablebase.archive.query import (
    NAME_FIELDS,
    NAMES_CABLE,
    All,
    And,
    Field,
    Node,
    Or,
    Term,
    Visible,
    conjoin,
    field_values,
    has_text,
    map_fields,
    map_leaves,
    parse_query,
    patterns,
)
from cablebase.archive.snippets import snippet as make_snippet
from cablebase.archive.snippets import words
from cablebase.archive.stems import STEMMER, expansion_prefix, stemmable
from cablebase.archive.store import FACETS, SORTS, Reader, Store, Unsupported, open_store
from cablebase.archive.texts import body_text
from cablebase.record import Cable, file_name_of


def as_id(reference_id: str) -> str:
    """A reference id as the archive looks it up: upper case, and storable (a NUL or a lone
    surrogate, which no stored id holds, finds nothing on either store instead of failing
    in its driver)."""
    return storable(reference_id).upper()


def _scoped(node: Node) -> bool:
    """Whether `Archive._scope` already limited the query to its reader."""
    parts = node.nodes if isinstance(node, And) else (node,)
    return any(isinstance(n, Visible) for n in parts)


@dataclass(slots=True)
class Hit:
    reference_id: str
    created: str | None
    origin: str | None
    classification: str | None
    subject: str | None
    score: float | None = None  # bm25, lower is better; None unless ranked by bm25
    snippet: str | None = None


@dataclass(slots=True)
class Reference:
    """A link between two cables, seen from one side."""

    reference_id: str  # the other cable
    letter: str | None
    text: str
    in_archive: bool


def _contains(tokens: list[str], want: tuple[str, ...], prefix: bool) -> bool:
    """Whether `want` occurs in `tokens`, spaces between words optional: its words joined
    equal a run of `tokens` joined (`sanjose`, `san jose` in "Embassy San Jose"), starting
    at a word; ending at one unless `prefix`."""
    joined = "".join(want)
    if not joined:
        return False
    for i in range(len(tokens)):
        acc = ""
        for t in tokens[i:]:
            acc += t
            if len(acc) >= len(joined):
                if prefix and acc.startswith(joined) or acc == joined:
                    return True
                break
            if not joined.startswith(acc):
                break
    return False


def _person_keys(names: list[tuple[str, list[str]]], tags: bool) -> list[tuple[str, list[str]]]:
    """(stored value, the words of its person key) where they differ from its own words."""
    from cablebase.archive.people import person_key, person_tag

    out = []
    for v, toks in names:
        key = person_key(person_tag(v) if tags else v)
        if key is not None and (kw := words(key)) != toks:
            out.append((v, kw))
    return out


# The name fields whose values are people's names (query.NAME_FIELDS' "people" table).
PERSON_FIELDS = frozenset(f for f, (table, _) in NAME_FIELDS.items() if table == "people")


def _also_as_person_key(node: Node) -> Node:
    """A person's name as the query writes it, or also as its key (archive/people.py) when
    that differs: `person:"Butenis, Patricia"` and `signer:"patricia a. butenis"` find the
    cables of Patricia Butenis as `person:"patricia butenis"` does, and as written."""
    from cablebase.archive.people import person_key

    if not isinstance(node, Field) or node.name not in PERSON_FIELDS:
        return node
    key = person_key(node.value)
    if key is None or words(key) == words(node.value):
        return node
    return Or((node, Field(node.name, node.op, key.lower(), node.position)))


MAX_ROWS = 2**62  # beyond any archive: limits and offsets are clamped to it


class Archive:
    """A cable archive. `Archive.open("cables.db")` and then search, get, cites, cited_by."""

    def __init__(
        self,
        store: Store,
        *,
        broad: int | None = None,
        small: int | None = None,
        access: Access | None = None,
    ) -> None:
        """`store` holds the records and answers the plans (archive/store.py); `broad` and
        `small` are its planner's thresholds (None: its defaults; tests lower them to
        exercise the broad-query plans on a small archive)."""
        self.store = store
        options = {k: v for k, v in (("broad", broad), ("small", small)) if v is not None}
        # How the store answers plans (archive/sqlite_search.py for SQLite): shared by the
        # copies of with_access() and pinned(), as its caches are.
        self.searcher = store.searcher(**options)
        self._origin_key: tuple[int, ...] | None = None
        self._origin_tokens: list[tuple[str, list[str]]] = []
        self._post_tokens: list[tuple[str, list[str]]] = []
        self._name_key: tuple[int, ...] | None = None
        self._forms_key: tuple[int, ...] | None = None
        self._origin_memo: dict[tuple, tuple[list[str], list[str]]] = {}
        self._forms_memo: dict[str, tuple[str, ...]] = {}
        self._name_tokens: dict[str, list[tuple[str, list[str]]]] = {}
        self._name_memo: dict[tuple, tuple[list[str], ...]] = {}
        self.access = access if access is not None else self.default_access()
        self._pin: tuple[int, ...] | None = None  # see pinned()
        # Whether records show where their source files lie on this machine (the folders);
        # the reading room serves them without (record.file_name_of).
        self.locations = True

    @property
    def sqlite(self) -> bool:
        """Whether the store is a SQLite file (the SQL modules beside the archive need it)."""
        from cablebase.archive.sqlite import SQLiteStore

        return isinstance(self.store, SQLiteStore)

    def needs_sqlite(self, what: str) -> None:
        """Unsupported (one sentence) when `what` needs the SQLite store and this is another."""
        if not self.sqlite:
            raise Unsupported(what, getattr(self.store, "label", "this store"))

    @property
    def db(self) -> Db:
        """The store's connection as archive/db.py's `Db`, on either store: for the SQL of the
        tables both stores keep alike (accounts, audit, settings, releases, plain reads)."""
        return Db.of(self.store.conn)

    @property
    def conn(self):  # type: ignore[no-untyped-def]
        """SQLite only: the store's connection, for the SQL modules beside the archive
        (browse.py, stats.py, graph.py, people.py, hints.py, export.py;
        docs/stores.md).  The archive itself never reads it.  On another store: Unsupported,
        never that store's connection (the modules' SQL is SQLite's)."""
        self.needs_sqlite("this feature (it reads the SQLite archive's tables directly)")
        return self.store.conn

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        readonly: bool = False,
        create: bool = True,
        broad: int | None = None,
        small: int | None = None,
        access: Access | None = None,
    ) -> Archive:
        """Open (or create) the archive file.  `broad` and `small` are planner thresholds
        (tests lower them to exercise the broad-query plans on a small archive).  `access`:
        who reads (default: everyone under an open policy, no account under a controlled one).
        `create`: a missing or empty file becomes a new archive (readers pass False)."""
        store = open_store(path, readonly=readonly, create=create)
        return cls(store, broad=broad, small=small, access=access)

    # -- access (cablebase.access.policy decides; the queries below apply it) ------------

    @property
    def policy(self) -> Policy:
        return self.store.policy()

    def default_access(self) -> Access:
        policy = self.policy
        return open_access() if policy.mode == "open" else Access(policy, ANONYMOUS)

    def with_access(self, access: Access) -> Archive:
        """This archive as `access` reads it: the same connection and caches, every read
        filtered by the access."""
        other = copy.copy(self)
        other.access = access
        return other

    def pinned(self) -> Archive:
        """This archive with the archive's generation read once, for the span of one request
        or command: every query of the copy uses the readers' id sets of that generation.  A
        set is dropped once its generation has passed, so without the pin a write landing
        between two queries of one request could drop the set the first query was composed
        with ("no such table: temp.cb_reader_…").  Cables stored meanwhile stay hidden (a
        hidden-side set admits only the ids below its bound)."""
        other = copy.copy(self)
        other._pin = (self.store.generation(),)
        return other

    @property
    def reader(self) -> Reader:
        """Who asks this archive's plans of its store, and of which state (archive/store.py)."""
        return Reader(self.access, self._pin, self._origins)

    # Conditions for the SQL modules beside the archive (browse, stats, graph, people,
    # hints, export), written once through `Archive.db` (docs/stores.md).

    def visible_sql(self, params: list, *, text: bool = False, alias: str = "c") -> str:
        """The condition over `cables c` (or `alias`) of the cables this archive's reader sees
        (whole or, unless `text`, partially); always true when they see everything.  It takes
        no parameter: `params` is left as is (kept for callers that build their parameters
        around it).  SQLite: a test of the id alone (archive/reader_sets.py); PostgreSQL:
        the policy's row condition (access.policy.sql_visible)."""
        return self.searcher.visible_sql(self.reader, text=text, alias=alias)

    def subject_sql(self, alias: str = "c", params: list | None = None) -> str:
        """The subject column of `cables` as this reader sees it in lists: withheld unless
        the cable is read whole.  `params` is left as is (no store needs one).
        """
        return self.searcher.subject_sql(self.reader, alias)

    def _scope(self, node: Node) -> Node:
        """The query as this reader may ask it, the reader's id set (archive/reader_sets.py)
        added: free text matches only the cables they read whole (a withheld paragraph must
        not make a cable a hit, nor keep it from being one); other conditions match every
        cable they see, partially read ones included.  People's names are also read as
        their keys (_also_as_person_key)."""
        if _scoped(node):
            return node
        node = map_leaves(node, _also_as_person_key)
        if self.access.unrestricted:
            return node
        node = self._withheld(map_fields(node, self._named))
        text = has_text(node)
        cond = Visible(text)
        return cond if isinstance(node, All) else conjoin(node, cond)

    def _withheld(self, node: Node) -> Node:
        """The query with the fields that read what a partial view withholds (the Classified By
        line: access/policy._partial keeps none) limited to the cables the reader reads whole,
        so that no one learns a classifier by trying names.  person: is signer: OR its person
        tags OR classifiedby:, and only its classifier part is limited."""
        whole: Visible | None = None

        def limit(f: Field) -> Node:
            nonlocal whole
            if f.name not in ("classifiedby", "person"):
                return f
            whole = whole or Visible(True)
            classifier = And((replace(f, name="classifiedby"), whole))
            if f.name == "classifiedby":
                return classifier
            tags = self._names("person", field_values(f)["tokens"])[1]
            tagged = [Field("tag", "=", t, f.position) for t in tags if not t.endswith("*")]
            return Or((replace(f, name="signer"), *tagged, classifier))

        return map_fields(node, limit)  # type: ignore[arg-type]

    def _named(self, f: Field) -> Field:
        """A field that reads the content of the cable it names (query.NAMES_CABLE), the cable
        hidden from this reader: the same field naming a cable the archive does not hold (no
        reference id is empty), so that it answers exactly as for a missing cable."""
        if NAMES_CABLE.get(f.name) == "content" and self.decision(f.value.rstrip("*")) == "none":
            return replace(f, value="")
        return f

    def access_key(self) -> tuple:
        """Equal for two readers who see exactly the same (for caches of counts and pages)."""
        return self.reader.key()

    def decision(self, reference_id: str) -> str:
        """ "full", "partial" or "none": how this reader sees the cable ("none" if absent)."""
        row = self.store.columns(as_id(reference_id))
        return "none" if row is None else self.access.decide(row[1])

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    # -- reading ---------------------------------------------------------------------

    def get(self, reference_id: str, version: int | None = None) -> Cable | None:
        """The record as this reader sees it: whole, partial (withheld portions blanked) or
        None (absent, or not for this reader: the two are indistinguishable).

        `version`: that version of the cable (`version_numbers`), judged by its own marks.
        Without it, the current version; but when that is a published release and the
        reader is cleared for the version it redacts, that original (a release adds a
        public version, it takes nothing from those cleared for the original)."""
        rid = as_id(reference_id)
        row = self.store.columns(rid)
        if row is None:
            return None
        _, columns, current = row
        if self.access.decide(columns) == "none":
            return None
        if version is None:
            version = self._default_version(rid, current, columns)
        if version != current:
            return dict(self.versions(rid)).get(version)
        return self._located(view(self.store.get(rid), self.access, columns)[1])

    def default_version(self, reference_id: str) -> int | None:
        """The version `get` shows when none is asked for (None: the reader sees none)."""
        rid = as_id(reference_id)
        row = self.store.columns(rid)
        if row is None or self.access.decide(row[1]) == "none":
            return None
        return self._default_version(rid, row[2], row[1])

    def _default_version(self, rid: str, current: int, columns: Stored) -> int:
        """The current version, or the one a current release redacts when this reader reads
        that one whole."""
        if columns.open_on != RELEASED_ON:
            return current
        base = self.store.release_base(rid, current)
        for number, cable in self.store.versions(rid) if base is not None else ():
            if number == base and self.access.decide(stored(cable)) == "full":
                return number
        return current

    def version_numbers(self, reference_id: str) -> list[int]:
        """The versions of a cable this reader may read, oldest first (the current included)."""
        rid = as_id(reference_id)
        row = self.store.columns(rid)
        if row is None or self.decision(rid) == "none":
            return []
        return [n for n, _ in self.versions(rid)] + [row[2]]

    def _located(self, cable: Cable | None) -> Cable | None:
        """`cable` with its source's folders removed unless this archive shows locations."""
        if cable is not None and not self.locations and cable.source is not None:
            cable = replace(
                cable, source=replace(cable.source, path=file_name_of(cable.source.path))
            )
        return cable

    def versions(self, reference_id: str) -> list[tuple[int, Cable]]:
        """Earlier versions of a cable, oldest first, each as this reader may see it (an
        earlier version is judged by its own marks: the original of a published release stays
        closed to those not cleared for it)."""
        if self.decision(reference_id) == "none":
            return []
        out = []
        for number, cable in self.store.versions(as_id(reference_id)):
            decision, shown = view(cable, self.access)
            if shown is not None:
                out.append((number, self._located(shown)))
        return out

    # -- the query language ----------------------------------------------------------

    def parse(self, query: str | Node) -> Node:
        """The query's tree, its unquoted words stemmed (docs/search.md, "Free text")."""
        return self._stemmed(parse_query(storable(query)) if isinstance(query, str) else query)

    def _stemmed(self, node: Node) -> Node:
        """Each unquoted single word (not a prefix) -> the OR of the indexed words with its
        Porter stem, each as an exact (quoted) word, so that expanding twice changes nothing."""
        return map_leaves(node, self._stemmed_word)

    def _stemmed_word(self, node: Node) -> Node:
        if not isinstance(node, Term) or node.phrase or node.prefix or len(node.tokens) != 1:
            return node
        forms = self._forms(node.tokens[0])
        if len(forms) == 1:
            return node
        return Or(tuple(Term(f, phrase=True, column=node.column, tokens=(f,)) for f in forms))

    def _forms(self, token: str) -> tuple[str, ...]:
        """The indexed words sharing a word's stem, the word first (just the word when it is
        not stemmed).  Read from the store's index once per change of the archive and word."""
        if not stemmable(token):
            return (token,)
        key = self.state()
        if key != self._forms_key:
            self._forms_memo = {}
            self._forms_key = key
        if token in self._forms_memo:
            return self._forms_memo[token]
        stem = STEMMER.stem(token)
        start = expansion_prefix(stem) if stem else None
        forms: tuple[str, ...] = (token,)
        if start is not None:
            stop = start[:-1] + chr(ord(start[-1]) + 1)
            near = [t for t in self.searcher.words(start, stop) if stemmable(t)]
            stems = STEMMER.stems(near)
            forms += tuple(t for t in near if stems[t] == stem and t != token)
        self._forms_memo[token] = forms
        return forms

    def where(self, query: str | Node, params: list) -> str:
        """The WHERE condition over `cables c` for a query (origin: resolved exactly),
        limited to what this archive's reader sees, its values appended to `params` (`?`
        placeholders: run it through `Archive.db`; archive/export.py, graph.py)."""
        return self.searcher.where(self._scope(self.parse(query)), self.reader, params)

    def _names(self, field: str, want: tuple[str, ...]) -> tuple[list[str], ...]:
        """A name field's value (query.NAME_FIELDS) -> the stored names whose words contain
        its words (spaces optional), and for addressee fields the routing indicators, for
        person: the person tags (`CLINTON, HILLARY`: archive/people.person_tag).
        The distinct values are read once per change of the archive; answers are kept."""
        key = self.state()
        if key != self._name_key:
            self._name_tokens = {}
            self._name_memo = {}
            self._name_key = key
        memo = (field, want)
        if memo in self._name_memo:
            return self._name_memo[memo]
        sources = {"people": "people", "recipients": "recipients", "routes": "routes"}
        sources["tags"] = "person_tags"  # store.VALUE_SOURCES

        from cablebase.archive.people import person_tag

        def matching(source: str) -> list[str]:
            if source not in self._name_tokens:
                rows = self.searcher.values(sources[source])
                cut = (lambda v: person_tag(v) or "") if source == "tags" else (lambda v: v)
                found = self._name_tokens[source] = [(v, words(cut(v))) for v in rows]
                if source in ("people", "tags"):
                    # A person's name also as its key (archive/people.py): given name first,
                    # middle initials dropped (`CLINTON, HILLARY` is found as hillary clinton).
                    found += _person_keys(found, source == "tags")
            return list(
                dict.fromkeys(
                    v for v, toks in self._name_tokens[source] if _contains(toks, want, False)
                )
            )

        table = NAME_FIELDS[field][0]
        found = (matching(table),)
        if table == "recipients":
            found += (matching("routes"),)
        elif field == "person":
            found += (matching("tags"),)
        self._name_memo[memo] = found
        return found

    def _origins(
        self, want: tuple[str, ...], prefix: bool, field: str = "origin"
    ) -> tuple[list[str], ...]:
        """origin:VALUE -> the stored origins whose words contain VALUE's words, and the
        banner posts that match for cables without an origin.  The distinct values are read
        once per change of the archive (the store's generation).
        With a name field (query.NAME_FIELDS) it resolves that field instead (_names)."""
        if field != "origin":
            return self._names(field, want)
        key = self.state()
        if key != self._origin_key:
            self._origin_tokens = [(o, words(o)) for o in self.searcher.values("origins")]
            self._post_tokens = [(p, words(p)) for p in self.searcher.values("posts")]
            self._origin_key = key
            self._origin_memo = {}
        # A query resolves the same value several times (its count, its page, the plan).
        if (want, prefix) not in self._origin_memo:
            origins = [o for o, toks in self._origin_tokens if _contains(toks, want, prefix)]
            posts = [p for p, toks in self._post_tokens if _contains(toks, want, prefix)]
            self._origin_memo[want, prefix] = (origins, posts)
        return self._origin_memo[want, prefix]

    def search(
        self,
        query: str | Node = "",
        *,
        sort: str = "relevance",
        limit: int | None = None,
        offset: int = 0,
        snippets: bool = False,
    ) -> Iterator[Hit]:
        """Every cable matching the query, in order; no cap unless `limit` is given.

        sort: "relevance" (bm25 over the free text; date order when the query has none; for
        broad queries two tiers: subject matches by bm25, then the rest newest first, see
        docs/search.md),
        "date" (oldest first) or "-date" (newest first).  `snippets` adds a passage around
        the first match of each hit, matches in [ ]."""
        node = self._scope(self.parse(query))
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        if limit is not None and limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        # Past SQLite's integers nothing is found anyway: no OverflowError from a huge page.
        offset = min(offset, MAX_ROWS)
        limit = None if limit is None or limit >= MAX_ROWS else limit
        chunks = self.searcher.hits(node, self.reader, sort=sort, limit=limit, offset=offset)
        pats = patterns(node) if snippets else []
        for rows in chunks:
            hits = {row[0]: Hit(*row[1:]) for row in rows}
            if snippets:
                self._add_snippets(hits, pats)
            yield from hits.values()

    def _add_snippets(self, hits: dict[int, Hit], pats: list) -> None:
        """Snippets for a page of hits: the paragraphs the reader may read, matched in Python
        (SQLite's FTS table is contentless: its snippet() has no text to cut from)."""
        texts = self.searcher.paragraphs(list(hits), self.reader)
        for cid, hit in hits.items():
            hit.snippet = make_snippet(hit.subject, body_text(texts[cid]), pats)

    def paragraph_filter(self, ids: list[int]):  # type: ignore[no-untyped-def]
        """None when this reader reads every listed cable whole; else a test (cable id,
        portion mark) -> whether that paragraph may be shown (archive/browse.py)."""
        return self.searcher.paragraph_filter(ids, self.reader)

    def count(self, query: str | Node = "") -> int:
        """The number of cables matching the query (exact; no cap)."""
        return self.searcher.count(self._scope(self.parse(query)), self.reader)

    def hit_ids(self, node: Node) -> list[int]:
        """The store ids of the hits of a query's tree (not stemmed: `parse` does that) that
        this reader sees, each once, in no particular order (archive/people.py)."""
        return self.searcher.ids(self._scope(node), self.reader)

    def facets(
        self,
        query: str | Node = "",
        names: tuple[str, ...] = FACETS,
        top: int | None = 20,
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching cables by origin, tag, classification, handling, year, month.

        Year and month come in calendar order, complete; the others most frequent first (ties
        by value), the first `top` of them (all with top=None).  Unknown values are left out."""
        node = self._scope(self.parse(query))
        for name in names:
            if name not in FACETS:
                raise ValueError(f"facets are {', '.join(FACETS)}")
        return self.searcher.facets(node, self.reader, tuple(names), top)

    def state(self) -> tuple[int, ...]:
        """Changes whenever the archive's cables do, by any connection (the store counts its
        writes): not when sessions or the audit log are written, which happen on every
        request of the web server.  Keys caches of what the archive answers."""
        return self._pin or (self.store.generation(),)

    def cites(self, reference_id: str) -> list[Reference]:
        """The cables this cable's REF block cites, with whether each is in the archive (for
        this reader: a cable they may not see is as absent as a missing one)."""
        rid = as_id(reference_id)
        if self.decision(rid) == "none":
            return []
        rows = self.searcher.cites(rid, self.reader)
        whole = self.decision(rid) == "full"
        return [
            Reference(t, letter, text if whole else WITHHELD, bool(found))
            for t, letter, text, found in rows
        ]

    def cited_by(self, reference_id: str) -> list[Reference]:
        """The archived cables (that this reader sees) whose REF blocks cite this one; the
        citing line's text only where the citing cable is read whole."""
        out = []
        for src, letter, text, columns in self.searcher.cited_by(as_id(reference_id), self.reader):
            whole = self.access.decide(columns) == "full"
            out.append(Reference(src, letter, text if whole else WITHHELD, True))
        return out

    # -- export, graph, statistics (thin wrappers over export.py, graph.py, stats.py) --

    def records(self, query: str | Node = "", *, sort: str = "date") -> Iterator[Cable]:
        """Every whole record matching the query, streamed a chunk at a time."""
        from cablebase.archive.export import records

        return records(self, query, sort=sort)

    def export(self, query: str | Node = "", to: str = "jsonl", out: object = "-", **kw) -> int:
        """Write every hit to `out` (path or stream) as jsonl, csv or parquet; return the count."""
        from cablebase.archive.export import export

        return export(self, query, to, out, **kw)

    def graph(self, query: str | Node = "", to: str = "graphml", out: object = "-", **kw):
        """Write the citation network of the hits as graphml or gexf; return a GraphSummary."""
        from cablebase.archive.graph import graph

        return graph(self, query, to, out, **kw)

    def stats(self, **kw):
        """The archive's statistics (an ArchiveStats; `format_stats` renders it)."""
        from cablebase.archive.stats import stats

        return stats(self, **kw)

    def unresolved(self, limit: int | None = None):
        """The cited cable ids the archive lacks, most cited first."""
        from cablebase.archive.stats import unresolved

        return unresolved(self, limit)
