"""No exception escapes the parser, whatever it is given (random bytes, truncations,
mixed encodings, huge lines), and no rule fails internally on such input."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablebase.parse import iter_cables, parse_text
from cablebase.record import Cable

# A small cable written for these tests (invented content, real layout).
CABLE = """VZCZCXRO1234
PP RUEHWEB
DE RUEHLP #0123/01 0451530
ZNY CCCCC ZZH
P 141530Z FEB 08
FM AMEMBASSY LA PAZ
TO RUEHC/SECSTATE WASHDC PRIORITY 5678
INFO RUEHAC/AMEMBASSY ASUNCION PRIORITY 0123
RUEHBO/AMEMBASSY BOGOTA 0456

C O N F I D E N T I A L SECTION 01 OF 02 LA PAZ 000123

SIPDIS

E.O. 12958: DECL: 02/14/2018
TAGS: PGOV, PREL, BL
SUBJECT: BOLIVIA: TEST SUBJECT LINE THAT WRAPS ONTO
A SECOND LINE

REF: A. LA PAZ 100
     B. 07 STATE 98765

Classified By: Ambassador Jane Q. Example for reasons 1.4 (b) and (d).

1. (C) Summary: A first paragraph with some text. End Summary.

2. (C) A second paragraph that is split by a page marker in the
middle of a

LA PAZ 00000123 002 OF 002

sentence, and then it ends.

3. (U) XXXXXXXXXXXX told us nothing.

EXAMPLE
"""

ENCODINGS = ["utf-8", "latin-1", "cp1252", "utf-16", "ascii"]


def _check(cable: Cable) -> None:
    assert isinstance(cable, Cable)
    internal = [w for w in cable.warnings if w.code == "parser.internal_error"]
    assert not internal, internal


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data: bytes) -> None:
    for item in iter_cables(io.BytesIO(data)):
        if isinstance(item, Cable):
            _check(item)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_random_text_never_raises(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(CABLE)), st.integers(0, len(CABLE)))
def test_truncations_and_cuts(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    _check(parse_text(CABLE[:hi]))
    _check(parse_text(CABLE[lo:]))
    _check(parse_text(CABLE[:lo] + CABLE[hi:]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(ENCODINGS), min_size=1, max_size=4), st.randoms())
def test_mixed_encodings(encodings: list[str], rnd) -> None:
    # Split the cable into chunks and encode each differently, as a damaged file might be.
    text = CABLE.replace("Example", "Exámple — “quoted”")
    cuts = sorted(rnd.sample(range(len(text)), min(len(encodings) - 1, len(text))))
    parts = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    data = b"".join(
        p.encode(enc, errors="replace") for p, enc in zip(parts, encodings, strict=False)
    )
    for item in iter_cables(io.BytesIO(data)):
        if isinstance(item, Cable):
            _check(item)


def test_huge_lines() -> None:
    _check(parse_text("SUBJECT: " + "A" * 2_000_000))
    _check(parse_text(CABLE.replace("sentence, and", "sentence, " + "word " * 200_000 + "and")))
    _check(parse_text("1. " * 100_000))
    _check(parse_text("X" * 1_000_000))
    _check(parse_text("\n" * 500_000))
    _check(parse_text("TAGS: " + "PGOV, " * 100_000))
    _check(parse_text("REF: " + "A. STATE 1 " * 50_000))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(CABLE.splitlines()), max_size=60))
def test_shuffled_lines(lines: list[str]) -> None:
    _check(parse_text("\n".join(lines)))
