"""PostgreSQL schema of the archive, as numbered migrations (the SQLite store's tables,
archive/schema.py and docs/schema.md, in PostgreSQL's types).

What differs from SQLite, and why:
- full text is a `tsvector` column of `cables` with a GIN index, built by archive/pg/fulltext.py
  from the same tokens the SQLite index holds (subject weight A, body weight D), instead of a
  contentless FTS5 table; `words` keeps the distinct indexed words, for stemming (the part of
  an FTS5 vocabulary table the query language reads); the subject's part of it is a column of
  its own (`subject_fts`, generated, with its own GIN index: migration 5), small enough to stay
  in the row, so that the first relevance tier and `subject:` are answered without reading a
  cable's whole tsvector from TOAST; and each cable's adjacent word pairs are a tsvector of
  their own (migration 6, with its own GIN index), so that a phrase is found without
  testing positions in every candidate's tsvector (archive/pg/fulltext.pairs): since
  migration 8 only the index holds them, an index of `cable_pairs(fts)` (the pairs read
  from the tsvector's positions by an SQL function), no column;
- columns compared by range or sorted (ids, dates, tags, origins) are `COLLATE "C"`: byte
  order, as SQLite compares, whatever the database's own locale;
- the version is a row of `schema_version`, not a pragma.
"""

from __future__ import annotations

from cablebase.archive.pg.fulltext import PAIR_WORD


def _pairs(conn) -> None:  # conn: psycopg.Connection, in the migration's transaction
    """Migration 6: each stored cable's adjacent word pairs, read from its tsvector by the
    rule ingest writes them by (fulltext.pairs) into a staging table, then the table
    rewritten once with them (ALTER COLUMN ... TYPE ... USING: every row written once, every
    index rebuilt in bulk, no old row versions left behind, as migration 5 does), then their
    GIN index.  One transaction: killed, the archive stays at schema 5, its table untouched."""
    from cablebase.archive.pg.fulltext import pairs, parsed

    conn.execute("LOCK TABLE cables IN SHARE MODE")  # no writer between reading and rewriting
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the index builds, in bulk
    conn.execute("CREATE UNLOGGED TABLE pairs_stage (id bigint NOT NULL, pairs tsvector NOT NULL)")
    # The column added with a default (no rewrite), so that the one rewrite checks NOT NULL.
    conn.execute("ALTER TABLE cables ADD COLUMN pairs tsvector NOT NULL DEFAULT ''")
    if _lz4(conn):  # the pairs the rewrite writes (migration 7 keeps it for later writes)
        conn.execute("SET LOCAL default_toast_compression = lz4")
    read = conn.cursor(name="migrate_pairs")
    read.execute("SELECT id, fts::text FROM cables")
    while batch := read.fetchmany(2000):  # one COPY a batch: the cursor and COPY take turns
        with conn.cursor().copy("COPY pairs_stage (id, pairs) FROM STDIN") as copy:
            for cid, literal in batch:
                copy.write_row((cid, pairs(parsed(literal))))
    read.close()
    conn.execute(STAGED_PAIRS)


def _lz4(conn) -> bool:
    """Whether the server compresses TOAST with lz4 (PostgreSQL 14 on, built with it)."""
    found = conn.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).fetchone()
    return bool(found and found[0])


def _compress_pairs(conn) -> None:
    """Migration 7: the pairs compressed with lz4 where the server has it (migration 6's
    rewrite writes them so).  pglz leaves a cable's pairs (~8 KB of sorted lexemes) uncompressed, lz4
    takes a fifth off.  Only values written from then on: an archive migrated to 6 before
    keeps its pairs as they are until the table is rewritten (VACUUM FULL)."""
    if _lz4(conn):
        conn.execute("ALTER TABLE cables ALTER COLUMN pairs SET COMPRESSION lz4")


def _pairs_from_fts(conn) -> None:
    """Migration 8: the pairs kept in their index only.  The column (a third of an archive's
    bytes: ~6.4 KB a cable in TOAST, lz4) is dropped and the index is rebuilt on
    `cable_pairs(fts)`, the same lexemes (archive/pg/fulltext.pairs, the rule migration 6
    read them by) computed by the server from the tsvector's positions as it indexes a row.
    The table is rewritten once (CLUSTER: VACUUM FULL's rewrite, which a transaction may
    hold for one table) so that the dropped column's values are let go.  One transaction:
    killed, the archive stays at schema 7, its table and index untouched."""
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the index builds, in bulk
    conn.execute(PAIRS_FUNCTION)
    conn.execute("DROP INDEX IF EXISTS cables_pairs")
    conn.execute("ALTER TABLE cables DROP COLUMN IF EXISTS pairs")
    conn.execute("CLUSTER cables USING cables_pkey")
    conn.execute("ALTER TABLE cables SET WITHOUT CLUSTER")  # no order to keep later
    conn.execute("CREATE INDEX cables_pairs ON cables USING gin (cable_pairs(fts))")
    # No statistics of the expression: ANALYZE would compute it for each row it samples (21
    # CPU-s of 22 at 30,000 rows, for every autoanalyze of a growing archive); a phrase's plan
    # is the index's either way (the function's cost), the answers the same.
    conn.execute("ALTER INDEX cables_pairs ALTER COLUMN 1 SET STATISTICS 0")
    conn.execute("ANALYZE cables")


# A cable's adjacent word pairs (archive/pg/fulltext.pairs) from its tsvector: the words of
# at most PAIR_WORD bytes at positions p and p + 1, every such two (several words share a
# position only where positions were clamped).  IMMUTABLE: an index expression; the functions
# it calls are pg_catalog's (found whatever the search_path).  Its COST keeps the planner from
# computing it row by row where the index answers.
PAIRS_FUNCTION = f"""
    CREATE FUNCTION cable_pairs(fts tsvector) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_to_tsvector(array_agg(a.lexeme || ' ' || b.lexeme)), ''::tsvector)
    FROM (SELECT lexeme, unnest(positions) AS p FROM unnest(fts)
          WHERE octet_length(lexeme) <= {PAIR_WORD}) a
    JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest(fts)
          WHERE octet_length(lexeme) <= {PAIR_WORD}) b ON b.p = a.p + 1
    $$
"""

# The rewrite takes each row's pairs from the staging table (a USING expression may call a
# function, not hold a subquery).
STAGED_PAIRS = """
    CREATE UNIQUE INDEX pairs_stage_id ON pairs_stage (id);
    CREATE FUNCTION pg_temp.staged_pairs(bigint) RETURNS tsvector
        LANGUAGE sql STABLE AS 'SELECT pairs FROM pairs_stage WHERE id = $1';
    ALTER TABLE cables ALTER COLUMN pairs DROP DEFAULT,
        ALTER COLUMN pairs TYPE tsvector USING pg_temp.staged_pairs(id);
    DROP FUNCTION pg_temp.staged_pairs(bigint);
    DROP TABLE pairs_stage;
    CREATE INDEX cables_pairs ON cables USING gin (pairs);
    ANALYZE cables (pairs);
"""

MIGRATIONS: tuple = (
    # 1: the cables as the SQLite store keeps them at its migration 11 (text stored once,
    # compressed records, access columns, sources, released), searchable.
    """
    CREATE SEQUENCE cable_ids;
    CREATE TABLE cables (
        id              bigint PRIMARY KEY DEFAULT nextval('cable_ids'),
        reference_id    text COLLATE "C" NOT NULL UNIQUE,
        created         text COLLATE "C",          -- ISO 8601 UTC
        year            integer,
        month           integer,
        origin          text COLLATE "C",
        post            text COLLATE "C",
        classification  text COLLATE "C",
        class_rank      integer,                   -- 0 UNCLASSIFIED .. 3 TOP SECRET
        precedence      text,
        subject         text,
        eo              text,
        declassify_on   text,
        declassify_rule text,
        partial         integer NOT NULL DEFAULT 0,
        n_paragraphs    integer NOT NULL DEFAULT 0,
        n_warnings      integer NOT NULL DEFAULT 0,
        source_form     text,
        source_path     text,
        source_hash     text NOT NULL,             -- content hash: loading is idempotent
        version         integer NOT NULL DEFAULT 1,
        record          bytea NOT NULL,            -- compressed JSON (archive/texts.py)
        caveat_bits     integer NOT NULL DEFAULT 0,
        open_on         text COLLATE "C",
        floor_rank      integer,
        acl             text,
        released        text COLLATE "C",
        fts             tsvector NOT NULL          -- subject (A) and body (D) tokens
    );
    ALTER SEQUENCE cable_ids OWNED BY cables.id;
    CREATE INDEX cables_created ON cables (created, id);
    CREATE INDEX cables_origin ON cables (origin, created);
    CREATE INDEX cables_post ON cables (post) WHERE origin IS NULL;
    CREATE INDEX cables_class ON cables (class_rank, created);
    CREATE INDEX cables_year_month ON cables (year, month);
    CREATE INDEX cables_released ON cables (released);
    CREATE INDEX cables_access ON cables (class_rank, caveat_bits, open_on, floor_rank);
    CREATE INDEX cables_fts ON cables USING gin (fts);

    CREATE TABLE texts (
        cable_id bigint PRIMARY KEY REFERENCES cables (id) ON DELETE CASCADE,
        packed   bytea NOT NULL                    -- header, body, paragraphs (texts.pack)
    );
    CREATE TABLE sources (
        cable_id bigint PRIMARY KEY REFERENCES cables (id) ON DELETE CASCADE,
        form     text NOT NULL,
        path     text,
        "offset" bigint
    );
    CREATE TABLE paragraphs (
        cable_id bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        position integer NOT NULL,
        number   integer,
        portion  text,
        heading  text,
        PRIMARY KEY (cable_id, position)
    );
    CREATE TABLE handling (
        cable_id bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        caveat   text COLLATE "C" NOT NULL,
        PRIMARY KEY (cable_id, caveat)
    );
    CREATE INDEX handling_caveat ON handling (caveat, cable_id);
    CREATE TABLE tags (
        cable_id bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        tag      text COLLATE "C" NOT NULL,
        PRIMARY KEY (cable_id, tag)
    );
    CREATE INDEX tags_tag ON tags (tag, cable_id);
    CREATE TABLE recipients (
        cable_id   bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        position   integer NOT NULL,               -- -1: the sender (FM line)
        role       text NOT NULL,                  -- from | to | info
        route      text COLLATE "C",
        name       text COLLATE "C" NOT NULL,
        office     text,
        precedence text,
        serial     text,
        collective integer NOT NULL,
        PRIMARY KEY (cable_id, position)
    );
    CREATE INDEX recipients_name ON recipients (name);
    CREATE INDEX recipients_route ON recipients (route);
    CREATE TABLE refs (
        cable_id bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        position integer NOT NULL,
        letter   text,
        kind     text NOT NULL,
        text     text NOT NULL,
        target   text COLLATE "C",                 -- canonical cable id, for kind = cable
        PRIMARY KEY (cable_id, position)
    );
    CREATE INDEX refs_target ON refs (target, cable_id);
    CREATE TABLE people (
        cable_id bigint NOT NULL REFERENCES cables (id) ON DELETE CASCADE,
        role     text NOT NULL,                    -- signer | classified_by
        name     text COLLATE "C" NOT NULL,
        title    text,
        office   text
    );
    CREATE INDEX people_cable ON people (cable_id);
    CREATE INDEX people_name ON people (lower(name));  -- ASCII case folded (SQLite NOCASE)

    CREATE TABLE words (word text COLLATE "C" PRIMARY KEY);  -- every indexed word, once

    CREATE TABLE cable_versions (
        reference_id text COLLATE "C" NOT NULL,
        version      integer NOT NULL,
        source_hash  text NOT NULL,
        record       text NOT NULL,                -- the whole record as JSON
        replaced     text NOT NULL,
        PRIMARY KEY (reference_id, version)
    );
    CREATE TABLE cable_sources (
        id           bigserial PRIMARY KEY,
        reference_id text COLLATE "C" NOT NULL,
        form         text NOT NULL,
        path         text,
        "offset"     bigint,
        released     text,
        digest       text NOT NULL,
        record       text,                         -- NULL: the cable version with this digest
        added        text NOT NULL,
        superseded   text,
        UNIQUE (reference_id, digest)
    );
    CREATE TABLE quarantine (
        id       bigserial PRIMARY KEY,
        location text NOT NULL UNIQUE,
        reason   text NOT NULL,
        seen     text NOT NULL
    );
    CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
    """,
    # 2: access control: accounts, web sessions and API tokens, login throttling, the audit
    # log (archive/schema.py's ACCESS_TABLES; access/accounts.py, access/audit.py).  A name
    # is unique without regard to ASCII case, as SQLite's COLLATE NOCASE: the key is
    # lower(name) over a "C" column (lower() folds only ASCII there, as NOCASE does).
    """
    CREATE TABLE IF NOT EXISTS users (
        id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name      text COLLATE "C" NOT NULL,
        password  text NOT NULL,                   -- argon2id hash
        role      text NOT NULL CHECK (role IN ('reader', 'archivist', 'admin')),
        clearance integer NOT NULL DEFAULT 0 CHECK (clearance BETWEEN 0 AND 3),
        caveats   integer NOT NULL DEFAULT 0,      -- bits of policy.CAVEATS
        created   text COLLATE "C" NOT NULL,
        disabled  integer NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX IF NOT EXISTS users_name ON users (lower(name));
    CREATE TABLE IF NOT EXISTS sessions (
        token_hash text PRIMARY KEY,
        user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind       text NOT NULL CHECK (kind IN ('session', 'token')),
        label      text,
        csrf       text,
        created    text COLLATE "C" NOT NULL,
        expires    text COLLATE "C",               -- NULL: until revoked
        last_used  text COLLATE "C"
    );
    CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
    CREATE TABLE IF NOT EXISTS login_failures (
        key text COLLATE "C" NOT NULL,
        at  text COLLATE "C" NOT NULL
    );
    CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
    CREATE TABLE IF NOT EXISTS audit (
        id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at      text COLLATE "C" NOT NULL,
        "user"  text COLLATE "C",
        action  text COLLATE "C" NOT NULL,
        target  text,
        detail  text,
        address text
    );
    CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
    """,
    # 3: published releases (access/releases.py, docs/releases.md), as SQLite's migration 2
    # keeps them; each action is written to migration 2's audit log.
    """
    CREATE TABLE IF NOT EXISTS releases (
        id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        reference_id  text COLLATE "C" NOT NULL,
        base_version  integer NOT NULL,            -- the version of the cable it redacts
        status        text NOT NULL
                      CHECK (status IN ('draft', 'reviewed', 'published', 'withdrawn')),
        withheld      text NOT NULL DEFAULT '[]',  -- JSON: paragraph positions withheld
        spans         text NOT NULL DEFAULT '[]',  -- JSON: strings redacted wherever they occur
        subject       integer NOT NULL DEFAULT 0,  -- 1: the subject line is withheld
        note          text,
        prepared_by   text,
        prepared      text COLLATE "C",
        reviewed_by   text,
        reviewed      text COLLATE "C",
        published_by  text,
        published     text COLLATE "C",
        version       integer                      -- the cable's version that publishing made
    );
    CREATE INDEX IF NOT EXISTS releases_cable ON releases (reference_id, status);
    """,
    # 4: the drafting desk and dispatch (issues 14, 15; drafting/, dispatch/): archive/schema.py's
    # migrations 8, 10 and 11 in PostgreSQL's types.  Self-contained (IF NOT EXISTS), whatever
    # migration precedes it.  Times kept as epoch seconds (dispatch) are double precision; names
    # sorted or joined to cables are COLLATE "C".
    """
    CREATE TABLE IF NOT EXISTS drafts (
        id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        author         text COLLATE "C",           -- account name; NULL on an open archive
        form           text NOT NULL,              -- text | yaml | json
        post           text COLLATE "C",
        classification text,
        subject        text,
        state          text NOT NULL DEFAULT 'draft',
        version        integer NOT NULL,           -- the current version
        created        text NOT NULL,
        updated        text COLLATE "C" NOT NULL
    );
    CREATE TABLE IF NOT EXISTS draft_versions (
        draft_id bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
        version  integer NOT NULL,
        body     text NOT NULL,                    -- the draft as written
        form     text NOT NULL,
        saved_by text,
        saved    text NOT NULL,
        PRIMARY KEY (draft_id, version)
    );
    CREATE INDEX IF NOT EXISTS drafts_author ON drafts (author, updated);

    CREATE TABLE IF NOT EXISTS dispatch_deliveries (
        id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        key          text COLLATE "C" NOT NULL UNIQUE,  -- idempotency key: reference id / addressee
        reference_id text COLLATE "C" NOT NULL,
        addressee    text COLLATE "C" NOT NULL,
        role         text NOT NULL,                -- action | info
        precedence   text NOT NULL,
        rank         integer NOT NULL,             -- 0 FLASH .. 4 ROUTINE
        ack_required integer NOT NULL,
        released     double precision NOT NULL,    -- epoch seconds, as every time below
        deadline     double precision NOT NULL,
        state        text NOT NULL,                -- queued | sending | delivered | dead
        attempts     integer NOT NULL DEFAULT 0,
        next_at      double precision NOT NULL,
        worker       text,
        lease_until  double precision,
        delivered    double precision,
        read         double precision,
        acked        double precision,
        acked_by     text,
        escalated    double precision,
        error        text
    );
    CREATE INDEX IF NOT EXISTS dispatch_queue ON dispatch_deliveries (rank, released, id)
        WHERE state IN ('queued', 'sending');
    CREATE INDEX IF NOT EXISTS dispatch_inbox
        ON dispatch_deliveries (addressee, rank, delivered);
    CREATE INDEX IF NOT EXISTS dispatch_cable ON dispatch_deliveries (reference_id);
    CREATE INDEX IF NOT EXISTS dispatch_ack ON dispatch_deliveries (delivered)
        WHERE ack_required = 1 AND acked IS NULL AND escalated IS NULL;
    CREATE TABLE IF NOT EXISTS dispatch_rosters (
        addressee text COLLATE "C" NOT NULL,
        contact   text COLLATE "C" NOT NULL,
        PRIMARY KEY (addressee, contact)
    );
    CREATE TABLE IF NOT EXISTS dispatch_alerts (
        id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES dispatch_deliveries (id) ON DELETE CASCADE,
        contact     text COLLATE "C",              -- NULL: the post has no alert roster
        raised      double precision NOT NULL
    );

    CREATE TABLE IF NOT EXISTS draft_submissions (
        draft_id     bigint PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
        version      integer NOT NULL,
        submitted_by text NOT NULL,
        submitted    text NOT NULL
    );
    CREATE TABLE IF NOT EXISTS draft_clearances (
        draft_id   bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
        office     text COLLATE "C" NOT NULL,
        cleared_by text,
        cleared    text,
        PRIMARY KEY (draft_id, office)
    );
    CREATE TABLE IF NOT EXISTS desk_members (
        unit   text COLLATE "C" NOT NULL,          -- an office (AF/W) or release:POST
        "user" text COLLATE "C" NOT NULL,
        PRIMARY KEY (unit, "user")
    );
    CREATE TABLE IF NOT EXISTS post_serials (
        post text COLLATE "C" NOT NULL,
        year integer NOT NULL,
        last integer NOT NULL,                     -- the last serial given
        PRIMARY KEY (post, year)
    );
    CREATE TABLE IF NOT EXISTS draft_releases (
        draft_id     bigint PRIMARY KEY REFERENCES drafts (id),
        version      integer NOT NULL,
        reference_id text COLLATE "C" NOT NULL UNIQUE,
        post         text COLLATE "C" NOT NULL,
        year         integer NOT NULL,
        serial       integer NOT NULL,
        released_by  text NOT NULL,
        released     text NOT NULL,                -- ISO 8601 UTC to the minute: the DTG's time
        UNIQUE (post, year, serial)
    );
    """,
    # 5: the subject's words as a tsvector of their own (weight A: the subject's part of `fts`),
    # generated from `fts` so that every writer keeps it, kept in the row (STORAGE MAIN: a
    # subject's few words are never moved to TOAST), with its own GIN index.  Broad relevance
    # ranks its first tier on it and `subject:` matches on it (archive/pg/search.py, plan.py)
    # without reading each hit's whole-text tsvector from TOAST (~0.65 ms a hit at 1 M cables).
    # An existing archive's table is rewritten once; its statistics are taken at once.
    """
    ALTER TABLE cables ADD COLUMN subject_fts tsvector
        GENERATED ALWAYS AS (ts_filter(fts, '{a}')) STORED;
    ALTER TABLE cables ALTER COLUMN subject_fts SET STORAGE MAIN;
    CREATE INDEX cables_subject_fts ON cables USING gin (subject_fts);
    ANALYZE cables (subject_fts);
    """,
    # 6: the adjacent word pairs of each cable (archive/pg/fulltext.pairs), lexemes without
    # positions, with their own GIN index: a two-word phrase is one lexeme found there with
    # no cable's tsvector read from TOAST, a longer one the AND of its pairs, tested on the
    # tsvector only in the cables holding them all (archive/pg/plan.py).  Ingest writes
    # them with the tsvector; an existing archive's are read from its tsvectors.
    _pairs,
    # 7: the pairs compressed with lz4 (where the server has it), a fifth smaller than pglz
    # leaves them; catalog only, the values written from then on.
    _compress_pairs,
    # 8: the pairs in their index only, computed by the server from `fts` (cable_pairs):
    # the column dropped, the table rewritten once.
    _pairs_from_fts,
)

# Serialises migrations of one database between processes (several web workers start at once).
_LOCK = 0x6361626C  # "cabl"


def version(conn) -> int:  # conn: psycopg.Connection
    """The schema version of the database (0: no archive yet)."""
    found = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
    if not found:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(conn) -> int:
    """Bring the database to the newest schema, each step in its own transaction; return
    the version.  A database newer than this code is left alone (ValueError)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version"
            " (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"
        )
    current = version(conn)
    if current > len(MIGRATIONS):
        raise ValueError(
            f"the archive's schema is version {current}, newer than this cablebase's"
            f" ({len(MIGRATIONS)}): upgrade cablebase"
        )
    for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            if version(conn) >= number:  # another process took this step meanwhile
                continue
            if callable(step):
                step(conn)
            else:
                conn.execute(step)
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
    return version(conn)
