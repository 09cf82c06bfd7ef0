"""The projections against SPARQL over the same store (the bundled corpus)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from policykg.graph import projections as p
from policykg.graph.exports import ExportError, dataset_version, export_view

from .conftest import CORPUS, EXPORTED_AT
from .helpers import ROLLUP, corpus_version, named, roll_up_cells, sparql


def edges_by_kind(graph, first_kind: str) -> dict[tuple[str, str], dict]:
    """Undirected edges oriented (node of ``first_kind``, other)."""
    out = {}
    for u, v, attributes in graph.edges(data=True):
        if graph.nodes[u]["kind"] != first_kind:
            u, v = v, u
        out[(u, v)] = attributes
    return out


# ------------------------------------------------------------------------------- adoption


def test_adoption_is_the_roll_up_with_stage_first_year_and_documents(store) -> None:
    expected = roll_up_cells(store)
    graph = p.adoption_graph(p.fetch_cells(store))
    jurisdictions = {j for j, _ in expected}
    instruments = {i for _, i in expected}
    assert graph.number_of_nodes() == len(jurisdictions) + len(instruments) == 80
    assert graph.number_of_edges() == len(expected) == 194
    got = {edge: (a["stage"], a["first_year"], a["documents"]) for edge, a in edges_by_kind(graph, "jurisdiction").items()}
    assert got == expected


def test_adoption_nodes_carry_labels_level_parent_and_broader_category(store) -> None:
    graph = p.adoption_graph(p.fetch_cells(store))
    zhejiang = graph.nodes["id:jurisdiction/330000"]
    assert (zhejiang["label"], zhejiang["label_en"], zhejiang["level"], zhejiang["adcode"], zhejiang["parent"]) == (
        "浙江省", "Zhejiang", "province", "330000", "100000")
    kunming = graph.nodes["id:jurisdiction/530100"]
    assert (kunming["label_en"], kunming["level"], kunming["parent"]) == ("Kunming", "city", "530000")
    drg = graph.nodes["inst:drg-payment"]
    broader = sparql(store, "SELECT ?b WHERE { <https://w3id.org/policykg/instrument/drg-payment> skos:broader ?b }")
    assert drg["broader"] == broader[0]["b"].rsplit("/", 1)[1] == "universal-insurance"
    assert drg["label"] == "按疾病诊断相关分组付费" and drg["label_en"].startswith("Diagnosis-related-group")


def test_adoption_edges_start_on_the_first_adopting_documents_date(store) -> None:
    graph = p.adoption_graph(p.fetch_cells(store))
    dates = {r["d"]: r["date"] for r in sparql(store, "SELECT ?d ?date WHERE { GRAPH ?d { ?d eli:date_document ?date } }")}
    edge = graph.edges["id:jurisdiction/530100", "inst:drg-payment"]
    assert edge["start"] == dates["https://w3id.org/policykg/id/document/530100/昆办通-2018-23"] == "2018-05-02"
    # 浙医改办〔2017〕7号 has no date: a Zhejiang cell adopted only by it starts on 1 January
    only_undated = [e for e in edges_by_kind(graph, "jurisdiction").values() if e["document_ids"] == "id:document/330000/浙医改办-2017-7"]
    assert only_undated and {e["start"] for e in only_undated} == {"2017-01-01"}


def test_adoption_filters_instrument_with_narrower_ones_and_selection(store) -> None:
    narrower = sparql(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ROLLUP} {{ ?c pkg:instrument ?i }}
                                 ?i skos:broader* <https://w3id.org/policykg/instrument/universal-insurance> }}""")[0]["n"]
    graph = p.adoption_graph(p.fetch_cells(store, instrument="universal-insurance"))
    assert graph.number_of_edges() == narrower > 4
    zhejiang = p.adoption_graph(p.fetch_cells(store, selection=p.Selection(within="330000")))
    assert {n for n, a in zhejiang.nodes(data=True) if a["kind"] == "jurisdiction"} == {"id:jurisdiction/330000"}
    cities = p.adoption_graph(p.fetch_cells(store, selection=p.Selection(level="city")))
    assert {n for n, a in cities.nodes(data=True) if a["kind"] == "jurisdiction"} == {"id:jurisdiction/530100"}
    implemented = p.adoption_graph(p.fetch_cells(store, min_stage="implement"))
    assert {a["stage"] for *_, a in implemented.edges(data=True)} == {"implement"}
    assert implemented.number_of_edges() == sum(1 for s, _, _ in roll_up_cells(store).values() if s == "implement")


# ------------------------------------------------------------------------------- similarity


def test_similarity_weights_are_the_jaccard_index_of_instrument_sets(store) -> None:
    shared = {(r["a"], r["b"]): r["shared"] for r in sparql(store, f"""
        SELECT ?a ?b (COUNT(DISTINCT ?i) AS ?shared) WHERE {{ GRAPH {ROLLUP} {{
          ?c1 pkg:jurisdiction ?a ; pkg:instrument ?i . ?c2 pkg:jurisdiction ?b ; pkg:instrument ?i . }}
          FILTER(STR(?a) < STR(?b)) }} GROUP BY ?a ?b""")}
    sizes = {r["a"]: r["n"] for r in sparql(store, f"""
        SELECT ?a (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH {ROLLUP} {{ ?c pkg:jurisdiction ?a ; pkg:instrument ?i }} }} GROUP BY ?a""")}
    graph = p.similarity_graph(p.fetch_cells(store, with_documents=False), top=None)
    assert graph.number_of_nodes() == len(sizes) == 4
    assert graph.number_of_edges() == len(shared) == 6
    for (a, b), n in shared.items():
        edge = graph.edges[p.curie(a), p.curie(b)]
        assert edge["shared"] == n
        assert edge["weight"] == round(n / (sizes[a] + sizes[b] - n), 6)


def test_similarity_top_keeps_each_jurisdictions_closest_partner(store) -> None:
    everything = p.similarity_graph(p.fetch_cells(store, with_documents=False), top=None)
    closest = p.similarity_graph(p.fetch_cells(store, with_documents=False), top=1)
    for node in everything:
        best = max(everything[node], key=lambda other: (everything.edges[node, other]["weight"], other))
        assert closest.has_edge(node, best)
    assert closest.number_of_edges() < everything.number_of_edges()
    threshold = p.similarity_graph(p.fetch_cells(store, with_documents=False), top=None, min_jaccard=0.3)
    assert all(a["weight"] >= 0.3 for *_, a in threshold.edges(data=True))
    assert threshold.number_of_edges() == sum(1 for *_, a in everything.edges(data=True) if a["weight"] >= 0.3)


# ------------------------------------------------------------------------------- agencies


def test_agency_network_is_co_responsibility_rq_with_lead_and_co_counts(store) -> None:
    expected = {(p.curie(r["agency1"]), p.curie(r["agency2"])): r["weight"] for r in named(store, "co-responsibility")}
    graph = p.agency_graph(p.fetch_agency_rows(store))
    assert {(u, v): a["weight"] for u, v, a in graph.edges(data=True)} == expected
    responsible = {p.curie(r["a"]): r["n"] for r in sparql(store, "SELECT ?a (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m pkg:responsibleAgency ?a } GROUP BY ?a")}
    lead = {p.curie(r["a"]): r["n"] for r in sparql(store, "SELECT ?a (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m pkg:leadAgency ?a } GROUP BY ?a")}
    assert graph.number_of_nodes() == len(responsible)
    for node, attributes in graph.nodes(data=True):
        assert attributes["measures"] == responsible[node]
        assert attributes["lead"] == lead.get(node, 0)
        assert attributes["co"] == responsible[node] - lead.get(node, 0)
    health = graph.nodes["id:agency/330000/浙江省卫生健康委员会"]
    assert (health["label"], health["function"], health["adcode"]) == ("浙江省卫生健康委员会", "health", "330000")


def test_agency_network_edges_count_who_leads_the_shared_measures(store) -> None:
    rows = sparql(store, """SELECT ?m ?a ?lead WHERE { ?m pkg:responsibleAgency ?a .
                            OPTIONAL { ?m pkg:leadAgency ?lead } }""")
    members, leaders = defaultdict(set), defaultdict(set)
    for r in rows:
        members[r["m"]].add(p.curie(r["a"]))
        if r["lead"]:
            leaders[r["m"]].add(p.curie(r["lead"]))
    graph = p.agency_graph(p.fetch_agency_rows(store))
    for u, v, attributes in graph.edges(data=True):
        shared = [m for m, agencies in members.items() if {u, v} <= agencies]
        assert attributes["weight"] == len(shared)
        assert attributes["lead_source"] == sum(1 for m in shared if u in leaders[m])
        assert attributes["lead_target"] == sum(1 for m in shared if v in leaders[m])


def test_agency_network_by_function_and_filters(store) -> None:
    functions = defaultdict(set)
    for r in sparql(store, "SELECT DISTINCT ?a ?f WHERE { ?m pkg:responsibleAgency ?a . OPTIONAL { ?a pkg:function ?f } }"):
        functions[p.curie(r["a"])].add(r["f"].rsplit("/", 1)[1] if r["f"] else "unknown")
    primary = {a: min(fs - {"unknown"} or {"unknown"}) for a, fs in functions.items()}
    measures = defaultdict(set)
    for r in sparql(store, "SELECT ?m ?a WHERE { ?m pkg:responsibleAgency ?a }"):
        measures[primary[p.curie(r["a"])]].add(r["m"])
    graph = p.agency_graph(p.fetch_agency_rows(store), by="function")
    assert {a["function"]: a["measures"] for _, a in graph.nodes(data=True)} == {f: len(m) for f, m in measures.items()}
    heavy = p.agency_graph(p.fetch_agency_rows(store), min_weight=3)
    assert heavy.number_of_edges() and all(a["weight"] >= 3 for *_, a in heavy.edges(data=True))
    shanxi = p.agency_graph(p.fetch_agency_rows(store, selection=p.Selection(jurisdictions=("140000",))))
    assert shanxi.number_of_nodes() and all(n.startswith("id:agency/14") for n in shanxi)
    expected = {(p.curie(r["agency1"]), p.curie(r["agency2"])): r["weight"] for r in named(store, "co-responsibility", instrument="universal-insurance")}
    insurance = p.agency_graph(p.fetch_agency_rows(store, instrument="universal-insurance"))
    assert {(u, v): a["weight"] for u, v, a in insurance.edges(data=True)} == expected


# ------------------------------------------------------------------------------- citations


def test_citation_graph_is_citations_rq(store) -> None:
    rows = named(store, "citations")
    expected = {(p.curie(r["citing"]), p.curie(r["cited"]) if r["cited"] else "docnumber:" + r["citedDocNumber"]) for r in rows}
    graph = p.citation_graph(p.fetch_citations(store))
    assert graph.is_directed()
    assert set(graph.edges) == expected and len(expected) == 6
    assert graph.number_of_nodes() == len({x for edge in expected for x in edge})
    citing = graph.nodes["id:document/330000/浙政办发-2017-54"]
    assert (citing["date"], citing["level"], citing["loaded"], citing["doc_number"]) == ("2017-06-21", "province", True, "浙政办发〔2017〕54号")
    cited = graph.nodes["docnumber:国办发〔2017〕37号"]
    assert cited["loaded"] is False
    edge = graph.edges["id:document/330000/浙政办发-2017-54", "docnumber:国办发〔2017〕37号"]
    assert (edge["date"], edge["year"], edge["linked"]) == ("2017-06-21", 2017, False)


def test_citation_graph_links_loaded_documents_across_levels() -> None:
    documents = {
        "https://w3id.org/policykg/id/document/100000/国办发-2017-37": p.Document("https://w3id.org/policykg/id/document/100000/国办发-2017-37", "100000", 2017, "2017-04-25", "国办发〔2017〕37号"),
        "https://w3id.org/policykg/id/document/330000/浙政办发-2017-54": p.Document("https://w3id.org/policykg/id/document/330000/浙政办发-2017-54", "330000", 2017, "2017-06-21", "浙政办发〔2017〕54号"),
    }
    gazetteer = {"100000": p.Jurisdiction("100000", "中华人民共和国", "China", "national"), "330000": p.Jurisdiction("330000", "浙江省", "Zhejiang", "province", "100000")}
    citing, cited = sorted(documents, reverse=True)
    data = p.Citations(numbers=((citing, "国办发〔2017〕37号"), (citing, "浙政办发〔2016〕49号")), links=((citing, cited),),
                       documents=documents, gazetteer=gazetteer, selected=None)
    graph = p.citation_graph(data)
    edge = graph.edges[p.curie(citing), p.curie(cited)]
    assert (edge["linked"], edge["from_level"], edge["to_level"]) == (True, "province", "national")
    assert not graph.has_node("docnumber:国办发〔2017〕37号")  # the literal is the link, not a second node
    assert graph.has_edge(p.curie(citing), "docnumber:浙政办发〔2016〕49号")
    assert p.citation_graph(data, linked_only=True).number_of_edges() == 1


# ------------------------------------------------------------------------------- full


def test_full_graph_holds_what_sparql_counts(store) -> None:
    chosen = p.select_full_documents(store)
    assert chosen.total == len(chosen.documents) == 5
    graph = p.full_graph(p.fetch_full(store, chosen.documents))
    kinds = defaultdict(int)
    for _, a in graph.nodes(data=True):
        kinds[a["kind"]] += 1
    relations = defaultdict(int)
    for *_, a in graph.edges(data=True):
        relations[a["relation"]] += 1

    def count(pattern: str) -> int:
        return sparql(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT {pattern} }}")[0]["n"]

    measures = count("?m WHERE { GRAPH ?d { ?m <http://data.europa.eu/eli/ontology#is_part_of> ?d } }")
    targets = count("?t WHERE { GRAPH ?d { ?t pkg:indicatorText ?x } }")
    agencies = count("?a WHERE { { ?m pkg:responsibleAgency ?a } UNION { ?d eli:passed_by ?a } }")
    instruments = count("?i WHERE { ?x pkg:stage ?s ; pkg:instrument ?i }")
    assert dict(kinds) == {"document": 5, "jurisdiction": 4, "measure": measures, "target": targets, "agency": agencies, "instrument": instruments}
    assert relations["part_of"] == measures and relations["target_of"] == targets
    assert relations["responsible"] == count("?m ?a WHERE { ?m pkg:responsibleAgency ?a }")
    owners = count("?owner ?i WHERE { ?x pkg:stage ?s ; pkg:instrument ?i ; pkg:document ?d . OPTIONAL { ?x pkg:measure ?m } BIND(COALESCE(?m, ?d) AS ?owner) }")
    assert relations["adopts"] == owners
    assert relations["in"] == 5 and relations["issued_by"] == count("?d ?a WHERE { ?d eli:passed_by ?a }")
    lead = {(p.curie(r["m"]), p.curie(r["a"])) for r in sparql(store, "SELECT ?m ?a WHERE { ?m pkg:leadAgency ?a }")}
    assert {(u, v) for u, v, a in graph.edges(data=True) if a.get("lead")} == lead


def test_full_graph_one_document_by_number_and_most_recent_first(store) -> None:
    chosen = p.select_full_documents(store, document="浙政办发〔2017〕54号")
    assert chosen.documents == ("https://w3id.org/policykg/id/document/330000/浙政办发-2017-54",)
    graph = p.full_graph(p.fetch_full(store, chosen.documents))
    assert [n for n, a in graph.nodes(data=True) if a["kind"] == "document"] == ["id:document/330000/浙政办发-2017-54"]
    two = p.select_full_documents(store, limit=2)
    assert (two.total, [d.rsplit("/", 1)[1] for d in two.documents]) == (5, ["晋医改组发-2019-1", "昆办通-2018-23"])
    with pytest.raises(p.ProjectionError, match="no loaded document"):
        p.select_full_documents(store, document="国办发〔2099〕1号")


# ------------------------------------------------------------------------------- entry point


def test_every_export_carries_the_dataset_version_of_the_loaded_sources(store) -> None:
    version = dataset_version(store)
    assert version.version == corpus_version(CORPUS)
    assert version.documents == 5
    result = export_view(store, view="similarity", format="d3", exported_at=EXPORTED_AT)
    assert result.metadata["dataset_version"] == corpus_version(CORPUS)
    assert result.metadata["exported_at"] == "2026-01-02T03:04:05Z"


@pytest.mark.parametrize(("view", "format", "params", "names"), [
    ("nosuch", "gexf", {}, ["nosuch", "views"]),
    ("adoption", "xlsx", {}, ["xlsx", "formats"]),
    ("matrix", "gexf", {}, ["matrix", "gexf", "csv, svg"]),
    ("adoption", "gexf", {"colour": "red"}, ["colour", "adoption"]),
    ("adoption", "gexf", {"instrument": "no-such-thing"}, ["instrument", "no-such-thing"]),
    ("adoption", "gexf", {"instrument": "DRG payment"}, ["instrument", "vocabulary id"]),
    ("adoption", "gexf", {"within": "33"}, ["within", "adcode"]),
    ("adoption", "gexf", {"within": "999999"}, ["within", "999999"]),
    ("adoption", "gexf", {"level": "village"}, ["level", "village"]),
    ("timeline", "svg", {}, ["timeline", "instrument"]),
    ("full", "graphml", {"limit": "5000"}, ["limit"]),
    ("full", "graphml", {"document": "国办发〔2099〕1号"}, ["document", "国办发〔2099〕1号"]),
    ("similarity", "gexf", {"min_jaccard": "2"}, ["min_jaccard", "maximum"]),
    ("agencies", "gexf", {"table": "nodes"}, ["table", "csv"]),
    ("targets", "csv", {"indicator": "no-such-indicator"}, ["indicator"]),
])
def test_bad_requests_fail_before_any_output_naming_what_is_wrong(store, view, format, params, names) -> None:
    with pytest.raises(ExportError) as caught:
        export_view(store, view=view, format=format, params=params)
    for name in names:
        assert name in str(caught.value)
