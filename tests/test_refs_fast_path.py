"""The REF fast path (grammar/refs.py `_fast_refs`): the shapes it reads in one pass, the ones it
hands to the full reader, and the same references either way.

Every block is invented; the expected ids are read off the text (year as written, else the
citing year, 2009 here, with no serial of these posts past 2008's top).
"""

from __future__ import annotations

import random

import pytest

from cablebase.grammar import refs
from cablebase.grammar.refs import Citing, parse_refs
from cablebase.record import Reference


def _both(text: str, year: int = 2009, **citing) -> list[Reference]:
    """parse_refs with the fast path on and off: the same references, returned once."""
    saved = refs.FAST_PATH
    try:
        refs.FAST_PATH = True
        fast = parse_refs(text, year, Citing(year=year, **citing))
        refs.FAST_PATH = False
        full = parse_refs(text, year, Citing(year=year, **citing))
    finally:
        refs.FAST_PATH = saved
    assert fast == full
    return fast


def _reads(text: str, year: int = 2009, **citing) -> bool:
    """Whether the fast path reads the block (else it returns None: the full reader's turn)."""
    body = refs._clean(text)
    return refs._fast_refs(body, Citing(year=year, **citing)) is not None


ACCEPTED = [
    # (block, [(letter, text, id)])
    ("STATE 12345", [(None, "STATE 12345", "09STATE12345")]),
    ("08 ROME 678", [(None, "08 ROME 678", "08ROME678")]),
    ("2008 ROME 678", [(None, "2008 ROME 678", "08ROME678")]),
    ("STATE  0012345", [(None, "STATE  0012345", "09STATE12345")]),
    ("ROME 678 (NOTAL)", [(None, "ROME 678 (NOTAL)", "09ROME678")]),
    ("ROME 678 AND PREVIOUS", [(None, "ROME 678 AND PREVIOUS", "09ROME678")]),
    ("ROME 678.", [(None, "ROME 678.", "09ROME678")]),
    ("CAPE TOWN 363", [(None, "CAPE TOWN 363", "09CAPETOWN363")]),
    ("08 ROME\n678", [(None, "08 ROME 678", "08ROME678")]),
    ("Rome 678", [(None, "Rome 678", "09ROME678")]),
    ("ROME 45", [(None, "ROME 45", "09ROME45")]),
    # the text run on after the items is cut by the clean-up before either reader
    ("ROME 678\n(U) This cable is sensitive", [(None, "ROME 678", "09ROME678")]),
    (
        "08 STATE 12345; ROME 678",
        [(None, "08 STATE 12345", "08STATE12345"), (None, "ROME 678", "09ROME678")],
    ),
    ("ROME 678,\nPARIS 91", [(None, "ROME 678", "09ROME678"), (None, "PARIS 91", "09PARIS91")]),
    (
        "A. STATE 12345\nB. 08 ROME 678",
        [("A", "STATE 12345", "09STATE12345"), ("B", "08 ROME 678", "08ROME678")],
    ),
    (
        "A) ROME 678, B) PARIS 910; C) 08 STATE 4321",
        [
            ("A", "ROME 678", "09ROME678"),
            ("B", "PARIS 910", "09PARIS910"),
            ("C", "08 STATE 4321", "08STATE4321"),
        ],
    ),
    (
        "(A) ROME 678 (NOTAL) (B) PARIS 910",
        [("A", "ROME 678 (NOTAL)", "09ROME678"), ("B", "PARIS 910", "09PARIS910")],
    ),
    (
        "(A)ROME 678, (B)PARIS 910",
        [("A", "ROME 678", "09ROME678"), ("B", "PARIS 910", "09PARIS910")],
    ),
    (
        "a. ROME 678\nb. 08 Paris 910",
        [("A", "ROME 678", "09ROME678"), ("B", "08 Paris 910", "08PARIS910")],
    ),
    (
        "A.) ROME 678 AND PREVIOUS B.) PARIS 910",
        [("A", "ROME 678 AND PREVIOUS", "09ROME678"), ("B", "PARIS 910", "09PARIS910")],
    ),
    (
        "A. ROME 678.  B. PARIS 910.",
        [("A", "ROME 678.", "09ROME678"), ("B", "PARIS 910.", "09PARIS910")],
    ),
]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_fast_path_reads_the_common_shapes(text, expected) -> None:
    assert _reads(text)
    got = _both(text)
    assert [(r.letter, r.text, r.kind, r.id) for r in got] == [
        (letter, item, "cable", rid) for letter, item, rid in expected
    ]


HANDED_OVER = [
    "REF: NONE",  # no item
    "A. ROME 678\nC. PARIS 910",  # a skipped letter
    "B. ROME 678\nC. PARIS 910",  # not opening with A
    "1. ROME 678\n2. PARIS 910",  # numbered items
    "A ROME 678 B PARIS 910",  # bare letters
    "A: ROME 678",  # a colon after the letter
    "A. A) ROME 678\nB. B) PARIS 910",  # doubled letters
    "ROME 678 PARIS 910",  # two unlettered cables without a separator
    "ROME 678, 679",  # a bare serial after a cable
    "ROME 678-680",  # a range
    "ROME 678/08",  # a year after a slash
    "ROME 678 (08)",  # a year in parentheses
    "ROME 678 JUL 08",  # a date after the serial
    "ROME 12.",  # a short serial before a period: a marker candidate
    "ROME 12345678",  # eight digits: no serial
    "08ROME678",  # an id written whole
    "ROME, 678",  # a comma between post and serial
    "ROME CABLES 678",  # a gap word before the serial
    "PARA 678",  # a word that never names a post
    "EL SALVADOR 678",  # a country for its post
    "ZZZZ 678",  # no post
    "DAR ES SALAAM MAIN 678",  # four words
    "08        ROME 678",  # a year too far before the post for _YEAR_TAIL
    "(08) ROME 678",  # a year in parentheses before the post
    "ROME 678 (EXDIS)",  # another note
    "ROME 678 AND",  # a trailing word
    "EMAIL FROM POLOFF",  # no cable
    "A.",  # a letter alone
    "(",  # a parenthesis alone
    "A. ROME 678\nB. POLOFF EMAIL OF MAY 5",  # an item of another kind
]


@pytest.mark.parametrize("text", HANDED_OVER)
def test_other_shapes_go_to_the_full_reader(text) -> None:
    assert not _reads(text)
    _both(text)


def test_own_page_marker_goes_to_the_full_reader() -> None:
    # TRIPOLI 00000870 in 09TRIPOLI870 is the cable's own page marker, no reference
    citing = {"post": "TRIPOLI", "serial": 870}
    assert not _reads("STATE 12345; TRIPOLI 00000870", **citing)
    assert [r.id for r in _both("STATE 12345; TRIPOLI 00000870", **citing)] == ["09STATE12345"]


def test_switch_off_skips_the_fast_path(monkeypatch) -> None:
    def fail(body, citing):
        raise AssertionError("fast path called")

    monkeypatch.setattr(refs, "_fast_refs", fail)
    monkeypatch.setattr(refs, "FAST_PATH", False)
    assert [r.id for r in parse_refs("STATE 12345", 2009)] == ["09STATE12345"]


# Each list opens with the pieces of the fast path's shapes; the rest hand the block over.
_POSTS = ["STATE", "ROME", "CAPE TOWN", "Paris", "PARA", "EL SALVADOR", "ZZZZ", "ROME CABLE", "A"]
_YEARS = ["", "08 ", "2008 ", "08\n", "1899 ", "08        "]
_NUMBERS = ["678", "0678", "12345", "1234567", "45", "5", "12345678", "2008"]
_NOTES = ["", " (NOTAL)", " AND PREVIOUS", ".", " (EXDIS)", " AND", "/08", "-680", " JUL 08"]
_MARKS = ["", "A.", "A)", "(A)", "a)", "A.)", "1.", "A", "A:"]
_SEPS = [", ", "; ", ";", "\n", " ", ";\n", ",", "  ", " AND ", ". "]


def _pick(rng: random.Random, pieces: list[str], good: int) -> str:
    """Mostly one of the first `good` pieces, so that many blocks take the fast path."""
    return rng.choice(pieces[:good] if rng.random() < 0.9 else pieces)


def _random_block(rng: random.Random) -> str:
    mark = _pick(rng, _MARKS, 6)
    parts = []
    for i in range(rng.choice([1, 1, 2, 3])):
        if i:
            parts.append(_pick(rng, _SEPS, 6))
        if mark:
            letter = chr(ord(mark.strip("(")[0]) + i)
            parts.append(mark.replace(mark.strip("(")[0], letter) + rng.choice([" ", "", "\n"]))
        parts.append(
            _pick(rng, _YEARS, 4)
            + _pick(rng, _POSTS, 4)
            + rng.choice([" ", "  ", "\n"])
            + _pick(rng, _NUMBERS, 5)
            + _pick(rng, _NOTES, 4)
        )
    return "".join(parts)


def test_random_blocks_read_the_same_either_way() -> None:
    rng = random.Random(15)
    fast = 0
    for _ in range(3000):
        text = _random_block(rng)
        fast += _reads(text)
        _both(text, rng.choice([2000, 2009]), post=rng.choice([None, "ROME"]), serial=870)
    assert 1000 < fast < 2900  # both readers compared on many blocks of each kind
