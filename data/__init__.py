"""Bundled data: the sample corpus and the generated gazetteer."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable


def corpus_files() -> list[Traversable]:
    """The bundled sample documents, sorted by name."""
    folder = resources.files(__name__).joinpath("corpus")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)


def gazetteer_file(name: str = "divisions.csv") -> Traversable:
    return resources.files(__name__).joinpath("gazetteer", name)
