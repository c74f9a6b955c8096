"""SQLite schema of the archive, as numbered migrations (docs/schema.md describes the tables).

Plain tables that other SQLite tools (Datasette, sqlite-utils) can open: one row per cable with
its searchable columns and the full JSON record, side tables for the list-valued fields, an FTS5
index over subject and text, a version history and a quarantine for inputs that failed.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: the initial schema
    """
    CREATE TABLE cables (
        id              INTEGER PRIMARY KEY,
        reference_id    TEXT NOT NULL UNIQUE,
        created         TEXT,              -- ISO 8601 UTC
        year            INTEGER,
        month           INTEGER,
        origin          TEXT,
        post            TEXT,
        classification  TEXT,
        class_rank      INTEGER,           -- 0 UNCLASSIFIED .. 3 TOP SECRET
        precedence      TEXT,
        subject         TEXT,
        eo              TEXT,
        declassify_on   TEXT,
        declassify_rule TEXT,
        partial         INTEGER NOT NULL DEFAULT 0,
        n_paragraphs    INTEGER NOT NULL DEFAULT 0,
        n_warnings      INTEGER NOT NULL DEFAULT 0,
        source_form     TEXT,
        source_path     TEXT,
        source_hash     TEXT NOT NULL,     -- hash of the record's content: ingest is idempotent
        version         INTEGER NOT NULL DEFAULT 1,
        record          TEXT NOT NULL      -- the record as JSON (docs/record.md), except its
                                           -- paragraphs (table paragraphs) and source text (sources)
    );
    CREATE INDEX cables_created ON cables(created);
    CREATE INDEX cables_origin ON cables(origin, created);
    CREATE INDEX cables_class ON cables(class_rank, created);
    CREATE INDEX cables_year_month ON cables(year, month);

    CREATE TABLE sources (
        cable_id INTEGER PRIMARY KEY REFERENCES cables(id) ON DELETE CASCADE,
        form     TEXT NOT NULL,
        path     TEXT,
        offset   INTEGER,
        header   TEXT,                     -- the unwrapped header and body the grammar read
        body     TEXT
    );

    CREATE TABLE cable_versions (
        reference_id TEXT NOT NULL,
        version      INTEGER NOT NULL,
        source_hash  TEXT NOT NULL,
        record       TEXT NOT NULL,        -- the whole record as JSON, paragraphs and source included
        replaced     TEXT NOT NULL,        -- when a newer version replaced it
        PRIMARY KEY (reference_id, version)
    );

    CREATE TABLE handling (
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        caveat   TEXT NOT NULL,
        PRIMARY KEY (cable_id, caveat)
    ) WITHOUT ROWID;
    CREATE INDEX handling_caveat ON handling(caveat, cable_id);

    CREATE TABLE tags (
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        tag      TEXT NOT NULL,
        PRIMARY KEY (cable_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags(tag, cable_id);

    CREATE TABLE recipients (
        cable_id   INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        role       TEXT NOT NULL,
        route      TEXT,
        name       TEXT NOT NULL,
        office     TEXT,
        precedence TEXT,
        serial     TEXT,
        collective INTEGER NOT NULL,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX recipients_name ON recipients(name);

    CREATE TABLE refs (
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        letter   TEXT,
        kind     TEXT NOT NULL,
        text     TEXT NOT NULL,
        target   TEXT,                     -- canonical cable id, for kind = cable
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX refs_target ON refs(target, cable_id);

    CREATE TABLE paragraphs (
        id       INTEGER PRIMARY KEY,
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        number   INTEGER,
        portion  TEXT,
        heading  TEXT,
        text     TEXT NOT NULL,
        UNIQUE (cable_id, position)
    );

    CREATE TABLE people (
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        role     TEXT NOT NULL,            -- signer | classified_by
        name     TEXT NOT NULL,
        title    TEXT,
        office   TEXT
    );
    CREATE INDEX people_cable ON people(cable_id);
    CREATE INDEX people_name ON people(name COLLATE NOCASE);

    -- Contentless: the text lives in cables.subject and paragraphs; rowid = cables.id.
    CREATE VIRTUAL TABLE cables_fts USING fts5(
        subject, body, content = '', tokenize = 'unicode61 remove_diacritics 2'
    );

    CREATE TABLE quarantine (
        id       INTEGER PRIMARY KEY,
        location TEXT NOT NULL UNIQUE,
        reason   TEXT NOT NULL,
        seen     TEXT NOT NULL
    );
    """,
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; return its version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        version = number
    return version
