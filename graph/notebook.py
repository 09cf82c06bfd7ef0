"""The Python API for notebooks: open a store, load documents, ask named queries.

    >>> from policykg.graph.notebook import KnowledgeGraph
    >>> kg = KnowledgeGraph.open()                    # in memory; or a directory, or http(s)://…
    >>> kg.load("data/corpus")                        # files and folders
    >>> kg.named("adopters", instrument="drg-payment")   # → list of dicts of Python values
    >>> kg.sparql("SELECT ?d WHERE { ?d a <https://w3id.org/policykg/ontology#PolicyDocument> }")
    >>> kg.dataset()                                  # an rdflib Dataset copy for rdflib tooling
"""

from __future__ import annotations

import os
from typing import Any

from rdflib import Dataset
from rdflib.term import Literal, Node

from policykg.graph.loading import LoadResult, load_paths
from policykg.graph.named_queries import load_named_queries, run_named_query
from policykg.graph.store import QueryResult, Store, open_store


def _python(term: Node | None) -> Any:
    """Literals as Python values (int, Decimal, date, str); IRIs as strings."""
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.toPython()
    return str(term)


def _rows(result: QueryResult) -> list[dict[str, Any]]:
    return [{name: _python(row.get(name)) for name in result.variables} for row in result.rows]


class KnowledgeGraph:
    """A store plus the loaders and named queries, with plain-Python results."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, location: str | os.PathLike[str] | None = None) -> KnowledgeGraph:
        """None or ":memory:" → in memory; a directory → persistent; http(s):// → remote."""
        return cls(open_store(location))

    def load(self, *paths: str | os.PathLike[str], workers: int | None = None) -> list[LoadResult]:
        return load_paths(self.store, paths, workers=workers)

    def named(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query (`queries/NAME.rq`) with keyword parameters."""
        return _rows(run_named_query(self.store, name, {k: str(v) for k, v in params.items()}))

    def sparql(self, query: str) -> list[dict[str, Any]] | bool:
        """Run SPARQL: SELECT → list of dicts, ASK → bool, CONSTRUCT → an rdflib Graph."""
        result = self.store.query(query)
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            return result.graph  # type: ignore[return-value]
        return _rows(result)

    def queries(self) -> dict[str, str]:
        """Named queries and their summaries."""
        return {name: q.summary for name, q in sorted(load_named_queries().items())}

    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset (a copy, for rdflib-based tools)."""
        dataset = Dataset()
        dataset.parse(data=self.store.dump(format="nquads"), format="nquads")
        return dataset

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
