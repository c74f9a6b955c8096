"""Shared test fixtures: where ../shared is, and skipping when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
HTML_TAR = CORPUS / "cablegate-html-dev.tar.xz"
CABLES_CSV = CORPUS / "cables-dev.csv.xz"
SEED = SHARED / "seed" / "000_a14579bc8f05333a.txt"


def need(path: Path) -> Path:
    """Skip the calling test when a file from ../shared is missing (a user's fresh clone)."""
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is only on CI and developer machines)")
    return path


@pytest.fixture
def html_tar() -> Path:
    return need(HTML_TAR)


@pytest.fixture
def cables_csv() -> Path:
    return need(CABLES_CSV)


@pytest.fixture
def seed_path() -> Path:
    return need(SEED)
