"""Shared test helpers: paths of the repository's data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASE_TABLES = REPO / "rules"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def repo() -> Path:
    return REPO
