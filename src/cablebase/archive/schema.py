"""SQLite schema of the archive, as numbered migrations (docs/schema.md describes the tables).

Plain tables that other SQLite tools (Datasette, sqlite-utils) can open: one row per cable with
its searchable columns and the full JSON record, side tables for the list-valued fields, an FTS5
index over subject and text, a version history and a quarantine for inputs that failed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import orjson

MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
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
    # 2: access control (docs/access.md): access columns, the acl column of the full-text
    # index, accounts, sessions and tokens, login throttling, the audit log, releases.
    lambda conn: _access(conn),
    # 3: the access columns as covering indexes (they sit after the record's JSON, so reading
    # them from a row walks its overflow pages): a reader's id set (archive/reader_sets.py) is
    # built from cables_access, and the portion marks of listed cables read by id from
    # cables_requirement.
    """
    CREATE INDEX cables_access ON cables(class_rank, caveat_bits, open_on, floor_rank);
    CREATE INDEX cables_requirement ON cables(id, class_rank, caveat_bits);
    """,
    # 4: one cable from many sources (docs/sources.md): every source of a cable with its own
    # record, the stored record being their merge; WikiLeaks' release date as a column
    # (`released:` in queries).  Cables stored before keep their one source, recorded when
    # the next source of the cable arrives (SQLiteStore._adopt).
    """
    CREATE TABLE cable_sources (
        id           INTEGER PRIMARY KEY,
        reference_id TEXT NOT NULL,
        form         TEXT NOT NULL,        -- html | csv | text | markdown | telegram | fragment
        path         TEXT,                 -- file, or ARCHIVE!MEMBER
        offset       INTEGER,              -- csv row
        released     TEXT,                 -- the release date the source states (Cablegate)
        digest       TEXT NOT NULL,        -- content hash of the source's own record
        record       TEXT,                 -- the source's own record as JSON; NULL: the version
                                           -- of the cable with this digest (cables or
                                           -- cable_versions) is that record
        added        TEXT NOT NULL,
        superseded   TEXT,                 -- when a new read of the same location replaced it
        UNIQUE (reference_id, digest)
    );
    ALTER TABLE cables ADD COLUMN released TEXT;
    UPDATE cables SET released = json_extract(record, '$.released')
        WHERE json_extract(record, '$.released') IS NOT NULL;
    CREATE INDEX cables_released ON cables(released);
    """,
    # 5: access columns derived again (issue 11): caveats of portion marks and ENTIRE TEXT
    # statements, handling restrictions (SBU, LOU, FOUO), dates that open nothing until an
    # archivist declassifies (access/declassify.py).
    lambda conn: _recompute_access(conn),
    # 6: the sender (FM line) as a row of recipients, role 'from', position -1, route the
    # originating station's routing indicator: from:/sender: search it with the addressees
    # (docs/search.md); routing indicators searchable.
    """
    INSERT OR IGNORE INTO recipients
        SELECT id, -1, 'from', json_extract(record, '$.station.route'),
               json_extract(record, '$.sender'), NULL, json_extract(record, '$.precedence'),
               NULL, 0
        FROM cables WHERE json_extract(record, '$.sender') IS NOT NULL;
    CREATE INDEX recipients_route ON recipients(route);
    """,
    # 7: text stored once (issue 13): the source text and the paragraphs' text of a cable in
    # one compressed value (table texts, archive/texts.py); paragraphs keep their number,
    # portion mark and heading, sources where the text was read.
    lambda conn: _texts_once(conn),
    # 8: drafts (issue 14, src/cablebase/drafting/store.py): a draft as its drafter wrote it
    # (telegram text, YAML or JSON), with every saved version kept.
    """
    CREATE TABLE IF NOT EXISTS drafts (
        id           INTEGER PRIMARY KEY,
        author       TEXT,                  -- account name; NULL on an open archive
        form         TEXT NOT NULL,         -- text | yaml | json
        post         TEXT,
        classification TEXT,
        subject      TEXT,
        state        TEXT NOT NULL DEFAULT 'draft',
        version      INTEGER NOT NULL,      -- the current version
        created      TEXT NOT NULL,
        updated      TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS draft_versions (
        draft_id     INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        version      INTEGER NOT NULL,
        body         TEXT NOT NULL,         -- the draft as written
        form         TEXT NOT NULL,
        saved_by     TEXT,
        saved        TEXT NOT NULL,
        PRIMARY KEY (draft_id, version)
    );
    CREATE INDEX IF NOT EXISTS drafts_author ON drafts(author, updated);
    """,
    # 9: the record's JSON compressed (issue 13; archive/texts.py): `record` holds a BLOB, read
    # in SQL as record_json(record).  Its page waste gone with it (a 2.5 KB row took a page).
    lambda conn: _compress_records(conn),
    # 10: dispatch (issue 15, src/cablebase/dispatch, docs/dispatch.md): one delivery per
    # addressee per released cable (the outbox, written in the release's transaction), the
    # posts' alert rosters and the alerts raised when a FLASH/NIACT goes unacknowledged.
    """
    CREATE TABLE IF NOT EXISTS dispatch_deliveries (
        id           INTEGER PRIMARY KEY,
        key          TEXT NOT NULL UNIQUE,  -- idempotency key: reference id / addressee
        reference_id TEXT NOT NULL,
        addressee    TEXT NOT NULL,         -- key of data/addressees.json, or the line as written
        role         TEXT NOT NULL,         -- action | info
        precedence   TEXT NOT NULL,         -- FLASH .. ROUTINE (this addressee's)
        rank         INTEGER NOT NULL,      -- 0 FLASH, 1 NIACT IMMEDIATE, .. 4 ROUTINE
        ack_required INTEGER NOT NULL,
        released     REAL NOT NULL,         -- epoch seconds, as every time below
        deadline     REAL NOT NULL,         -- released + the speed-of-service objective
        state        TEXT NOT NULL,         -- queued | sending | delivered | dead
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_at      REAL NOT NULL,         -- not before (retry backoff)
        worker       TEXT,                  -- host:pid of the worker holding it (sending)
        lease_until  REAL,
        delivered    REAL,
        read         REAL,
        acked        REAL,
        acked_by     TEXT,
        escalated    REAL,
        error        TEXT                   -- the last failure; a dead letter's reason
    );
    CREATE INDEX IF NOT EXISTS dispatch_queue ON dispatch_deliveries(rank, released, id)
        WHERE state IN ('queued', 'sending');
    CREATE INDEX IF NOT EXISTS dispatch_inbox ON dispatch_deliveries(addressee, rank, delivered);
    CREATE INDEX IF NOT EXISTS dispatch_cable ON dispatch_deliveries(reference_id);
    CREATE INDEX IF NOT EXISTS dispatch_ack ON dispatch_deliveries(delivered)
        WHERE ack_required = 1 AND acked IS NULL AND escalated IS NULL;
    CREATE TABLE IF NOT EXISTS dispatch_rosters (
        addressee    TEXT NOT NULL,
        contact      TEXT NOT NULL,         -- an account name, a mailbox, a phone: as given
        PRIMARY KEY (addressee, contact)
    );
    CREATE TABLE IF NOT EXISTS dispatch_alerts (
        id           INTEGER PRIMARY KEY,
        delivery_id  INTEGER NOT NULL REFERENCES dispatch_deliveries(id) ON DELETE CASCADE,
        contact      TEXT,                  -- NULL: the post has no alert roster
        raised       REAL NOT NULL
    );
    """,
    # 11: the drafting desk's clearance and release (issue 14, drafting/desk.py): the version
    # submitted, the offices a draft waits on, who clears for an office or releases for a post
    # (release:POST), each post's serial counter per year and the releases it numbered.
    """
    CREATE TABLE IF NOT EXISTS draft_submissions (
        draft_id     INTEGER PRIMARY KEY REFERENCES drafts(id) ON DELETE CASCADE,
        version      INTEGER NOT NULL,      -- the version submitted (frozen until a recall)
        submitted_by TEXT NOT NULL,
        submitted    TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS draft_clearances (
        draft_id     INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        office       TEXT NOT NULL,
        cleared_by   TEXT,                  -- NULL while the office has not cleared
        cleared      TEXT,
        PRIMARY KEY (draft_id, office)
    );
    CREATE TABLE IF NOT EXISTS desk_members (
        unit         TEXT NOT NULL,         -- an office (AF/W) or release:POST
        user         TEXT NOT NULL,
        PRIMARY KEY (unit, user)
    );
    CREATE TABLE IF NOT EXISTS post_serials (
        post         TEXT NOT NULL,
        year         INTEGER NOT NULL,
        last         INTEGER NOT NULL,      -- the last serial given
        PRIMARY KEY (post, year)
    );
    CREATE TABLE IF NOT EXISTS draft_releases (
        draft_id     INTEGER PRIMARY KEY REFERENCES drafts(id),
        version      INTEGER NOT NULL,      -- the draft version released
        reference_id TEXT NOT NULL UNIQUE,
        post         TEXT NOT NULL,
        year         INTEGER NOT NULL,
        serial       INTEGER NOT NULL,
        released_by  TEXT NOT NULL,
        released     TEXT NOT NULL,         -- ISO 8601 UTC to the minute: the DTG's time
        UNIQUE (post, year, serial)
    );
    """,
    # 12: the full-text index merges its segments 16 at a time, not FTS5's default 4 (a
    # setting kept in cables_fts_config): an ingest rewrites each posting list fewer times,
    # 155 -> 120 us of the writer's CPU a cable over 235,000 cables, the index's size and
    # term lookups as before (docs/benchmarks.md, issue 13).
    "INSERT INTO cables_fts (cables_fts, rank) VALUES ('automerge', 16)",
    # 13: the full-text index holds up to 16 MB of new postings in memory before it writes
    # them as a segment (FTS5's default: 1 MB, a segment every ~150 cables): a batch of an
    # ingest (ingest.BATCH) becomes one segment, and each posting list is merged one level
    # fewer times.  FTS-only replay of 250,000 generated cables in batches of 2,000: 141 ->
    # 115 us of the writer's CPU a cable, as many segments left at the end (20 against 19),
    # the same postings (docs/benchmarks.md, issue 13).
    "INSERT INTO cables_fts (cables_fts, rank) VALUES ('hashsize', 16777216)",
    # 14: each cable's tags as tokens of the index's acl column (policy.indexed_acl), so that
    # free text and tag:X or NOT tag:X are one FTS5 expression (archive/sqlite_search.py):
    # the whole index written again, then merged into one segment.
    lambda conn: _tags_indexed(conn),
)

TEXTS_ONCE = 7  # the migration from which paragraphs and source text live in `texts`
COMPRESSED_RECORDS = 9  # ... and from which cables.record is compressed


def stored_record(conn: sqlite3.Connection, cid: int, record: str | bytes):  # -> Cable
    """The record of cable `cid` as a migration reads it: its JSON row with the paragraphs
    from their own table (the row keeps none)."""
    from cablebase.archive.texts import record_json
    from cablebase.record import Cable, Paragraph

    cable = Cable.from_dict(orjson.loads(record_json(record)))
    cable.paragraphs = [
        Paragraph(number=n, portion=p, heading=h, text=t)
        for n, p, h, t in stored_paragraphs(conn, cid)
    ]
    return cable


def stored_paragraphs(
    conn: sqlite3.Connection, cid: int
) -> list[tuple[int | None, str | None, str | None, str]]:
    """(number, portion, heading, text) of cable `cid`'s paragraphs in order, read from the
    archive's shape at this point of its migrations (text in `paragraphs` before migration 7,
    in `texts` from it on)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < TEXTS_ONCE:
        return conn.execute(
            "SELECT number, portion, heading, text FROM paragraphs WHERE cable_id = ?"
            " ORDER BY position",
            (cid,),
        ).fetchall()
    from cablebase.archive import texts

    return [row[1:] for row in texts.paragraphs(conn, [cid])]


def _texts_once(conn: sqlite3.Connection) -> None:
    """Migration 7: every cable's source and paragraph text packed into `texts`; the text
    columns of `paragraphs` and `sources` dropped (tables made again: DROP COLUMN is SQLite
    3.35+).  The space they held is given back by the VACUUM that migrate() runs after."""
    from cablebase.archive.texts import pack

    if "text" not in {row[1] for row in conn.execute("PRAGMA table_info(paragraphs)")}:
        return  # already in this shape (an archive whose user_version was set back by hand)
    conn.execute(
        "CREATE TABLE texts (cable_id INTEGER PRIMARY KEY REFERENCES cables(id)"
        " ON DELETE CASCADE, packed BLOB NOT NULL)"
    )
    sources = conn.execute("SELECT cable_id, header, body FROM sources ORDER BY cable_id")
    source = next(sources, None)
    paragraphs = conn.execute("SELECT cable_id, text FROM paragraphs ORDER BY cable_id, position")
    para = next(paragraphs, None)
    rows: list[tuple[int, bytes]] = []
    for (cid,) in conn.execute("SELECT id FROM cables ORDER BY id").fetchall():
        header = body = None
        while source is not None and source[0] < cid:
            source = next(sources, None)
        if source is not None and source[0] == cid:
            header, body = source[1], source[2]
        parts: list[str] = []
        while para is not None and para[0] <= cid:
            if para[0] == cid:
                parts.append(para[1])
            para = next(paragraphs, None)
        rows.append((cid, pack(header, body, parts)))
        if len(rows) >= 1000:
            conn.executemany("INSERT INTO texts VALUES (?, ?)", rows)
            rows.clear()
    conn.executemany("INSERT INTO texts VALUES (?, ?)", rows)
    for statement in TEXTS_TABLES.split(";"):  # one by one: executescript would commit
        if statement.strip():
            conn.execute(statement)


def _compress_records(conn: sqlite3.Connection) -> None:
    """Migration 9: every stored record's JSON compressed (the readers take either)."""
    from cablebase.archive.texts import compress

    ids = [cid for (cid,) in conn.execute("SELECT id FROM cables WHERE typeof(record) = 'text'")]
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        rows = conn.execute(
            f"SELECT id, record FROM cables WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        conn.executemany(
            "UPDATE cables SET record = ? WHERE id = ?",
            [(compress(record.encode("utf-8")), cid) for cid, record in rows],
        )


TEXTS_TABLES = """
    CREATE TABLE paragraphs_7 (
        cable_id INTEGER NOT NULL REFERENCES cables(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        number   INTEGER,
        portion  TEXT,
        heading  TEXT,                     -- text: in texts
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    INSERT INTO paragraphs_7 SELECT cable_id, position, number, portion, heading FROM paragraphs;
    DROP TABLE paragraphs;
    ALTER TABLE paragraphs_7 RENAME TO paragraphs;

    CREATE TABLE sources_7 (
        cable_id INTEGER PRIMARY KEY REFERENCES cables(id) ON DELETE CASCADE,
        form     TEXT NOT NULL,
        path     TEXT,
        offset   INTEGER                   -- header and body text: in texts
    );
    INSERT INTO sources_7 SELECT cable_id, form, path, offset FROM sources;
    DROP TABLE sources;
    ALTER TABLE sources_7 RENAME TO sources
"""


def _recompute_access(conn: sqlite3.Connection) -> None:
    from cablebase.access.declassify import recompute

    recompute(conn)


ACCESS_TABLES = """
    ALTER TABLE cables ADD COLUMN caveat_bits INTEGER NOT NULL DEFAULT 0;  -- policy.CAVEATS
    ALTER TABLE cables ADD COLUMN open_on TEXT;       -- declassified from (None: closed)
    ALTER TABLE cables ADD COLUMN floor_rank INTEGER; -- lowest rank of a caveat-free portion
    ALTER TABLE cables ADD COLUMN acl TEXT;           -- the acl tokens indexed (policy.acl_tokens)

    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE users (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password  TEXT NOT NULL,                   -- argon2id hash
        role      TEXT NOT NULL CHECK (role IN ('reader', 'archivist', 'admin')),
        clearance INTEGER NOT NULL DEFAULT 0 CHECK (clearance BETWEEN 0 AND 3),
        caveats   INTEGER NOT NULL DEFAULT 0,      -- bits of policy.CAVEATS
        created   TEXT NOT NULL,
        disabled  INTEGER NOT NULL DEFAULT 0
    );

    -- Web sessions and API tokens (only a hash of the secret is kept).
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('session', 'token')),
        label      TEXT,
        csrf       TEXT,
        created    TEXT NOT NULL,
        expires    TEXT,                           -- None: until revoked
        last_used  TEXT
    );
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX login_failures_key ON login_failures(key, at);

    CREATE TABLE audit (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        user    TEXT,
        action  TEXT NOT NULL,   -- login | login_failed | logout | read | search | export | ...
        target  TEXT,
        detail  TEXT,
        address TEXT
    );
    CREATE INDEX audit_at ON audit(at);

    CREATE TABLE releases (
        id            INTEGER PRIMARY KEY,
        reference_id  TEXT NOT NULL,
        base_version  INTEGER NOT NULL,             -- the version of the cable it redacts
        status        TEXT NOT NULL CHECK (status IN ('draft', 'reviewed', 'published', 'withdrawn')),
        withheld      TEXT NOT NULL DEFAULT '[]',   -- JSON: paragraph positions withheld
        spans         TEXT NOT NULL DEFAULT '[]',   -- JSON: strings redacted wherever they occur
        subject       INTEGER NOT NULL DEFAULT 0,   -- 1: the subject line is withheld
        note          TEXT,
        prepared_by   TEXT,
        prepared      TEXT,
        reviewed_by   TEXT,
        reviewed      TEXT,
        published_by  TEXT,
        published     TEXT,
        version       INTEGER                       -- the cable's version that publishing made
    );
    CREATE INDEX releases_cable ON releases(reference_id, status);

    DROP TABLE cables_fts;
    CREATE VIRTUAL TABLE cables_fts USING fts5(
        subject, body, acl, content = '', tokenize = 'unicode61 remove_diacritics 2'
    );
"""


def _access(conn: sqlite3.Connection) -> None:
    """Migration 2.  Existing records get their access columns and are indexed again (the
    contentless index cannot gain a column in place)."""
    from cablebase.access.policy import acl_tokens, stored
    from cablebase.archive.sqlite import body_text

    for statement in ACCESS_TABLES.split(";"):  # one by one: executescript would commit
        if statement.strip():
            conn.execute(statement)
    ids = [row[0] for row in conn.execute("SELECT id FROM cables ORDER BY id")]
    for cid in ids:
        (record,) = conn.execute("SELECT record FROM cables WHERE id = ?", (cid,)).fetchone()
        cable = stored_record(conn, cid, record)
        s = stored(cable)
        acl = acl_tokens(s)
        conn.execute(
            "UPDATE cables SET caveat_bits = ?, open_on = ?, floor_rank = ?, acl = ? WHERE id = ?",
            (s.bits, s.open_on, s.floor_rank, acl, cid),
        )
        body = body_text((p.heading, p.text) for p in cable.paragraphs)
        conn.execute(
            "INSERT INTO cables_fts (rowid, subject, body, acl) VALUES (?, ?, ?, ?)",
            (cid, cable.subject or "", body, acl),
        )


def _tags_indexed(conn: sqlite3.Connection) -> None:
    """Migration 14: the full-text index emptied and filled again, each cable's acl column
    with its tag tokens (policy.indexed_acl) beside its access tokens (`cables.acl`, which
    the contentless index is deleted with, written to match), then merged into one
    segment.  The index's settings stay."""
    from cablebase.access.policy import indexed_acl
    from cablebase.archive.texts import body_text, paragraphs

    conn.execute("INSERT INTO cables_fts (cables_fts) VALUES ('delete-all')")
    ids = [cid for (cid,) in conn.execute("SELECT id FROM cables ORDER BY id")]
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT id, subject, acl FROM cables WHERE id IN ({marks}) ORDER BY id", chunk
        ).fetchall()
        tags: dict[int, list[str]] = {cid: [] for cid in chunk}
        for cid, tag in conn.execute(
            f"SELECT cable_id, tag FROM tags WHERE cable_id IN ({marks})", chunk
        ):
            tags[cid].append(tag)
        bodies: dict[int, list[tuple[str | None, str]]] = {cid: [] for cid in chunk}
        for cid, _, _, heading, text in paragraphs(conn, chunk):
            bodies[cid].append((heading, text))
        acls = [(indexed_acl(acl or "", tags[cid]), cid) for cid, _, acl in rows]
        conn.executemany("UPDATE cables SET acl = ? WHERE id = ?", acls)
        conn.executemany(
            "INSERT INTO cables_fts (rowid, subject, body, acl) VALUES (?, ?, ?, ?)",
            [
                (cid, subject or "", body_text(bodies[cid]), acl)
                for (cid, subject, _), (acl, _) in zip(rows, acls, strict=True)
            ],
        )
    # The refill leaves a segment per 16 MB of postings, merged 16 at a time (~11 at 251,000
    # cables); one segment answers a broad word from one doclist (`remain` by relevance
    # 50 -> 19 ms, `part*` by date 53 -> 10): 41 s more at that size, once.
    conn.execute("INSERT INTO cables_fts (cables_fts) VALUES ('optimize')")


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; return its version."""
    version = start = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        if isinstance(step, str):
            conn.executescript(f"BEGIN; {step}; PRAGMA user_version = {number}; COMMIT;")
        else:
            conn.execute("BEGIN")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                # SQLite ends the transaction itself on some errors (a full disk): then the
                # error is what the user must see, not "cannot rollback".
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        version = number
    if (
        start < COMPRESSED_RECORDS <= version
        and conn.execute("SELECT 1 FROM cables LIMIT 1").fetchone()
    ):
        conn.execute("VACUUM")  # the pages the plain text and JSON held given back to the disk
    return version
