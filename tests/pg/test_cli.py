"""The CLI over a PostgreSQL archive (`--archive postgresql://…`, $CABLEBASE_ARCHIVE): ingest,
search, show, export and errors work; what PostgreSQL lacks, and a server that cannot be
reached, end in one sentence and status 1, never a traceback (docs/postgresql.md)."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from cablebase.cli.main import main
from tests.pg_server import url
from tests.test_search import HANDWRITTEN


@pytest.fixture
def archive(pg_dsn, tmp_path) -> str:
    hand = tmp_path / "hand.jsonl"
    hand.write_bytes(b"".join(orjson.dumps(c) + b"\n" for c in HANDWRITTEN))
    location = url(pg_dsn)
    done = CliRunner().invoke(main, ["ingest", str(hand), "--archive", location, "--workers", "1"])
    assert done.exit_code == 0, done.output
    assert f"{len(HANDWRITTEN)} added" in done.output
    return location


def test_search_show_export_errors(archive, tmp_path):
    run = CliRunner().invoke
    found = run(main, ["search", "ethanol", "--archive", archive, "--all"])
    assert found.exit_code == 0, found.output
    # the cable with "ethanol" in its subject first (docs/search.md: subject matches weigh more)
    assert found.stdout.split()[0] == "08SAOPAULO77"
    assert "2 cables match 'ethanol'" in found.output
    shown = run(main, ["show", "09PARIS9001", "--archive", archive])
    assert shown.exit_code == 0, shown.output
    assert "Lefèvre" in shown.output
    assert "cites     A  09PARIS8999" in shown.output  # archived: no "(not in the archive)"
    assert "cites     B  09STATE12345   (not in the archive)" in shown.output
    out = tmp_path / "x.jsonl"
    exported = run(
        main, ["export", "tag:FR", "--to", "jsonl", "-o", str(out), "--archive", archive]
    )
    assert exported.exit_code == 0, exported.output
    ids = [orjson.loads(line)["reference_id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == sorted(c.reference_id for c in HANDWRITTEN if "FR" in c.tags)
    errors = run(main, ["errors", "--archive", archive])
    assert errors.exit_code == 0 and "0 quarantined items" in errors.output


def test_the_environment_names_the_archive(archive):
    found = CliRunner().invoke(
        main, ["search", "id:09PARIS9001"], env={"CABLEBASE_ARCHIVE": archive}
    )
    assert found.exit_code == 0, found.output
    assert found.stdout.startswith("09PARIS9001")


def test_stats_and_graph(archive, tmp_path):
    run = CliRunner().invoke
    stats = run(main, ["stats", "--archive", archive])
    assert stats.exit_code == 0, stats.output
    assert f"cables: {len(HANDWRITTEN)}" in stats.output
    out = tmp_path / "g.graphml"
    graph = run(main, ["graph", "tag:FR", "--to", "graphml", "-o", str(out), "--archive", archive])
    assert graph.exit_code == 0, graph.output
    text = out.read_text()
    for c in HANDWRITTEN:  # every hit is a node
        assert (f'<node id="{c.reference_id}">' in text) == ("FR" in c.tags), c.reference_id


def test_policy_and_releases_answer_as_on_sqlite(archive):
    """Once 'not supported on PostgreSQL yet': the policy and the releases of the archive."""
    policy = CliRunner().invoke(main, ["policy", "--archive", archive])
    assert policy.exit_code == 0, policy.output
    assert "open" in policy.output
    # Releases want their archivist, as on SQLite (no more "not supported").
    releases = CliRunner().invoke(main, ["release", "list", "--archive", archive])
    assert releases.exit_code == 1 and "name the acting archivist" in releases.output
    assert "Traceback" not in policy.output + releases.output


def test_an_unreachable_server_is_one_sentence(tmp_path):
    nowhere = "postgresql://nobody@127.0.0.1:1/none"
    for args in (["search", "x"], ["show", "09PARIS9001"], ["ingest", str(tmp_path)]):
        done = CliRunner().invoke(main, [*args, "--archive", nowhere])
        assert done.exit_code == 1, (args, done.output)
        assert "cannot reach the PostgreSQL archive" in done.output, args
        assert "Traceback" not in done.output


def test_a_libpq_keyword_string_names_the_database_too(archive, pg_dsn, tmp_path, monkeypatch):
    """`host=… port=… dbname=…` is PostgreSQL's other way to name a database: read as one,
    never as the name of a new SQLite file."""
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    assert " " in pg_dsn and "dbname=" in pg_dsn
    found = CliRunner().invoke(main, ["search", "ethanol", "--archive", pg_dsn, "--all"])
    assert found.exit_code == 0, found.output
    assert found.stdout.strip()
    assert set(tmp_path.iterdir()) == before


def test_which_locations_name_a_database():
    from cablebase.archive.store import is_dsn, shown

    for location in ("postgresql://u@h/db", "postgres://h/db", "host=h dbname=db", "dbname=x"):
        assert is_dsn(location), location
    for location in ("cables.db", "/tmp/a b.db", "x=1.db", "notes host=h.txt", ""):
        assert not is_dsn(location), location
    assert shown("host=h password=s3cret dbname=db") == "host=h password=*** dbname=db"
    assert shown("postgresql://u:s3cret@h/db") == "postgresql://u:***@h/db"
