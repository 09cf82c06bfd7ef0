"""The `policykg` console script as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS

POLICYKG = Path(sys.executable).with_name("policykg")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(POLICYKG), *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd)


def test_extract_prints_the_record_as_utf8_json(tmp_path: Path) -> None:
    result = run("extract", str(CORPUS / "000_113ca028d25bd718.txt"), "--pretty", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout  # not ASCII-escaped
    record = json.loads(result.stdout)
    assert record["doc_number"] == "浙政办发〔2017〕54号"
    assert record["jurisdiction"]["adcode"] == "330000"
    assert record["source"]["encoding"] == "utf-8"
    assert {m["number"] for m in record["measures"]} >= {"1", "14", "37"}
    assert result.stdout.startswith("{\n  ")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 16, "binary file"),
        (b"\x81\x30" * 3 + b"\xff" * 10 + b"\xc3", "undecodable"),
        ("hello world, nothing Chinese here at all.\n".encode(), "no recognisable structure"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = run("extract", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0] and reason in lines[0]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr


def test_an_excerpt_gives_a_record_with_warnings(tmp_path: Path) -> None:
    path = tmp_path / "excerpt.txt"
    path.write_text("（三）完善医保支付。推进按疾病诊断相关分组付费试点，到2020年覆盖所有医疗机构。（市医保局负责）\n（四）加强", encoding="gb18030")
    result = run("extract", str(path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source"]["encoding"] == "gb18030"
    assert record["title"] is None
    assert any(w.startswith("title:") for w in record["warnings"])
    assert any(w.startswith("issue_date:") for w in record["warnings"])
    assert [i["id"] for i in record["instruments"]] == ["drg-payment"]


def test_summary_reads_the_bundled_corpus() -> None:
    result = run("summary")
    assert result.returncode == 0, result.stderr
    for name in ("浙江省", "昆明市", "山西省", "江苏省"):
        assert name in result.stdout
    assert result.stdout.count("measures ") == len(list(CORPUS.glob("*.txt")))
