"""The remote backend: a SPARQL 1.1 server over HTTP (docs/stores.md).

Speaks the SPARQL 1.1 Protocol (queries as URL-encoded POST), SPARQL 1.1 Update and, where
it pays, the Graph Store HTTP Protocol. Measured differences between servers are handled by
a *dialect* detected from the ``Server`` response header (or given):

- ``oxigraph``: union default graph through the ``union-default-graph`` request option;
  the dataset version is an empty marker graph, invisible to queries over triples.
- ``virtuoso``: the default graph already is the union of all graphs — Virtuoso's own
  system graphs and the version graph included; ``default_graph_union=False`` sends an
  explicit protocol dataset (an empty default graph, the store's named graphs);
  ``INSERT DATA`` cannot hold blank nodes nor more than ~1000 triples (SP031), so graphs
  are uploaded with Graph Store ``PUT`` into staging graphs and swapped in with one
  ``MOVE`` request (one request = one transaction).
- ``generic``: plain SPARQL 1.1; union semantics are whatever the server's default is.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import ssl
import uuid
from collections.abc import Iterable, Mapping
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Node, URIRef

from policykg.graph.store import (
    BOOKKEEPING_PREFIX,
    XSD_BOOLEAN,
    XSD_STRING,
    InvalidQuery,
    QueryResult,
    QueryTimeout,
    ReadOnlyStoreError,
    StoreError,
    bind_with_values,
    build_quads,
    check_bindings,
    check_graph_iri,
    is_bookkeeping_graph,
    nt,
    plain_strings,
    query_form,
    serialise_quads,
)

Dialect = Literal["oxigraph", "virtuoso", "generic"]

#: Environment variables read when the matching keyword option is not given.
ENV_UPDATE_URL = "POLICYKG_STORE_UPDATE_URL"
ENV_GRAPH_STORE_URL = "POLICYKG_STORE_GRAPH_STORE_URL"
ENV_USER = "POLICYKG_STORE_USER"
ENV_PASSWORD = "POLICYKG_STORE_PASSWORD"
ENV_AUTH = "POLICYKG_STORE_AUTH"
ENV_DIALECT = "POLICYKG_STORE_DIALECT"

#: Where the version lives on servers without empty named graphs (Virtuoso, generic).
META_GRAPH = BOOKKEEPING_PREFIX + "store"
_VERSION_PREDICATE = BOOKKEEPING_PREFIX + "version"
#: Oxigraph: the version is the name of an empty graph with this prefix.
_VERSION_GRAPH_PREFIX = BOOKKEEPING_PREFIX + "version:"
_STAGING_PREFIX = BOOKKEEPING_PREFIX + "staging:"
#: Virtuoso: the default graph when ``default_graph_union=False`` (Virtuoso has no other).
_EMPTY_DEFAULT_GRAPH = BOOKKEEPING_PREFIX + "default-graph"

#: Graphs a fresh Virtuoso holds for itself (mapping schema, LDP, service description).
VIRTUOSO_SYSTEM_GRAPHS: tuple[str, ...] = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localuriqaserver/sparql",
    "http://localhost:8890/sparql",
    "http://localhost:8890/DAV/",
)

#: Virtuoso compiles INSERT DATA into SQL and gives up past ~10000 lines (≈1000 triples).
_VIRTUOSO_INSERT_CHUNK = 500

_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
_RDF_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/n-quads": "nquads",
    "application/rdf+xml": "xml",
}
_SAFE_BNODE = re.compile(r"[A-Za-z0-9_]+\Z")


class RemoteStore:
    """``Store`` on a SPARQL 1.1 server.

    ``query_url`` is the query endpoint. The update endpoint defaults to ``…/update`` when the
    query URL ends in ``/query`` (Oxigraph, Fuseki) and to the query URL otherwise
    (Virtuoso's ``/sparql``); the Graph Store endpoint to ``…/store`` (Oxigraph) or
    ``/sparql-graph-crud[-auth]`` (Virtuoso). Credentials come from ``username``/``password``,
    the URL's ``user:password@`` or ``POLICYKG_STORE_USER``/``POLICYKG_STORE_PASSWORD``;
    ``auth`` is ``"basic"`` or ``"digest"`` (Virtuoso's ``/sparql-auth`` uses digest).
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        auth: Literal["basic", "digest"] | None = None,
        dialect: Literal["auto", "oxigraph", "virtuoso", "generic"] | None = None,
        hidden_graphs: Iterable[str] = (),
        read_only: bool = False,
        timeout: float = 120.0,
        client: httpx.Client | None = None,
    ) -> None:
        parts = urlsplit(query_url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) SPARQL endpoint URL: {query_url!r}")
        url_user = unquote(parts.username) if parts.username else None
        url_password = unquote(parts.password) if parts.password else None
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = host + (f":{parts.port}" if parts.port else "")
        self.query_url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        self.update_url = update_url or os.environ.get(ENV_UPDATE_URL) or _derive(self.query_url, "update")
        self.graph_store_url = graph_store_url or os.environ.get(ENV_GRAPH_STORE_URL) or _derive(self.query_url, "store")
        self.read_only = read_only

        username = username or url_user or os.environ.get(ENV_USER)
        password = password or url_password or os.environ.get(ENV_PASSWORD) or ""
        scheme = (auth or os.environ.get(ENV_AUTH) or ("digest" if parts.path.rstrip("/").endswith("-auth") else "basic")).lower()
        if scheme not in ("basic", "digest"):
            raise ValueError(f"auth must be 'basic' or 'digest', got {scheme!r}")
        credentials: httpx.Auth | None = None
        if username:
            credentials = httpx.DigestAuth(username, password) if scheme == "digest" else httpx.BasicAuth(username, password)

        chosen = (dialect or os.environ.get(ENV_DIALECT) or "auto").lower()
        if chosen not in ("auto", "oxigraph", "virtuoso", "generic"):
            raise ValueError(f"dialect must be auto, oxigraph, virtuoso or generic, got {chosen!r}")
        self._dialect: Dialect | None = None if chosen == "auto" else chosen  # type: ignore[assignment]
        self._extra_hidden = tuple(hidden_graphs)
        self._owns_client = client is None
        self._client: httpx.Client | None = client or httpx.Client(timeout=timeout, auth=credentials, verify=_tls_context())
        if client is not None and credentials is not None:
            client.auth = credentials

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}{', read_only=True' if self.read_only else ''})"

    # ------------------------------------------------------------------ HTTP

    @property
    def _http(self) -> httpx.Client:
        if self._client is None:
            raise StoreError("the store is closed")
        return self._client

    def _send(self, method: str, url: str, *, what: str, timeout: float | None = None, **kwargs: object) -> httpx.Response:
        extra = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._http.request(method, url, **extra, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            if what == "query":
                raise QueryTimeout(f"{url}: no answer within the timeout ({exc})") from None
            raise StoreError(f"{url}: {what} timed out; the server may still have applied it ({exc})") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"{url}: {what} failed: {exc}") from None
        if self._dialect is None:
            self._dialect = _dialect_from_server(response.headers.get("server", ""))
        if response.status_code >= 400:
            message = response.text.strip()[:2000]
            if what == "query" and ("S1T00" in message or "estimated execution time" in message):
                # Virtuoso refuses queries its cost model expects to exceed MaxQueryExecutionTime
                raise QueryTimeout(f"{url}: the server gave up on the query: {message}")
            if response.status_code == 400:
                raise InvalidQuery(f"{url} rejected the {what}: {message}")
            if response.status_code in (401, 403):
                raise StoreError(f"{url}: not authorised for {what} ({response.status_code}); see docs/stores.md on credentials")
            if "SR186" in message or "permission" in message.lower():
                raise StoreError(f"{url}: the server refused the {what}: {message} — on Virtuoso run "
                                 "GRANT SPARQL_UPDATE TO \"SPARQL\" or use /sparql-auth with credentials")
            raise StoreError(f"{url}: {what} failed with HTTP {response.status_code}: {message}")
        return response

    @property
    def dialect(self) -> Dialect:
        """The server dialect, detected from the first response if not given."""
        if self._dialect is None:
            self._send("POST", self.query_url, what="query", data={"query": "ASK {}"}, headers={"Accept": _RESULTS_JSON})
        assert self._dialect is not None
        return self._dialect

    def _hidden(self) -> list[str]:
        """Graphs never listed, counted or dumped: the version graph and Virtuoso's own."""
        hidden = [META_GRAPH, *self._extra_hidden]
        if self.dialect == "virtuoso":
            parts = urlsplit(self.query_url)
            hidden += [*VIRTUOSO_SYSTEM_GRAPHS, f"{parts.scheme}://{parts.netloc}/sparql"]
        return list(dict.fromkeys(hidden))

    def _graph_filter(self, variable: str = "?g") -> str:
        excluded = ", ".join(f"<{iri}>" for iri in self._hidden())
        return f'FILTER(!STRSTARTS(STR({variable}), "{BOOKKEEPING_PREFIX}") && {variable} NOT IN ({excluded}))'

    def _run_query(self, text: str, *, union: bool | None = None, timeout: float | None = None) -> httpx.Response:
        """POST a query. ``union=None``: the server's own dataset (the store's look-ups)."""
        form = query_form(text)
        dialect = self.dialect
        params: dict[str, str] = {}
        data: dict[str, str | list[str]] = {"query": text}
        if dialect == "oxigraph" and union:
            params["union-default-graph"] = ""
        elif dialect == "virtuoso" and union is False:
            # Virtuoso has no separate default graph. A protocol dataset gives one (empty);
            # the named graphs must then be listed too, or GRAPH <g> finds nothing.
            # (Its DEFINE input:*-graph-exclude pragmas break GRAPH <g> in 7.2: not used.)
            data["default-graph-uri"] = _EMPTY_DEFAULT_GRAPH
            data["named-graph-uri"] = self.graphs() or [_EMPTY_DEFAULT_GRAPH]
        # URL-encoded POST: Virtuoso 7.2 hangs on POST application/sparql-query bodies.
        response = self._send(
            "POST",
            self.query_url,
            what="query",
            timeout=timeout,
            params=params,
            data=data,
            headers={"Accept": _RESULTS_JSON if form != "graph" else _GRAPH_ACCEPT},
        )
        if "x-sparql-maxrows" in response.headers:
            raise StoreError(
                f"{self.query_url} truncated the result at {response.headers['x-sparql-maxrows']} rows "
                "(Virtuoso [SPARQL] ResultSetMaxRows); raise that limit or narrow the query"
            )
        return response

    def _select(self, text: str) -> list[dict[str, Node | None]]:
        return _parse_response(self._run_query(text), "select").rows

    def _select_raw(self, text: str) -> list[dict[str, dict[str, str]]]:
        """SPARQL JSON bindings as sent, for dumps (no detour through rdflib's literal normalisation)."""
        return json.loads(self._run_query(text).content).get("results", {}).get("bindings", [])

    def _update(self, text: str) -> None:
        self._send("POST", self.update_url, what="update", content=text.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    # ------------------------------------------------------------------ version

    def _version_graphs(self) -> list[str]:
        rows = self._select(f'SELECT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{_VERSION_GRAPH_PREFIX}")) }}')
        return sorted(str(row["g"]) for row in rows if row.get("g") is not None)

    def _bump_operations(self) -> list[str]:
        """Update operations that give the dataset a new version (sent with the write)."""
        token = uuid.uuid4().hex
        if self.dialect == "oxigraph":
            # An empty named graph adds nothing to ?s ?p ?o, with or without union.
            old = [f"DROP SILENT GRAPH <{iri}>" for iri in self._version_graphs()]
            return [*old, f"CREATE SILENT GRAPH <{_VERSION_GRAPH_PREFIX}{token}>"]
        return [
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_VERSION_PREDICATE}> ?v }} }}",
            f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_VERSION_PREDICATE}> "{token}" }} }}',
        ]

    def dataset_version(self) -> str:
        if self.dialect == "oxigraph":
            names = [iri[len(_VERSION_GRAPH_PREFIX):] for iri in self._version_graphs()]
        else:
            rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_VERSION_PREDICATE}> ?v }} }}")
            names = sorted(str(row["v"]) for row in rows if row.get("v") is not None)
        return "+".join(names) or "0"

    # ------------------------------------------------------------------ writes

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self!r} was opened read-only")
        self._http

    def replace_graph(self, graph: str, triples: rdflib.Graph) -> None:
        self.replace_graphs({graph: triples})

    def replace_graphs_ntriples(self, graphs: Mapping[str, str]) -> None:
        # Servers differ in how they take bulk data (see replace_graphs); parse once here and
        # use the one tested path.
        parsed = {}
        for name, text in graphs.items():
            try:
                parsed[name] = rdflib.Graph().parse(data=text, format="nt")
            except Exception as exc:  # rdflib raises several parser error types
                raise StoreError(f"graph {name}: not valid N-Triples: {exc}") from None
        self.replace_graphs(parsed)

    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph]) -> None:
        self._writable()
        built = build_quads(graphs)  # everything is converted before the first request
        if not built:
            return
        if self.dialect == "virtuoso" and self.graph_store_url:
            self._replace_staged(built)
        else:
            self._replace_inline(built)

    def _replace_inline(self, built: dict[ox.NamedNode, list[ox.Quad]]) -> None:
        """One update request: DROP + INSERT DATA for every graph, and the version bump."""
        chunk = _VIRTUOSO_INSERT_CHUNK if self.dialect == "virtuoso" else None
        operations = [f"DROP SILENT GRAPH {nt(name)}" for name in built]
        with_bnodes: list[ox.Quad] = []
        for name, quads in built.items():
            plain = [q for q in quads if not _has_bnode(q)]
            with_bnodes += [q for q in quads if _has_bnode(q)]
            size = chunk or max(len(plain), 1)
            for start in range(0, len(plain), size):
                operations.append(f"INSERT DATA {{ GRAPH {nt(name)} {{ {_triples_text(plain[start:start + size])} }} }}")
        if with_bnodes:
            # Blank nodes in an INSERT template are fresh once per request and shared by
            # every graph in it; Virtuoso refuses them in INSERT DATA.
            if chunk and len(with_bnodes) > chunk:
                raise StoreError("too many blank-node triples for one Virtuoso INSERT; configure the graph store endpoint")
            groups: dict[ox.NamedNode, list[ox.Quad]] = {}
            for quad in with_bnodes:
                groups.setdefault(quad.graph_name, []).append(quad)
            template = " ".join(f"GRAPH {nt(g)} {{ {_triples_text(qs)} }}" for g, qs in groups.items())
            operations.append(f"INSERT {{ {template} }} WHERE {{ }}")
        self._update(" ;\n".join([*operations, *self._bump_operations()]))

    def _replace_staged(self, built: dict[ox.NamedNode, list[ox.Quad]]) -> None:
        """Upload each graph into a staging graph (Graph Store PUT), then swap all in one request."""
        staged: dict[ox.NamedNode, str] = {}
        try:
            for name, quads in built.items():
                if not quads:
                    continue
                staging = f"{_STAGING_PREFIX}{uuid.uuid4().hex}"
                staged[name] = staging
                body = "".join(f"{nt(q.subject)} {nt(q.predicate)} {nt(q.object)} .\n" for q in quads)
                self._send("PUT", self.graph_store_url, what="upload", params={"graph": staging},
                           content=body.encode("utf-8"), headers={"Content-Type": "application/n-triples"})
            # DROP first: Virtuoso's MOVE onto an existing graph deletes it row by row (~1 s
            # per 1000 triples), onto an absent one it is a fast server-side rename.
            operations = [f"DROP SILENT GRAPH {nt(name)}" for name in built]
            operations += [f"MOVE GRAPH <{staging}> TO {nt(name)}" for name, staging in staged.items()]
            self._update(" ;\n".join([*operations, *self._bump_operations()]))
        except BaseException:
            if staged:
                try:
                    self._update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in staged.values()))
                except StoreError:
                    pass  # the original error matters more; staging graphs are hidden anyway
            raise

    def delete_graph(self, graph: str) -> bool:
        self._writable()
        name = check_graph_iri(graph)
        existed = _parse_response(self._run_query(f"ASK {{ GRAPH {nt(name)} {{ ?s ?p ?o }} }}"), "ask").boolean
        if existed:
            self._update(" ;\n".join([f"DROP SILENT GRAPH {nt(name)}", *self._bump_operations()]))
        return bool(existed)

    def update(self, sparql: str) -> None:
        self._writable()
        self._update(sparql)
        # A separate request after the write: a reader can at worst cache fresh data under
        # the old version, which the bump then retires — never stale data under a new one.
        self._update(" ;\n".join(self._bump_operations()))

    # ------------------------------------------------------------------ reads

    def graphs(self) -> list[str]:
        if self.dialect == "oxigraph":
            text = f"SELECT ?g WHERE {{ GRAPH ?g {{ }} {self._graph_filter()} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
        else:
            text = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}"
        names = {str(row["g"]) for row in self._select(text) if isinstance(row.get("g"), URIRef)}
        hidden = set(self._hidden())
        return sorted(n for n in names if n not in hidden and not is_bookkeeping_graph(n))

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graph_union: bool = True,
        timeout: float | None = None,
    ) -> QueryResult:
        bound = check_bindings(bindings)
        for name, value in bound.items():
            if isinstance(value, BNode):
                raise ValueError(f"binding ?{name}: blank nodes cannot be bound on a remote store (SPARQL VALUES has no blank nodes)")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        text = bind_with_values(sparql, bound)
        response = self._run_query(text, union=default_graph_union, timeout=timeout)
        return _parse_response(response, query_form(sparql))

    def count(self, *, graph: str | None = None) -> int:
        if graph is not None:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt(check_graph_iri(graph))} {{ ?s ?p ?o }} }}"
        elif self.dialect == "oxigraph":  # the default graph is a graph of its own there
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }} }}"
        else:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}"
        rows = self._select(text)
        return int(str(rows[0]["n"])) if rows and rows[0].get("n") is not None else 0

    def dump(self, *, format: str, graph: str | None = None) -> bytes:
        if graph is not None:
            name = check_graph_iri(graph)
            rows = self._select_raw(f"SELECT ?s ?p ?o WHERE {{ GRAPH {nt(name)} {{ ?s ?p ?o }} }}")
            quads = [_quad(row, name) for row in rows]
        else:
            default = "{ ?s ?p ?o } UNION " if self.dialect == "oxigraph" else ""
            rows = self._select_raw(f"SELECT ?g ?s ?p ?o WHERE {{ {default}{{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }} }}")
            quads = [_quad(row, ox.NamedNode(row["g"]["value"]) if "g" in row else ox.DefaultGraph()) for row in rows]
        return serialise_quads(quads, format=format, graph=graph)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._owns_client:
            client.close()


# --------------------------------------------------------------------------- helpers


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: building one reads the CA bundle (~30 ms)."""
    return httpx.create_ssl_context()


def _derive(query_url: str, kind: Literal["update", "store"]) -> str | None:
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        replacement = {"update": "/update", "store": "/store"}[kind]
        path = path[: -len("/query")] + replacement
    elif path.endswith("/sparql") or path.endswith("/sparql-auth"):
        if kind == "update":
            return query_url
        path = path[: path.rfind("/")] + ("/sparql-graph-crud-auth" if path.endswith("-auth") else "/sparql-graph-crud")
    elif kind == "update":
        return query_url
    else:
        return None
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _dialect_from_server(server: str) -> Dialect:
    lowered = server.lower()
    if lowered.startswith("oxigraph"):
        return "oxigraph"
    if lowered.startswith("virtuoso"):
        return "virtuoso"
    return "generic"


def _has_bnode(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _triples_text(quads: list[ox.Quad]) -> str:
    return " ".join(f"{nt(q.subject)} {nt(q.predicate)} {nt(q.object)} ." for q in quads)


def _bnode_label(value: str) -> str:
    """Server labels (Virtuoso: ``nodeID://b10000``) → a label rdflib and Oxigraph accept."""
    if _SAFE_BNODE.match(value):
        return value
    return "b" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


def _json_term(binding: dict[str, str]) -> Node:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(_bnode_label(value))
    if kind in ("literal", "typed-literal"):  # "typed-literal": SPARQL/JSON drafts, still sent by Virtuoso
        language = binding.get("xml:lang")
        if language:
            return rdflib.Literal(value, lang=language)
        datatype = binding.get("datatype")
        if not datatype or datatype == XSD_STRING:
            return rdflib.Literal(value)
        if datatype == XSD_BOOLEAN and value in ("0", "1"):  # Virtuoso writes booleans as 0/1
            value = "true" if value == "1" else "false"
        return rdflib.Literal(value, datatype=URIRef(datatype))
    raise StoreError(f"unsupported term in a result: {binding!r}")


def _parse_response(response: httpx.Response, form: str) -> QueryResult:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if form != "graph":
        try:
            data = json.loads(response.content)
        except ValueError:
            raise StoreError(f"expected SPARQL JSON results, got {content_type or 'no content type'}") from None
        if "boolean" in data:
            return QueryResult(kind="ask", boolean=bool(data["boolean"]))
        variables = list(data.get("head", {}).get("vars", []))
        rows = [
            {name: (_json_term(solution[name]) if name in solution else None) for name in variables}
            for solution in data.get("results", {}).get("bindings", [])
        ]
        return QueryResult(kind="select", variables=variables, rows=rows)
    rdf_format = _RDF_FORMATS.get(content_type)
    if rdf_format is None:
        raise StoreError(f"expected RDF triples from a CONSTRUCT/DESCRIBE, got {content_type or 'no content type'}")
    parsed = rdflib.Graph()
    parsed.parse(data=response.content, format=rdf_format)
    graph = rdflib.Graph()
    for s, p, o in parsed:
        graph.add((s, p, plain_strings(o)))
    return QueryResult(kind="graph", graph=graph)


def _json_ox(binding: dict[str, str] | None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A SPARQL JSON term → pyoxigraph, keeping the server's lexical form."""
    if binding is None:
        raise StoreError("incomplete row in a dump")
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(_bnode_label(value))
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return ox.Literal(value, language=binding["xml:lang"])
        datatype = binding.get("datatype")
        if datatype == XSD_BOOLEAN and value in ("0", "1"):
            value = "true" if value == "1" else "false"
        return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)
    raise StoreError(f"unsupported term in a dump: {binding!r}")


def _quad(row: dict[str, dict[str, str]], graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    return ox.Quad(_json_ox(row.get("s")), _json_ox(row.get("p")), _json_ox(row.get("o")), graph)
