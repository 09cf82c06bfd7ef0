"""The service on a real uvicorn (127.0.0.1, free port) with real SPARQL and HTTP clients:
SPARQLWrapper (JSON, XML, CSV, TSV, RDF), rdflib's SPARQLStore, httpx."""

from __future__ import annotations

import csv
import io
import json
import logging
import time
import xml.dom.minidom

import httpx
import pytest
import rdflib
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from .conftest import AUTH, LIVE_MAX_REQUEST, LIVE_MAX_ROWS, TOKEN, LiveServer, error_of

ZJ_DOC = "https://w3id.org/policykg/id/document/330000/浙政办发-2017-54"
DRG_ADOPTERS = {"140000", "330000", "530100"}  # the bundled corpus (tests/test_cli_graph.py agrees)

# The question /api/instruments/drg-payment/adopters answers, asked in SPARQL.
ADOPTERS_SPARQL = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX inst: <https://w3id.org/policykg/instrument/>
SELECT DISTINCT ?adcode WHERE {
  ?adoption a pkg:InstrumentAdoption ; pkg:instrument ?instrument ; pkg:document ?document .
  ?instrument skos:broader* inst:drg-payment .
  ?document pkg:jurisdiction ?jurisdiction .
  BIND(STRAFTER(STR(?jurisdiction), "/jurisdiction/") AS ?adcode)
} ORDER BY ?adcode
"""
TITLES = "PREFIX pkg: <https://w3id.org/policykg/ontology#> CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d a pkg:PolicyDocument ; <http://purl.org/dc/terms/title> ?t }"


def wrapper(server: LiveServer, return_format: str, *, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql", updateEndpoint=server.url + "/sparql/update")
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setTimeout(30)
    return client


# --------------------------------------------------------------------------- the acceptance


def test_rest_adopters_and_sparqlwrapper_give_the_same_jurisdictions(live_server: LiveServer, http: httpx.Client) -> None:
    rest = http.get("/api/instruments/drg-payment/adopters")
    assert rest.status_code == 200
    from_rest = {item["adcode"] for item in rest.json()["items"]}
    client = wrapper(live_server, JSON)
    client.setQuery(ADOPTERS_SPARQL)
    results = client.queryAndConvert()
    from_sparql = {b["adcode"]["value"] for b in results["results"]["bindings"]}
    assert from_rest == from_sparql == DRG_ADOPTERS


# --------------------------------------------------------------------------- SPARQLWrapper


def test_sparqlwrapper_xml_results(live_server: LiveServer) -> None:
    client = wrapper(live_server, XML)
    client.setQuery(ADOPTERS_SPARQL)
    document = client.queryAndConvert()
    assert isinstance(document, xml.dom.minidom.Document)
    values = {node.firstChild.data for node in document.getElementsByTagName("literal")}
    assert values == DRG_ADOPTERS


def test_sparqlwrapper_csv_and_tsv_results(live_server: LiveServer) -> None:
    client = wrapper(live_server, CSV)
    client.setQuery(ADOPTERS_SPARQL)
    rows = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert rows[0] == ["adcode"] and {r[0] for r in rows[1:]} == DRG_ADOPTERS
    client = wrapper(live_server, TSV)
    client.setQuery(ADOPTERS_SPARQL)
    lines = client.queryAndConvert().decode("utf-8").splitlines()
    assert lines[0] == "?adcode" and set(lines[1:]) == {f'"{a}"' for a in DRG_ADOPTERS}


def test_sparqlwrapper_post_and_ask(live_server: LiveServer) -> None:
    client = wrapper(live_server, JSON, method=POST)
    client.setQuery(ADOPTERS_SPARQL)
    assert {b["adcode"]["value"] for b in client.queryAndConvert()["results"]["bindings"]} == DRG_ADOPTERS
    client.setQuery(f"ASK {{ <{ZJ_DOC}> a <https://w3id.org/policykg/ontology#PolicyDocument> }}")
    assert client.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("return_format", [XML, TURTLE, JSONLD])
def test_sparqlwrapper_construct(live_server: LiveServer, return_format: str) -> None:
    client = wrapper(live_server, return_format)
    client.setQuery(TITLES)
    converted = client.queryAndConvert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(
        data=converted, format={TURTLE: "turtle", JSONLD: "json-ld"}[return_format])
    titles = {str(s): str(o) for s, _, o in graph}
    assert len(titles) == 5
    assert titles[ZJ_DOC].startswith("浙江省人民政府办公厅关于印发")


def test_sparqlwrapper_malformed_query_is_a_400(live_server: LiveServer) -> None:
    client = wrapper(live_server, JSON)
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(QueryBadFormed) as raised:
        client.query()
    assert "not valid SPARQL" in str(raised.value)


def test_sparqlwrapper_update_needs_the_token(live_server: LiveServer, http: httpx.Client) -> None:
    before = http.get("/health").json()["dataset_version"]
    client = wrapper(live_server, JSON, method=POST)
    client.setQuery("INSERT DATA { GRAPH <http://example.org/scratch> { <http://example.org/a> <http://example.org/b> 1 } }")
    with pytest.raises(Unauthorized):
        client.query()
    client.addCustomHttpHeader("Authorization", "Bearer wrong-token-wrong-token")
    with pytest.raises(Unauthorized):
        client.query()
    assert http.get("/health").json()["dataset_version"] == before  # nothing was written
    client.clearCustomHttpHeader("Authorization")
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery("DROP SILENT GRAPH <http://example.org/nothing-here>")  # a real write that changes nothing
    client.query()
    assert http.get("/health").json()["dataset_version"] == before + 1
    ask = http.get("/sparql", params={"query": "ASK { GRAPH <http://example.org/scratch> { ?s ?p ?o } }"})
    assert ask.json()["boolean"] is False


# --------------------------------------------------------------------------- rdflib's SPARQLStore


@pytest.mark.parametrize(("return_format", "method"), [("xml", "GET"), ("json", "POST"), ("csv", "POST_FORM")])
def test_rdflib_sparqlstore(live_server: LiveServer, return_format: str, method: str) -> None:
    store = SPARQLStore(live_server.url + "/sparql", returnFormat=return_format, method=method)
    graph = Graph(store=store)
    rows = graph.query(ADOPTERS_SPARQL)
    assert {str(row[0]) for row in rows} == DRG_ADOPTERS
    if return_format != "csv":  # CSV results carry no term types, so a triple pattern needs XML/JSON
        titles = list(graph.triples((URIRef(ZJ_DOC), DCTERMS.title, None)))
        assert len(titles) == 1 and titles[0][2].language == "zh"
        assert graph.query(f"ASK {{ <{ZJ_DOC}> ?p ?o }}").askAnswer is True


# --------------------------------------------------------------------------- protocol details (httpx)


def test_post_sparql_query_body_and_format_override(http: httpx.Client) -> None:
    response = http.post("/sparql", content=ADOPTERS_SPARQL.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert {b["adcode"]["value"] for b in response.json()["results"]["bindings"]} == DRG_ADOPTERS
    csv_answer = http.get("/sparql", params={"query": ADOPTERS_SPARQL, "format": "csv"}, headers={"Accept": "application/json"})
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.text.splitlines()[0] == "adcode"
    by_accept = http.get("/sparql", params={"query": ADOPTERS_SPARQL}, headers={"Accept": "application/sparql-results+xml"})
    assert by_accept.headers["content-type"] == "application/sparql-results+xml"


@pytest.mark.parametrize(("accept", "media", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_in_every_rdf_format(http: httpx.Client, accept: str, media: str, rdflib_format: str) -> None:
    response = http.get("/sparql", params={"query": TITLES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else Graph()
    graph.parse(data=response.content, format=rdflib_format)
    assert len(graph) == 5
    again = http.get("/sparql", params={"query": TITLES}, headers={"Accept": accept})
    assert again.content == response.content  # deterministic


def test_protocol_dataset_and_from(http: httpx.Client) -> None:
    count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/policykg/ontology#PolicyDocument> }"
    every = http.get("/sparql", params={"query": count}).json()
    assert every["results"]["bindings"][0]["n"]["value"] == "5"  # the union default graph
    one = http.get("/sparql", params={"query": count, "default-graph-uri": ZJ_DOC}).json()
    assert one["results"]["bindings"][0]["n"]["value"] == "1"
    from_clause = count.replace("WHERE", f"FROM <{ZJ_DOC}> WHERE")
    assert http.get("/sparql", params={"query": from_clause}).json()["results"]["bindings"][0]["n"]["value"] == "1"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = http.get("/sparql", params={"query": graphs, "named-graph-uri": ZJ_DOC}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [ZJ_DOC]


def test_malformed_queries_report_the_parsers_position(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y\n}"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed-query"
    assert error["detail"]["line"] == 2 and error["detail"]["column"] >= 1
    # valid for rdflib's grammar, refused by Oxigraph's: its message and position come through
    grouped = http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p ?o }\nGROUP BY ?p"})
    error = error_of(grouped)
    assert grouped.status_code == 400 and error["code"] == "malformed-query"
    assert error["detail"]["line"] >= 1 and "column" in error["detail"]


def test_not_acceptable_formats(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": TITLES}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in error_of(response)["detail"]["offered"]
    select = http.get("/sparql", params={"query": ADOPTERS_SPARQL}, headers={"Accept": "image/png"})
    assert select.status_code == 406 and error_of(select)["code"] == "not-acceptable"
    unknown = http.get("/sparql", params={"query": ADOPTERS_SPARQL, "format": "yaml"})
    assert unknown.status_code == 400 and error_of(unknown)["detail"]["parameter"] == "format"


def test_row_cap_marks_truncated_answers(http: httpx.Client) -> None:
    everything = "SELECT ?j WHERE { ?j a <https://w3id.org/policykg/ontology#Jurisdiction> }"  # ~6,700
    response = http.get("/sparql", params={"query": everything})
    body = response.json()
    assert len(body["results"]["bindings"]) == LIVE_MAX_ROWS
    assert body["truncated"] is True and response.headers["policykg-truncated"] == "true"
    as_csv = http.get("/sparql", params={"query": everything, "format": "csv"})
    assert len(as_csv.text.splitlines()) == LIVE_MAX_ROWS + 1 and as_csv.headers["policykg-truncated"] == "true"
    small = http.get("/sparql", params={"query": everything + " LIMIT 3"})
    assert "truncated" not in small.json() and "policykg-truncated" not in small.headers


def test_service_description(http: httpx.Client, live_server: LiveServer) -> None:
    response = http.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, URIRef(live_server.url + "/sparql")) in graph
    assert (None, sd.feature, sd.UnionDefaultGraph) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) in graph  # this server has a token
    as_jsonld = http.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(graph)


def test_wrong_endpoint_or_body(http: httpx.Client) -> None:
    update = http.post("/sparql", data={"update": "DROP ALL"})
    assert update.status_code == 400 and error_of(update)["detail"]["reason"] == "update-as-query"
    as_query = http.post("/sparql/update", content=b"SELECT * WHERE { ?s ?p ?o }",
                         headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert as_query.status_code == 400 and error_of(as_query)["detail"]["reason"] == "query-as-update"
    text = http.post("/sparql", content=b"SELECT * {}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and error_of(text)["code"] == "unsupported-media-type"
    two = http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400 and error_of(two)["detail"]["parameter"] == "query"
    empty = http.post("/sparql", data={"query": " "})
    assert empty.status_code == 400
    put = http.put("/sparql", content=b"x")
    assert put.status_code == 405 and error_of(put)["code"] == "method-not-allowed"
    missing = http.get("/no/such/thing")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not-found"


def test_graph_store_protocol_reads(http: httpx.Client) -> None:
    one = http.get("/rdf-graphs/service", params={"graph": ZJ_DOC})
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=one.text, format="turtle")
    assert (URIRef(ZJ_DOC), DCTERMS.title, None) in graph
    assert http.get("/rdf-graphs/service", params={"graph": ZJ_DOC}).content == one.content
    as_xml = http.get("/rdf-graphs/service", params={"graph": ZJ_DOC, "format": "rdfxml"})
    assert len(Graph().parse(data=as_xml.content, format="xml")) == len(graph)
    union = http.get("/rdf-graphs/service?default", headers={"Accept": "application/n-triples"})
    assert union.status_code == 200
    assert len(Graph().parse(data=union.text, format="nt")) > len(graph)
    absent = http.get("/rdf-graphs/service", params={"graph": "https://example.org/no-such-graph"})
    assert absent.status_code == 404 and error_of(absent)["code"] == "not-found"
    neither = http.get("/rdf-graphs/service")
    assert neither.status_code == 400 and error_of(neither)["code"] == "bad-request"
    both = http.get(f"/rdf-graphs/service?default&graph={ZJ_DOC}")
    assert both.status_code == 400
    bookkeeping = http.get("/rdf-graphs/service", params={"graph": "urn:x-policykg:store"})
    assert bookkeeping.status_code == 400 and error_of(bookkeeping)["code"] == "bad-request"
    not_rdf = http.get("/rdf-graphs/service", params={"graph": ZJ_DOC}, headers={"Accept": "text/csv"})
    assert not_rdf.status_code == 406
    put = http.put("/rdf-graphs/service", params={"graph": ZJ_DOC}, content=b"")
    assert put.status_code == 405


# --------------------------------------------------------------------------- operational


def test_request_size_limit(http: httpx.Client) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * LIVE_MAX_REQUEST
    response = http.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert error_of(response)["detail"]["limit_bytes"] == LIVE_MAX_REQUEST

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(LIVE_MAX_REQUEST // 4096 + 2):
            yield b"#" * 4096

    streamed = http.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


def test_gzip_cors_and_request_id(http: httpx.Client) -> None:
    response = http.get("/api/instruments", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["total"] > 50  # httpx decompressed it
    small = http.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # not worth compressing
    cors = http.get("/api/instruments", headers={"Origin": "https://yasgui.example"})
    assert cors.headers["access-control-allow-origin"] == "*"
    preflight = http.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    mine = http.get("/health", headers={"X-Request-Id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    hostile = http.get("/health", headers={"X-Request-Id": "a b\tc<script>"})
    assert hostile.headers["x-request-id"] != "a b\tc<script>" and len(hostile.headers["x-request-id"]) == 16


def test_structured_access_log(http: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="policykg.access")
    http.get("/api/jurisdictions", params={"level": "province"}, headers={"X-Request-Id": "log-test-1"})
    deadline = time.monotonic() + 5
    while True:  # the line is written once the answer has gone out
        entries = [json.loads(r.getMessage()) for r in caplog.records if r.name == "policykg.access"]
        entry = next((e for e in entries if e["request_id"] == "log-test-1"), None)
        if entry is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert entry is not None
    assert entry["method"] == "GET" and entry["path"] == "/api/jurisdictions" and entry["status"] == 200
    assert entry["query"] == "level=province" and entry["bytes"] > 0 and entry["ms"] >= 0


def test_health(http: httpx.Client) -> None:
    body = http.get("/health").json()
    assert body["status"] == "ok" and body["writes"] == "enabled"
    assert body["workers"]["size"] == 2 and body["limits"]["rows"] == LIVE_MAX_ROWS


def test_openapi_documents_every_endpoint_with_examples(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/sparql", "/sparql/update", "/rdf-graphs/service", "/api/jurisdictions", "/api/jurisdictions/{adcode}",
                 "/api/documents", "/api/documents/{document}", "/api/measures", "/api/instruments",
                 "/api/instruments/{instrument}/adopters", "/api/targets", "/api/agencies", "/api/compare", "/api/matrix",
                 "/api/queries", "/api/queries/adopters", "/api/queries/compare-jurisdictions", "/health"):
        assert path in paths, path
    adopters = paths["/api/queries/adopters"]["get"]
    params = {p["name"]: p for p in adopters["parameters"]}
    assert params["instrument"]["required"] is True and "Vocabulary id" in params["instrument"]["description"]
    assert params["instrument"]["examples"]
    assert "enum" in json.dumps(params["min_stage"]["schema"]) and "implement" in json.dumps(params["min_stage"]["schema"])
    assert paths["/api/compare"]["get"]["parameters"][0]["examples"]
    for path, methods in paths.items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] not in ("default-graph-uri", "named-graph-uri", "format", "default", "limit", "offset"):
                    assert parameter.get("examples") or parameter.get("example"), (path, method, parameter["name"])
    assert "swagger-ui" in http.get("/docs").text
