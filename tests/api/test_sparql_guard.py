"""The guard that parses every query and update before it runs (graph/sparql_guard.py)."""

from __future__ import annotations

import pytest

from policykg.graph.sparql_guard import (
    CheckedQuery,
    RefusedSparql,
    SparqlSyntaxError,
    check_dataset,
    check_query,
    check_update,
)

URL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE SILENT <{URL}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    f"PREFIX remote: <http://127.0.0.1:9/> SELECT * WHERE {{ SERVICE remote:sparql {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ OPTIONAL {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }} }} }}",
    f"SELECT * WHERE {{ GRAPH ?g {{ {{ ?s ?p ?o }} UNION {{ MINUS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }} }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"ASK {{ BIND(EXISTS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} AS ?x) }}",
    f"DESCRIBE ?s WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service <{URL}> {{ ?s ?p ?o }} }}",
])
def test_service_anywhere_is_refused(query: str) -> None:
    with pytest.raises(RefusedSparql) as refused:
        check_query(query)
    assert refused.value.reason == "service"


@pytest.mark.parametrize("query", [
    f'SELECT * WHERE {{ ?s ?p "SERVICE <{URL}> {{ ?s ?p ?o }}" }}',
    f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE <{URL}> {{ }}",
    f"SELECT * WHERE {{ ?s <{URL}#SERVICE> ?o }}",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",
])
def test_the_word_in_text_is_not_a_service(query: str) -> None:
    assert check_query(query).form == "select"


def test_forms_and_dataset_clauses() -> None:
    checked = check_query("SELECT * FROM <http://a/> FROM <http://b/> FROM NAMED <http://c/> WHERE { ?s ?p ?o }")
    assert checked == CheckedQuery(form="select", from_graphs=("http://a/", "http://b/"), from_named_graphs=("http://c/",))
    assert checked.has_dataset_clause
    assert check_query("ASK {}").form == "ask" and not check_query("ASK {}").has_dataset_clause
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }").form == "construct"
    assert check_query("DESCRIBE <http://example.org/x>").form == "describe"
    assert check_query("BASE <http://example.org/> SELECT * FROM <g> WHERE { ?s ?p ?o }").from_graphs == ("http://example.org/g",)


def test_syntax_errors_carry_the_position() -> None:
    with pytest.raises(SparqlSyntaxError) as error:
        check_query("SELECT ?x\nWHERE {\n  ?x ?y\n}")
    assert error.value.line == 3 and error.value.column is not None and error.value.context is not None
    assert "line 3" in str(error.value)
    with pytest.raises(SparqlSyntaxError):
        check_query("")


def test_updates_and_queries_sent_to_the_wrong_place() -> None:
    with pytest.raises(RefusedSparql) as as_query:
        check_query("INSERT DATA { <http://a/> <http://b/> <http://c/> }")
    assert as_query.value.reason == "update-as-query"
    with pytest.raises(RefusedSparql) as as_update:
        check_update("SELECT * WHERE { ?s ?p ?o }")
    assert as_update.value.reason == "query-as-update"


@pytest.mark.parametrize(("update", "reason"), [
    (f"LOAD <{URL}>", "load"),
    (f"LOAD SILENT <{URL}> INTO GRAPH <http://example.org/g>", "load"),
    (f"CLEAR ALL ; LOAD <{URL}>", "load"),
    (f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}", "service"),
    (f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }}", "service"),
])
def test_fetching_updates_are_refused(update: str, reason: str) -> None:
    with pytest.raises(RefusedSparql) as refused:
        check_update(update)
    assert refused.value.reason == reason and (refused.value.iri == URL or reason == "service")


def test_using_clauses_are_reported() -> None:
    checked = check_update("DELETE { ?s ?p ?o } USING <http://b/> USING NAMED <http://a/> WHERE { ?s ?p ?o }")
    assert checked.using_graphs == ("http://a/", "http://b/")
    assert check_update("INSERT DATA { <http://a/> <http://b/> 1 }").using_graphs == ()


def test_check_dataset() -> None:
    check_dataset(["http://a/"], {"http://a/", "http://b/"}, clause="FROM")
    with pytest.raises(RefusedSparql) as refused:
        check_dataset(["http://a/", "http://127.0.0.1:9/"], {"http://a/"}, clause="default-graph-uri")
    assert refused.value.reason == "unknown-graph" and refused.value.iri == "http://127.0.0.1:9/"
    assert str(refused.value).startswith("default-graph-uri <http://127.0.0.1:9/>")


def test_prefixed_and_relative_graph_names_are_resolved() -> None:
    checked = check_query("BASE <http://e.org/> PREFIX ex: <http://x.org/> "
                          "SELECT * FROM ex:g FROM <rel> FROM NAMED <http://abs/> WHERE { ?s ?p ?o }")
    assert checked.from_graphs == ("http://x.org/g", "http://e.org/rel") and checked.from_named_graphs == ("http://abs/",)
    with pytest.raises(RefusedSparql) as refused:
        check_query("PREFIX remote: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE remote:sparql { ?s ?p ?o } }")
    assert refused.value.iri == "http://127.0.0.1:9/sparql"
    assert check_update("PREFIX ex: <http://x.org/> DELETE { ?s ?p ?o } USING ex:g WHERE { ?s ?p ?o }").using_graphs == ("http://x.org/g",)
    with pytest.raises(SparqlSyntaxError, match="prefix nope: is not declared"):
        check_query("SELECT * FROM nope:g WHERE { ?s ?p ?o }")
