"""What the export tests compare against: SPARQL over the same store, never the code under test."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from policykg.graph.named_queries import run_named_query
from policykg.graph.projections import curie
from policykg.graph.store import Store
from policykg.graph.tables import select_table

PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
ROLLUP = "<https://w3id.org/policykg/graph/rollup>"


def sparql(store: Store, query: str) -> list[dict[str, Any]]:
    """SELECT rows as dicts of plain values."""
    return select_table(store, PREFIXES + query).records()


def named(store: Store, name: str, **params: str) -> list[dict[str, Any]]:
    """A named query's rows (queries/*.rq), as plain strings/ints, uncached."""
    result = run_named_query(store, name, params, cache=None)
    out = []
    for row in result.rows:
        values: dict[str, Any] = {}
        for key in result.variables:
            term = row.get(key)
            values[key] = None if term is None else (term.toPython() if hasattr(term, "toPython") else str(term))
            if values[key] is not None and not isinstance(values[key], (int, str)):
                values[key] = str(values[key])
        out.append(values)
    return out


def roll_up_cells(store: Store) -> dict[tuple[str, str], tuple[str, int, int]]:
    """(jurisdiction id, instrument id) → (stage, first year, documents), from adoption-matrix.rq."""
    return {
        (curie(str(r["jurisdiction"])), curie(str(r["instrument"]))): (r["stage"], int(r["firstYear"]), int(r["documents"]))
        for r in named(store, "adoption-matrix")
    }


def corpus_version(corpus: Path) -> str:
    """The dataset version as docs/exports.md defines it, from the files themselves."""
    hashes = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(corpus.glob("*.txt")))
    return "sha256:" + hashlib.sha256("".join(h + "\n" for h in hashes).encode()).hexdigest()
