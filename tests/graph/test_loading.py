"""Loading documents into a real (in-memory Oxigraph) store, and the acceptance questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from policykg.graph.loading import delete_document, load_paths
from policykg.graph.named_queries import run_named_query
from policykg.graph.store import open_store

from ..conftest import CORPUS


@pytest.fixture(scope="module")
def loaded():
    store = open_store(None)
    results = load_paths(store, [CORPUS], workers=1)
    assert [r.status for r in results] == ["loaded"] * 5
    yield store
    store.close()


def _rows(store, name: str, **params) -> list[dict[str, str]]:
    result = run_named_query(store, name, params)
    return [{k: str(v) for k, v in row.items() if v is not None} for row in result.rows]


def test_drg_adopters_are_zhejiang_kunming_and_shanxi(loaded) -> None:
    rows = _rows(loaded, "adopters", instrument="drg-payment")
    found = {(r["adcode"], r["year"]) for r in rows}
    assert found == {("330000", "2017"), ("530100", "2018"), ("140000", "2019")}
    assert all(r["stage"] in ("explore", "pilot", "promote", "implement") and r["docNumber"] for r in rows)


def test_two_invoice_adopters_are_zhejiang_and_kunming(loaded) -> None:
    rows = _rows(loaded, "adopters", instrument="two-invoice-system")
    assert {r["adcode"] for r in rows} == {"330000", "530100"}


def test_citations_link_documents_to_the_national_documents_they_cite(loaded) -> None:
    rows = _rows(loaded, "citations")
    cited = {(r["citingDocNumber"], r["citedDocNumber"]) for r in rows}
    assert ("浙政办发〔2017〕54号", "国办发〔2017〕37号") in cited
    assert ("晋医改组发〔2019〕1号", "国医改发〔2019〕2号") in cited
    assert ("昆办通〔2018〕23号", "厅字〔2016〕36号") in cited


def test_loading_the_same_files_twice_changes_nothing(loaded) -> None:
    before = loaded.dump(format="nquads")
    results = load_paths(loaded, [CORPUS], workers=1)
    assert {r.status for r in results} == {"unchanged"}
    assert loaded.dump(format="nquads") == before


def test_exports_are_deterministic(loaded) -> None:
    assert loaded.dump(format="trig") == loaded.dump(format="trig")


def test_a_changed_document_replaces_its_graph_and_delete_removes_it(tmp_path: Path) -> None:
    store = open_store(None)
    source = tmp_path / "zj.txt"
    shutil.copy(CORPUS / "000_113ca028d25bd718.txt", source)
    [first] = load_paths(store, [source], workers=1)
    count = store.count(graph=first.document)
    text = source.read_text(encoding="utf-8").replace("37．强化医改工作的督查考核", "37．强化医改工作的督查")
    source.write_text(text + "\n38．推进两票制。（省医改办负责）\n", encoding="utf-8")
    [second] = load_paths(store, [source], workers=1)
    assert (second.status, second.document) == ("replaced", first.document)
    measures = store.query(
        "SELECT (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m <http://data.europa.eu/eli/ontology#is_part_of> ?d } }",
        bindings={"g": URIRef(first.document), "d": URIRef(first.document)},
        default_graph_union=False,
    )
    assert int(measures.rows[0]["n"]) == 38  # replaced, not added to
    assert store.count(graph=first.document) > count - 50
    assert delete_document(store, first.document)
    assert first.document not in store.graphs()
    assert _rows(store, "adopters", instrument="two-invoice-system") == []


def test_a_bad_file_in_a_batch_is_reported_and_nothing_of_it_is_loaded(tmp_path: Path) -> None:
    store = open_store(None)
    good = tmp_path / "a.txt"
    shutil.copy(CORPUS / "003_5f10625ec1a73048.txt", good)
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    results = {Path(r.path).name: r for r in load_paths(store, [tmp_path], workers=1)}
    assert results["a.txt"].status == "loaded"
    assert results["b.txt"].status == "error" and "binary file" in (results["b.txt"].error or "")
    documents = [g for g in store.graphs() if "/id/document/" in g]
    assert documents == [results["a.txt"].document]


def test_a_bulk_load_interrupted_by_a_crash_is_undone_on_reopen(tmp_path) -> None:
    """The on-disk store bulk-loads new documents outside a transaction; what a crash leaves of
    a pending load (its graphs listed in the bookkeeping graph) is removed when the store is next
    opened for writing, so no document survives in part."""
    import pyoxigraph as ox

    from policykg.graph.oxigraph_store import _LOADING_GRAPH, _PENDING

    directory = tmp_path / "store"
    store = open_store(directory)
    store.replace_graphs_ntriples({"urn:x-test:kept": "<urn:a> <urn:b> <urn:c> .\n"})
    store.close()
    raw = ox.Store(str(directory))  # what a killed loader leaves: the intent record + half a graph
    half = ox.NamedNode("urn:x-test:half")
    raw.extend([ox.Quad(_LOADING_GRAPH, _PENDING, half, _LOADING_GRAPH)])
    raw.bulk_load(b"<urn:a> <urn:b> <urn:d> <urn:x-test:half> .\n", format=ox.RdfFormat.N_QUADS)
    raw.flush()
    del raw
    reopened = open_store(directory)
    assert reopened.graphs() == ["urn:x-test:kept"]
    assert reopened.count() == 1
    reopened.close()


def _rollup(store) -> bytes:
    return store.dump(format="nquads", graph="https://w3id.org/policykg/graph/rollup")


def test_the_roll_up_is_the_same_however_the_documents_arrived(tmp_path) -> None:
    """Three ways to the same roll-up: the first-load path (facts from the workers), the
    incremental path (facts from the store for the touched jurisdictions, after adding and
    after deleting documents), and a full rebuild from the store."""
    from policykg.graph.loading import rebuild_rollups

    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    at_once = open_store(None)
    load_paths(at_once, files, workers=1)
    expected = _rollup(at_once)
    assert expected.count(b"JurisdictionAdoption") > 20 and b"/ontology#firstYear" in expected

    in_steps = open_store(tmp_path / "steps")
    load_paths(in_steps, files[:2], workers=1)
    load_paths(in_steps, files[2:], workers=1)
    assert _rollup(in_steps) == expected

    rebuild_rollups(in_steps)
    assert _rollup(in_steps) == expected

    extra = load_paths(in_steps, [files[0]], workers=1)  # unchanged: nothing to refresh
    assert [r.status for r in extra] == ["unchanged"]
    gone = next(r.document for r in load_paths(at_once, [files[-1]], workers=1))
    assert delete_document(in_steps, gone) and delete_document(at_once, gone)
    fresh = open_store(None)
    load_paths(fresh, [f for f in files if f != files[-1]], workers=1)
    assert _rollup(in_steps) == _rollup(at_once) == _rollup(fresh) != expected
    in_steps.close()
