"""The people pages and a post's correspondents: /browse/people, /person/{name}, and the
correspondents part of /browse/posts/{post}, each with its .json and .csv twin.

Names and counts come from archive/people.py and archive/browse.py, computed over the cables
the reader sees (the request's archive carries its access); every count links to the search
that finds those cables (docs/search.md: signer:, classifiedby:, person:, addressee:).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from cablebase.archive import browse, people
from cablebase.archive.people import person_key
from cablebase.spreadsheet import csv_text
from cablebase.web import pages
from cablebase.web.charts import column_chart
from cablebase.web.pages import (
    MAX_PAGE,
    Summary,
    _archive,
    _cached,
    _global,
    _render,
    add_clause,
    clause,
    histogram,
    readable_clause,
    search_url,
)

router = APIRouter(include_in_schema=False)

PEOPLE_PER_PAGE = 200
TWINS = ("json", "csv")
ROLE_FIELDS = {"signer": "signer", "classified_by": "classifiedby"}
ROLE_TITLES = {"signer": "Signed", "classified_by": "Classified", "tag": "Tagged"}

# The people index is an archive-wide list: cached per reader and warmed with the others.
pages.GLOBAL["people"] = people.index


def person_url(key: str) -> str:
    return "/person/" + quote(key, safe="")


def person_href(name: str | None) -> str | None:
    """The person page of a name as written (a signer, a classifier), None for no name."""
    key = person_key(name)
    return person_url(key) if key else None


def _field(name: str, key: str) -> str:
    """`name:key` as the query language reads it (a quoted value when it has spaces)."""
    c = clause("person", key)
    assert c is not None  # a key has letters and no quote
    return name + c[len("person") :]


def _csv(rows: list[dict[str, Any]], fields: list[str], filename: str) -> Response:
    return Response(
        csv_text(fields, rows),  # names come from the cables: cells made inert
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- the people index ----------------------------------------------------------------------


def _people_rows(request: Request) -> list[people.PersonCount]:
    return _global(request, "people")


@router.get("/browse/people.{fmt}", include_in_schema=False)
def people_twin(request: Request, fmt: str) -> Response:
    """Every person with their cables, as JSON or CSV (not paged)."""
    if fmt not in TWINS:
        raise HTTPException(404, f"No page /browse/people.{fmt}: try .json or .csv.")
    rows = [
        {
            "person": p.key,
            "cables": p.cables,
            "signed": p.signer,
            "classified": p.classified_by,
            "tagged": p.tag,
        }
        for p in _people_rows(request)
    ]
    if fmt == "json":
        return JSONResponse(rows)
    return _csv(rows, ["person", "cables", "signed", "classified", "tagged"], "people.csv")


@router.get("/browse/people")
def people_index(
    request: Request,
    order: str = Query("count", pattern="^(count|name)$"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Response:
    rows = _people_rows(request)
    if order == "name":
        rows = sorted(rows, key=lambda p: p.key)
    pages_n = max(1, math.ceil(len(rows) / PEOPLE_PER_PAGE))
    if page > pages_n:
        raise HTTPException(404, f"There is no page {page:,}: the people fill {pages_n:,}.")
    shown = rows[(page - 1) * PEOPLE_PER_PAGE : page * PEOPLE_PER_PAGE]

    def url(n: int) -> str:
        query = [f"order={order}"] if order != "count" else []
        query += [f"page={n}"] if n > 1 else []
        return "/browse/people" + ("?" + "&".join(query) if query else "")

    items = [
        {
            "key": p.key,
            "href": person_url(p.key),
            "cables": p.cables,
            "roles": [
                (
                    ROLE_TITLES[r],
                    n,
                    search_url(_field(ROLE_FIELDS[r], p.key)) if r != "tag" else None,
                )
                for r, n in (
                    ("signer", p.signer),
                    ("classified_by", p.classified_by),
                    ("tag", p.tag),
                )
                if n
            ],
        }
        for p in shown
    ]
    ctx = {
        "items": items,
        "count": len(rows),
        "order": order,
        "order_urls": {"count": "/browse/people", "name": "/browse/people?order=name"},
        "page": page,
        "pages": pages_n,
        "page_urls": {
            "first": url(1),
            "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < pages_n else None,
            "last": url(pages_n),
            "jump": {
                "action": "/browse/people",
                "hidden": [("order", order)] if order != "count" else [],
            },
        },
    }
    return _render(request, "browse_people.html", ctx)


# -- a person ------------------------------------------------------------------------------


def _person_or_404(request: Request, name: str) -> people.Person:
    key = person_key(name)
    found = None
    if key is not None:
        found = _cached(request, ("person", key), lambda a: people.person(a, key))
    if found is None:
        raise HTTPException(404, f"No person {name!r} in this archive.")
    return found


def _person_data(request: Request, p: people.Person) -> dict[str, Any]:
    """The person's page as data: counts, the searches behind them, the histogram's bars."""
    archive = _archive(request)
    roles = []
    for role in people.ROLES:
        if role not in p.roles:
            continue
        n, written = p.roles[role]
        if role == "tag":
            # Each person tag is its own search (no field names a tag's bracket alone).
            links = [
                (t, search_url(c) if (c := readable_clause(archive, "tag", t)) else None)
                for t in written
            ]
            search = None
        else:
            links = [(w, None) for w in written]
            search = search_url(_field(ROLE_FIELDS[role], p.key))
        roles.append(
            {
                "role": role,
                "title": ROLE_TITLES[role],
                "cables": n,
                "search": search,
                "written": links,
            }
        )
    return {
        "person": p.key,
        "cables": p.cables,
        "search": search_url(_field("person", p.key)),
        "roles": roles,
        "addressed": p.addressed,
        "addressed_search": search_url(_field("addressee", p.key)) if p.addressed else None,
        "years": p.years,
        "months": p.months,
        "related": [{"person": k, "cables": n, "href": person_url(k)} for k, n in p.related],
    }


@router.get("/person/{person}.{fmt}", include_in_schema=False)
def person_twin(request: Request, person: str, fmt: str) -> Response:
    if fmt not in TWINS:  # a name with a full stop (GENE A. CRETZ): the page itself
        return person_page(request, f"{person}.{fmt}")
    data = _person_data(request, _person_or_404(request, person))
    if fmt == "json":
        return JSONResponse(data)
    rows = [{"what": "all", "value": data["person"], "cables": data["cables"]}]
    rows += [
        {"what": r["role"], "value": data["person"], "cables": r["cables"]} for r in data["roles"]
    ]
    rows += [{"what": "addressed", "value": data["person"], "cables": data["addressed"]}]
    rows += [{"what": "year", "value": y, "cables": n} for y, n in data["years"]]
    rows += [{"what": "month", "value": m, "cables": n} for m, n in data["months"]]
    rows += [
        {"what": "related", "value": r["person"], "cables": r["cables"]} for r in data["related"]
    ]
    return _csv(rows, ["what", "value", "cables"], "person.csv")


@router.get("/person/{person}")
def person_page(request: Request, person: str) -> Response:
    key = person_key(person)
    if key is not None and key != person:  # one address per person
        return RedirectResponse(person_url(key), status_code=301)
    p = _person_or_404(request, person)
    data = _person_data(request, p)
    archive = _archive(request)
    q = _field("person", p.key)
    node = archive.parse(q)
    chart = histogram(q, node, Summary(p.cables, {"year": p.years, "month": p.months}))
    latest = _cached(
        request, ("person-latest", p.key), lambda a: list(a.search(q, sort="-date", limit=10))
    )
    return _render(
        request, "person.html", {**data, "q": q, "chart": chart, "latest": latest, "key": p.key}
    )


# -- a post's correspondents ------------------------------------------------------------------


def post_data(request: Request, post: str) -> dict[str, Any]:
    """The correspondents part of a post's page: whom it addresses, who addresses it, what
    it receives per year; each a link to the search of those cables."""
    found: browse.Correspondents = _cached(
        request, ("correspondents", post), lambda a: browse.correspondents(a, post)
    )
    own = clause("origin", post)
    addressed = [
        c for n in found.names if (c := readable_clause(_archive(request), "addressee", n))
    ]
    to_post = " OR ".join(addressed)
    if len(addressed) > 1:
        to_post = f"({to_post})"
    sends = []
    for name, n, their_post in found.sends_to:
        c = readable_clause(_archive(request), "addressee", name)
        sends.append(
            {
                "name": name,
                "cables": n,
                "search": search_url(f"{own} {c}", "-date") if own and c else None,
                "post": "/browse/posts/" + quote(their_post, safe="") if their_post else None,
            }
        )
    receives = []
    for origin, n in found.receives_from:
        c = clause("origin", origin)
        receives.append(
            {
                "name": origin,
                "cables": n,
                "search": search_url(f"{c} {to_post}", "-date") if c and to_post else None,
                "post": "/browse/posts/" + quote(origin, safe=""),
            }
        )
    return {
        "names": found.names,
        "sends_to": sends,
        "receives_from": receives,
        "received_by_year": found.received_by_year,
        "received_query": to_post or None,
    }


def post_context(request: Request, post: str) -> dict[str, Any]:
    """What the post page (pages.browse_post) adds: its correspondents and a chart of the
    cables it receives per year."""
    data = post_data(request, post)
    by_year = dict(data["received_by_year"])
    q = data["received_query"]
    node = _archive(request).parse(q) if q else None
    bars = []
    for y in range(int(min(by_year)), int(max(by_year)) + 1) if by_year else ():
        n = by_year.get(str(y), 0)
        href = search_url(add_clause(q, node, f"year:{y}"), "-date") if q else None
        bars.append((str(y), n, href, f"{y}: {n:,}"))
    chart = column_chart(
        bars, label=f"cables addressed to {post} per year", every=max(1, len(bars) // 12)
    )
    return {
        "correspondents": data,
        "received_chart": chart,
        "received_search": search_url(q, "-date") if q else None,
    }


@router.get("/browse/posts/{post}.{fmt}", include_in_schema=False)
def post_twin(request: Request, post: str, fmt: str) -> Response:
    if fmt not in TWINS:  # a post with a full stop in its name: the page itself
        return pages.browse_post(request, f"{post}.{fmt}")
    known = dict(_global(request, "posts"))
    if post not in known:
        raise HTTPException(404, f"No post {post!r} in this archive.")
    archive = _archive(request)
    c = clause("origin", post)
    months = browse.post_months(archive, post)
    by_year: dict[str, int] = {}
    for m, n in months:
        by_year[m[:4]] = by_year.get(m[:4], 0) + n
    top_tags = archive.facets(c, names=("tag",), top=15).get("tag", []) if c else []
    data = post_data(request, post)
    doc = {
        "post": post,
        "cables": known[post],
        "names": data["names"],
        "sent_by_year": sorted(by_year.items()),
        "received_by_year": data["received_by_year"],
        "top_tags": top_tags,
        "sends_to": data["sends_to"],
        "receives_from": data["receives_from"],
    }
    if fmt == "json":
        return JSONResponse(doc)
    rows = [{"what": "sent", "value": y, "cables": n} for y, n in doc["sent_by_year"]]
    rows += [{"what": "received", "value": y, "cables": n} for y, n in doc["received_by_year"]]
    rows += [{"what": "tag", "value": t, "cables": n} for t, n in top_tags]
    rows += [
        {"what": "sends_to", "value": s["name"], "cables": s["cables"]} for s in data["sends_to"]
    ]
    rows += [
        {"what": "receives_from", "value": s["name"], "cables": s["cables"]}
        for s in data["receives_from"]
    ]
    return _csv(rows, ["what", "value", "cables"], "post.csv")
