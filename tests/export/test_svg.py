"""The pictures: well-formed SVG with the expected labels, marks and metadata."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from policykg.graph.exports import GRAPH_VIEWS, export_view

from .conftest import CORPUS, EXPORTED_AT
from .helpers import corpus_version, named, roll_up_cells, sparql

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def picture(store, view: str, **params: str) -> ET.Element:
    data = b"".join(export_view(store, view=view, format="svg", params=params, exported_at=EXPORTED_AT).body)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(data)  # well-formed, or this raises


def texts(root: ET.Element) -> str:
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def marks(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css_class in (e.get("class") or "").split()]


# ------------------------------------------------------------------------------- heatmap


def test_matrix_heatmap_shows_the_four_jurisdictions_against_the_instruments_with_each_cells_stage(store) -> None:
    root = picture(store, "matrix")
    shown = texts(root)
    for name in ("浙江省", "Zhejiang", "昆明市", "Kunming", "山西省", "Shanxi", "江苏省", "Jiangsu"):
        assert name in shown
    rows = [e.get("data-jurisdiction") for e in marks(root, "text", "row")]
    assert rows == ["140000", "320000", "330000", "530100"]  # provinces first, then the city; by adcode
    cells = roll_up_cells(store)
    columns = [e.get("data-instrument") for e in marks(root, "text", "column")]
    assert sorted(columns) == sorted({i.removeprefix("inst:") for _, i in cells})
    staged = {(e.get("data-jurisdiction"), e.get("data-instrument")): (e.get("data-stage"), int(e.get("data-first-year")))
              for e in marks(root, "rect", "cell") if e.get("data-stage")}
    assert staged == {(j.removeprefix("id:jurisdiction/"), i.removeprefix("inst:")): (stage, year) for (j, i), (stage, year, _) in cells.items()}
    empty = marks(root, "rect", "empty")
    assert len(empty) == len(rows) * len(columns) - len(cells)
    legend = [e.get("class") for e in root.iter(f"{SVG}rect") if "legend" in (e.get("class") or "")]
    assert legend == ["legend stage-explore", "legend stage-pilot", "legend stage-promote", "legend stage-implement"]
    for label in ("探索", "试点", "推进", "全面实施", "Explore", "Implement"):
        assert label in shown
    zhejiang_drg = next(e for e in marks(root, "rect", "cell") if (e.get("data-jurisdiction"), e.get("data-instrument")) == ("330000", "drg-payment"))
    assert "推进" in "".join(zhejiang_drg.find(f"{SVG}title").itertext())


def test_matrix_heatmap_filters_and_limits(store) -> None:
    root = picture(store, "matrix", level="province", limit="2", instrument="universal-insurance")
    rows = [e.get("data-jurisdiction") for e in marks(root, "text", "row")]
    counts = {r["j"]: r["n"] for r in sparql(store, """SELECT ?j (COUNT(?c) AS ?n) WHERE { GRAPH <https://w3id.org/policykg/graph/rollup> {
        ?c pkg:jurisdiction ?j ; pkg:instrument ?i } ?i skos:broader* <https://w3id.org/policykg/instrument/universal-insurance> .
        ?j pkg:level "province" } GROUP BY ?j""")}
    top_two = sorted(counts, key=lambda j: (-counts[j], j))[:2]
    assert sorted(rows) == sorted(j.rsplit("/", 1)[1] for j in top_two)
    assert "2 of 3 jurisdictions" in texts(root)


# ------------------------------------------------------------------------------- timeline


def test_timeline_of_drg_payment_shows_2017_2018_2019(store) -> None:
    root = picture(store, "timeline", instrument="drg-payment")
    years = [e.get("data-year") for e in marks(root, "text", "year")]
    assert {"2017", "2018", "2019"} <= set(years)
    expected = {r["adcode"]: (int(r["firstYear"]), r["strongestStage"]) for r in named(store, "timeline", instrument="drg-payment")}
    dots = {e.get("data-jurisdiction"): (int(e.get("data-year")), e.get("data-stage")) for e in marks(root, "circle", "adoption")}
    assert dots == expected == {"330000": (2017, "promote"), "530100": (2018, "explore"), "140000": (2019, "pilot")}
    cumulative = {e.get("data-year"): int(e.get("data-cumulative")) for e in marks(root, "circle", "year-count")}
    assert cumulative == {"2017": 1, "2018": 2, "2019": 3}
    shown = texts(root)
    assert "按疾病诊断相关分组付费" in shown and "Diagnosis-related-group" in shown
    assert [e.get("data-jurisdiction") for e in marks(root, "text", "row")] == ["330000", "530100", "140000"]


# ------------------------------------------------------------------------------- networks


@pytest.mark.parametrize("view", GRAPH_VIEWS)
def test_every_network_picture_is_self_contained_svg_with_metadata(store, view) -> None:
    root = picture(store, view)
    assert root.tag == f"{SVG}svg" and root.get(XML_LANG) == "zh-Hans"
    assert root.get("font-family").endswith("sans-serif") and "Microsoft YaHei" in root.get("font-family")
    metadata = json.loads(root.find(f"{SVG}metadata").text)
    assert metadata["dataset_version"] == corpus_version(CORPUS) and metadata["view"] == view
    assert corpus_version(CORPUS)[:23] in "".join(marks(root, "text", "footer")[0].itertext())
    raw = ET.tostring(root, encoding="unicode")
    assert not re.search(r"@font-face|@import|<image|href=\"http", raw)  # nothing fetched, no web font
    result = export_view(store, view=view, format="svg", exported_at=EXPORTED_AT)
    nodes = [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    assert len(nodes) == result.nodes


def test_adoption_picture_labels_jurisdictions_and_instruments_in_both_languages(store) -> None:
    root = picture(store, "adoption")
    shown = texts(root)
    for name in ("浙江省", "Zhejiang", "昆明市", "Kunming", "按疾病诊断相关分组付费", "Diagnosis-related-group (DRG) payment", "全民医保制度"):
        assert name in shown
    edges = [e for e in root.iter(f"{SVG}path") if "edge" in (e.get("class") or "").split()]
    assert len(edges) == len(roll_up_cells(store))


def test_agency_picture_names_the_agencies_responsible_for_most_measures(store) -> None:
    rows = sparql(store, """SELECT ?label (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m pkg:responsibleAgency ?a . ?a skos:prefLabel ?label }
                            GROUP BY ?label ORDER BY DESC(?n) ?label LIMIT 3""")
    shown = texts(picture(store, "agencies"))
    for row in rows:
        assert row["label"] in shown


def test_citation_tree_shows_citing_and_cited_documents_by_level(store) -> None:
    root = picture(store, "citations")
    shown = texts(root)
    for row in named(store, "citations"):
        assert row["citedDocNumber"] in shown
    assert "浙政办发〔2017〕54号" in shown and "省" in shown and "cited, not loaded" in shown
    unloaded = [g for g in root.iter(f"{SVG}g") if "unloaded" in (g.get("class") or "").split()]
    assert len(unloaded) == len({r["citedDocNumber"] for r in named(store, "citations") if not r["cited"]})


def test_a_picture_too_big_to_read_is_refused_with_the_way_out(store, monkeypatch) -> None:
    from policykg.graph import exports

    nodes = export_view(store, view="full", format="svg", params={"limit": "5"}).nodes
    assert nodes > 300
    monkeypatch.setattr(exports, "PICTURE_MAX_NODES", 300)
    with pytest.raises(exports.ExportError, match=f"{nodes} nodes.*-p limit=N"):
        export_view(store, view="full", format="svg", params={"limit": "5"})
