"""Every dev-corpus REF block reads the same with the REF fast path (grammar/refs.py
FAST_PATH) on and off, and most blocks take it."""

from __future__ import annotations

import dataclasses

import pytest

from cablebase.grammar import refs
from cablebase.parse import iter_cables
from tests.conftest import CABLES_CSV, HTML_TAR, need

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def ref_blocks() -> list[tuple[str, int | None, refs.Citing | None]]:
    """The arguments of every parse_refs call while the dev corpus is parsed."""
    paths = (need(HTML_TAR), need(CABLES_CSV))
    blocks = []
    real = refs.parse_refs

    def keep(text, year, citing=None):
        blocks.append((text, year, dataclasses.replace(citing) if citing else None))
        return real(text, year, citing)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(refs, "parse_refs", keep)
        for path in paths:
            for _ in iter_cables(str(path)):
                pass
    return blocks


def test_fast_path_reads_every_block_as_the_full_reader(ref_blocks, monkeypatch) -> None:
    real_fast = refs._fast_refs
    taken = []

    def fast(body, citing):
        out = real_fast(body, citing)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(refs, "_fast_refs", fast)
    differ = []
    for text, year, citing in ref_blocks:
        got = {}
        for on in (True, False):
            monkeypatch.setattr(refs, "FAST_PATH", on)
            got[on] = refs.parse_refs(text, year, dataclasses.replace(citing) if citing else None)
        if got[True] != got[False]:
            differ.append((text, got[True], got[False]))
    assert differ == []
    assert len(ref_blocks) > 9000
    assert sum(taken) > 0.8 * len(ref_blocks)  # the common shapes do take the fast path
