from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = Path(__file__).resolve().parent / "gold"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS
