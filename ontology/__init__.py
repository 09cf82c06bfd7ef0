"""Vocabularies as Turtle files; this module is the one way code reads them."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def turtle_text(name: str) -> str:
    """The text of `ontology/<name>` (e.g. ``"instruments.ttl"``), shipped as package data."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_graph(name: str):
    """Parse `ontology/<name>` into an rdflib Graph (cached: vocabularies are read-only)."""
    from rdflib import Graph

    return Graph().parse(data=turtle_text(name), format="turtle")
