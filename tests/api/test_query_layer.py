"""The query-layer pieces behind the HTTP API, called directly (no HTTP): tables of plain
values, the SPARQL answers and their serialisations, Graph Store reads, ingesting bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from policykg.graph.ingest import ingest_bytes, upload_name
from policykg.graph.sparql_guard import RefusedSparql
from policykg.graph.sparql_results import (
    GraphNotFound,
    InvalidGraphName,
    NotAcceptable,
    ProtocolDataset,
    answer_query,
    canonical_ntriples,
    dump_graph,
)
from policykg.graph.store import Store, open_store
from policykg.graph.tables import python_value, select_table

from ..conftest import CORPUS

ZJ_DOC = "https://w3id.org/policykg/id/document/330000/浙政办发-2017-54"
VOCABULARY = "https://w3id.org/policykg/graph/vocabulary"


@pytest.fixture(scope="module")
def store(loaded_store: Path) -> Iterator[Store]:
    opened = open_store(loaded_store, read_only=True)
    yield opened
    opened.close()


def test_python_values_of_both_term_kinds() -> None:
    for integer in (ox.Literal("7", datatype=ox.NamedNode(str(XSD.integer))), Literal(7)):
        assert python_value(integer) == 7
    assert python_value(ox.Literal("30.0", datatype=ox.NamedNode(str(XSD.decimal)))) == 30
    assert python_value(Literal(Decimal("2.5"))) == 2.5
    assert python_value(ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))) is True
    assert python_value(ox.Literal("NaN", datatype=ox.NamedNode(str(XSD.double)))) == "NaN"  # JSON has no NaN
    assert python_value(ox.Literal("abc", datatype=ox.NamedNode(str(XSD.integer)))) == "abc"  # ill-typed stays text
    assert python_value(Literal("2017-06-21", datatype=XSD.date)) == "2017-06-21"
    assert python_value(ox.Literal("浙江", language="zh")) == "浙江"
    assert python_value(ox.NamedNode("http://a/")) == python_value(URIRef("http://a/")) == "http://a/"
    assert python_value(BNode("b1")) == python_value(ox.BlankNode("b1")) == "_:b1"
    assert python_value(None) is None


def test_select_table_pages_counts_and_drops_parameter_columns(store: Store) -> None:
    query = ("SELECT ?_j ?d ?y WHERE { ?d <https://w3id.org/policykg/ontology#jurisdiction> ?_j ; "
             "<https://w3id.org/policykg/ontology#year> ?y } ORDER BY ?d")
    table = select_table(store, query, bindings={"_j": URIRef("https://w3id.org/policykg/id/jurisdiction/330000")}, offset=1, limit=5)
    assert table.columns == ("d", "y") and table.total == 2 and len(table.rows) == 1
    assert table.records() == [{"d": ZJ_DOC, "y": 2017}]
    everything = select_table(store, query.replace("?_j", "?j"))
    assert everything.total == 5 and len(everything.rows) == 5


def test_answers_and_formats(store: Store) -> None:
    graphs = frozenset(store.graphs())
    answer = answer_query(store, "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t } ORDER BY ?t LIMIT 2",
                          result_format="xml", graph_format=None, available_graphs=graphs, max_rows=10)
    assert answer.form == "select" and answer.count == 2 and not answer.truncated
    assert answer.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>') and b'xml:lang="zh"' in answer.body
    with pytest.raises(NotAcceptable):
        answer_query(store, "ASK {}", result_format=None, graph_format="turtle", available_graphs=graphs, max_rows=10)
    with pytest.raises(RefusedSparql):
        answer_query(store, "SELECT * WHERE { ?s ?p ?o }", result_format="json", graph_format=None, available_graphs=graphs,
                     dataset=ProtocolDataset(default_graphs=("https://example.org/elsewhere",)), max_rows=10)
    construct = answer_query(store, f"DESCRIBE <{ZJ_DOC}>", result_format=None, graph_format="ntriples",
                             available_graphs=graphs, max_rows=3)
    assert construct.truncated and construct.count == 3 and construct.body.count(b"\n") == 3


def test_graph_store_reads_match_store_dump_byte_for_byte(store: Store) -> None:
    for graph in (ZJ_DOC, VOCABULARY):  # the vocabulary has blank nodes
        for format in ("ntriples", "turtle", "trig", "jsonld"):
            assert dump_graph(store, graph, format=format, max_triples=10**6).body == store.dump(format=format, graph=graph)
    cut = dump_graph(store, ZJ_DOC, format="ntriples", max_triples=10)
    assert cut.truncated and cut.body.splitlines() == store.dump(format="ntriples", graph=ZJ_DOC).splitlines()[:10]
    with pytest.raises(GraphNotFound):
        dump_graph(store, "https://example.org/none", format="turtle", max_triples=10)
    with pytest.raises(InvalidGraphName):
        dump_graph(store, "not an iri", format="turtle", max_triples=10)


def test_canonical_blank_nodes_do_not_depend_on_the_labels_a_store_gave() -> None:
    first = b'_:x <http://p/> "1" .\n<http://s/> <http://q/> _:x .\n<http://s/> <http://r/> "_:y not a node" .\n'
    second = first.replace(b"_:x", b"_:something-else")
    assert canonical_ntriples(first) == canonical_ntriples(second)
    assert b'<http://s/> <http://r/> "_:y not a node" .' in canonical_ntriples(first)


def test_ingest_bytes_records_the_upload_name(tmp_path: Path) -> None:
    store = open_store(None)
    data = (CORPUS / "003_5f10625ec1a73048.txt").read_bytes()
    first = ingest_bytes(store, data, name=upload_name("C:\\Users\\me\\notice.txt"))
    assert first.status == "loaded" and first.record.source.path == "upload:notice.txt"
    assert ingest_bytes(store, data, name="upload:again.txt").status == "unchanged"
    rollup = store.query(f"ASK {{ GRAPH <https://w3id.org/policykg/graph/rollup> {{ ?c <https://w3id.org/policykg/ontology#document> <{first.document}> }} }}")
    assert rollup.boolean is True
    assert upload_name(None) == "upload:document.txt" and upload_name("../../etc/passwd") == "upload:passwd"
    store.close()


def test_dumped_json_ld_is_json(store: Store) -> None:
    answer = dump_graph(store, ZJ_DOC, format="jsonld", max_triples=10**6)
    parsed = json.loads(answer.body)
    assert parsed and len(rdflib.Graph().parse(data=answer.body, format="json-ld")) == answer.count
