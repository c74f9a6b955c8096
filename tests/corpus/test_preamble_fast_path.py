"""The preamble's fast path (grammar/preamble_fast.py) changes no record: every dev-corpus
cable (Cablegate pages and cables.csv rows) parsed with `preamble.FAST_PATH` on and off gives
the same record, warnings included.  Skipped when ../shared/corpus is absent."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cablebase.grammar import parse_unwrapped, preamble

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SOURCES = ("cablegate-html-dev.tar.xz", "cables-dev.csv.xz")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / SOURCES[1]).exists(), reason="../shared/corpus is not here"),
]


@pytest.mark.parametrize("name", SOURCES)
def test_fast_path_changes_no_record(name, monkeypatch):
    from cablebase.forms.sources import iter_items

    taken = 0
    take = preamble._take_standard

    def counting(s, sc):
        nonlocal taken
        name = take(s, sc)
        taken += name is not None
        return name

    monkeypatch.setattr(preamble, "_take_standard", counting)
    n = 0
    differ: list[str] = []
    for u in iter_items(CORPUS / name):
        if not hasattr(u, "meta"):
            continue
        records = []
        for fast in (True, False):
            monkeypatch.setattr(preamble, "FAST_PATH", fast)
            # a parse may change its item (a page's lines): each gets its own copy
            records.append(parse_unwrapped(copy.deepcopy(u)).to_dict())
        n += 1
        if records[0] != records[1]:
            differ.append(records[1].get("reference_id") or f"item {n}")
    assert n > 5000
    assert taken > 2 * n  # the fast path did read most label lines
    assert not differ, f"{len(differ)} records differ, e.g. {differ[:10]}"
