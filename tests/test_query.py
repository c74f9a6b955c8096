"""The query language: parsing, errors with positions, and SQL that never contains query text."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablebase.access.policy import (
    CAVEATS,
    DECLASSIFIED_ON,
    RANKS,
    RELEASED_ON,
    RESTRICTIONS,
    Stored,
    acl_tokens,
    indexed_acl,
    may_be_acl_token,
    tag_token,
)
from cablebase.archive.api import Archive
from cablebase.archive.db import Db
from cablebase.archive.query import (
    FORMS,
    SQL_FRAGMENTS,
    All,
    And,
    Field,
    Not,
    Or,
    QueryError,
    Term,
    fts_expr,
    fts_string,
    parse_query,
    to_sql,
)
from cablebase.archive.snippets import Pattern, snippet, words
from cablebase.generate import generate

# -- parsing -------------------------------------------------------------------------------


def t(text: str, **kw) -> Term:
    return Term(text, tokens=tuple(words(text)), **kw)


def test_words_are_anded_and_operators_bind():
    assert parse_query("a b") == And((t("a"), t("b")))
    assert parse_query("a AND b") == parse_query("a b")
    assert parse_query("a OR b c") == Or((t("a"), And((t("b"), t("c")))))
    assert parse_query("(a OR b) c") == And((Or((t("a"), t("b"))), t("c")))
    assert parse_query("NOT a") == Not(t("a"))
    assert parse_query("a -b") == And((t("a"), Not(t("b"))))
    assert parse_query("a && b || c") == Or((And((t("a"), t("b"))), t("c")))
    assert parse_query("") == All()
    assert parse_query("   ") == All()


def test_minus_negates_fields_phrases_and_groups():
    assert parse_query("-tag:PGOV") == Not(Field("tag", "=", "PGOV", 5))
    assert parse_query('-"a b"') == Not(t("a b", phrase=True))
    assert parse_query("-(a OR b)") == Not(Or((t("a"), t("b"))))
    # A hyphen inside a word is part of it; a lone dash is punctuation, dropped.
    assert parse_query("well-known") == t("well-known")
    assert parse_query("a - b") == And((t("a"), t("b")))


def test_terms_phrases_prefixes():
    assert parse_query('"foreign minister"') == t("foreign minister", phrase=True)
    assert parse_query("minis*") == t("minis", prefix=True)
    assert parse_query('"foreign min"*') == t("foreign min", phrase=True, prefix=True)
    assert parse_query("O'Brien").tokens == ("o", "brien")
    assert parse_query("Müller").tokens == ("muller",)
    assert parse_query("subject:cafe") == t("cafe", column="subject")
    assert parse_query('subject:"cafe prices"*') == t(
        "cafe prices", phrase=True, prefix=True, column="subject"
    )


def test_fields():
    assert parse_query("class:>=confidential") == Field("class", ">=", "confidential", 8)
    assert parse_query("year:2008..2010") == Field("year", "=", "2008..2010", 5)
    assert parse_query('origin:"addis ababa"') == Field("origin", "=", "addis ababa", 8)
    assert parse_query("TAG:pgov") == Field("tag", "=", "pgov", 4)
    assert parse_query("(tag:PGOV)") == Field("tag", "=", "PGOV", 5)


def test_from_and_to_are_dates_or_names():
    # A value that starts with four digits is a date bound, as before; else a name.
    assert parse_query("from:2009") == Field("from", "=", "2009", 5)
    assert parse_query("to:2009-03-15") == Field("to", "=", "2009-03-15", 3)
    assert parse_query("to:secstate") == Field("addressee", "=", "secstate", 3)
    assert parse_query("to:yesterday") == Field("addressee", "=", "yesterday", 3)
    assert parse_query('from:"amembassy bamako"') == Or(
        (Field("sender", "=", "amembassy bamako", 6), Field("origin", "=", "amembassy bamako", 6))
    )
    assert parse_query("info:nsc") == Field("info", "=", "nsc", 5)


def test_date_and_month_are_date_ranges():
    def rng(lo, hi, lo_pos=5, hi_pos=5):
        parts = ([Field("from", "=", lo, lo_pos)] if lo else []) + (
            [Field("to", "=", hi, hi_pos)] if hi else []
        )
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    assert parse_query("date:2009-12-03") == rng("2009-12-03", "2009-12-03")
    assert parse_query("month:2009-12") == rng("2009-12", "2009-12", 6, 6)
    assert parse_query("date:2009-03..2009-06") == rng("2009-03", "2009-06", 5, 14)
    assert parse_query("date:2009..") == rng("2009", "")
    assert parse_query("date:..2009") == rng("", "2009", 5, 7)
    assert parse_query("date:>=2009-03") == rng("2009-03", "", 7)
    assert parse_query("date:<=2009-03") == rng("", "2009-03", 7, 7)
    # > after the period's end; < before its start (to: is inclusive of its day).
    assert parse_query("date:>2009-02") == rng("2009-03-01", "", 6)
    assert parse_query("date:<2009-03") == rng("", "2009-02-28", 6, 6)
    assert parse_query("date:<2009") == rng("", "2008-12-31", 6, 6)


def test_multi_word_tags_and_class_spellings():
    assert parse_query('tag:"COUNTER TERRORISM"') == Field("tag", "=", "COUNTER TERRORISM", 5)
    assert parse_query('tag:"CLINTON, HILLARY"').value == "CLINTON, HILLARY"
    for spelling in ("topsecret", "top-secret", "top_secret", '"top secret"', "ts", "TS"):
        parse_query(f"class:{spelling}")
    for spelling in ("lou", '"limited official use"', "limited_official_use"):
        parse_query(f"class:{spelling}")


MALFORMED = [
    ('"unclosed', 0, "unclosed quote"),
    ("a (b", 2, "missing closing parenthesis"),
    ("a)", 1, "unexpected ')'"),
    ("()", 1, "empty parentheses"),
    ("a AND", 5, "ends where a term was expected"),
    ("OR a", 0, "unexpected 'OR'"),
    ("a OR OR b", 5, "unexpected 'OR'"),
    ("NOT", 3, "ends where a term was expected"),
    ("foo:bar", 0, "unknown field 'foo'"),
    ("tag:", 4, "needs a value"),
    ("tag: PGOV", 4, "needs a value"),
    ("tag:>PGOV", 0, "does not take >"),
    ("class:secretish", 6, "unknown classification"),
    ("year:09", 5, "not a year"),
    ("year:2010..2008", 5, "runs backwards"),
    ("year:>=2008..2010", 7, "a range takes no comparison"),
    ("from:2009-13", 5, "not a date"),
    ("to:2009-02-30", 3, "not a date"),
    ("from:2009-13", 5, "or a name"),
    ("from:<2009", 0, "does not take <"),
    ("from:<bamako", 0, "does not take <"),
    ("to:-", 3, "to: needs letters or digits"),
    ("from:bam*", 8, "from: does not take a * prefix"),
    ("person:smi*", 10, "does not take a * prefix"),
    ("date:2009-13", 5, "not a date"),
    ("date:2010..2009", 5, "runs backwards"),
    ("date:..", 5, "at least one end"),
    ("date:>=2009..2010", 0, "a range takes no comparison"),
    ("month:2009", 6, "month: takes YYYY-MM"),
    ("month:2009-12..2010", 15, "month: takes YYYY-MM"),
    ("date:<0001", 6, "nothing is dated before"),
    ("class:sbu", 6, "handling:sbu"),
    ("class:noforn", 6, "handling:noforn"),
    ("class:>lou", 7, "takes no <"),
    ("class:banana", 6, "top_secret or ts, lou"),
    ("tag:---", 4, "a tag needs letters"),
    ("classifiedby:.,", 13, "needs letters or digits"),
    ("*", 0, "a prefix needs"),
    ("a*b", 1, "only at the end"),
    ('""', 0, "a phrase needs letters"),
    ("---*", 0, "a prefix needs letters"),
    ("-", 0, "nothing to search for"),
    ("signer:smi*", 10, "does not take a * prefix"),
    ("id:09 BAMAKO", 3, None),  # id then a word: valid, checked below
    ("id:09-BAMAKO", 3, "not a cable id"),
    ("cites:*", 6, "does not take a * prefix"),
    ("id:*", 3, "* is allowed only"),
    ('tag:"PGOV', 4, "unclosed quote"),
    ("handling:no;forn", 9, "not a handling caveat"),
    ("(" * 20 + "a" + ")" * 20, 16, "nested more than"),
    ("NOT " * 20 + "a", 64, "nested more than"),
    (" ".join(f"w{i}" for i in range(70)), 246, "more than 64 terms"),
    ("x" * 2001, 2000, "longer than"),
]


@pytest.mark.parametrize(("query", "position", "message"), MALFORMED)
def test_malformed_queries_point_at_the_fault(query, position, message):
    if message is None:
        parse_query(query)
        return
    with pytest.raises(QueryError) as err:
        parse_query(query)
    assert message in err.value.message
    assert err.value.position == position
    assert f"position {position}" in str(err.value)


# -- SQL: fixed fragments only ---------------------------------------------------------------

_GLUE = re.compile(r"\s+|\(|\)|\bAND\b|\bOR\b|\bNOT\b|\?|,")


def only_fragments(sql: str) -> bool:
    """Whether the SQL is made of SQL_FRAGMENTS, placeholders, parentheses and AND/OR/NOT."""
    rest = sql
    for fragment in sorted(SQL_FRAGMENTS, key=len, reverse=True):
        rest = rest.replace(fragment, " ")
    return _GLUE.sub("", rest) == ""


def test_sql_is_fragments_and_placeholders():
    queries = [
        "pipeline",
        "a OR b -c",
        "tag:PGOV -tag:P* origin:tokyo",
        "class:>=secret year:2001..2005 from:2001 to:2002-03",
        "signer:x handling:noforn cites:09X1 citedby:09Y2 id:09Z* id:09Z3",
        "subject:x OR (a NOT b) OR year:<2000",
        "NOT (a OR tag:X)",
        'from:bamako to:"secstate washdc" info:nsc sender:x addressee:y',
        'person:x classifiedby:"a b" class:lou tag:"COUNTER TERRORISM"',
        "date:2009-03..2009-06 month:>2009-01 date:<2010 -date:2009..",
    ]
    for q in queries:
        for form in FORMS:
            params: list = []
            sql = to_sql(parse_query(q), params, side=form, text=form)
            assert only_fragments(sql), (q, sql)
            assert sql.count("?") == len(params)


def test_resolved_names_are_fragments_and_placeholders(small_archive):
    """Name fields resolved against an archive: still fixed fragments, the names as one JSON
    parameter each (no name, however odd, reaches the SQL text)."""
    q = "from:x to:secstate info:y person:z signer:w classifiedby:v sender:u addressee:t"
    for form in FORMS:
        params: list = []
        sql = to_sql(parse_query(q), params, small_archive._origins, side=form, text=form)
        assert only_fragments(sql), sql
        assert sql.count("?") == len(params)


def test_free_text_merges_into_one_match():
    params: list = []
    sql = to_sql(parse_query('a "b c" -d e*'), params)
    assert sql.count("MATCH") == 1
    col = "{subject body} : "  # a prefix could reach the index's acl column: filtered
    assert params == [f'(("a" AND "b c" AND {col}"e" *) NOT ("d"))']
    assert fts_expr(parse_query("a OR subject:b")) == '("a" OR subject : "b")'


def test_only_words_an_access_token_could_be_keep_the_column_filter():
    """Free text never matches the index's acl column: a word that could be one of its
    tokens (policy.acl_tokens) is matched in the subject and body only; any other word
    cannot match there and goes without the filter (cheaper for FTS5, same hits and bm25)."""
    col = "{subject body} : "
    for word in ("open", "rx", "r0", "r3", "knoforn", "kfouo", "dy2009", "dm200903", "dd20090305"):
        assert fts_string(parse_query(word)) == f'{col}"{word}"', word
    assert fts_string(parse_query('"r1 knoforn"')) == f'{col}"r1 knoforn"'
    for word in ("government", "reopen", "ro", "2009", "d9x"):
        assert fts_string(parse_query(word)) == f'"{word}"', word
    assert fts_string(parse_query('"open door"')) == '"open door"'  # "door" is no token
    assert fts_string(parse_query("gov*")) == f'{col}"gov" *'
    assert fts_string(parse_query("subject:open")) == 'subject : "open"'


def test_every_access_token_is_known_as_one():
    """may_be_acl_token admits every token acl_tokens writes, for every rank, caveat and
    date: a word it missed would be matched against the acl column too."""
    ranks = [None, *range(len(RANKS))]
    bits = [0, *(1 << i for i in range(len(CAVEATS) + len(RESTRICTIONS)))]
    dates = [None, "2009-03-05", "1990-12-31", RELEASED_ON, DECLASSIFIED_ON]
    seen = set()
    for rank in ranks:
        for b in bits:
            for day in dates:
                for token in acl_tokens(Stored(rank, b, day, None)).split():
                    assert may_be_acl_token(token), token
                    seen.add(token)
    assert {"open", "rx", "r0", "knoforn", "dy2009", "dm200903", "dd20090305"} <= seen
    for tags in (["PREL"], ["COUNTER TERRORISM", "CLINTON, HILLARY", "ÉTAT"], []):
        for token in indexed_acl("r2 knoforn", tags).split():
            assert may_be_acl_token(token), token


def test_a_tag_is_one_acl_token():
    """A tag of any characters is one token of the acl column (the tokenizer keeps "tg" and
    hex whole); the acl text is the same whatever order the tags come in, and a tag token
    already in the stored text is replaced, not repeated."""
    assert tag_token("PREL") == "tg5052454c"
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE f USING fts5(acl, tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'row')")
    tags = ["CLINTON, HILLARY", "ÉTAT", "COUNTER TERRORISM", "A_B-C"]
    conn.execute("INSERT INTO f VALUES (?)", (indexed_acl("", tags),))
    assert sorted(t for (t,) in conn.execute("SELECT term FROM v")) == sorted(map(tag_token, tags))
    a = indexed_acl("r2 knoforn", ["PREL", "ECON", "PREL"])
    assert a == indexed_acl("r2 knoforn", ["ECON", "PREL"]) == "r2 knoforn tg45434f4e tg5052454c"
    assert indexed_acl(a, ["PGOV"]) == "r2 knoforn " + tag_token("PGOV")


# -- fuzz: any text -> QueryError or SQL that runs ------------------------------------------


@pytest.fixture(scope="module")
def small_archive(archive_store):
    """40 generated cables, on each store (PostgreSQL compiles the plan otherwise)."""
    with Archive.open(archive_store(list(generate(40, seed=5)))) as a:
        yield a


_ALPHABET = st.sampled_from(
    list("abcxyz09 \"()-*:<>=.._'éÜ&|")
    + ["AND", "OR", "NOT", "tag:", "class:", "year:", "id:", "origin:", "subject:", "from:"]
    + ["to:", "date:", "month:", "person:", "sender:", "info:", "2009", "-12", "..", "lou"]
    + ["\x00", "\u0301", "ß", "\t", "{", "}", "^", "+", ";", "%"]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.text(max_size=40), st.lists(_ALPHABET, max_size=14).map("".join)))
def test_fuzz_never_anything_but_query_error(small_archive, text):
    try:
        node = parse_query(text)
    except QueryError as err:
        assert 0 <= err.position <= len(text)
        return
    for form in FORMS:
        params: list = []
        sql = to_sql(node, params, side=form, text=form)
        assert only_fragments(sql), (text, sql)
        assert sql.count("?") == len(params)
    try:
        n = small_archive.count(node)
        hits = list(small_archive.search(node, sort="date", snippets=True))
        ranked = list(small_archive.search(node, sort="relevance", limit=5))
    except Db.Error as exc:  # pragma: no cover - what this test exists to catch (either store)
        pytest.fail(f"{text!r}: {exc}")
    assert len(hits) == n
    assert len(ranked) == min(5, n)


@pytest.fixture(scope="module")
def accent_archive(archive_store):
    """Two cables, one with a lone combining accent between two words (a word the index folds
    to nothing), on each store."""
    from cablebase.record import Cable, Paragraph

    def cable(n: int, text: str) -> Cable:
        return Cable(
            reference_id=f"09ZZACCENT{n}",
            created=f"2009-01-0{n}T10:00:00Z",
            subject=f"ACCENTS {n}",
            paragraphs=[Paragraph(number=1, text=text)],
        )

    cables = [cable(1, "The alpha \u0301 beta talks."), cable(2, "alpha gamma beta")]
    with Archive.open(archive_store(cables)) as a:
        yield a


@pytest.mark.parametrize(
    "q, n",
    [
        ("\u0301", 0),  # no word at all: matches nothing (FTS5's empty phrase)
        ("\u0301*", 0),
        ("subject:\u0301", 0),
        ("alpha \u0301", 0),
        ("alpha OR \u0301", 2),
        ("-\u0301", 2),
        ('"alpha beta"', 1),  # the accent is no token: alpha and beta are adjacent in 1
        ('"alpha \u0301 beta"', 1),
        ("talks", 1),
    ],
)
def test_a_lone_accent_is_no_word(accent_archive, q: str, n: int) -> None:
    """PostgreSQL once refused such a cable's tsvector and such a query's tsquery (an empty
    lexeme: a syntax error, not an answer)."""
    assert accent_archive.count(q) == n
    for sort in ("relevance", "date"):
        assert len(list(accent_archive.search(q, sort=sort, snippets=True))) == n


# -- snippets --------------------------------------------------------------------------------


def test_an_empty_match_at_the_end_of_the_text_ends_the_scan():
    """A pattern that matches empty text matched again at the text's end for ever (search()
    past the end starts at the end): a lone accent in a query hung its snippets."""
    from cablebase.archive.snippets import _ascii_spans

    assert _ascii_spans(re.compile(r"(?![0-9a-z])"), "ab  cd") == [(3, 3)]  # a word start


def test_snippet_window_and_marks():
    body = (
        " ".join(f"w{i}" for i in range(100))
        + " the Pipeline deal "
        + " ".join(f"v{i}" for i in range(100))
    )
    s = snippet(None, body, [Pattern(("pipeline",))])
    assert "[Pipeline]" in s
    assert s.startswith("…") and s.endswith("…")
    assert 25 <= len(s.split()) <= 35


def test_snippet_folds_like_the_index():
    body = "Le Ministère des Affaires étrangères; the café-owners' strike."
    assert "[Ministère]" in snippet(None, body, [Pattern(("ministere",))])
    assert "[café-owners]" in snippet(None, body, [Pattern(("cafe", "owners"))])
    assert "[étrangères]" in snippet(None, body, [Pattern(("etrang",), prefix=True)])
    marked = snippet(None, body, [Pattern(("strike",))], marks=("<b>", "</b>"))
    assert "<b>strike</b>" in marked


def test_snippet_subject_only_and_no_match():
    assert snippet(
        "PIPELINE TALKS", "nothing here", [Pattern(("pipeline",), subject_only=True)]
    ) == ("[PIPELINE] TALKS")
    assert snippet("S", "just text", [Pattern(("zzz",))]) == "just text"
    assert snippet(None, "", []) is None


def test_tokeniser_matches_sqlite():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    con.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, instance)")
    texts = [
        "Ünïcödé façade, naïve CAFÉ; São Paulo",
        "µ-meson ſ ǡ Øresund ß straße İstanbul",
        "e\u0301cole x\u0305y 北京 ١٢٣ ﬁne",
        "O'Brien — well-known; XXXXXXXX (X) e-mail",
    ]
    for i, text in enumerate(texts):
        con.execute("INSERT INTO f (rowid, x) VALUES (?, ?)", (i, text))
    for i, text in enumerate(texts):
        theirs = [
            r[0] for r in con.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", (i,))
        ]
        assert words(text) == theirs, text
