"""What the web page (api/web.py, api/static/) needs beyond the REST resources.

``example_queries()``: the named queries as runnable SPARQL for the page's editor — each
query's text with its header example's parameters bound by the same VALUES block every
store uses (``bind_with_values``), so what the editor shows is what the named query runs.
Pure: no store, answered by the HTTP process.

The printed forms of a document's agencies that the page highlights come from
``policykg.graph.resources.printed_agency_names`` (run in a query process, like every query).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from policykg.graph.named_queries import bind_params, load_named_queries
from policykg.graph.store import bind_with_values

__all__ = ["example_queries"]



def _without_header(sparql: str) -> str:
    """The text without its ``#+`` header: in the editor the parameters are already bound."""
    lines = sparql.splitlines()
    while lines and (lines[0].startswith("#+") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _examples() -> tuple[dict[str, Any], ...]:
    examples = []
    for name, query in sorted(load_named_queries().items()):
        raw = query.example_params()
        examples.append({
            "name": name,
            "summary": query.summary,
            "parameters": raw,
            "api": f"/api/queries/{name}",
            "sparql": bind_with_values(_without_header(query.sparql), bind_params(query, raw)),
        })
    return tuple(examples)


def example_queries() -> list[dict[str, Any]]:
    """Every named query, sorted by name: ``name``, ``summary``, ``parameters`` (the header's
    example), ``api`` (its REST path) and ``sparql`` (runnable text with those values bound)."""
    return [dict(example) for example in _examples()]
