"""What a query's values mean in one PostgreSQL archive: origin: and the name fields resolved
against the stored distinct values, and an unquoted word's stemmed forms among the indexed
words.  The same rules as the SQLite Archive (`Archive._origins`, `_names`, `_forms`):
`api._contains` and `api._person_keys` decide what matches, `stems.STEMMER` what a stem is;
only where the values are read from differs.  Read once per archive generation.
"""

from __future__ import annotations

from cablebase.archive.api import _contains, _person_keys
from cablebase.archive.query import NAME_FIELDS
from cablebase.archive.snippets import words
from cablebase.archive.stems import STEMMER, expansion_prefix, stemmable

_SOURCES = {
    "origins": "SELECT DISTINCT origin FROM cables WHERE origin IS NOT NULL",
    "posts": "SELECT DISTINCT post FROM cables WHERE origin IS NULL AND post IS NOT NULL",
    "people": "SELECT DISTINCT name FROM people",
    "recipients": "SELECT DISTINCT name FROM recipients",
    "routes": "SELECT DISTINCT route FROM recipients WHERE route IS NOT NULL",
    "tags": "SELECT DISTINCT tag FROM tags WHERE strpos(tag, '(') > 0",
}


class Resolver:
    """Resolves values against one database (conn: psycopg.Connection)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self._key: str | None = None
        self._tokens: dict[str, list[tuple[str, list[str]]]] = {}
        self._forms: dict[str, tuple[str, ...]] = {}

    def _fresh(self) -> None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
        key = row[0] if row else "0"
        if key != self._key:
            self._key, self._tokens, self._forms = key, {}, {}

    def _values(self, source: str) -> list[tuple[str, list[str]]]:
        if source not in self._tokens:
            rows = self.conn.execute(_SOURCES[source]).fetchall()
            cut = (lambda v: v.partition("(")[2]) if source == "tags" else (lambda v: v)
            found = [(v, words(cut(v))) for (v,) in rows]
            if source in ("people", "tags"):
                found += _person_keys(found, source == "tags")
            self._tokens[source] = found
        return self._tokens[source]

    def _matching(self, source: str, want: tuple[str, ...], prefix: bool) -> list[str]:
        return list(dict.fromkeys(v for v, t in self._values(source) if _contains(t, want, prefix)))

    def __call__(
        self, want: tuple[str, ...], prefix: bool, field: str = "origin"
    ) -> tuple[list[str], ...]:
        """query.OriginResolver: origin: -> (origins, posts of cables without an origin); a
        name field -> (names, routing indicators) or for person: (names, person tags)."""
        self._fresh()
        if field == "origin":
            return self._matching("origins", want, prefix), self._matching("posts", want, prefix)
        table = NAME_FIELDS[field][0]
        found = (self._matching(table, want, False),)
        if table == "recipients":
            return (*found, self._matching("routes", want, False))
        if field == "person":
            return (*found, self._matching("tags", want, False))
        return found

    def forms(self, token: str) -> tuple[str, ...]:
        """The indexed words sharing a word's Porter stem, the word first (api._forms)."""
        if not stemmable(token):
            return (token,)
        self._fresh()
        if token not in self._forms:
            stem = STEMMER.stem(token)
            start = expansion_prefix(stem) if stem else None
            forms: tuple[str, ...] = (token,)
            if start is not None:
                stop = start[:-1] + chr(ord(start[-1]) + 1)
                near = [
                    w
                    for (w,) in self.conn.execute(
                        "SELECT word FROM words WHERE word >= %s AND word < %s ORDER BY word",
                        (start, stop),
                    )
                    if stemmable(w)
                ]
                stems = STEMMER.stems(near)
                forms += tuple(w for w in near if stems[w] == stem and w != token)
            self._forms[token] = forms
        return self._forms[token]
