"""Every format read back by a real reader: networkx, the GEXF 1.2 schema, pydot, csv."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from policykg.graph import formats
from policykg.graph.exports import GRAPH_VIEWS, export_view, write_atomically

from .conftest import EXPORTED_AT
from .helpers import corpus_version, named, roll_up_cells
from .conftest import CORPUS

SCHEMA_DIR = Path(__file__).resolve().parent / "gexf-1.2draft"
GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def gexf_schema():
    xmlschema = pytest.importorskip("xmlschema", reason="the [test] extra installs xmlschema")
    return xmlschema.XMLSchema10(str(SCHEMA_DIR / "gexf.xsd"))


def body(store, view: str, format: str, **params: str) -> bytes:
    return b"".join(export_view(store, view=view, format=format, params=params, exported_at=EXPORTED_AT).body)


def expected_adoption(store) -> tuple[int, int]:
    cells = roll_up_cells(store)
    return len({j for j, _ in cells}) + len({i for _, i in cells}), len(cells)


# ------------------------------------------------------------------------------- GraphML


def test_graphml_parses_back_with_networkx_with_sparql_counts_and_typed_attributes(store, tmp_path) -> None:
    path = tmp_path / "adoption.graphml"
    path.write_bytes(body(store, "adoption", "graphml"))
    graph = nx.read_graphml(path)
    nodes, edges = expected_adoption(store)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    cells = roll_up_cells(store)
    for (jurisdiction, instrument), (stage, first_year, documents) in cells.items():
        edge = graph.edges[jurisdiction, instrument]
        assert (edge["stage"], edge["first_year"], edge["documents"]) == (stage, first_year, documents)
    assert graph.nodes["id:jurisdiction/330000"]["label"] == "浙江省"
    assert graph.graph["policykg_dataset_version"] == corpus_version(CORPUS)
    assert graph.graph["policykg_exported_at"] == "2026-01-02T03:04:05Z"
    assert json.loads(graph.graph["policykg_params"]) == {}


@pytest.mark.parametrize("view", GRAPH_VIEWS)
def test_graphml_of_every_view_reads_back_whole(store, view, tmp_path) -> None:
    result = export_view(store, view=view, format="graphml", exported_at=EXPORTED_AT)
    path = tmp_path / f"{view}.graphml"
    path.write_bytes(b"".join(result.body))
    graph = nx.read_graphml(path)
    assert (graph.number_of_nodes(), graph.number_of_edges(), graph.is_directed()) == (result.nodes, result.edges, result.metadata["directed"])
    assert result.nodes and result.edges


def test_graphml_of_a_directed_view_stays_directed(store, tmp_path) -> None:
    path = tmp_path / "citations.graphml"
    path.write_bytes(body(store, "citations", "graphml"))
    graph = nx.read_graphml(path)
    assert graph.is_directed()
    assert graph.number_of_edges() == len(named(store, "citations"))


# ------------------------------------------------------------------------------- GEXF


@pytest.mark.parametrize("view", GRAPH_VIEWS)
def test_gexf_is_valid_gexf_1_2_and_reads_back(store, gexf_schema, view, tmp_path) -> None:
    data = body(store, view, "gexf")
    errors = [str(e.reason) for e in gexf_schema.iter_errors(data.decode("utf-8"))]
    assert errors == []
    path = tmp_path / f"{view}.gexf"
    path.write_bytes(data)
    graph = nx.read_gexf(path)
    result = export_view(store, view=view, format="gexf", exported_at=EXPORTED_AT)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (result.nodes, result.edges)


def test_gexf_adoption_is_dynamic_with_start_dates_and_metadata(store, gexf_schema) -> None:
    root = ET.fromstring(body(store, "adoption", "gexf"))
    graph = root.find(f"{GEXF}graph")
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == ("dynamic", "date", "undirected")
    edges = graph.findall(f"{GEXF}edges/{GEXF}edge")
    nodes, count = expected_adoption(store)
    assert len(edges) == count and len(graph.findall(f"{GEXF}nodes/{GEXF}node")) == nodes
    kunming_drg = next(e for e in edges if (e.get("source"), e.get("target")) == ("id:jurisdiction/530100", "inst:drg-payment"))
    assert kunming_drg.get("start") == "2018-05-02"
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", e.get("start")) for e in edges)
    description = root.find(f"{GEXF}meta/{GEXF}description").text
    assert f"dataset_version: {corpus_version(CORPUS)}" in description
    assert "exported_at: 2026-01-02T03:04:05Z" in description
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") == "2026-01-02"


def test_gexf_of_a_made_up_graph_with_awkward_text_is_still_valid(gexf_schema) -> None:
    graph = nx.DiGraph()
    graph.add_node("a&b", label='引号"<尖括号>\x01', kind="x", score=1.5, flag=True)
    graph.add_node("c", label="  spaced  ", kind="x", score=2, start="2019-01-01")
    graph.add_edge("a&b", "c", weight=3, note="#1, \"quoted\"")
    data = b"".join(formats.gexf_chunks(graph, {"view": "test", "exported_at": "2026-01-02T03:04:05Z"}))
    assert [str(e.reason) for e in gexf_schema.iter_errors(data.decode())] == []
    root = ET.fromstring(data)
    assert root.find(f"{GEXF}graph").get("mode") == "dynamic"


# ------------------------------------------------------------------------------- JSON


def test_cytoscape_json_reads_back_with_networkx(store) -> None:
    document = json.loads(body(store, "agencies", "cytoscape"))
    assert document["metadata"]["dataset_version"] == corpus_version(CORPUS)
    graph = nx.cytoscape_graph(document)
    expected = named(store, "co-responsibility")
    assert graph.number_of_edges() == len(expected)
    assert all("id" in e["data"] and "source" in e["data"] for e in document["elements"]["edges"])


def test_d3_json_states_its_edges_key_and_reads_back(store) -> None:
    document = json.loads(body(store, "adoption", "d3"))
    assert document["metadata"]["edges_key"] == "links" and "links" in document
    graph = nx.node_link_graph(document, edges="links")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == expected_adoption(store)
    assert document["metadata"]["exported_at"] == "2026-01-02T03:04:05Z"


# ------------------------------------------------------------------------------- Pajek, DOT


def test_pajek_reads_back_with_networkx(store, tmp_path) -> None:
    data = body(store, "adoption", "pajek")
    first = data.decode("utf-8").splitlines()[0]
    assert first.startswith("% policykg-metadata: ")
    assert json.loads(first.split(": ", 1)[1])["dataset_version"] == corpus_version(CORPUS)
    path = tmp_path / "adoption.net"
    path.write_bytes(data)
    graph = nx.read_pajek(path)
    nodes, edges = expected_adoption(store)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    assert "浙江省" in graph


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot on pyparsing 3.3
def test_dot_parses_with_pydot(store) -> None:
    pydot = pytest.importorskip("pydot", reason="the [test] extra installs pydot")
    (graph,) = pydot.graph_from_dot_data(body(store, "citations", "dot").decode("utf-8"))
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("graph", "node", "edge")]
    expected = named(store, "citations")
    assert len(graph.get_edges()) == len(expected)
    assert len(nodes) == len({r["citing"] for r in expected} | {r["cited"] or r["citedDocNumber"] for r in expected})
    assert graph.get_type() == "digraph"
    assert corpus_version(CORPUS) in graph.get_attributes()["comment"].replace('\\"', '"')


# ------------------------------------------------------------------------------- CSV


def read_csv(data: bytes) -> tuple[dict, list[dict[str, str]]]:
    """As pandas.read_csv(comment="#") would: the metadata line, then the table."""
    text = data.decode("utf-8")
    first, rest = text.split("\n", 1)
    assert first.startswith("# policykg-metadata: ")
    return json.loads(first[len("# policykg-metadata: "):]), list(csv.DictReader(io.StringIO(rest)))


def test_csv_edge_and_node_lists(store) -> None:
    metadata, edges = read_csv(body(store, "adoption", "csv"))
    cells = roll_up_cells(store)
    assert metadata["dataset_version"] == corpus_version(CORPUS) and metadata["table"] == "edges"
    assert {(r["source"], r["target"]): (r["stage"], int(r["first_year"]), int(r["documents"])) for r in edges} == cells
    metadata, nodes = read_csv(body(store, "adoption", "csv", table="nodes"))
    assert metadata["table"] == "nodes"
    assert len(nodes) == expected_adoption(store)[0]
    assert {r["id"]: r["label_en"] for r in nodes}["id:jurisdiction/530100"] == "Kunming"


def test_csv_quotes_hashes_so_a_comment_reader_keeps_them() -> None:
    data = b"".join(formats.csv_chunks(("a", "b"), [("x#1", 'say "hi", twice'), (None, 2.5), (True, "line\nbreak")], {"view": "t"}))
    lines = data.decode().split("\n")
    assert lines[2] == '"x#1","say ""hi"", twice"'
    assert lines[3] == ",2.5"
    _, rows = read_csv(data)
    assert rows[0] == {"a": "x#1", "b": 'say "hi", twice'} and rows[2]["b"] == "line\nbreak"


def test_csv_reads_with_pandas_comment_option(store) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.BytesIO(body(store, "agencies", "csv")), comment="#")
    assert len(frame) == len(named(store, "co-responsibility"))


# ------------------------------------------------------------------------------- determinism, files


@pytest.mark.parametrize("format", ["graphml", "gexf", "cytoscape", "d3", "pajek", "dot", "csv", "svg"])
def test_the_same_data_gives_the_same_bytes_except_the_time_stamp(store, format) -> None:
    first = body(store, "agencies", format)
    assert first == body(store, "agencies", format)
    later = b"".join(export_view(store, view="agencies", format=format, exported_at=EXPORTED_AT.replace(year=2027)).body)
    assert later != first
    assert later.replace(b"2027-01-02", b"2026-01-02") == first


def test_write_atomically_never_leaves_a_partial_or_empty_file(tmp_path) -> None:
    target = tmp_path / "out" / "graph.gexf"

    def failing():
        yield b"<gexf>"
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_atomically(target, failing())
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    target.write_bytes(b"previous export")
    with pytest.raises(RuntimeError):
        write_atomically(target, failing())
    assert target.read_bytes() == b"previous export"
    assert write_atomically(target, [b"new ", b"export"]) == 10
    assert target.read_bytes() == b"new export"
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.gexf"]
