"""Extraction scored against gold files written by reading each bundled document.

Bars (issue #2): metadata and jurisdiction exact; lead agencies ≥ 98 %; targets precision and
recall ≥ 90 % (comparator, value, unit and indicator right); instruments F1 ≥ 0.95; citations
complete. Per-document scores are printed (`pytest -s`) so regressions are visible.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from policykg.loaders.extract import extract_file
from policykg.loaders.record import to_json_dict

from ..conftest import CORPUS, GOLD
from . import scoring

GOLD_FILES = sorted(GOLD.glob("*.json"))


@lru_cache(maxsize=None)
def _pair(gold_path: Path) -> tuple[str, dict, dict]:
    """(file name, extracted record as JSON, gold) — each document is extracted once."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    record = to_json_dict(extract_file(CORPUS / gold["file"]))
    return gold["file"], record, gold


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, dict, dict]]:
    return [_pair(path) for path in GOLD_FILES]


def test_every_bundled_document_has_gold() -> None:
    assert sorted(p.stem for p in GOLD_FILES) == sorted(p.stem for p in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.stem)
def test_metadata_and_jurisdiction_exact(gold_path: Path) -> None:
    _, record, gold = _pair(gold_path)
    assert scoring.metadata_differences(record, gold) == []


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.stem)
def test_citations_complete(gold_path: Path) -> None:
    _, record, gold = _pair(gold_path)
    assert scoring.score_citations(record, gold).misses == []


def _total(pairs, scorer) -> scoring.Tally:
    total = scoring.Tally()
    for name, record, gold in pairs:
        tally = scorer(record, gold)
        print(f"{scorer.__name__:20} {name}: {tally}")
        total.add(tally)
    print(f"{scorer.__name__:20} ALL: {total}")
    return total


def test_lead_agencies(pairs) -> None:
    total = _total(pairs, scoring.score_leads)
    assert total.precision >= 0.98 and total.recall >= 0.98, total.misses


def test_agency_lists(pairs) -> None:
    total = _total(pairs, scoring.score_agencies)
    assert total.f1 >= 0.95, total.misses
    jointly = _total(pairs, scoring.score_jointly)
    assert jointly.recall >= 0.95, jointly.misses


def test_targets(pairs) -> None:
    total = _total(pairs, scoring.score_targets)
    assert total.precision >= 0.90 and total.recall >= 0.90, total.misses


def test_instruments(pairs) -> None:
    total = _total(pairs, scoring.score_instruments)
    assert total.f1 >= 0.95, total.misses
    stages = _total(pairs, scoring.score_stages)
    assert stages.recall >= 0.80, stages.misses


def test_pilot_sites(pairs) -> None:
    total = _total(pairs, scoring.score_pilot_sites)
    assert total.recall >= 0.9 and total.precision >= 0.9, total.misses
