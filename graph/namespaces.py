"""The RDF namespaces of the graph — the one place their IRIs are written (docs/graph-model.md)."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/policykg/"

PKG = Namespace(BASE + "ontology#")  # policykg's own classes and properties (ontology/policykg.ttl)
INST = Namespace(BASE + "instrument/")  # instrument concepts (ontology/instruments.ttl)
FN = Namespace(BASE + "function/")  # agency-function concepts (ontology/agencies.ttl)
AGT = Namespace(BASE + "agency/")  # agency types (ontology/agencies.ttl)
IND = Namespace(BASE + "indicator/")  # indicator concepts (ontology/indicators.ttl)
ID = Namespace(BASE + "id/")  # data resources (graph/iris.py)
GRAPH = Namespace(BASE + "graph/")  # named graphs

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")

# Every prefix the project's Turtle and SPARQL use, in the order they are printed.
PREFIXES: dict[str, str] = {
    "pkg": str(PKG),
    "inst": str(INST),
    "fn": str(FN),
    "agt": str(AGT),
    "ind": str(IND),
    "id": str(ID),
    "eli": str(ELI),
    "org": str(ORG),
    "oa": str(OA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project prefixes on `graph` (for readable Turtle and reports); returns it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prefixes() -> str:
    """`PREFIX` lines for every project prefix, to prepend to a SPARQL query."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


__all__ = [
    "AGT",
    "BASE",
    "DCTERMS",
    "ELI",
    "FN",
    "GRAPH",
    "ID",
    "IND",
    "INST",
    "OA",
    "ORG",
    "OWL",
    "PKG",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "XSD",
    "bind_prefixes",
    "sparql_prefixes",
]
