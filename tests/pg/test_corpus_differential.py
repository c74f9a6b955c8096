"""The differential test (test_differential.py) on real cables: the first Cablegate pages and
cables.csv rows of the dev corpus (read in place from ../shared; skipped without it), where
text has accents, long bodies, odd references and every classification and caveat."""

from __future__ import annotations

from itertools import islice

import pytest

from cablebase.archive.api import Archive
from cablebase.archive.ingest import _parsed
from cablebase.archive.sqlite import Prepared, SQLiteStore
from cablebase.forms.sources import iter_items
from tests.conftest import CABLES_CSV, HTML_TAR, need
from tests.pg.test_differential import READERS, cases, mismatches
from tests.pg_server import url as pg_url

PER_SOURCE = 800
EXTRA = ["embassy", "negotiations", '"prime minister"', "terror*", "nuclear -iran", "bogotá"]


@pytest.fixture(scope="module")
def corpus_stores(tmp_path_factory, pg_server_dsn):
    psycopg = pytest.importorskip("psycopg")
    from cablebase.archive.pg.store import PgStore

    prepared: dict[str, Prepared] = {}
    for path in (need(HTML_TAR), need(CABLES_CSV)):
        for p in _parsed(islice(iter_items(path, raw=True), PER_SOURCE), 1):
            if isinstance(p, Prepared) and p.reference_id:
                prepared.setdefault(p.reference_id, p)  # one source per cable: no merge
    rows = list(prepared.values())
    path = tmp_path_factory.mktemp("corpus-differential") / "archive.db"
    with SQLiteStore(path) as store:
        store.put_many(rows)
    with psycopg.connect(pg_server_dsn, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS corpus WITH (FORCE)")
        conn.execute("CREATE DATABASE corpus")
    dsn = pg_server_dsn.replace("dbname=cablebase_test", "dbname=corpus")
    with PgStore(dsn) as store:
        store.put_many(rows)
    with Archive.open(pg_url(dsn)) as pg, Archive.open(path) as archive:
        yield archive, pg


@pytest.mark.parametrize("reader", ["all", "anonymous", "secret-noforn"])
def test_real_cables_same_answers(corpus_stores, reader):
    archive, pg = corpus_stores
    queries = {**cases(archive.conn), "extra": EXTRA}
    found = mismatches(archive, pg, READERS[reader], queries)
    assert not found, "\n".join(map(str, found[:20]))
