"""Every dev-corpus cable parses; field coverage floors; hand-read expected records match."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import CABLES_CSV, HTML_TAR, need
from tests.corpus.harvest import EXPECTED_DIR, coverage_table, expected_files, harvest

pytestmark = pytest.mark.corpus

DOCS = Path(__file__).resolve().parents[2] / "docs"
HTML_PAGES, CSV_ROWS = 5775, 10183

# Floors: share of cables where the field must be present (measured shares are in docs/coverage.md).
FLOORS = {
    "html": {
        "reference_id": 1.0,
        "created": 1.0,
        "classification": 1.0,
        "origin": 1.0,
        "created from DTG": 0.90,
        "tags": 0.97,
        "subject": 0.97,
        "eo": 0.97,
        "numbered paragraphs": 0.94,
        "classified_by (classified cables)": 0.95,
        "classification_reasons (classified cables)": 0.92,
        "recipients": 0.90,
        "signers": 0.88,
        "post (banner)": 0.97,
    },
    "csv": {
        "reference_id": 1.0,
        "created": 1.0,
        "classification": 1.0,
        "origin": 1.0,
        "tags": 0.90,
        "subject": 0.90,
        "numbered paragraphs": 0.85,
        "classified_by (classified cables)": 0.88,
        "classification_reasons (classified cables)": 0.87,
    },
}


@pytest.fixture(scope="module")
def corpus():
    return harvest(need(HTML_TAR), need(CABLES_CSV))


def test_every_cable_parses(corpus) -> None:
    assert corpus.cables["html"] == HTML_PAGES
    assert corpus.cables["csv"] == CSV_ROWS
    assert corpus.failures == []
    assert corpus.internal_errors == [], corpus.internal_errors[:5]


def test_every_record_fits_the_schema(corpus) -> None:
    """Every record the parser makes of a real cable is one the /api can send (an id such as
    90STATE255723TOSEC140328 once failed the response model: a 500 for every page holding it)."""
    assert corpus.model_errors == [], corpus.model_errors[:5]


def test_coverage_floors(corpus) -> None:
    if os.environ.get("CABLEBASE_WRITE_COVERAGE", "1") == "1":
        path = DOCS / "coverage.md"
        previous = path.read_text() if path.exists() else ""
        path.write_text(coverage_table(corpus, previous))
    low = []
    for form, floors in FLOORS.items():
        for name, floor in floors.items():
            share = corpus.share(form, name)
            if share < floor:
                low.append(f"{form} {name}: {share:.3f} < {floor}")
    assert not low, low


def _norm(value):
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _actual(cable, key):
    """The record's value under the name the expected files use."""
    if key == "station_route":
        return cable.station.route if cable.station else None
    if key == "to":
        return [r.name for r in cable.recipients if r.role == "to"]
    if key == "info_count":
        return sum(r.role == "info" for r in cable.recipients)
    if key == "classified_by_name":
        return cable.classified_by.name if cable.classified_by else None
    if key == "classified_by_names":
        return list(cable.classified_by.names) if cable.classified_by else []
    if key == "references":
        return [{"letter": r.letter, "kind": r.kind, "id": r.id} for r in cable.references]
    if key == "paragraph_numbers":
        return [p.number for p in cable.paragraphs if p.number is not None]
    if key == "portions":
        return [p.portion for p in cable.paragraphs if p.number is not None]
    if key == "sections":
        s = cable.sections
        return {"number": s.number, "total": s.total} if s else None
    return getattr(cable, key)


EXPECTED = expected_files()
KNOWN_FAILURES = EXPECTED_DIR.parent / "expected_known_failures.txt"
SKIPPED_KEYS = ("form", "member", "row", "note", "notes")


def known_failures() -> dict[tuple[str, str], str]:
    """(reference id, field) -> reason, from tests/data/expected_known_failures.txt.

    One mismatch a line: `ID FIELD reason...`; `#` starts a comment. The parser is known to get
    these wrong today; the list may only shrink (see test_expected_records)."""
    out = {}
    if not KNOWN_FAILURES.exists():
        return out
    for line in KNOWN_FAILURES.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            refid, key, *reason = line.split(None, 2)
            out[(refid, key)] = reason[0] if reason else ""
    return out


def mismatches(corpus) -> dict[tuple[str, str], dict]:
    """Every (reference id, field) where the parsed record differs from the hand-read one."""
    wrong = {}
    for refid, expected in sorted(EXPECTED.items()):
        cable = corpus.expected.get((expected.get("form"), refid))
        if cable is None:
            wrong[(refid, "*")] = {"expected": "the cable", "parsed": "not found in the corpus"}
            continue
        for key, want in expected.items():
            if key in SKIPPED_KEYS:
                continue
            got = _actual(cable, key)
            if key == "handling":
                ok = set(got or []) == set(want or [])
            else:
                ok = _norm(got) == _norm(want)
            if not ok:
                wrong[(refid, key)] = {"expected": want, "parsed": got}
    return wrong


def test_known_failures_list_is_well_formed() -> None:
    bad = [
        f"{refid} {key}"
        for refid, key in known_failures()
        if refid not in EXPECTED or (key != "*" and key not in EXPECTED[refid])
    ]
    assert not bad, f"listed in {KNOWN_FAILURES.name} but no such expected record/field: {bad}"


def test_expected_records(corpus) -> None:
    """All hand-read records at once, field by field; known failures are strict both ways."""
    wrong = mismatches(corpus)
    known = known_failures()
    new = [f"{r} {k}: expected {v['expected']!r}, parsed {v['parsed']!r}"
           for (r, k), v in wrong.items() if (r, k) not in known]  # fmt: skip
    fixed = [f"{r} {k}" for (r, k) in known if (r, k) not in wrong]
    report = []
    if new:
        report.append(f"{len(new)} mismatches with the hand-read records:\n  " + "\n  ".join(new))
    if fixed:
        report.append(
            f"{len(fixed)} known failures are now right; remove them from {KNOWN_FAILURES.name}:"
            "\n  " + "\n  ".join(fixed)
        )
    assert not report, "\n".join(report)


def test_enough_expected_records() -> None:
    assert len(EXPECTED) >= 300
