"""Answering SPARQL 1.1 Protocol requests: checked evaluation with a row cap, and the standard
result and RDF serialisations — bytes and a media type, no HTTP.

Every query first passes ``policykg.graph.sparql_guard`` (no SERVICE, no LOAD, no FROM of a
graph the store does not hold). Solutions are read lazily from pyoxigraph and reading stops at
``max_rows``: the cap limits the work, not just the answer. Results:

- SELECT / ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV;
- CONSTRUCT / DESCRIBE and Graph Store reads: Turtle, N-Triples, N-Quads, TriG, JSON-LD and
  RDF/XML, deterministic (canonical blank-node labels, sorted statements, the project's prefixes).

The default graph is the union of the named graphs (policykg writes only named graphs), as
everywhere in policykg, unless the query or the protocol names a dataset.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from policykg.graph.sparql_guard import CheckedQuery, QueryForm, SparqlSyntaxError, check_dataset, check_query
from policykg.graph.store import DUMP_PREFIXES, XSD_STRING, Store, StoreError, check_graph_iri
from policykg.graph.tables import pyoxigraph_handle

__all__ = [
    "GRAPH_FORMATS",
    "GRAPH_MEDIA_TYPES",
    "RESULT_FORMATS",
    "RESULT_MEDIA_TYPES",
    "GraphFormat",
    "GraphNotFound",
    "InvalidGraphName",
    "NotAcceptable",
    "ProtocolDataset",
    "QueryEvaluationError",
    "ResultFormat",
    "SparqlAnswer",
    "answer_query",
    "canonical_ntriples",
    "dump_graph",
    "serialise_ntriples",
]

ResultFormat = Literal["json", "xml", "csv", "tsv"]
GraphFormat = Literal["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]

RESULT_MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RESULT_FORMATS: tuple[str, ...] = tuple(RESULT_MEDIA_TYPES)
GRAPH_FORMATS: tuple[str, ...] = tuple(GRAPH_MEDIA_TYPES)

_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_OXIGRAPH_POSITION = re.compile(r"^error at (\d+):(\d+): ")


class NotAcceptable(ValueError):
    """No acceptable serialisation for this kind of result (``form``)."""

    def __init__(self, form: QueryForm) -> None:
        kinds = "result formats" if form in ("select", "ask") else "RDF formats"
        offered = RESULT_MEDIA_TYPES if form in ("select", "ask") else GRAPH_MEDIA_TYPES
        super().__init__(f"a {form.upper()} query answers in one of these {kinds}: {', '.join(offered.values())}")
        self.form = form
        self.offered = tuple(offered.values())


class GraphNotFound(LookupError):
    """The named graph holds no triples in this store."""


class InvalidGraphName(ValueError):
    """Not an IRI, or one of the store's own bookkeeping graphs (docs/stores.md)."""


class QueryEvaluationError(ValueError):
    """The store refused to evaluate a query that parsed (e.g. an unsupported function)."""


@dataclass(frozen=True, slots=True)
class ProtocolDataset:
    """The SPARQL Protocol's ``default-graph-uri`` / ``named-graph-uri`` (empty: not given).
    When either is given it replaces the query's own FROM / FROM NAMED, as the protocol says."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True, slots=True)
class SparqlAnswer:
    """A serialised answer: ``count`` solutions or triples are in ``body``; ``truncated`` when
    the result had more than the cap allowed."""

    form: QueryForm | Literal["graph"]
    format: str
    media_type: str
    body: bytes
    count: int
    truncated: bool


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def answer_query(
    store: Store,
    text: str,
    *,
    result_format: ResultFormat | None,
    graph_format: GraphFormat | None,
    available_graphs: Collection[str],
    dataset: ProtocolDataset = ProtocolDataset(),
    max_rows: int,
) -> SparqlAnswer:
    """Check, evaluate and serialise one query.

    ``result_format`` serialises SELECT / ASK, ``graph_format`` CONSTRUCT / DESCRIBE; None means
    the client accepts none of them (``NotAcceptable`` once the form is known).
    ``available_graphs`` are the graphs the store holds (a FROM or protocol dataset may name
    only those). At most ``max_rows`` solutions or triples are read.
    Raises ``SparqlSyntaxError``, ``RefusedSparql``, ``NotAcceptable``, ``QueryEvaluationError``.
    """
    if max_rows < 1:
        raise ValueError("max_rows must be positive")
    checked = check_query(text)
    chosen = result_format if checked.form in ("select", "ask") else graph_format
    if chosen is None:
        raise NotAcceptable(checked.form)
    handle = pyoxigraph_handle(store)
    if handle is None:
        raise StoreError("the SPARQL endpoint needs the embedded store (a directory or :memory:)")
    options = _dataset_options(checked, dataset, available_graphs)
    try:
        raw = handle.query(text, **options)
        if checked.form == "ask":
            return _ask(bool(raw), chosen)
        if checked.form == "select":
            return _select(raw, chosen, max_rows)
        return _graph(raw, chosen, max_rows, form=checked.form)
    except SyntaxError as exc:  # what rdflib's grammar allows but Oxigraph does not
        raise _oxigraph_syntax_error(exc) from None
    except RuntimeError as exc:
        raise QueryEvaluationError(f"the store could not evaluate the query: {exc}") from None


def _dataset_options(checked: CheckedQuery, dataset: ProtocolDataset, available: Collection[str]) -> dict[str, object]:
    if dataset:
        check_dataset(dataset.default_graphs, available, clause="default-graph-uri")
        check_dataset(dataset.named_graphs, available, clause="named-graph-uri")
        # Oxigraph takes the protocol dataset over the query's FROM, as the protocol requires;
        # a graph list not given is empty (the protocol dataset is exactly what was named).
        return {
            "default_graph": [ox.NamedNode(g) for g in dataset.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs],
        }
    if checked.has_dataset_clause:
        check_dataset(checked.from_graphs, available, clause="FROM")
        check_dataset(checked.from_named_graphs, available, clause="FROM NAMED")
        return {}  # Oxigraph honours FROM itself (the union option would override it)
    return {"use_default_graph_as_union": True}


def _oxigraph_syntax_error(exc: SyntaxError) -> SparqlSyntaxError:
    message = str(exc)
    position = _OXIGRAPH_POSITION.match(message)
    if position:
        return SparqlSyntaxError(message[position.end():], line=int(position[1]), column=int(position[2]))
    return SparqlSyntaxError(message)


def _ask(answer: bool, format: str) -> SparqlAnswer:
    word = "true" if answer else "false"
    if format == "json":
        body = json.dumps({"head": {}, "boolean": answer}).encode()
    elif format == "xml":
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    elif format == "csv":  # not defined by the CSV/TSV note; Jena's convention
        body = f"_askResult\r\n{word}\r\n".encode()
    else:
        body = f"?_askResult\n{word}\n".encode()
    return SparqlAnswer("ask", format, RESULT_MEDIA_TYPES[format], body, 1, False)


def _select(solutions: ox.QuerySolutions, format: str, max_rows: int) -> SparqlAnswer:
    variables = [v.value for v in solutions.variables]
    rows: list[list[object]] = []
    truncated = False
    for solution in solutions:
        if len(rows) == max_rows:
            truncated = True  # one solution past the cap proves there are more; stop reading
            break
        rows.append([solution[name] for name in variables])
    writer = {"json": _select_json, "xml": _select_xml, "csv": _select_csv, "tsv": _select_tsv}[format]
    return SparqlAnswer("select", format, RESULT_MEDIA_TYPES[format], writer(variables, rows, truncated), len(rows), truncated)


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # SPARQL-star: quoted triples
        return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}
    raise StoreError(f"unexpected term in a result: {term!r}")


def _select_json(variables: list[str], rows: list[list[object]], truncated: bool) -> bytes:
    bindings = [{name: _json_term(term) for name, term in zip(variables, row) if term is not None} for row in rows]
    document: dict[str, object] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if truncated:
        # Outside "head" and "results", so standard parsers ignore it; the HTTP layer repeats
        # it in a header for the other formats.
        document["truncated"] = True
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value not in (XSD_STRING, _RDF_LANG_STRING):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
                f"<object>{_xml_term(term.object)}</object></triple>")
    raise StoreError(f"unexpected term in a result: {term!r}")


def _select_xml(variables: list[str], rows: list[list[object]], truncated: bool) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out.extend(f"<variable name={quoteattr(name)}/>" for name in variables)
    out.append("</head>\n<results>\n")
    for row in rows:
        out.append("<result>")
        out.extend(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>" for name, term in zip(variables, row) if term is not None)
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode("utf-8")


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _select_csv(variables: list[str], rows: list[list[object]], truncated: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # SPARQL 1.1 CSV: RFC 4180, CRLF
    writer.writerow(variables)
    writer.writerows([_csv_term(term) for term in row] for row in rows)
    return out.getvalue().encode("utf-8")


def _select_tsv(variables: list[str], rows: list[list[object]], truncated: bool) -> bytes:
    # SPARQL 1.1 TSV: terms in their Turtle / N-Triples form, which escapes tabs and newlines.
    lines = ["\t".join("?" + name for name in variables)]
    lines.extend("\t".join("" if term is None else str(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _graph(triples: Iterable[ox.Triple], format: str, max_rows: int, *, form: QueryForm) -> SparqlAnswer:
    kept: list[ox.Triple] = []
    truncated = False
    for triple in triples:
        if len(kept) == max_rows:
            truncated = True
            break
        kept.append(triple)
    lines = canonical_ntriples(ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES) if kept else b"")
    return SparqlAnswer(form, format, GRAPH_MEDIA_TYPES[format], serialise_ntriples(lines, format=format), len(lines), truncated)


def canonical_ntriples(data: bytes, *, graph: str | None = None) -> list[bytes]:
    """Canonical N-Triples text (Oxigraph's serialiser: one statement per line) → its distinct
    statements, sorted, with canonical blank-node labels (RDFC-1.0) as ``Store.dump`` gives
    them (``graph``: the named graph they are in, which the labels depend on). Only the statements holding blank nodes go through the canonicalisation — a blank
    node's canonical label depends on those statements alone — so a large graph without blank
    nodes costs one sort of byte strings."""
    lines = {line for line in data.split(b"\n") if line.strip()}
    suspects = sorted(line for line in lines if b"_:" in line)  # a literal may hold "_:" too
    if suspects:
        # one statement per line, so the parsed statements pair up with the lines
        parsed = ox.parse(b"\n".join(suspects) + b"\n", format=ox.RdfFormat.N_TRIPLES)
        blank: list[ox.Triple] = []
        for line, quad in zip(suspects, parsed, strict=True):
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank.append(ox.Triple(quad.subject, quad.predicate, quad.object))
                lines.discard(line)
        if blank:
            name = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
            dataset = ox.Dataset([ox.Quad(t.subject, t.predicate, t.object, name) for t in blank])
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            relabelled = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in dataset], format=ox.RdfFormat.N_TRIPLES)
            lines |= {line for line in relabelled.split(b"\n") if line.strip()}
    return sorted(lines)


_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def serialise_ntriples(lines: list[bytes], *, format: str) -> bytes:
    """Sorted N-Triples statements (``canonical_ntriples``) in one of ``GRAPH_FORMATS``, in that
    order and with the project's prefixes: equal graphs give equal bytes. A graph, not a
    dataset: N-Quads and TriG hold triples of the default graph."""
    text = b"".join(line + b"\n" for line in lines)
    if format in ("ntriples", "nquads"):
        return text
    if format not in _OX_FORMATS:
        raise ValueError(f"format must be one of {', '.join(GRAPH_FORMATS)}, got {format!r}")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]
    if format == "jsonld":
        return ox.serialize(triples, format=_OX_FORMATS[format])
    return ox.serialize(triples, format=_OX_FORMATS[format], prefixes=DUMP_PREFIXES)


# --------------------------------------------------------------------------------------------
# Graph Store Protocol (read)
# --------------------------------------------------------------------------------------------

_UNION = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {limit} }}"


def dump_graph(store: Store, graph: str | None, *, format: GraphFormat, max_triples: int) -> SparqlAnswer:
    """One named graph (``graph``), or the default graph (None: the union of the named graphs,
    as queries see it), sorted, with at most ``max_triples`` triples (the first in that order
    when there are more). A named graph comes out byte for byte as ``Store.dump(graph=…)``. ``GraphNotFound`` when the named graph holds nothing; ``ValueError``
    for an IRI that is not one (or a store bookkeeping graph)."""
    handle = pyoxigraph_handle(store)
    if handle is None:
        raise StoreError("the Graph Store endpoint needs the embedded store (a directory or :memory:)")
    if format not in GRAPH_MEDIA_TYPES:
        raise ValueError(f"format must be one of {', '.join(GRAPH_FORMATS)}, got {format!r}")
    # Serialised by Oxigraph (Rust) first: building a Python object per triple of a large graph
    # costs seconds where this costs a sort.
    if graph is not None:
        try:
            name = check_graph_iri(graph)
        except ValueError as exc:
            raise InvalidGraphName(str(exc)) from None
        data = handle.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
    else:
        # max_triples is an int: the only text ever put into this query
        union = handle.query(_UNION.format(limit=int(max_triples) + 1), use_default_graph_as_union=True)
        data = union.serialize(format=ox.RdfFormat.N_TRIPLES)
    lines = canonical_ntriples(data or b"", graph=graph)
    if graph is not None and not lines:
        raise GraphNotFound(f"this store holds no graph <{graph}>")
    truncated = len(lines) > max_triples
    lines = lines[:max_triples]
    return SparqlAnswer("graph", format, GRAPH_MEDIA_TYPES[format], serialise_ntriples(lines, format=format), len(lines), truncated)
