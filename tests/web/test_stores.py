"""The reading room over either store (conftest.archive_store): the real app searches and
shows cables, statistics, browse lists, people and the citation graph from a SQLite file and
from a PostgreSQL database alike, and what PostgreSQL once lacked answers as on SQLite, never a
500 (docs/postgresql.md)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cablebase.generate import generate
from tests.web.conftest import UNIQUE_WORD, hand_cables


@pytest.fixture(scope="module")
def served(archive_store):
    location = archive_store(list(generate(200, seed=3)) + hand_cables())
    from cablebase.web.app import create_app

    with TestClient(create_app(location), raise_server_exceptions=False) as client:
        yield client, location.startswith("postgresql://")


def test_search_page_and_api_find_the_cables(served):
    client, _ = served
    page = client.get("/search", params={"q": UNIQUE_WORD})
    assert page.status_code == 200
    assert "97ATLANTIS100" in page.text and "97ATLANTIS103" in page.text
    assert "97ATLANTIS101" not in page.text  # cited by them, without the word
    body = client.get("/api/search", params={"q": UNIQUE_WORD}).json()
    assert body["total"] == 2
    assert {h["reference_id"] for h in body["hits"]} == {"97ATLANTIS100", "97ATLANTIS103"}
    for h in body["hits"]:  # snippets cut from the paragraphs the store hands back
        assert f"[{UNIQUE_WORD}]" in h["snippet"].lower()
    assert dict(map(tuple, body["facets"]["origin"]))["Embassy Atlantis"] == 2
    dated = client.get("/api/search", params={"q": "origin:atlantis", "sort": "date"}).json()
    ids = {h["reference_id"] for h in dated["hits"]}
    assert {"97ATLANTIS100", "97ATLANTIS101", "97ATLANTIS102", "97ATLANTIS103"} <= ids
    created = [h["created"] for h in dated["hits"]]
    assert created == sorted(created)


def test_cable_page_shows_the_cable_and_its_references(served):
    client, _ = served
    page = client.get("/cable/97ATLANTIS101")
    assert page.status_code == 200
    # cited by 100 (letter A) and 103; cites 102, which is archived
    assert "97ATLANTIS100" in page.text and "97ATLANTIS103" in page.text
    assert "97ATLANTIS102" in page.text
    record = client.get("/api/cables/97ATLANTIS101").json()
    assert record["reference_id"] == "97ATLANTIS101"
    telegram = client.get("/api/cables/97ATLANTIS101/telegram")
    assert (
        telegram.status_code == 200 and "97ATLANTIS101" not in ("",) and "ATLANTIS" in telegram.text
    )
    assert client.get("/cable/97ATLANTIS999").status_code == 404


def test_the_reading_modules_answer_on_both_stores(served):
    """Statistics, the browse lists, the people pages, a post's correspondents and the
    citation graph (archive/stats.py, browse.py, people.py, graph.py) on either store."""
    client, _ = served
    for path in ("/stats", "/browse/posts", "/browse/tags", "/browse/months", "/browse/people"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
    assert "Embassy Atlantis" in client.get("/browse/posts").text
    assert "1997-03" in client.get("/browse/months").text
    post = client.get("/browse/posts/Embassy Atlantis")
    assert post.status_code == 200 and "SECSTATE WASHDC" in post.text  # its correspondent
    person = client.get("/person/ADA QUILL")  # the hand cables' classifier
    assert person.status_code == 200 and "97ATLANTIS101" in person.text
    graph = client.get("/cable/97ATLANTIS101/graph")
    assert graph.status_code == 200
    assert "97ATLANTIS100" in graph.text and "97ATLANTIS102" in graph.text
    stats = client.get("/api/stats").json()
    assert stats["cables"] == 204
    # the hand cables: 100 cites 101 and 96ATLANTIS99 (missing), 101 cites 102, 103 cites 101
    hand = client.get("/api/search", params={"q": "origin:atlantis", "facets": "true"}).json()
    assert hand["total"] == 4
    people = dict(map(tuple, hand["facets"]["person"]))
    assert people["ADA QUILL"] == 4
    hint = client.get("/api/search", params={"q": "tag:PRELL"}).json()
    assert hint["total"] == 0 and "tag:PREL" in hint["hints"][0]["message"]


def test_what_postgresql_once_lacked_answers_as_on_sqlite(served):
    client, pg = served
    if not pg:
        pytest.skip("SQLite always had these")
    # dispatch and the drafting desk are there (tests/test_dispatch_web.py runs on both stores)
    assert client.get("/dispatch").status_code == 200
    assert client.get("/api/inbox/SECSTATE").json()["total"] == 0
    # the citation graph streams whole (it once answered 501 before starting)
    graph = client.get("/api/graph", params={"q": "id:97ATLANTIS10*"})
    assert graph.status_code == 200 and graph.text.rstrip().endswith("</graphml>")
    assert 'id="97ATLANTIS101"' in graph.text
    # accounts are there too: an unknown account or token is refused, as on SQLite
    login = client.post("/api/login", json={"name": "someone", "password": "x" * 12})
    assert login.status_code == 401
    token = client.get("/api/search", headers={"Authorization": "Bearer abc"})
    assert token.status_code == 401
    # a session cookie (from another archive on this host) is no session here: pages read on
    stale = client.get("/search", params={"q": UNIQUE_WORD}, cookies={"cb_session": "abc"})
    assert stale.status_code == 200 and "97ATLANTIS100" in stale.text
