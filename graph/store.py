"""One small interface over the triple stores policykg can use (docs/stores.md).

Callers see rdflib terms only; pyoxigraph lives inside the backends:

* ``open_store(None)`` / ``open_store(":memory:")`` — in-memory Oxigraph (tests, one-off runs);
* ``open_store("some/dir")`` — persistent Oxigraph in that directory (created if missing);
* ``open_store("http://host/sparql")`` — a SPARQL 1.1 server (Oxigraph server, Virtuoso, …).

The second half of this module holds the helpers every backend shares so that they agree
term for term: rdflib ↔ pyoxigraph conversion, validation of bound variables, the VALUES
block used where a native substitution is unavailable, and the deterministic serialiser
behind ``Store.dump``.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Node, URIRef

__all__ = [
    "DEFAULT_STORE_DIR",
    "DumpFormat",
    "InvalidQuery",
    "QueryResult",
    "QueryTimeout",
    "ReadOnlyStoreError",
    "Store",
    "StoreError",
    "default_store_location",
    "open_store",
]

DumpFormat = Literal["nquads", "trig", "turtle", "jsonld", "ntriples"]
DUMP_FORMATS: tuple[str, ...] = ("nquads", "trig", "turtle", "jsonld", "ntriples")

STORE_ENV = "POLICYKG_STORE"


# --------------------------------------------------------------------------- errors


class StoreError(RuntimeError):
    """A store could not do what was asked (server error, truncated result, closed store…)."""


class InvalidQuery(StoreError, ValueError):
    """The query or update was rejected as malformed (syntax, or a server's 400)."""


class QueryTimeout(StoreError, TimeoutError):
    """The query did not finish within the ``timeout`` given."""


class ReadOnlyStoreError(StoreError, PermissionError):
    """A write was attempted on a store opened with ``read_only=True``."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class QueryResult:
    """What ``Store.query`` returns; which fields are filled depends on ``kind``.

    - ``"select"``: ``variables`` (projection order) and ``rows`` (one dict per solution,
      unbound variables map to ``None``);
    - ``"ask"``: ``boolean``;
    - ``"graph"`` (CONSTRUCT / DESCRIBE): ``graph``.
    """

    kind: Literal["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    boolean: bool | None = None
    graph: rdflib.Graph | None = None


# --------------------------------------------------------------------------- interface


@runtime_checkable
class Store(Protocol):
    """The operations policykg needs from a quad store, and nothing else.

    Named graphs are identified by IRI strings. Writes are all-or-nothing: if building the
    new content fails (e.g. iterating ``triples`` raises) nothing is written.
    """

    def replace_graph(self, graph: str, triples: rdflib.Graph) -> None:
        """Replace the content of one named graph in one transaction."""
        ...

    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph]) -> None:
        """Replace several named graphs in one transaction (a document + the roll-up)."""
        ...

    def replace_graphs_ntriples(self, graphs: Mapping[str, str]) -> None:
        """Like ``replace_graphs``, with each graph's content as N-Triples text (the bulk-loading
        path: no rdflib Graph is built). The text is parsed and checked before anything is written."""
        ...

    def delete_graph(self, graph: str) -> bool:
        """Remove a named graph; ``False`` if it held no triples."""
        ...

    def graphs(self) -> list[str]:
        """IRIs of the named graphs holding at least one triple, sorted."""
        ...

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graph_union: bool = True,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``bindings`` pre-bind variables (names without ``?``) to terms."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update."""
        ...

    def dump(self, *, format: DumpFormat, graph: str | None = None) -> bytes:
        """Serialise one named graph or the whole dataset; byte-identical for equal content."""
        ...

    def count(self, *, graph: str | None = None) -> int:
        """Number of triples in ``graph``, or of quads in the whole dataset."""
        ...

    def dataset_version(self) -> str:
        """An opaque token that changes whenever the content changes (for caches)."""
        ...

    def close(self) -> None:
        """Release the store (files, connections). Further calls raise ``StoreError``."""
        ...


# --------------------------------------------------------------------------- factory


def _platform_data_dir() -> Path:
    """Where a per-user data directory lives on this platform (no third-party helper)."""
    home = Path.home()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base)
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")


#: The persistent store used when neither ``--store`` nor ``POLICYKG_STORE`` says otherwise,
#: e.g. ``~/.local/share/policykg/store`` on Linux (``$XDG_DATA_HOME`` respected).
DEFAULT_STORE_DIR: Path = _platform_data_dir() / "policykg" / "store"


def default_store_location() -> str:
    """``$POLICYKG_STORE`` (a directory or an http(s) URL) if set, else ``DEFAULT_STORE_DIR``.

    Read at call time, so a CLI or server started with a different environment sees it.
    """
    return os.environ.get(STORE_ENV) or str(DEFAULT_STORE_DIR)


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_store(location: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``location``.

    ``None`` or ``":memory:"`` → in-memory Oxigraph; ``http://…`` / ``https://…`` → a SPARQL
    server (the query endpoint; see ``RemoteStore`` for the update / graph-store endpoints and
    the ``POLICYKG_STORE_*`` environment variables); anything else is a directory for a
    persistent Oxigraph store, created if missing (unless ``read_only``).
    """
    from policykg.graph.oxigraph_store import OxigraphStore

    if location is None:
        return OxigraphStore(None, read_only=read_only)
    text = os.fspath(location)
    if text == ":memory:":
        return OxigraphStore(None, read_only=read_only)
    scheme = _URL_SCHEME.match(text)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            raise ValueError(f"unsupported store URL scheme {scheme.group(1)!r}: use a directory or http(s)://")
        from policykg.graph.remote_store import RemoteStore

        return RemoteStore(text, read_only=read_only)
    return OxigraphStore(Path(text).expanduser(), read_only=read_only)


# =========================================================================== shared helpers
# Used by the backends; not part of the interface.

#: Graphs whose IRI starts with this are the stores' own bookkeeping (version markers,
#: staging copies) and never appear in ``graphs()``, ``count()`` or ``dump()``.
BOOKKEEPING_PREFIX = "urn:x-policykg:"

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

#: Prefixes written into Turtle / TriG / JSON-LD dumps (docs/graph-model.md).
DUMP_PREFIXES: dict[str, str] = {
    "pkg": "https://w3id.org/policykg/ontology#",
    "inst": "https://w3id.org/policykg/instrument/",
    "fn": "https://w3id.org/policykg/function/",
    "ind": "https://w3id.org/policykg/indicator/",
    "id": "https://w3id.org/policykg/id/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_bookkeeping_graph(iri: str) -> bool:
    return iri.startswith(BOOKKEEPING_PREFIX)


def check_graph_iri(graph: object) -> ox.NamedNode:
    """A named-graph IRI as given by a caller → validated pyoxigraph node."""
    if not isinstance(graph, str) or not graph:
        raise ValueError(f"a named graph is identified by a non-empty IRI string, got {graph!r}")
    try:
        node = ox.NamedNode(str(graph))
    except ValueError as exc:
        raise ValueError(f"not a valid graph IRI: {graph!r} ({exc})") from None
    if is_bookkeeping_graph(node.value):
        raise ValueError(f"graph IRIs starting with {BOOKKEEPING_PREFIX!r} are reserved for the store")
    return node


def to_ox(term: Node, *, bnodes: dict[BNode, ox.BlankNode] | None = None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term → pyoxigraph term (IRIs, language tags and datatypes validated).

    With ``bnodes`` each distinct rdflib blank node becomes a fresh pyoxigraph blank node
    (data being written); without, the label is kept (a blank node from an earlier result).
    """
    if isinstance(term, URIRef):
        try:
            return ox.NamedNode(str(term))
        except ValueError as exc:
            raise ValueError(f"not a valid IRI: {str(term)!r} ({exc})") from None
    if isinstance(term, BNode):
        if bnodes is not None:
            node = bnodes.get(term)
            if node is None:
                node = bnodes[term] = ox.BlankNode()
            return node
        try:
            return ox.BlankNode(str(term))
        except ValueError as exc:
            raise ValueError(f"not a valid blank node label: {str(term)!r} ({exc})") from None
    if isinstance(term, rdflib.Literal):
        lexical = str(term)
        try:
            if term.language:
                return ox.Literal(lexical, language=term.language)
            if term.datatype is not None and str(term.datatype) != XSD_STRING:
                return ox.Literal(lexical, datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(lexical)
        except ValueError as exc:
            raise ValueError(f"not a valid literal: {term!r} ({exc})") from None
    raise TypeError(f"expected an rdflib URIRef, BNode or Literal, got {type(term).__name__}: {term!r}")


def from_ox(term: object) -> Node:
    """pyoxigraph term → rdflib term; ``xsd:string`` literals come back plain, as rdflib writes them."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=URIRef(datatype))
    raise StoreError(f"unsupported term in a result (RDF-star is not used by policykg): {term!r}")


def plain_strings(term: Node) -> Node:
    """``"x"^^xsd:string`` → ``"x"`` so that every backend returns the same rdflib term."""
    if isinstance(term, rdflib.Literal) and term.datatype is not None and str(term.datatype) == XSD_STRING:
        return rdflib.Literal(str(term))
    return term


def check_bindings(bindings: Mapping[str, Node] | None) -> dict[str, Node]:
    """Validate variable names and bound values; returns a plain dict (possibly empty)."""
    if not bindings:
        return {}
    if not isinstance(bindings, Mapping):
        raise TypeError("bindings must be a mapping of variable name → rdflib term")
    checked: dict[str, Node] = {}
    for name, value in bindings.items():
        if not isinstance(name, str) or not _VARIABLE_NAME.match(name):
            raise ValueError(f"binding names are SPARQL variable names without '?' ([A-Za-z_][A-Za-z0-9_]*), got {name!r}")
        if not isinstance(value, (URIRef, BNode, rdflib.Literal)):
            raise TypeError(f"binding ?{name} must be an rdflib URIRef, BNode or Literal, got {type(value).__name__}")
        to_ox(value)  # validates IRIs, language tags and datatypes before anything is sent or run
        checked[name] = value
    return checked


def iter_graph_triples(triples: rdflib.Graph) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of an rdflib Graph, refusing quads (an rdflib Dataset iterates as quads)."""
    if isinstance(triples, (rdflib.Dataset, rdflib.ConjunctiveGraph)):
        raise TypeError("replace_graph takes the triples of ONE graph (rdflib.Graph), not a Dataset")
    for item in triples:
        if len(item) != 3:
            raise TypeError(f"expected (subject, predicate, object) triples, got {item!r}")
        yield item


def build_quads(graphs: Mapping[str, rdflib.Graph]) -> dict[ox.NamedNode, list[ox.Quad]]:
    """Every new quad, materialised before anything is written (so a failure writes nothing).

    Blank nodes are mapped once per call: the same rdflib BNode in two graphs stays one node.
    """
    if not isinstance(graphs, Mapping):
        raise TypeError("replace_graphs takes a mapping of graph IRI → rdflib.Graph")
    bnodes: dict[BNode, ox.BlankNode] = {}
    built: dict[ox.NamedNode, list[ox.Quad]] = {}
    for iri, triples in graphs.items():
        name = check_graph_iri(iri)
        quads: list[ox.Quad] = []
        for s, p, o in iter_graph_triples(triples):
            if isinstance(p, BNode) or isinstance(s, rdflib.Literal):
                raise ValueError(f"not an RDF triple: {(s, p, o)!r}")
            quads.append(ox.Quad(to_ox(s, bnodes=bnodes), to_ox(p, bnodes=bnodes), to_ox(o, bnodes=bnodes), name))
        built[name] = quads
    return built


def nt(term: object) -> str:
    """N-Triples form of a pyoxigraph term (Oxigraph escapes; also valid SPARQL)."""
    return str(term)


# --------------------------------------------------------------------------- SPARQL text
# A small lexer: enough to find the query form and the outermost WHERE group while
# skipping strings, IRIs and comments. It never interprets user text otherwise.

_TOKEN = re.compile(
    r'''
    (?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<punct>[{}()])
    |(?P<word>[^\s{}()<>"'\#,;]+)
    |(?P<other>.)
    ''',
    re.X | re.S,
)

_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append((kind, match.group(), match.start(), match.end()))
    return out


def _form_index(tokens: list[tuple[str, str, int, int]]) -> int:
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "word" and value.upper() in _FORMS:
            return index
    raise InvalidQuery("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def query_form(sparql: str) -> Literal["select", "ask", "graph"]:
    """What kind of result a query returns, from its first query-form keyword."""
    tokens = _tokens(sparql)
    return _FORMS[tokens[_form_index(tokens)][1].upper()]  # type: ignore[return-value]


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (<iri> "lit"@zh) }`` with every term serialised by Oxigraph."""
    names = list(bindings)
    terms = " ".join(nt(to_ox(bindings[name])) for name in names)
    return "VALUES (" + " ".join("?" + name for name in names) + ") { (" + terms + ") }"


def bind_with_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """Pre-bind variables by a VALUES block at the start of the outermost WHERE group.

    There it joins before grouping, so aggregates see only the bound solutions (a trailing
    VALUES clause would join after GROUP BY). Falls back to a trailing VALUES clause for
    ``CONSTRUCT WHERE {…}``, a WHERE that is a bare sub-select, or DESCRIBE without WHERE.
    """
    if not bindings:
        return sparql
    block = values_block(bindings)
    tokens = _tokens(sparql)
    start = _form_index(tokens)
    keyword = tokens[start][1].upper()
    index = start + 1
    if keyword == "CONSTRUCT" and index < len(tokens):
        if tokens[index][1] == "{":  # skip the template
            depth = 0
            while index < len(tokens):
                value = tokens[index][1]
                depth += (value == "{") - (value == "}")
                index += 1
                if depth == 0:
                    break
        elif tokens[index][1].upper() == "WHERE":
            return _trailing_values(sparql, tokens, start, block)
    paren = 0
    while index < len(tokens):
        kind, value, begin, end = tokens[index]
        if kind == "punct":
            if value == "(":
                paren += 1
            elif value == ")":
                paren -= 1
            elif value == "{" and paren == 0:
                following = tokens[index + 1][1].upper() if index + 1 < len(tokens) else ""
                if following == "SELECT":
                    break
                return sparql[:end] + " " + block + " " + sparql[end:]
        index += 1
    return _trailing_values(sparql, tokens, start, block)


def _trailing_values(sparql: str, tokens: list[tuple[str, str, int, int]], start: int, block: str) -> str:
    depth = 0
    for kind, value, _, _ in tokens[start:]:
        if kind == "punct" and value in "{}":
            depth += 1 if value == "{" else -1
        elif kind == "word" and depth == 0 and value.upper() == "VALUES":
            raise ValueError("cannot add bindings to a query that ends with its own VALUES clause")
    return sparql + "\n" + block + "\n"


# --------------------------------------------------------------------------- dumps

_OX_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
_DATASET_FORMATS = ("nquads", "trig", "jsonld")


def serialise_quads(quads: Iterable[ox.Quad], *, format: str, graph: str | None) -> bytes:
    """Deterministic serialisation: canonical blank-node labels (RDFC-1.0), sorted statements.

    Triple-only formats (turtle, ntriples) of the whole dataset hold the union of its graphs.
    """
    if format not in _OX_FORMATS:
        raise ValueError(f"format must be one of {', '.join(DUMP_FORMATS)}, got {format!r}")
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    as_dataset = graph is None and format in _DATASET_FORMATS
    if as_dataset:
        statements = sorted(dataset, key=lambda q: (nt(q.graph_name), nt(q.subject), nt(q.predicate), nt(q.object)))
    else:
        unique = {ox.Triple(q.subject, q.predicate, q.object) for q in dataset}
        statements = sorted(unique, key=lambda t: (nt(t.subject), nt(t.predicate), nt(t.object)))
    if format in ("nquads", "ntriples"):
        data = ox.serialize(statements, format=_OX_FORMATS[format])
        lines = sorted(line for line in data.split(b"\n") if line)
        return b"".join(line + b"\n" for line in lines)
    if format == "jsonld":
        return ox.serialize(statements, format=_OX_FORMATS[format])
    return ox.serialize(statements, format=_OX_FORMATS[format], prefixes=DUMP_PREFIXES)
