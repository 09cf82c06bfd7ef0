"""The W3C side: SPARQL 1.1 Protocol (query and update) and the Graph Store Protocol (read).

``/sparql`` takes a query by GET ``?query=``, by POST form-encoded (``query=``) or by POST
``application/sparql-query``, with ``default-graph-uri`` / ``named-graph-uri``; answers are
negotiated (``Accept``, or ``format=`` as SPARQLWrapper sends it); GET without a query returns
the service description. ``/sparql/update`` takes SPARQL Update with a bearer token only.
``/rdf-graphs/service`` returns one graph (``?graph=IRI``) or the default graph (``?default``).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

import rdflib
from fastapi import APIRouter, Query, Request
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from starlette.responses import Response

from policykg.api.errors import ApiError
from policykg.api.negotiation import GRAPH_OFFERS, choose, graph_format_from, sparql_formats
from policykg.api.responses import example, json_response, require_token
from policykg.api.worker import CheckUpdate, GraphRead, SparqlQuery, SparqlUpdate
from policykg.graph.sparql_results import GRAPH_MEDIA_TYPES, SparqlAnswer

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
TRUNCATED_HEADER = "Policykg-Truncated"

EXAMPLE_QUERY = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX inst: <https://w3id.org/policykg/instrument/>
SELECT DISTINCT ?adcode WHERE {
  ?adoption a pkg:InstrumentAdoption ; pkg:instrument/skos:broader* inst:drg-payment ; pkg:document ?document .
  ?document pkg:jurisdiction ?jurisdiction .
  BIND(STRAFTER(STR(?jurisdiction), "/jurisdiction/") AS ?adcode)
} ORDER BY ?adcode"""


def _answer_response(answer: SparqlAnswer) -> Response:
    media_type = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
    return Response(answer.body, media_type=media_type, headers=headers)


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad-request", f"the {what} is not UTF-8 (byte {exc.start})") from None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _form(request: Request) -> list[tuple[str, str]]:
    """A form-encoded body, parsed here (strictly UTF-8, blank values kept)."""
    body = _decode(await request.body(), "form body")
    try:
        return parse_qsl(body, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad-request", "the form body is not valid application/x-www-form-urlencoded") from None


def _values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in pairs if key == name]


async def _run_query(request: Request, pairs: list[tuple[str, str]], text: str) -> Response:
    settings = request.app.state.settings
    result_format, graph_format = sparql_formats(_values(pairs, "format"), request.headers.get("accept"))
    task = SparqlQuery(
        text=text,
        result_format=result_format,
        graph_format=graph_format,
        default_graphs=tuple(_values(pairs, "default-graph-uri")),
        named_graphs=tuple(_values(pairs, "named-graph-uri")),
        max_rows=settings.max_rows,
    )
    return _answer_response(await request.app.state.pool.run(task))


def _one_query(pairs: list[tuple[str, str]]) -> str | None:
    if _values(pairs, "update"):
        raise ApiError(400, "refused-query", "this endpoint answers queries; send updates to /sparql/update",
                       {"reason": "update-as-query"})
    queries = _values(pairs, "query")
    if len(queries) > 1:
        raise ApiError(400, "bad-request", "give exactly one query parameter", {"parameter": "query"})
    return queries[0] if queries else None


_QUERY_DOC = "The SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, GET returns the service description."
_FORMAT_DOC = ("Overrides Accept: json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, trig, jsonld, rdfxml "
               "(CONSTRUCT/DESCRIBE); json and xml fit both kinds. Media types work too.")


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or the service description",
    description=(
        "SPARQL 1.1 Protocol query via GET. The default graph is the union of all named graphs "
        "unless FROM or `default-graph-uri` name graphs of the store. SERVICE, and FROM of a graph "
        "the store does not hold, are refused (400): the server never fetches anything. Results "
        "are cut at the row limit (header `Policykg-Truncated: true`); a query still running at "
        "the time limit is stopped (503)."
    ),
    responses={
        200: {"description": "Results (SPARQL JSON/XML/CSV/TSV or an RDF serialisation)",
              "content": {media: {} for media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                                  "text/tab-separated-values", *GRAPH_MEDIA_TYPES.values())}},
        400: {"description": "Malformed or refused query"}, 406: {"description": "No acceptable format"},
        503: {"description": "Time limit reached, or every query process busy"},
    },
)
async def sparql_get(
    request: Request,
    query: str | None = Query(None, description=_QUERY_DOC, **example(EXAMPLE_QUERY)),
    default_graph_uri: list[str] = Query([], alias="default-graph-uri", description="Protocol dataset: default graph(s)."),
    named_graph_uri: list[str] = Query([], alias="named-graph-uri", description="Protocol dataset: named graph(s)."),
    format: list[str] = Query([], description=_FORMAT_DOC, **example("json")),
) -> Response:
    pairs = list(request.query_params.multi_items())
    text = _one_query(pairs)
    if text is None:
        if default_graph_uri or named_graph_uri:
            raise ApiError(400, "bad-request", "a dataset was given but no query", {"parameter": "query"})
        return _service_description(request, _values(pairs, "format"))
    if not text.strip():
        raise ApiError(400, "bad-request", "the query parameter is empty", {"parameter": "query"})
    return await _run_query(request, pairs, text)


@router.post(
    "/sparql",
    summary="SPARQL query (POST)",
    description=(
        "SPARQL 1.1 Protocol query via POST: `application/x-www-form-urlencoded` (`query=…`, "
        "`default-graph-uri`, `named-graph-uri`, `format`) or `application/sparql-query` (the "
        "query as the body; dataset and format in the URL)."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": {"type": "object", "required": ["query"], "properties": {
                    "query": {"type": "string", "example": EXAMPLE_QUERY},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "format": {"type": "string"}}}},
                SPARQL_QUERY: {"schema": {"type": "string"}, "example": EXAMPLE_QUERY},
            },
        }
    },
)
async def sparql_post(request: Request) -> Response:
    pairs = list(request.query_params.multi_items())
    media_type = _media_type(request)
    if media_type == FORM:
        pairs += await _form(request)
        text = _one_query(pairs)
    elif media_type == SPARQL_QUERY:
        if _values(pairs, "query"):
            raise ApiError(400, "bad-request", "with application/sparql-query the query is the body, not a parameter")
        text = _decode(await request.body(), "query")
    elif media_type == SPARQL_UPDATE:
        raise ApiError(400, "refused-query", "this endpoint answers queries; send updates to /sparql/update",
                       {"reason": "update-as-query"})
    else:
        raise ApiError(415, "unsupported-media-type",
                       f"send the query as {FORM} or {SPARQL_QUERY}, not {media_type or 'no Content-Type'}")
    if text is None or not text.strip():
        raise ApiError(400, "bad-request", "no query given", {"parameter": "query"})
    return await _run_query(request, pairs, text)


@router.post(
    "/sparql/update",
    summary="SPARQL Update (bearer token)",
    description=(
        "SPARQL 1.1 Update as `application/sparql-update` or form-encoded `update=`. Needs "
        "`Authorization: Bearer <POLICYKG_TOKEN>`; without a token configured on the server every "
        "update is refused (403). LOAD and SERVICE are refused. The roll-up graph is rebuilt "
        "after the update. Reads pause while it runs."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {
        SPARQL_UPDATE: {"schema": {"type": "string"}, "example": "DROP SILENT GRAPH <https://example.org/scratch>"},
        FORM: {"schema": {"type": "object", "required": ["update"], "properties": {"update": {"type": "string"}}}},
    }}},
    responses={200: {"description": "Done"}, 401: {"description": "Missing or wrong token"},
               403: {"description": "Updates disabled (no POLICYKG_TOKEN)"}},
)
async def sparql_update(request: Request) -> Response:
    require_token(request)  # before the body is even read
    pairs = list(request.query_params.multi_items())
    media_type = _media_type(request)
    if media_type == SPARQL_UPDATE:
        text = _decode(await request.body(), "update")
    elif media_type == FORM:
        pairs += await _form(request)
        updates = _values(pairs, "update")
        if len(updates) != 1:
            raise ApiError(400, "bad-request", "give exactly one update parameter", {"parameter": "update"})
        text = updates[0]
    else:
        raise ApiError(415, "unsupported-media-type", f"send the update as {SPARQL_UPDATE} or {FORM}")
    if _values(pairs, "using-graph-uri") or _values(pairs, "using-named-graph-uri"):
        raise ApiError(400, "bad-request", "using-graph-uri / using-named-graph-uri are not supported: write USING in the update")
    if not text.strip():
        raise ApiError(400, "bad-request", "no update given", {"parameter": "update"})
    pool = request.app.state.pool
    await pool.run(CheckUpdate(text))  # syntax and refusals without stopping the readers
    await pool.run(SparqlUpdate(text))
    return json_response({"status": "done", "dataset_version": pool.version})


@router.get(
    "/rdf-graphs/service",
    summary="Graph Store Protocol: read one graph",
    description=(
        "`?graph=IRI` returns that named graph; `?default` the default graph — the union of all "
        "named graphs, as queries see it. Deterministic output (sorted, canonical blank nodes), "
        "cut at the graph limit (`Policykg-Truncated: true`). Read-only: write with /sparql/update."
    ),
    tags=["Graph Store Protocol"],
    responses={200: {"content": {media: {} for media in GRAPH_MEDIA_TYPES.values()}}, 404: {"description": "No such graph"}},
)
async def graph_store(
    request: Request,
    graph: str | None = Query(None, description="IRI of a named graph", **example("https://w3id.org/policykg/graph/vocabulary")),
    default: str | None = Query(None, description="Present (no value needed): the default graph"),
    format: list[str] = Query([], description="Overrides Accept: turtle, ntriples, nquads, trig, jsonld, rdfxml"),
) -> Response:
    params = request.query_params
    graphs = params.getlist("graph")
    wants_default = "default" in params
    if wants_default == bool(graphs) or len(graphs) > 1:
        raise ApiError(400, "bad-request", "give exactly one of ?graph=IRI or ?default", {"parameter": "graph"})
    chosen = _graph_format(request, params.getlist("format"))
    answer = await request.app.state.pool.run(
        GraphRead(graph=graphs[0] if graphs else None, format=chosen, max_triples=request.app.state.settings.max_graph_triples)
    )
    return _answer_response(answer)


def _graph_format(request: Request, format_values: list[str]) -> str:
    values = [v for v in format_values if v.strip()]
    if values:
        chosen = graph_format_from(values)
        if chosen is None:
            raise ApiError(400, "invalid-parameter", f"format: {values[0]!r} is not an RDF format this server writes "
                           "(turtle, ntriples, nquads, trig, jsonld, rdfxml)", {"parameter": "format"})
        return chosen
    media = choose(request.headers.get("accept"), list(GRAPH_OFFERS))
    if media is None:
        raise ApiError(406, "not-acceptable", "this answer is RDF: " + ", ".join(GRAPH_MEDIA_TYPES.values()),
                       {"offered": list(GRAPH_MEDIA_TYPES.values())})
    return GRAPH_OFFERS[media]


# --------------------------------------------------------------------------------------------
# Service description
# --------------------------------------------------------------------------------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}


@lru_cache(maxsize=16)
def _description(endpoint: str, update: str | None, limits: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"):
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode("dataset")
    default_graph = BNode("default-graph")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDFS.comment, Literal("The union of all named graphs of the store.", lang="en")))
    graph.add((service, RDFS.comment, Literal(
        f"policykg: read-only SPARQL 1.1 query endpoint. {limits} SERVICE and LOAD are refused; the server never "
        "fetches remote data.", lang="en")))
    if update is not None:
        update_service = BNode("update-service")
        graph.add((update_service, RDF.type, SD.Service))
        graph.add((update_service, SD.endpoint, URIRef(update)))
        graph.add((update_service, SD.supportedLanguage, SD.SPARQL11Update))
        graph.add((update_service, RDFS.comment, Literal("Needs Authorization: Bearer <token>.", lang="en")))
    return graph


def _service_description(request: Request, format_values: list[str]) -> Response:
    settings = request.app.state.settings
    base = str(request.base_url).rstrip("/")
    limits = (f"Each query may run {settings.query_timeout:g} s and return {settings.max_rows} rows; "
              f"a graph read returns at most {settings.max_graph_triples} triples.")
    graph = _description(base + "/sparql", base + "/sparql/update" if settings.writes_enabled else None, limits)
    chosen = _graph_format(request, format_values)
    body = graph.serialize(format=_RDFLIB_FORMATS[chosen], encoding="utf-8")
    media_type = GRAPH_MEDIA_TYPES[chosen]
    return Response(body, media_type=media_type + ("; charset=utf-8" if media_type.startswith("text/") else ""),
                    headers={"Vary": "Accept"})
