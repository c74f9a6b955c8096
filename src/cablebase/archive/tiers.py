"""Relevance of broad queries in two tiers (docs/search.md), the same on every store: the hits
whose subject matches a positive term first, ranked; then every other hit, newest first.  One
total order, so that pages are exact slices of the full list, also across the boundary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from cablebase.archive.query import And, Node, Or, Term, conjoin, positive_terms

# A tier's page: (limit, offset) -> its rows in chunks.
Tier = Callable[[int | None, int], Iterator[list[tuple]]]


def subject_match(terms: Iterable[Term]) -> Node:
    """The condition of the first tier: the subject matches one of the positive terms."""
    seen = list(dict.fromkeys(replace(t, column="subject") for t in terms))
    return seen[0] if len(seen) == 1 else Or(tuple(seen))


def first_tier(node: Node, terms: list[Term]) -> tuple[Node, bool]:
    """(the first tier's condition, whether it is ranked on the subject's terms alone).  When
    the query's one positive text is a term or an OR of terms, a subject match of one of them
    matches it: the first tier is that match and the query's other conditions, ranked on the
    subject alone (`(discuss OR point) -tag:PINS` ranks its hits as `(discuss OR point)`
    does).  Otherwise it is the query and that match, ranked on the query's text."""
    subj = subject_match(terms)
    parts = node.nodes if isinstance(node, And) else (node,)
    texts = [n for n in parts if positive_terms(n)]
    if len(texts) == 1 and terms_or_term(texts[0]):
        return conjoin(subj, *(n for n in parts if n is not texts[0])), True
    return conjoin(node, subj), False


def terms_or_term(node: Node) -> bool:
    """Whether `node` is one free-text term or an OR of terms (a word's stems are an OR
    in the OR: `(discuss OR point)`)."""
    return isinstance(node, Term) or (
        isinstance(node, Or) and all(terms_or_term(n) for n in node.nodes)
    )


def paged(
    first: Tier, first_total: Callable[[], int], second: Tier, limit: int | None, offset: int
) -> Iterator[list[tuple]]:
    """The rows of the page `limit` from `offset` of the two tiers' order; `first_total`
    counts the first tier, asked only when the page starts past its end."""
    got = 0
    for rows in first(limit, offset):
        got += len(rows)
        yield rows
    if limit is not None:
        if got >= limit:
            return
        limit -= got
    # The first tier ended inside this page (got > 0) or before it (then count it).
    end = offset + got if got else first_total() if offset else 0
    yield from second(limit, max(0, offset - end))
