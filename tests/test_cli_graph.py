"""`policykg load / query / stats / validate / delete / export` against an on-disk store."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from .conftest import CORPUS
from .test_cli import run


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli-store") / "store"
    result = run("load", str(CORPUS), "--store", str(folder), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 loaded, 0 replaced, 0 unchanged, 0 error"
    return str(folder)


def test_named_query_as_csv(store: str) -> None:
    result = run("query", "--store", store, "--named", "adopters", "-p", "instrument=drg-payment", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["adcode"], r["year"]) for r in rows} == {("330000", "2017"), ("530100", "2018"), ("140000", "2019")}


def test_sparql_expression_as_json(store: str) -> None:
    sparql = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/policykg/ontology#PolicyDocument> }"
    result = run("query", "--store", store, "-e", sparql, "--format", "json")
    assert json.loads(result.stdout) == [{"n": "5"}]


def test_bad_parameter_and_bad_sparql_are_one_line_errors(store: str) -> None:
    bad = run("query", "--store", store, "--named", "adopters", "-p", "instrument=drg-payment> } ; DROP ALL ; #")
    assert bad.returncode == 2 and "instrument" in bad.stderr
    broken = run("query", "--store", store, "-e", "SELECT WHERE {")
    assert broken.returncode == 2 and broken.stderr.startswith("policykg: error:")
    stats = run("stats", "--store", store)
    assert "documents                        5" in stats.stdout


def test_validate_passes_on_the_bundled_corpus(store: str) -> None:
    result = run("validate", "--store", store)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("conforms")


def test_export_is_deterministic_and_atomic(store: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    assert run("export", "--store", store, "--format", "nquads", "-o", str(first)).returncode == 0
    assert run("export", "--store", store, "--format", "nquads", "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes() and first.stat().st_size > 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nq", "b.nq"]  # no temporary leftovers


def test_load_reports_bad_files_and_delete_by_doc_number(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / "002_1bcf024aac55a25f.txt", folder / "shanxi.txt")
    (folder / "empty.txt").write_bytes(b"")
    store = str(tmp_path / "store")
    result = run("load", str(folder), "--store", store)
    assert result.returncode == 2
    assert "empty.txt: empty file" in result.stderr
    assert result.stdout.strip() == "1 loaded, 0 replaced, 0 unchanged, 1 error"
    deleted = run("delete", "晋医改组发〔2019〕1号", "--store", store)
    assert deleted.returncode == 0, deleted.stderr
    again = run("delete", "晋医改组发〔2019〕1号", "--store", store)
    assert again.returncode == 2
