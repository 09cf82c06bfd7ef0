"""What the web page (api/web.py, api/static/) needs beyond the REST resources.

* ``example_queries()``: the named queries as runnable SPARQL for the page's editor — each
  query's text with its header example's parameters bound by the same VALUES block every
  store uses (``bind_with_values``), so what the editor shows is what the named query runs.
  Pure: no store, answered by the HTTP process.
* ``printed_agency_names(store, document)``: for each measure of a document, the forms in
  which its responsible agencies are printed (``rdfs:label`` in the document graph —
  省人力社保厅 rather than the canonical 浙江省人力资源和社会保障厅). The graph holds no evidence
  span for an agency mention, so the page highlights these forms where they occur in the
  measure's text. Runs in a query process (api/worker.py, ``PrintedAgencyNames``).

The second one is SPARQL in the HTTP package, against the package's rule; it belongs in
``policykg.graph.resources`` beside ``document_detail`` and is here only until it moves.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from rdflib import URIRef

from policykg.graph.named_queries import bind_params, load_named_queries
from policykg.graph.resources import resolve_document
from policykg.graph.store import Store, bind_with_values

__all__ = ["example_queries", "printed_agency_names"]

_PRINTED_AGENCY_NAMES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?measure ?agency ?name ?printed WHERE {
  GRAPH ?_doc {
    ?measure eli:is_part_of ?_doc ; pkg:responsibleAgency ?agency .
    ?agency rdfs:label ?printed .
    OPTIONAL { ?agency skos:prefLabel ?name }
  }
} ORDER BY ?measure ?agency ?printed"""


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


def printed_agency_names(store: Store, document: str) -> dict[str, Any]:
    """``{"document": iri, "measures": {measure iri: [{"agency", "name", "printed": [...]}]}}``
    for a document given by id, IRI or 文号 (``ResourceNotFound`` otherwise)."""
    iri = resolve_document(store, document)
    result = store.query(_PRINTED_AGENCY_NAMES, bindings={"_doc": URIRef(iri)})
    agencies: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in result.rows:
        measure, agency = str(row["measure"]), str(row["agency"])
        entry = agencies[measure].setdefault(agency, {
            "agency": agency, "name": None if row["name"] is None else str(row["name"]), "printed": [],
        })
        entry["printed"].append(str(row["printed"]))
    return {"document": iri, "measures": {measure: list(by_agency.values()) for measure, by_agency in sorted(agencies.items())}}
