"""SHACL validation of policykg graphs against `ontology/shapes.ttl` (pyshacl).

The shapes check that instruments, indicators and agency functions are concepts of their
schemes, so by default the vocabularies (instruments, agencies, indicators) are added to the
data before validating. A Dataset is validated as the union of all its graphs (statements in a
document's graph point at vocabulary and gazetteer graphs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.graph.iris import GRAPH_FILES, VOCABULARY_GRAPH
from policykg.graph.namespaces import RDF, SH, bind_prefixes


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    text: str  # one line per result: severity, focus node, path, value, message (sorted)
    results: int  # number of validation results


def vocabulary_graph() -> Graph:
    """A fresh Graph holding the vocabulary graph's files (instruments, agencies, indicators)."""
    from policykg.ontology import load_graph

    graph = bind_prefixes(Graph())
    for name in GRAPH_FILES[VOCABULARY_GRAPH]:
        for triple in load_graph(name):
            graph.add(triple)
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shapes (ontology/shapes.ttl), parsed once; do not modify."""
    from policykg.ontology import load_graph

    return load_graph("shapes.ttl")


def validate(
    data: Graph | Dataset,
    *,
    with_vocabularies: bool = True,
    with_gazetteer: bool = False,
) -> ValidationReport:
    """Validate `data` (a Graph, or every graph of a Dataset) against the shapes.

    with_vocabularies: add the vocabularies first (needed unless `data` already holds them);
    with_gazetteer: add the gazetteer graph too, so its ~6,700 jurisdictions are checked as well
    (jurisdiction references in documents are checked by IRI form either way)."""
    from pyshacl import validate as shacl_validate

    union = bind_prefixes(Graph())  # a private copy, so pyshacl may work in place
    quads_or_triples = data.quads((None, None, None, None)) if isinstance(data, Dataset) else data
    for item in quads_or_triples:
        union.add(item[:3])
    if with_vocabularies:
        union += vocabulary_graph()
    if with_gazetteer:
        from policykg.graph.gazetteer_graph import gazetteer_graph

        union += gazetteer_graph()
    conforms, results_graph, _ = shacl_validate(
        union,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,  # SHACL-SPARQL constraints (lead agency ∈ responsible, measure ∈ document)
        allow_warnings=True,
        inplace=True,
    )
    lines = sorted(_result_line(results_graph, union, r) for r in results_graph.subjects(RDF.type, SH.ValidationResult))
    return ValidationReport(conforms=bool(conforms), text="\n".join(lines), results=len(lines))


def _result_line(results: Graph, data: Graph, result: Node) -> str:
    def value(predicate: URIRef) -> Node | None:
        return next(iter(results.objects(result, predicate)), None)

    severity = value(SH.resultSeverity)
    parts = [
        _short(data, severity).replace("sh:", "") if severity is not None else "Violation",
        f"focus {_short(data, value(SH.focusNode))}",
    ]
    path = value(SH.resultPath)
    if path is not None:
        parts.append(f"path {_short(data, path)}")
    found = value(SH.value)
    if found is not None:
        parts.append(f"value {_short(data, found)}")
    message = value(SH.resultMessage)
    if message is not None:
        parts.append(f"— {message}")
    constraint = value(SH.sourceConstraintComponent)
    if constraint is not None:
        parts.append(f"[{_short(data, constraint)}]")
    return ": ".join(parts[:1]) + " " + " ".join(parts[1:])


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 — an IRI that cannot be shortened is printed whole
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    return str(node)
