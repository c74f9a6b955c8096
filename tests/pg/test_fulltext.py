"""The tsvector the PostgreSQL store writes holds the FTS5 index's tokens (archive/pg/fulltext)."""

from __future__ import annotations

from cablebase.archive.api import Archive
from cablebase.archive.pg.fulltext import MAX_POSITION, tokens, tsvector
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
