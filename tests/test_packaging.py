"""A non-editable install ships the vocabularies and corpus and works outside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("policykg-*.whl"))


def test_wheel_holds_subpackages_and_data_but_no_generic_top_level(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"policykg"}
    for required in (
        "policykg/loaders/extract.py",
        "policykg/graph/__init__.py",
        "policykg/api/__init__.py",
        "policykg/ontology/instruments.ttl",
        "policykg/ontology/agencies.ttl",
        "policykg/data/gazetteer/divisions.csv",
        "policykg/data/corpus/000_113ca028d25bd718.txt",
        "policykg/queries/adopters.rq",
        "policykg/api/static/index.html",  # the web page ships in the wheel, not only in the repo
        "policykg/api/static/app.js",
    ):
        assert required in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "policykg = policykg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_extracts_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # -S: no site hooks, so the editable install of this checkout cannot shadow the wheel;
    # dependencies come from this environment's site-packages.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])}
    code = (
        "import sys, json, policykg;"
        "from policykg.cli import main;"
        "assert policykg.__file__.startswith(sys.argv[1]), policykg.__file__;"
        "from policykg.data import corpus_files;"
        "sys.exit(main(['extract', str(corpus_files()[0])]))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["jurisdiction"]["name"] == "浙江省"
