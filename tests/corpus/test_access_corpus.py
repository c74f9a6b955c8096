"""Access requirements of real cables of the dev corpus (read in place; skipped without
../shared): the cables whose caption line lacks a caveat that paragraph 1 states for the
ENTIRE TEXT must require it."""

from __future__ import annotations

import pytest

from cablebase.access.policy import (
    Access,
    Policy,
    Viewer,
    bit_names,
    requirement,
    stored,
    view,
)
from tests.conftest import CABLES_CSV, need

pytestmark = pytest.mark.corpus

# Read by hand in cables-dev.csv: paragraph 1 states the caveats of the whole text, the
# caption line (handling) has none of them.
ENTIRE_TEXT = {
    "92KHARTOUM5035": {"NOFORN"},  # SECRET/NOFORN - ENTIRE TEXT.
    "94STATE328961": {"NOFORN"},  # CONFIDENTIAL NOFORN - ENTIRE TEXT.
    "94KHARTOUM6366": {"NOFORN"},  # SECRET/NOFORN ENTIRE TEXT.
    "95ZAGREB1822": {"NOFORN"},  # CONFIDENTIAL/NOFORN - ENTIRE TEXT.
    "95ZAGREB5178": {"NOFORN", "SBU"},  # SBU/NOFORN -- ENTIRE TEXT.
    "85MOGADISHU1643": {"NOFORN", "ORCON"},  # (SECRET/NOFORN/WNINTEL/NO CONTRACT/ORCON-ENTIRE TEXT)
}


def test_entire_text_caveats_are_required() -> None:
    from cablebase.parse import iter_cables
    from cablebase.record import Cable

    found = {}
    for item in iter_cables(need(CABLES_CSV)):
        if isinstance(item, Cable) and item.reference_id in ENTIRE_TEXT:
            found[item.reference_id] = item
    assert set(found) == set(ENTIRE_TEXT)
    top_without_caveats = Access(Policy("controlled"), Viewer("r", "reader", 3, 0), "2026-12-01")
    for rid, want in ENTIRE_TEXT.items():
        cable = found[rid]
        assert want <= set(bit_names(requirement(cable).bits)), rid
        # Cleared for every level but no caveat: no part of these cables.
        assert view(cable, top_without_caveats, stored(cable))[0] == "none", rid
