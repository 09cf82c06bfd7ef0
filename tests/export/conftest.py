"""One store of the bundled corpus for the export tests (loaded once per session)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.graph.loading import load_paths
from policykg.graph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"
#: Exports in tests carry this time, so two exports of the same data are byte-identical.
EXPORTED_AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="session")
def store() -> Iterator[Store]:
    kg = open_store(None)
    results = load_paths(kg, [str(CORPUS)], workers=1)
    assert [r.status for r in results] == ["loaded"] * 5
    yield kg
    kg.close()


@pytest.fixture(scope="session")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of the corpus, closed again (the CLI opens it read-only)."""
    directory = tmp_path_factory.mktemp("export-store") / "store"
    kg = open_store(directory)
    load_paths(kg, [str(CORPUS)], workers=1)
    kg.close()
    return directory
