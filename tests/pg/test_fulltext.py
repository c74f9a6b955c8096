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
    literal, found = tsvector("Subject line", body)
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


def _pairs_of(subject: str, body: str) -> set[str]:
    return _set(pairs(parsed(tsvector(subject, body).fts)))


def test_pairs_are_the_adjacent_words():
    assert _pairs_of("Visit of the Minister", "The minister's visit; the minister left") == {
        "visit of", "of the", "the minister",  # the subject's
        "minister s", "s visit", "visit the", "minister left",  # the body's, not across
    }  # fmt: skip
    long = "x" * (PAIR_WORD + 1)
    assert _pairs_of("", f"a {long} b {'y' * PAIR_WORD} c") == {
        f"b {'y' * PAIR_WORD}",
        f"{'y' * PAIR_WORD} c",
    }
    # positions clamped as PostgreSQL keeps them: the words at the limit follow its last word
    body = " ".join(f"w{i}" for i in range(MAX_POSITION + 5))
    clamped = _pairs_of("", body)
    last = f"w{MAX_POSITION - 3}"  # at position MAX_POSITION - 1 (the body starts at 2)
    assert {f"{last} w{i}" for i in range(MAX_POSITION - 2, MAX_POSITION + 5)} <= clamped


PAIRED_SHAPES = (  # (subject, body): what the pairs' rule meets
    ("Visit of the Minister", "The minister's visit; the minister left"),
    ("L'ÉTÉ À PARIS", "It's a back\\slash 'quoted' word; it's it's"),
    ("", "filler " * 300 + "end of filler"),  # a word past its 256 positions
    ("", " ".join(f"w{i}" for i in range(MAX_POSITION + 5))),  # clamped positions
    ("", f"a {'x' * (PAIR_WORD + 1)} b {'y' * PAIR_WORD} c"),  # a word too long to pair
    ("Subject only", ""),
    ("", ""),
)


def test_the_servers_pairs_are_the_rules(pg_dsn):
    """The index's pairs, computed by the server from a stored tsvector (schema.py's
    cable_pairs, migration 8), are pairs() of it: quotes, backslashes, clamped positions."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        schema.migrate(conn)
        for subject, body in PAIRED_SHAPES:
            literal = tsvector(subject, body).fts
            found = conn.execute("SELECT cable_pairs(%s::tsvector)::text", (literal,)).fetchone()
            assert _set(found[0]) == _set(pairs(parsed(literal))), (subject, body[:40])


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


def test_migration_keeps_the_pairs_in_the_index_only(pg_dsn):
    """Migration 8 drops the pairs column that migrations 6 and 7 wrote (its values let go:
    one rewrite, no old row versions) and indexes the same pairs, computed from `fts`."""
    import psycopg

    from cablebase.generate import generate

    body = "filler " * (MAX_POSITION + 10) + "zanzibar lighthouse it's"
    edge = Cable(
        reference_id="09ROME8", subject="Long", paragraphs=[Paragraph(number=1, text=body)]
    )
    with PgStore(pg_dsn) as pg:
        pg.put_many([*generate(40, seed=4), edge])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        # the archive as schema 7 keeps it: the pairs a column, as migration 6 wrote them
        conn.execute(
            "DROP INDEX cables_pairs; DROP FUNCTION cable_pairs(tsvector);"
            " DELETE FROM schema_version WHERE version >= 6"
        )
        for number, step in enumerate(schema.MIGRATIONS[5:7], start=6):
            with conn.transaction():
                step(conn)
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        written = dict(conn.execute("SELECT id, pairs::text FROM cables"))
        assert len(written) == 41 and all(written.values())
        assert schema.migrate(conn) == len(schema.MIGRATIONS) == 8
        columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'cables'"
        assert "pairs" not in {c for (c,) in conn.execute(columns)}
        indexed = dict(conn.execute("SELECT id, cable_pairs(fts)::text FROM cables"))
        assert {i: _set(v) for i, v in indexed.items()} == {i: _set(v) for i, v in written.items()}
        dead = "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'cables'"
        assert conn.execute(dead).fetchone()[0] == 0
        index = "SELECT indexdef FROM pg_indexes WHERE indexname = 'cables_pairs'"
        assert "cable_pairs(fts)" in conn.execute(index).fetchone()[0]
        # no statistics of the expression: ANALYZE does not compute it
        target = "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'cables_pairs'::regclass"
        assert conn.execute(target).fetchone()[0] == 0
