"""The /api against the real app over a real archive: every JSON answer checked against the
OpenAPI schema of its operation, totals and pages against the archive, streams counted, and bad
requests (a fixed battery and random ones) answered with a 4xx, never a 500."""

from __future__ import annotations

import copy
import csv
import io
import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablebase.archive.api import Archive
from cablebase.record import file_name_of
from cablebase.render import to_telegram
from cablebase.web import api
from tests.web.conftest import HAND_IDS, TOTAL, UNIQUE_WORD

SCHEMA = Path(api.__file__).resolve().parents[1] / "schema" / "cable.schema.json"

QUERIES = [
    "",
    "tag:PGOV",
    "origin:tokyo",
    "class:secret",
    "class:>=confidential year:2009",
    UNIQUE_WORD,
    "harbour OR brewers",
    "id:97ATLANTIS*",
    "cites:97ATLANTIS101",
    "-tag:PGOV year:2008..2010",
    "nothingmatchesthisword",
]


@pytest.fixture(scope="module")
def spec(app) -> dict:
    return app.openapi()


@pytest.fixture(scope="module")
def archive(web_archive: Path):
    with Archive.open(web_archive, readonly=True) as a:
        yield a


def check(spec: dict, response, path: str, method: str = "get") -> dict:
    """Validate a JSON response against its operation's schema for its status; return the body."""
    op = spec["paths"][path][method]
    status = str(response.status_code)
    assert status in op["responses"], f"{path}: status {status} is not documented"
    content = op["responses"][status]["content"]
    assert response.headers["content-type"].startswith("application/json")
    schema = dict(content["application/json"]["schema"])
    schema["components"] = spec["components"]  # so that "#/components/..." refs resolve
    body = response.json()
    jsonschema.Draft202012Validator(schema).validate(body)
    return body


def check_error(spec: dict, response, path: str) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = check(spec, response, path)
    assert body["error"]
    assert "Traceback" not in response.text
    return body


# -- the schema -------------------------------------------------------------------------------


def test_openapi_lists_every_endpoint(client, spec):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    assert r.json() == spec
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/cables/{reference_id}",
        "/api/cables/{reference_id}/references",
        "/api/cables/{reference_id}/telegram",
        "/api/cables/{reference_id}/markdown",
        "/api/stats",
        "/api/health",
        "/api/export",
        "/api/graph",
        "/api/login",
        "/api/logout",
        "/api/me",
        # the drafting desk (web/drafting_pages.py) and dispatch (web/dispatch_pages.py)
        "/api/drafts",
        "/api/drafts/check",
        "/api/drafts/queue",
        "/api/drafts/{draft_id}",
        "/api/drafts/{draft_id}/submit",
        "/api/drafts/{draft_id}/recall",
        "/api/drafts/{draft_id}/clear",
        "/api/drafts/{draft_id}/release",
        "/api/dispatch",
        "/api/inbox/{addressee}",
        "/api/inbox/{addressee}/{reference_id}/ack",
    }
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert "200" in op["responses"], path
            ok = op["responses"]["200"]["content"]
            if "application/json" in ok:
                schema = ok["application/json"]["schema"]
                typed = schema.get("items", {}) if schema.get("type") == "array" else schema
                assert "$ref" in typed, path  # a typed model (or a list of one)
    jsonschema.Draft202012Validator.check_schema(
        {"$defs": spec["components"]["schemas"]}
    )  # every component is itself a valid JSON Schema
    assert client.get("/api/docs").status_code == 200


def _inline(node, components: dict):
    """The schema with every $ref replaced by its target (no cycles in these models)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {k: _inline(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, components) for v in node]
    return node


def _shape(schema: dict, defs: dict, path: str = "$") -> dict:
    """Property names and required lists of an object schema and its nested objects, by path,
    from either a JSON Schema (with $defs) or an inlined OpenAPI schema."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    for alt in schema.get("anyOf", ()):  # nullable objects: X | None
        if alt.get("type") != "null":
            return _shape(alt, defs, path)
    out: dict = {}
    if "properties" in schema:
        out[path] = (sorted(schema["properties"]), sorted(schema.get("required", ())))
        for name, sub in schema["properties"].items():
            out |= _shape(sub, defs, f"{path}.{name}")
    if "items" in schema and isinstance(schema["items"], dict):
        out |= _shape(schema["items"], defs, f"{path}[]")
    return out


def test_cable_model_matches_the_record_schema(spec):
    record = json.loads(SCHEMA.read_text())
    model = _inline(spec["components"]["schemas"]["Cable"], spec["components"]["schemas"])
    assert _shape(model, {}) == _shape(record, record["$defs"])
    # Every record the API can send is valid under both schemas: the enums and patterns agree.
    assert model["additionalProperties"] is False


# -- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize("q", QUERIES)
def test_search_totals_and_facets_match_the_archive(client, spec, archive, q):
    r = client.get("/api/search", params={"q": q, "per_page": 20})
    assert r.status_code == 200, r.text
    body = check(spec, r, "/api/search")
    total = archive.count(q)
    assert body["total"] == total
    assert body["query"] == q
    assert body["pages"] == -(-total // 20)
    want = [h.reference_id for h in archive.search(q, limit=20)]
    assert [h["reference_id"] for h in body["hits"]] == want
    from cablebase.archive import people

    want_facets = {**archive.facets(q), **people.facets(archive, archive.parse(q))}
    assert body["facets"] == json.loads(json.dumps(want_facets))
    assert {"person", "addressee"} <= set(body["facets"])
    for hit in body["hits"]:
        assert hit["url"] == f"/cable/{hit['reference_id']}"


def test_search_finds_the_hand_written_cables(client, spec):
    body = check(spec, client.get("/api/search", params={"q": UNIQUE_WORD}), "/api/search")
    assert body["total"] == 2
    assert {h["reference_id"] for h in body["hits"]} == {"97ATLANTIS100", "97ATLANTIS103"}
    for h in body["hits"]:
        assert f"[{UNIQUE_WORD}]" in h["snippet"].lower()
    plain = client.get("/api/search", params={"q": UNIQUE_WORD, "snippets": False}).json()
    assert all(h["snippet"] is None for h in plain["hits"])
    bare = check(
        spec, client.get("/api/search", params={"q": "", "facets": "false"}), "/api/search"
    )
    assert bare["facets"] is None
    assert bare["total"] == TOTAL


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_paging_covers_every_hit_exactly(client, spec, archive, sort):
    q = "tag:PGOV"
    total = archive.count(q)
    assert total > 500
    seen: list[str] = []
    page = 1
    while True:
        r = client.get(
            "/api/search",
            params={"q": q, "sort": sort, "page": page, "per_page": 97, "facets": "false"},
        )
        body = check(spec, r, "/api/search")
        assert body["total"] == total
        if not body["hits"]:
            break
        seen += [h["reference_id"] for h in body["hits"]]
        page += 1
    assert page - 1 == body["pages"] == -(-total // 97)
    assert len(seen) == len(set(seen)) == total
    assert seen == [h.reference_id for h in archive.search(q, sort=sort)]


def test_whole_archive_pages_reach_the_end(client, spec, archive):
    last = -(-TOTAL // 1000)
    body = check(
        spec,
        client.get("/api/search", params={"sort": "date", "page": last, "per_page": 1000}),
        "/api/search",
    )
    assert len(body["hits"]) == TOTAL - 1000 * (last - 1)
    assert (
        body["hits"][-1]["reference_id"] == list(archive.search("", sort="date"))[-1].reference_id
    )


@pytest.mark.parametrize("page", [10**6, 10**40])
def test_pages_past_the_end_are_empty(client, spec, page):
    body = check(spec, client.get("/api/search", params={"page": page}), "/api/search")
    assert body["hits"] == []
    assert body["total"] == TOTAL
    assert body["page"] == page


# -- one cable --------------------------------------------------------------------------------


def test_cable_is_the_whole_record(client, spec, archive):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    some = [h.reference_id for h in archive.search("", sort="date", limit=25, offset=1000)]
    for rid in HAND_IDS + some:
        r = client.get(f"/api/cables/{rid}")
        assert r.status_code == 200
        body = check(spec, r, "/api/cables/{reference_id}")
        validator.validate(body)
        record = orjson.loads(archive.get(rid).to_json())
        if record.get("source"):  # served without the server's folders
            record["source"]["path"] = file_name_of(record["source"]["path"])
        assert body == record
    # ids are read case-insensitively
    assert client.get("/api/cables/97atlantis100").json()["reference_id"] == "97ATLANTIS100"


def test_references_are_exact(client, spec):
    def refs(rid: str) -> dict:
        r = client.get(f"/api/cables/{rid}/references")
        return check(spec, r, "/api/cables/{reference_id}/references")

    a = refs("97ATLANTIS100")
    assert a["cites"] == [
        {
            "reference_id": "97ATLANTIS101",
            "letter": "A",
            "text": "ATLANTIS 101",
            "in_archive": True,
        },
        {
            "reference_id": "96ATLANTIS99",
            "letter": "B",
            "text": "96 ATLANTIS 99",
            "in_archive": False,
        },
    ]
    assert a["cited_by"] == []
    assert a["unresolved"] == [a["cites"][1]]
    assert a["other"] == [
        {"letter": "C", "text": "MEMO OF CONVERSATION, 3 MARCH 1997", "kind": "memo"}
    ]
    b = refs("97atlantis101")
    assert b["reference_id"] == "97ATLANTIS101"
    assert b["cites"] == [
        {"reference_id": "97ATLANTIS102", "letter": "A", "text": "ATLANTIS 102", "in_archive": True}
    ]
    # cited by, oldest first: 100 (10 March, letter A), 103 (12 March, unlettered)
    assert b["cited_by"] == [
        {
            "reference_id": "97ATLANTIS100",
            "letter": "A",
            "text": "ATLANTIS 101",
            "in_archive": True,
        },
        {
            "reference_id": "97ATLANTIS103",
            "letter": None,
            "text": "ATLANTIS 101",
            "in_archive": True,
        },
    ]
    assert b["unresolved"] == [] and b["other"] == []
    c = refs("97ATLANTIS102")
    assert c["cites"] == [] and [x["reference_id"] for x in c["cited_by"]] == ["97ATLANTIS101"]
    d = refs("97ATLANTIS103")
    assert [x["letter"] for x in d["cites"]] == [None]


def test_telegram_and_markdown(client, archive):
    r = client.get("/api/cables/97ATLANTIS100/telegram")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == to_telegram(archive.get("97ATLANTIS100"))
    assert "S E C R E T ATLANTIS 000100" in r.text
    m = client.get("/api/cables/97ATLANTIS100/markdown")
    assert m.status_code == 200
    assert m.headers["content-type"].startswith("text/markdown")
    assert m.text.startswith("# 97ATLANTIS100: ATLANTIS: HARBOUR TALKS, ROUND 1")


@pytest.mark.parametrize("tail", ["", "/references", "/telegram", "/markdown"])
def test_unknown_and_malformed_ids(client, spec, tail):
    path = "/api/cables/{reference_id}" + tail
    missing = check_error(spec, client.get(f"/api/cables/99NOWHERE1{tail}"), path)
    assert "99NOWHERE1" in missing["error"]
    assert client.get(f"/api/cables/99NOWHERE1{tail}").status_code == 404
    # (09BAMAKO has the shape of ids Cablegate really has, such as 06ASTANA: a 404, not a 400)
    assert client.get(f"/api/cables/09BAMAKO{tail}").status_code == 404
    for bad in ["XX", "09", "BAMAKO776", "0912345", "09-BAMAKO-776", "9" * 80, "09BAM AKO776"]:
        r = client.get(f"/api/cables/{quote(bad)}{tail}")
        assert r.status_code == 400, bad
        assert "malformed reference id" in check_error(spec, r, path)["error"]


# -- stats and health -------------------------------------------------------------------------


def test_stats(client, spec, archive):
    body = check(spec, client.get("/api/stats"), "/api/stats")
    s = archive.stats()
    assert body["cables"] == TOTAL
    assert body["by_classification"] == s.by_classification
    assert body["top_origins"] == [list(x) for x in s.top_origins]
    assert body["unresolved_ids"] == s.unresolved_ids
    assert sum(body["by_year"].values()) == TOTAL


def test_health(client, spec):
    body = check(spec, client.get("/api/health"), "/api/health")
    assert body["status"] == "ok" and body["cables"] == TOTAL


# -- streams ----------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "tag:PGOV", UNIQUE_WORD, "nothingmatchesthisword"])
def test_export_jsonl_streams_every_hit(client, archive, q):
    r = client.get("/api/export", params={"q": q, "format": "jsonl"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-ndjson"
    assert r.headers["content-disposition"].startswith('attachment; filename="cablebase-export')
    total = archive.count(q)
    assert int(r.headers["x-total-count"]) == total
    lines = r.content.splitlines()
    assert len(lines) == total
    ids = [orjson.loads(line)["reference_id"] for line in lines]
    assert ids == [h.reference_id for h in archive.search(q, sort="date")]


def test_export_csv(client, archive):
    r = client.get("/api/export", params={"q": "tag:PGOV", "format": "csv", "sort": "-date"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="cablebase-export-tag-pgov.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][0] == "reference_id"
    assert [row[0] for row in rows[1:]] == [
        h.reference_id for h in archive.search("tag:PGOV", sort="-date")
    ]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph(client, fmt):
    r = client.get("/api/graph", params={"q": "id:97ATLANTIS*", "format": fmt})
    assert r.status_code == 200
    assert r.headers["content-type"] == f"application/{fmt}+xml"
    assert f'filename="cablebase-graph-id-97atlantis.{fmt}"' in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("<?xml")
    for rid in [*HAND_IDS, "96ATLANTIS99"]:
        assert rid in text
    no = client.get("/api/graph", params={"q": "id:97ATLANTIS*", "format": fmt, "unresolved": 0})
    assert "96ATLANTIS99" not in no.text


def test_stream_stops_when_the_reader_goes_away(tmp_path):
    """A client that leaves mid-stream stops the writing thread (no runaway export)."""
    writes = []

    def write(a, out):
        for i in range(100_000):
            out.write(b"x" * 1000)
            writes.append(i)

    db = tmp_path / "empty.db"
    Archive.open(db).close()
    pieces = api._stream(db, write)
    first = next(pieces)
    assert len(first) >= api.STREAM_CHUNK
    time.sleep(0.3)
    # The writer is held by the bounded queue, far from done.
    assert len(writes) < (api.STREAM_QUEUE + 3) * api.STREAM_CHUNK // 1000
    pieces.close()
    deadline = time.time() + 5
    while any(t.name == "api-stream" for t in threading.enumerate()) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "api-stream" for t in threading.enumerate())
    assert len(writes) < 100_000


# -- bad requests -----------------------------------------------------------------------------

BAD = [
    # (url, status, documented path)
    ("/api/search?q=(", 400, "/api/search"),
    ("/api/search?q=tag:", 400, "/api/search"),
    ('/api/search?q="unclosed', 400, "/api/search"),
    ("/api/search?q=year:abc", 400, "/api/search"),
    ("/api/search?q=nosuchfield:x", 400, "/api/search"),
    ("/api/search?q=" + "a" * 2001, 422, "/api/search"),
    ("/api/search?page=0", 422, "/api/search"),
    ("/api/search?page=-5", 422, "/api/search"),
    ("/api/search?page=abc", 422, "/api/search"),
    ("/api/search?page=1.5", 422, "/api/search"),
    ("/api/search?per_page=0", 422, "/api/search"),
    ("/api/search?per_page=1001", 422, "/api/search"),
    ("/api/search?per_page=99999999999999999999999", 422, "/api/search"),
    ("/api/search?sort=size", 422, "/api/search"),
    ("/api/search?facets=perhaps", 422, "/api/search"),
    ("/api/export?format=xml", 422, "/api/export"),
    ("/api/export?format=parquet", 422, "/api/export"),
    ("/api/export?q=(", 400, "/api/export"),
    ("/api/export?sort=size", 422, "/api/export"),
    ("/api/graph?format=dot", 422, "/api/graph"),
    ("/api/graph?q=)", 400, "/api/graph"),
]


@pytest.mark.parametrize("url,status,path", BAD)
def test_bad_requests_get_clear_4xx(client, spec, url, status, path):
    r = client.get(url)
    assert r.status_code == status, r.text[:300]
    body = check_error(spec, r, path)
    if status == 400:
        assert "malformed query" in body["error"]
        assert isinstance(body["position"], int)
    else:
        assert body["problems"] and body["problems"][0]["param"] in body["error"]


def test_query_errors_give_the_position(client):
    body = client.get("/api/search", params={"q": "tag:PGOV AND (iran"}).json()
    assert body["query"] == "tag:PGOV AND (iran"
    assert 0 <= body["position"] <= len(body["query"])


def test_unknown_api_paths_and_methods_are_json(client):
    r = client.get("/api/nothing/here")
    assert r.status_code == 404 and r.json()["error"]
    r = client.post("/api/search")
    assert r.status_code == 405 and r.json()["error"]
    assert "GET" in r.headers.get("allow", "")


def test_unexpected_errors_are_500_without_traceback(web_archive, caplog):
    from fastapi.testclient import TestClient

    from cablebase.web.app import create_app

    app = create_app(web_archive)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    # raise_server_exceptions stays on: the exception must end with the answer, not propagate
    # (a re-raised one makes the server drop the connection).
    with TestClient(app) as c:
        r = c.get("/api/boom")
        page = c.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: the server could not answer this request"}
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert any("secret internals" in str(rec.exc_info) for rec in caplog.records)
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "secret internals" not in page.text


# -- random requests --------------------------------------------------------------------------

_texts = st.text(max_size=60) | st.sampled_from(
    ['"', "(", ")", "*", "-", "NOT", "OR", "tag:", "class:>", "year:1..", "id:*", "\x00", "%", "\\"]
)
_numbers = (
    st.integers(1, 40).map(str) | st.integers(-(10**30), 10**30).map(str) | st.text(max_size=12)
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.lists(_texts, max_size=6).map(" ".join),
    page=_numbers,
    per_page=_numbers,
    sort=st.sampled_from(["relevance", "date", "-date", "x"]),
    facets=st.sampled_from(["true", "false"]),
)
def test_random_search_requests_never_fail(client, q, page, per_page, sort, facets):
    r = client.get(
        "/api/search",
        params={"q": q, "page": page, "per_page": per_page, "sort": sort, "facets": facets},
    )
    assert r.status_code < 500, (q, page, per_page, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    if r.status_code >= 400:
        assert r.json()["error"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=st.lists(_texts, max_size=4).map(" ".join))
def test_random_export_queries_never_fail(client, q):
    r = client.get("/api/export", params={"q": q, "format": "csv"})
    assert r.status_code < 500, (q, r.text[:300])


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rid=st.text(min_size=1, max_size=50) | st.from_regex(r"\A\d{2}[A-Za-z]{1,12}\d{1,8}\Z"),
    tail=st.sampled_from(["", "/references", "/telegram", "/markdown"]),
)
def test_random_ids_never_fail(client, rid, tail):
    r = client.get(f"/api/cables/{quote(rid, safe='')}{tail}")
    assert r.status_code < 500, (rid, r.text[:300])
    if r.status_code != 200:
        assert r.json()["error"]


# -- the shared-result cache ------------------------------------------------------------------


def test_memo_recomputes_when_the_archive_changes(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"one")
    m = api.Memo(db)
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert m.get(("k",), compute) == 1
    assert m.get(("k",), compute) == 1  # cached
    db.write_bytes(b"changed")
    assert m.get(("k",), compute) == 2


def test_memo_computes_once_under_concurrency(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"one")
    m = api.Memo(db)
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "v"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(m.get(("k",), slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["v"] * 8
    assert len(calls) == 1


def test_search_result_copy_is_not_shared(client):
    """Cached facets are shared between requests: one answer must not alter the next."""
    a = client.get("/api/search", params={"q": "tag:PGOV"}).json()
    b = client.get("/api/search", params={"q": "tag:PGOV"}).json()
    assert copy.deepcopy(a["facets"]) == b["facets"]
