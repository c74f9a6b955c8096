"""The tsvector the PostgreSQL store writes holds the FTS5 index's tokens (archive/pg/fulltext)."""

from __future__ import annotations

from cablebase.archive.api import Archive
from cablebase.archive.pg import schema
from cablebase.archive.pg.fulltext import MAX_POSITION, PAIR_WORD, pairs, parsed, tokens, tsvector
from cablebase.archive.pg.store import PgStore
from cablebase.archive.snippets import words
from cablebase.record import Cable, Paragraph


def test_fast_tokens_are_the_index_tokens():
    for text in (
        "The Quai d'Orsay's spokesman, Jean-Pierre, said: 1.5% of E-MAIL_users (XXXXXXXXXXXX)",
        "MINISTÈRE DES AFFAIRES ÉTRANGÈRES; São Paulo, Conceição",
        "tabs\tand\nnewlines\r\n__under_scores__ 09BAMAKO776 ¶3",
        "",
    ):
        assert tokens(text) == words(text)
    assert tokens("Jean-Pierre's e-mail") == ["jean", "pierre", "s", "e", "mail"]


def test_positions_past_the_limit_keep_the_word():
    body = "filler " * (MAX_POSITION + 10) + "zanzibar lighthouse"
    literal, _, found = tsvector("Subject line", body)
    assert "zanzibar" in found and "'zanzibar':16383" in literal
    # a word keeps at most 256 positions
    assert literal.split("'filler':")[1].split(" ")[0].count(",") == 255


def test_words_past_the_limit_are_found(pg_dsn):
    body = "filler " * (MAX_POSITION + 10) + "zanzibar lighthouse"
    long = Cable(
        reference_id="09ROME7",
        created="2009-01-01T00:00:00Z",
        subject="Long cable",
        paragraphs=[Paragraph(number=1, text=body)],
    )
    with PgStore(pg_dsn) as pg:
        pg.put_many([long])
        assert Archive(pg).count("zanzibar") == 1 and Archive(pg).count("lighthouse") == 1
        assert Archive(pg).count("subject:long") == 1 and Archive(pg).count("subject:filler") == 0


def _set(literal: str) -> set[str]:
    return set(parsed(literal))


def test_pairs_are_the_adjacent_words():
    found = tsvector("Visit of the Minister", "The minister's visit; the minister left")
    assert _set(found.pairs) == {
        "visit of", "of the", "the minister",  # the subject's
        "minister s", "s visit", "visit the", "minister left",  # the body's, not across
    }  # fmt: skip
    long = "x" * (PAIR_WORD + 1)
    assert _set(tsvector("", f"a {long} b {'y' * PAIR_WORD} c").pairs) == {
        f"b {'y' * PAIR_WORD}",
        f"{'y' * PAIR_WORD} c",
    }
    # positions clamped as PostgreSQL keeps them: the words at the limit follow its last word
    body = " ".join(f"w{i}" for i in range(MAX_POSITION + 5))
    clamped = _set(tsvector("", body).pairs)
    last = f"w{MAX_POSITION - 3}"  # at position MAX_POSITION - 1 (the body starts at 2)
    assert {f"{last} w{i}" for i in range(MAX_POSITION - 2, MAX_POSITION + 5)} <= clamped


def test_pairs_read_back_from_the_tsvector_are_the_written_ones():
    """Migration 6 reads the pairs of a stored cable from its tsvector's text (parsed): the
    same as ingest writes, quotes and backslashes included."""
    for subject, body in (
        ("L'ÉTÉ À PARIS", "It's a back\\slash 'quoted' word; it's it's"),
        ("", "filler " * 300 + "end of filler"),
    ):
        found = tsvector(subject, body)
        assert _set(pairs(parsed(found.fts))) == _set(found.pairs)


def test_fast_reading_of_a_tsvector_is_the_general_one():
    """Migration 6's fast paths (the usual literal; one word a position) read and pair as
    the general ones do: escaped lexemes, lexemes without positions, clamped positions."""
    from cablebase.archive.pg.fulltext import _clamped_pairs, _pairs, _parsed_escaped

    clamped = "filler " * 3 + " ".join(f"w{i}" for i in range(MAX_POSITION + 5))
    for subject, body in (
        ("Visit of the Minister", "The minister's visit; the minister left"),
        ("L'ÉTÉ À PARIS", "It's a back\\slash 'quoted' word; it's it's"),
        ("", clamped),
        ("", ""),
    ):
        literal = tsvector(subject, body).fts
        assert parsed(literal) == _parsed_escaped(literal)
        assert _pairs(parsed(literal)) == _clamped_pairs(parsed(literal))
    for literal in ("'a' 'b':1", "'a':1A,2 'b':3", "'it''s':1 'x':2", "'a\\\\b':3", "''"):
        assert parsed(literal) == _parsed_escaped(literal)


def test_migration_reads_the_pairs_ingest_writes(pg_dsn):
    import psycopg

    from cablebase.generate import generate

    body = "filler " * (MAX_POSITION + 10) + "zanzibar lighthouse it's"
    edge = Cable(
        reference_id="09ROME8", subject="Long", paragraphs=[Paragraph(number=1, text=body)]
    )
    with PgStore(pg_dsn) as pg:
        pg.put_many([*generate(40, seed=4), edge])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        written = dict(conn.execute("SELECT id, pairs::text FROM cables"))
        conn.execute(
            "DROP INDEX cables_pairs; ALTER TABLE cables DROP COLUMN pairs;"
            " DELETE FROM schema_version WHERE version >= 6"
        )
        assert schema.migrate(conn) == len(schema.MIGRATIONS)
        assert dict(conn.execute("SELECT id, pairs::text FROM cables")) == written
        assert len(written) == 41 and all(written.values())
        # one rewrite (no old row versions), the pairs compressed with lz4 where the server can
        dead = "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'cables'"
        assert conn.execute(dead).fetchone()[0] == 0
        methods = "SELECT DISTINCT pg_column_compression(pairs) FROM cables"
        if schema._lz4(conn):  # (a short cable's pairs stay in the row, not compressed)
            assert {m for (m,) in conn.execute(methods)} == {None, "lz4"}
