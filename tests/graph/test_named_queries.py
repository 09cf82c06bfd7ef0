"""Named comparison queries (`queries/*.rq`) against a small hand-written dataset.

Expected rows are read off `fixtures/small.trig` (see its header comment): every example in a
query header is run, plus variants for the parameters, parameter validation and injection.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef

from policykg import queries
from policykg.graph.named_queries import (
    HeaderError,
    NamedQuery,
    Param,
    ParamError,
    ResultCache,
    bind_params,
    load_named_queries,
    named_query_table,
    parse_named_query,
    run_named_query,
)
from policykg.graph.tables import python_value, select_table
from policykg.graph.store import open_store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "small.trig"
ID = "https://w3id.org/policykg/id/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
SHORT = {
    ID: "",
    "https://w3id.org/policykg/instrument/": "inst:",
    "https://w3id.org/policykg/function/": "fn:",
    "https://w3id.org/policykg/indicator/": "ind:",
}
REQUIRED_QUERIES = {
    "adopters",
    "adoption-matrix",
    "timeline",
    "compare-targets",
    "compare-jurisdictions",
    "jurisdiction-profile",
    "lead-agencies",
    "co-responsibility",
    "pilot-sites",
    "citations",
    "measures",
    "gaps",
}

D1 = "document/100000/国办发-2017-37"
D2 = "document/330000/浙政办发-2017-54"
D3 = "document/330100/杭政办函-2018-12"
D4 = "document/320000/苏政办发-2016-80"
D5 = "document/320000/2019-0a1b2c3d4e5f"
ZJ_HRSS = "agency/330000/浙江省人力资源和社会保障厅"
ZJ_HEALTH = "agency/330000/浙江省卫生健康委员会"
ZJ_FINANCE = "agency/330000/浙江省财政厅"
ZJ_MARKET = "agency/330000/浙江省市场监督管理局"
ZJ_DRC = "agency/330000/浙江省发展和改革委员会"
JS_HRSS = "agency/320000/江苏省人力资源和社会保障厅"
JS_MI = "agency/320000/江苏省医疗保障局"
INJECTION = "drg-payment> } ; DROP ALL ; #"


def fixture_graphs() -> dict[str, rdflib.Graph]:
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib's TriG parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(FIXTURE, format="trig")
    graphs: dict[str, rdflib.Graph] = {}
    for graph in dataset.graphs():
        if graph.identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            continue
        copy = rdflib.Graph()
        for triple in graph:
            copy.add(triple)
        graphs[str(graph.identifier)] = copy
    return graphs


def loaded_store():
    store = open_store()
    store.replace_graphs(fixture_graphs())
    return store


@pytest.fixture(scope="module")
def store():
    store = loaded_store()
    yield store
    store.close()


def short(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        for namespace, prefix in SHORT.items():
            if term.startswith(namespace):
                return prefix + term[len(namespace):]
        return str(term)
    return term.toPython()


def table(result, *columns: str) -> list[tuple]:
    return [tuple(short(row[column]) for column in columns) for row in result.rows]


def run(store, name: str, **params: str):
    return run_named_query(store, name, params, cache=None)  # every test runs the SPARQL


def run_example(store, name: str):
    query = load_named_queries()[name]
    assert query.example.startswith(name + "?")
    return run_named_query(store, name, query.example_params(), cache=None)


# ------------------------------------------------------------------------------- the catalogue


def test_every_required_query_ships_and_parses() -> None:
    assert REQUIRED_QUERIES <= set(queries.names())
    loaded = load_named_queries()
    assert set(loaded) == set(queries.names())
    for name, query in loaded.items():
        assert query.name == name
        assert query.summary
        assert query.sparql == queries.read(name)
        assert "ORDER BY" in query.sparql, f"{name}: results must be deterministically ordered"
        for param in query.params:
            assert param.description, f"{name}: parameter {param.name} has no description"


def test_stage_ranks_written_in_queries_are_the_vocabulary_ranks() -> None:
    """Queries rank stages inline (a parameter may not reach a sub-select that could join the
    vocabulary); every (stage, rank) pair they write must be pkg:stageRank of instruments.ttl."""
    from policykg.ontology import load_graph

    vocabulary = load_graph("instruments.ttl").query(
        """PREFIX pkg: <https://w3id.org/policykg/ontology#>
           PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           SELECT ?notation ?rank WHERE { ?stage a pkg:Stage ; skos:notation ?notation ; pkg:stageRank ?rank }"""
    )
    ranks = {str(notation): int(rank) for notation, rank in vocabulary}
    assert ranks == {"explore": 1, "pilot": 2, "promote": 3, "implement": 4}
    stages = "|".join(ranks)
    pairs = re.compile(rf'\("({stages})" ([0-9])\)|= ([0-9]), "({stages})"|= "({stages})", ([0-9])')
    checked = 0
    for name, named in load_named_queries().items():
        for match in pairs.finditer(named.sparql):
            stage = match[1] or match[4] or match[5]
            rank = int(match[2] or match[3] or match[6])
            assert ranks[stage] == rank, f"{name}: {match[0]}"
            checked += 1
    assert checked >= 20


def test_reading_an_unknown_query_is_a_key_error(store) -> None:
    with pytest.raises(KeyError):
        queries.read("no-such-query")
    with pytest.raises(KeyError, match="no-such-query"):
        run_named_query(store, "no-such-query", {})


def test_results_are_deterministic(store) -> None:
    for name in REQUIRED_QUERIES:
        first, second = run_example(store, name), run_example(store, name)
        assert first.rows == second.rows, name
        assert first.rows, f"{name}: the example finds nothing in the fixture"


def test_results_are_cached_by_dataset_version() -> None:
    cache = ResultCache(max_entries=2)
    store = open_store(None)
    for name, graph in fixture_graphs().items():
        store.replace_graph(name, graph)
    first = run_named_query(store, "timeline", {"instrument": "drg-payment"}, cache=cache)
    first.rows.clear()  # callers get copies: changing one leaves the cache intact
    again = run_named_query(store, "timeline", {"instrument": "drg-payment"}, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1) and again.rows
    assert again.rows == run_named_query(store, "timeline", {"instrument": "drg-payment"}, cache=None).rows
    before = len(again.rows)
    store.update("DELETE WHERE { GRAPH <https://w3id.org/policykg/graph/rollup> { ?c ?p ?o } }")
    after = run_named_query(store, "timeline", {"instrument": "drg-payment"}, cache=cache)
    assert cache.misses == 2 and len(after.rows) == 0 < before  # a write is a new version
    run_named_query(store, "timeline", {"instrument": "two-invoice-system"}, cache=cache)
    run_named_query(store, "timeline", {"instrument": "drg-payment", "level": "province"}, cache=cache)
    assert len(cache._entries) == 2  # least recently used dropped


def test_the_table_form_has_the_rows_of_run_named_query_as_plain_values(store) -> None:
    for name, query in sorted(load_named_queries().items()):
        result = run_example(store, name)
        table = named_query_table(store, name, query.example_params(), cache=None)
        assert table.columns == tuple(result.variables), name
        expected = [tuple(python_value(row.get(column)) for column in table.columns) for row in result.rows]
        assert list(table.rows) == expected and table.total == len(expected), name
        assert all(isinstance(v, (str, int, float, bool, type(None))) for row in table.rows for v in row), name


def test_the_table_form_pages_and_counts_every_solution(store) -> None:
    whole = named_query_table(store, "adopters", {"instrument": "drg-payment"}, cache=None)
    assert whole.total == len(whole.rows) >= 3
    for cache in (None, ResultCache()):
        page = named_query_table(store, "adopters", {"instrument": "drg-payment"}, offset=1, limit=2, cache=cache)
        assert page.rows == whole.rows[1:3] and page.total == whole.total and (page.offset, page.limit) == (1, 2)
        past = named_query_table(store, "adopters", {"instrument": "drg-payment"}, offset=whole.total, limit=5, cache=cache)
        assert past.rows == () and past.total == whole.total


def test_the_table_form_is_cached_by_dataset_version() -> None:
    cache = ResultCache(max_entries=4)
    store = open_store(None)
    for name, graph in fixture_graphs().items():
        store.replace_graph(name, graph)
    first = named_query_table(store, "timeline", {"instrument": "drg-payment"}, limit=1, cache=cache)
    again = named_query_table(store, "timeline", {"instrument": "drg-payment"}, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1) and again.rows[:1] == first.rows and again.total == len(again.rows) > 1
    store.update("DELETE WHERE { GRAPH <https://w3id.org/policykg/graph/rollup> { ?c ?p ?o } }")
    after = named_query_table(store, "timeline", {"instrument": "drg-payment"}, cache=cache)
    assert cache.misses == 2 and after.total == 0  # a write is a new version


# ------------------------------------------------------------------------------------ examples


def test_adopters_example_includes_narrower_instruments_and_preamble_mentions(store) -> None:
    result = run_example(store, "adopters")  # instrument=universal-insurance
    assert table(result, "adcode", "instrument", "stage", "year", "document", "docNumber", "measures", "mentions") == [
        ("320000", "inst:case-based-payment", "explore", 2016, D4, "苏政办发〔2016〕80号", 1, 1),
        ("100000", "inst:drg-payment", "pilot", 2017, D1, "国办发〔2017〕37号", 1, 1),
        ("330000", "inst:case-based-payment", "implement", 2017, D2, "浙政办发〔2017〕54号", 1, 1),
        ("330000", "inst:drg-payment", "pilot", 2017, D2, "浙政办发〔2017〕54号", 1, 1),
        ("330000", "inst:universal-insurance", "promote", 2017, D2, "浙政办发〔2017〕54号", 0, 1),
        ("330100", "inst:drg-payment", "implement", 2018, D3, "杭政办函〔2018〕12号", 1, 1),
        ("320000", "inst:case-based-payment", "implement", 2019, D5, None, 1, 1),
    ]
    assert table(result, "jurisdictionName", "level", "instrumentLabel")[0] == ("江苏省", "province", "按病种付费")


def test_adopters_filters_by_min_stage_and_level(store) -> None:
    result = run(store, "adopters", instrument="universal-insurance", min_stage="implement")
    assert table(result, "adcode", "instrument", "document") == [
        ("330000", "inst:case-based-payment", D2),
        ("330100", "inst:drg-payment", D3),
        ("320000", "inst:case-based-payment", D5),
    ]
    result = run(store, "adopters", instrument="drg-payment", level="city")
    assert table(result, "adcode", "stage", "year") == [("330100", "implement", 2018)]
    result = run(store, "adopters", instrument="two-invoice-system")
    assert table(result, "adcode", "stage") == [("100000", "implement"), ("330000", "implement")]


def test_adoption_matrix_example(store) -> None:
    result = run_example(store, "adoption-matrix")  # instrument=universal-insurance&level=province
    assert table(result, "adcode", "jurisdictionName", "instrument", "stage", "firstYear", "documents") == [
        ("320000", "江苏省", "inst:case-based-payment", "implement", 2016, 2),
        ("330000", "浙江省", "inst:case-based-payment", "implement", 2017, 1),
        ("330000", "浙江省", "inst:drg-payment", "pilot", 2017, 1),
        ("330000", "浙江省", "inst:universal-insurance", "promote", 2017, 1),
    ]


def test_adoption_matrix_without_filters_is_every_roll_up_cell(store) -> None:
    result = run(store, "adoption-matrix")
    assert table(result, "adcode", "instrument", "stage") == [
        ("100000", "inst:drg-payment", "pilot"),
        ("100000", "inst:two-invoice-system", "implement"),
        ("320000", "inst:case-based-payment", "implement"),
        ("330000", "inst:case-based-payment", "implement"),
        ("330000", "inst:drg-payment", "pilot"),
        ("330000", "inst:two-invoice-system", "implement"),
        ("330000", "inst:universal-insurance", "promote"),
        ("330100", "inst:drg-payment", "implement"),
    ]
    result = run(store, "adoption-matrix", min_stage="implement", level="province")
    assert table(result, "adcode", "instrument") == [
        ("320000", "inst:case-based-payment"),
        ("330000", "inst:case-based-payment"),
        ("330000", "inst:two-invoice-system"),
    ]


def test_timeline_example_is_the_diffusion_curve(store) -> None:
    result = run_example(store, "timeline")  # instrument=universal-insurance
    assert table(result, "adcode", "jurisdictionName", "firstYear", "strongestStage", "instruments") == [
        ("320000", "江苏省", 2016, "implement", 1),
        ("100000", "中华人民共和国", 2017, "pilot", 1),
        ("330000", "浙江省", 2017, "implement", 3),
        ("330100", "杭州市", 2018, "implement", 1),
    ]
    result = run(store, "timeline", instrument="drg-payment", level="province")
    assert table(result, "adcode", "firstYear", "strongestStage") == [("330000", 2017, "pilot")]


def test_compare_targets_example(store) -> None:
    result = run_example(store, "compare-targets")  # indicator=drug-share
    assert table(result, "adcode", "indicator", "indicatorLabel", "comparator", "value", "unit", "deadline", "scope", "year", "measureNumber") == [
        ("320000", "ind:drug-share", "药占比", "<=", Decimal("30"), "%", None, "城市公立医院", 2016, "2"),
        ("330000", "ind:drug-share", "药占比", "~", Decimal("30"), "%", "2017年底", "公立医院", 2017, "21"),
        ("330100", "ind:drug-share", "药占比", "<=", Decimal("28"), "%", "2018年底", "公立医院", 2018, "4"),
    ]
    assert table(run(store, "compare-targets", indicator="drug-share", level="city"), "adcode") == [("330100",)]
    assert table(run(store, "compare-targets", indicator="drug-share", year="2017"), "adcode") == [("330000",)]
    assert run(store, "compare-targets", indicator="out-of-pocket-share").rows == []


def test_compare_jurisdictions_example_shows_presence_and_absence(store) -> None:
    result = run_example(store, "compare-jurisdictions")  # jurisdictions=330000,320000
    assert table(result, "aspect", "item", "position", "adcode", "present", "stage", "firstYear", "agency") == [
        ("instrument", "inst:case-based-payment", 1, "330000", True, "implement", 2017, ZJ_HRSS),
        ("instrument", "inst:case-based-payment", 2, "320000", True, "implement", 2016, JS_HRSS),
        ("instrument", "inst:case-based-payment", 2, "320000", True, "implement", 2016, JS_MI),
        ("instrument", "inst:drg-payment", 1, "330000", True, "pilot", 2017, ZJ_HRSS),
        ("instrument", "inst:drg-payment", 2, "320000", False, None, None, None),
        ("instrument", "inst:two-invoice-system", 1, "330000", True, "implement", 2017, ZJ_HEALTH),
        ("instrument", "inst:two-invoice-system", 2, "320000", False, None, None, None),
        ("instrument", "inst:universal-insurance", 1, "330000", True, "promote", 2017, None),
        ("instrument", "inst:universal-insurance", 2, "320000", False, None, None, None),
        ("target", "ind:drug-share", 1, "330000", True, None, None, None),
        ("target", "ind:drug-share", 2, "320000", True, None, None, None),
    ]
    targets = [row for row in result.rows if str(row["aspect"]) == "target"]
    assert [(short(r["comparator"]), short(r["value"]), short(r["unit"]), short(r["deadline"])) for r in targets] == [
        ("~", Decimal("30"), "%", "2017年底"),
        ("<=", Decimal("30"), "%", None),
    ]
    assert {short(r["agencyFunction"]) for r in result.rows if r["agency"] is not None} == {
        "fn:human-resources-social-security",
        "fn:medical-insurance",
        "fn:health",
    }


def test_compare_jurisdictions_keeps_the_given_order_and_filters(store) -> None:
    result = run(store, "compare-jurisdictions", jurisdictions="330100, 100000,320000", instrument="drg-payment")
    assert table(result, "aspect", "item", "position", "adcode", "stage") == [
        ("instrument", "inst:drg-payment", 1, "330100", "implement"),
        ("instrument", "inst:drg-payment", 2, "100000", "pilot"),
        ("instrument", "inst:drg-payment", 3, "320000", None),
    ]
    result = run(store, "compare-jurisdictions", jurisdictions="330100,320000", aspect="target")
    assert table(result, "position", "adcode", "value") == [(1, "330100", Decimal("28")), (2, "320000", Decimal("30"))]
    result = run(store, "compare-jurisdictions", jurisdictions="330000,320000", aspect="target", instrument="drg-payment")
    assert result.rows == []  # neither target's measure adopts DRG payment


def test_jurisdiction_profile_example(store) -> None:
    result = run_example(store, "jurisdiction-profile")  # jurisdiction=330100
    assert table(
        result, "adcode", "name", "nameEn", "level", "parent", "parentName", "instrument", "stage", "firstYear",
        "documents", "parentStage", "parentFirstYear", "pilotSite",
    ) == [
        ("330100", "杭州市", "Hangzhou", "city", "jurisdiction/330000", "浙江省", "inst:drg-payment", "implement", 2018,
         1, "pilot", 2017, True),
    ]


def test_jurisdiction_profile_of_a_pilot_site_without_documents_and_of_a_silent_one(store) -> None:
    ningbo = run(store, "jurisdiction-profile", jurisdiction="330200")
    assert table(ningbo, "name", "instrument", "stage", "documents", "parentStage", "pilotSite") == [
        ("宁波市", "inst:drg-payment", None, 0, "pilot", True),
    ]
    nanjing = run(store, "jurisdiction-profile", jurisdiction="320100")
    assert table(nanjing, "name", "level", "parentName", "instrument", "documents") == [("南京市", "city", "江苏省", None, 0)]
    zhejiang = run(store, "jurisdiction-profile", jurisdiction="330000")
    assert table(zhejiang, "instrument", "stage", "parentStage", "pilotSite") == [
        ("inst:case-based-payment", "implement", None, False),
        ("inst:drg-payment", "pilot", "pilot", False),
        ("inst:two-invoice-system", "implement", "implement", False),
        ("inst:universal-insurance", "promote", None, False),
    ]


def test_lead_agencies_example(store) -> None:
    result = run_example(store, "lead-agencies")  # instrument=universal-insurance
    assert table(result, "function", "adcode", "agency", "measures", "documents", "firstYear") == [
        ("fn:health", "100000", "agency/100000/国家卫生健康委员会", 1, 1, 2017),
        ("fn:human-resources-social-security", "320000", JS_HRSS, 1, 1, 2016),
        ("fn:human-resources-social-security", "330000", ZJ_HRSS, 1, 1, 2017),
        ("fn:medical-insurance", "320000", JS_MI, 1, 1, 2019),
        ("fn:medical-insurance", "330100", "agency/330100/杭州市医疗保障局", 1, 1, 2018),
    ]
    assert table(result, "functionLabel", "agencyName")[0] == ("卫生健康", "国家卫生健康委员会")
    result = run(store, "lead-agencies", instrument="universal-insurance", function="medical-insurance", jurisdiction="320000")
    assert table(result, "agency") == [(JS_MI,)]


def test_co_responsibility_example_weights_shared_measures(store) -> None:
    result = run_example(store, "co-responsibility")  # jurisdiction=330000
    assert table(result, "agency1", "agency2", "weight") == [
        (ZJ_HEALTH, ZJ_FINANCE, 2),  # measures 14 and 21
        (ZJ_HRSS, ZJ_HEALTH, 1),
        (ZJ_HRSS, ZJ_FINANCE, 1),
        (ZJ_HEALTH, ZJ_DRC, 1),
        (ZJ_HEALTH, ZJ_MARKET, 1),
        (ZJ_DRC, ZJ_FINANCE, 1),
    ]
    assert table(result, "function1", "function2") == [
        ("fn:health", "fn:finance"),
        ("fn:human-resources-social-security", "fn:health"),
        ("fn:human-resources-social-security", "fn:finance"),
        ("fn:health", "fn:development-reform"),  # a body with two functions is still one edge
        ("fn:health", "fn:market-regulation"),
        ("fn:development-reform", "fn:finance"),
    ]
    assert table(run(store, "co-responsibility", jurisdiction="330000", min_weight="2"), "weight") == [(2,)]
    result = run(store, "co-responsibility", instrument="case-based-payment")
    assert table(result, "agency1", "agency2") == [
        (JS_HRSS, "agency/320000/江苏省财政厅"),
        (JS_MI, "agency/320000/江苏省财政厅"),
        (ZJ_HRSS, ZJ_HEALTH),
        (ZJ_HRSS, ZJ_FINANCE),
        (ZJ_HEALTH, ZJ_FINANCE),
    ]


def test_pilot_sites_example(store) -> None:
    result = run_example(store, "pilot-sites")  # instrument=drg-payment
    assert table(result, "instrument", "siteAdcode", "siteName", "siteLevel", "adcode", "year", "measureNumber") == [
        ("inst:drg-payment", "330100", "杭州市", "city", "330000", 2017, "14"),
        ("inst:drg-payment", "330200", "宁波市", "city", "330000", 2017, "14"),
    ]
    assert short(result.rows[0]["evidence"]) == "在杭州、宁波等市开展按疾病诊断相关分组（DRGs）付费试点"
    assert table(run(store, "pilot-sites", instrument="universal-insurance", site="330200"), "siteName") == [("宁波市",)]
    assert run(store, "pilot-sites", jurisdiction="320000").rows == []


def test_citations_example_links_across_levels(store) -> None:
    result = run_example(store, "citations")  # doc_number=国办发〔2017〕37号
    assert table(result, "citing", "citingLevel", "citedDocNumber", "cited", "citedLevel", "citedYear", "isLinked") == [
        (D5, "province", "国办发〔2017〕37号", D1, "national", 2017, True),
        (D2, "province", "国办发〔2017〕37号", D1, "national", 2017, True),
    ]


def test_citations_by_literal_and_by_link(store) -> None:
    result = run(store, "citations")
    assert table(result, "citingAdcode", "citing", "citedDocNumber", "cited", "isLinked") == [
        ("320000", D4, "国办发〔2016〕26号", None, False),
        ("320000", D5, "国办发〔2017〕37号", D1, True),
        ("330000", D2, "国办发〔2016〕26号", None, False),
        ("330000", D2, "国办发〔2017〕37号", D1, True),
        ("330100", D3, "浙政办发〔2017〕54号", D2, True),
    ]
    assert table(run(store, "citations", jurisdiction="330100"), "citingLevel", "citedLevel") == [("city", "province")]
    assert table(run(store, "citations", linked="false"), "citing") == [(D4,), (D2,)]
    assert table(run(store, "citations", doc_number="浙政办发〔2017〕54号"), "citing", "cited") == [
        (D2, None),  # cited BY the document with that number
        (D2, D1),
        (D3, D2),  # citing it
    ]


def test_measures_example_is_case_insensitive_full_text(store) -> None:
    result = run_example(store, "measures")  # q=DRG&jurisdiction=330000
    assert table(result, "measure", "measureNumber", "docNumber", "year", "adcode") == [
        (D2 + "/measure/14", "14", "浙政办发〔2017〕54号", 2017, "330000"),
    ]
    assert table(run(store, "measures", q="drg"), "measure") == [(D2 + "/measure/14",), (D3 + "/measure/3",)]


def test_measures_filters(store) -> None:
    assert table(run(store, "measures", q="两票制"), "measure") == [(D1 + "/measure/5",), (D2 + "/measure/20",)]
    assert table(run(store, "measures", instrument="universal-insurance", year="2017"), "measure") == [
        (D1 + "/measure/8",),
        (D2 + "/measure/14",),
    ]
    assert table(run(store, "measures", jurisdiction="330000"), "measureNumber") == [("14",), ("20",), ("21",)]
    assert table(run(store, "measures", q="药占比", year="2016"), "measure") == [(D4 + "/measure/2",)]


def test_gaps_example(store) -> None:
    result = run_example(store, "gaps")  # instrument=two-invoice-system&level=province
    assert table(result, "adcode", "jurisdictionName", "level", "adoptingPeers", "firstPeerYear") == [
        ("320000", "江苏省", "province", 1, 2017),
    ]


def test_gaps_among_all_jurisdictions_and_within_a_parent(store) -> None:
    # no documented city lacks DRG payment, but two cities of the gazetteer do
    assert run(store, "gaps", instrument="drg-payment", level="city").rows == []
    result = run(store, "gaps", instrument="drg-payment", level="city", among="all")
    # not the abolished 341400
    assert table(result, "adcode", "adoptingPeers", "firstPeerYear") == [("320100", 1, 2018), ("330200", 1, 2018)]
    result = run(store, "gaps", instrument="drg-payment", level="city", among="all", parent="330000")
    assert table(result, "adcode") == [("330200",)]
    # adopting a narrower instrument is adoption: Jiangsu adopted case-based payment
    assert run(store, "gaps", instrument="universal-insurance", level="province").rows == []


def test_gaps_agree_with_a_computation_from_the_cells(store) -> None:
    """Every instrument × level × among: the query's gaps equal those computed in Python from
    the roll-up cells, the jurisdictions' levels, their documents and abolitions."""
    prefixes = "PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    def rows(text: str) -> list[tuple]:
        return list(select_table(store, prefixes + text).rows)

    cells = rows("SELECT ?j ?ancestor ?year WHERE { ?c pkg:jurisdiction ?j ; pkg:instrument ?i ; pkg:firstYear ?year . ?i skos:broader* ?ancestor }")
    levels = dict(rows("SELECT ?j ?level WHERE { ?j pkg:level ?level }"))
    documented = {j for (j,) in rows("SELECT DISTINCT ?j WHERE { ?d pkg:jurisdiction ?j ; pkg:year ?y }")}
    abolished = {j for (j,) in rows("SELECT DISTINCT ?j WHERE { ?j pkg:validTo ?t }")}
    instruments = sorted({a for _, a, _ in cells})
    checked = 0
    for instrument in instruments:
        adopters: dict[str, int] = {}
        for j, ancestor, year in cells:
            if ancestor == instrument:
                adopters[j] = min(year, adopters.get(j, year))
        for level in sorted(set(levels.values())):
            peers = {j: y for j, y in adopters.items() if levels.get(j) == level}
            for among in ("documented", "all"):
                expected = sorted(
                    (j.rsplit("/", 1)[1], len(peers), min(peers.values()))
                    for j, lv in levels.items()
                    if lv == level and peers and j not in adopters
                    and (j in documented or (among == "all" and j not in abolished))
                )
                result = run(store, "gaps", instrument=instrument.rsplit("/", 1)[1], level=level, among=among)
                assert sorted(table(result, "adcode", "adoptingPeers", "firstPeerYear")) == expected, (instrument, level, among)
                checked += len(expected)
    assert checked  # the fixture has gaps to find


# ------------------------------------------------------------------------------- every backend

VARIANTS = [
    ("adopters", {"instrument": "universal-insurance", "min_stage": "implement"}),
    ("adoption-matrix", {}),
    ("compare-jurisdictions", {"jurisdictions": "330100,100000,320000", "instrument": "drg-payment"}),
    ("jurisdiction-profile", {"jurisdiction": "320100"}),
    ("citations", {}),
    ("measures", {"q": INJECTION}),
    ("gaps", {"instrument": "drg-payment", "level": "city", "among": "all"}),
]


# Not Virtuoso: it mis-evaluates SPARQL 1.1 property paths (`skos:broader*`) next to
# BIND/OPTIONAL/aggregates — wrong rows even with the IRIs written into the query — and does not
# finish compare-jurisdictions; the queries keep standard SPARQL rather than work around it.
@pytest.mark.parametrize("backend", ["memory", "disk", "remote-oxigraph"], indirect=True)
def test_every_backend_gives_the_same_rows(backend) -> None:
    """Parameters reach every store the same way (a VALUES block; see graph/named_queries.py),
    so a SPARQL server answers exactly as the in-memory store."""
    reference = loaded_store()
    other = backend.open()
    other.replace_graphs(fixture_graphs())
    try:
        cases = [(name, named.example_params()) for name, named in sorted(load_named_queries().items())] + VARIANTS
        for name, params in cases:
            expected = run_named_query(reference, name, params)
            got = run_named_query(other, name, params, timeout=60)
            assert got.variables == expected.variables, name
            columns = expected.variables
            assert table(got, *columns) == table(expected, *columns), f"{backend.name}: {name} {params}"
            # the plain-value form: straight from pyoxigraph here, through Store.query remotely
            assert named_query_table(other, name, params, cache=None) == named_query_table(reference, name, params, cache=None), name
    finally:
        reference.close()


# ---------------------------------------------------------------------------- parameter binding


def query(name: str) -> NamedQuery:
    return load_named_queries()[name]


def test_ids_become_iris_and_values_typed_terms() -> None:
    bound = bind_params(query("measures"), {"q": "两票制", "instrument": "drg-payment", "jurisdiction": "330000", "year": "2017"})
    assert bound == {
        "_q": Literal("两票制"),
        "_instrument": URIRef("https://w3id.org/policykg/instrument/drg-payment"),
        "_jurisdiction": URIRef("https://w3id.org/policykg/id/jurisdiction/330000"),
        "_year": Literal(2017, datatype=XSD_INTEGER),
    }
    assert bind_params(query("compare-targets"), {"indicator": "drug-share"}) == {
        "_indicator": URIRef("https://w3id.org/policykg/indicator/drug-share")
    }
    assert bind_params(query("lead-agencies"), {"instrument": "drg-payment", "function": "health"})["_function"] == URIRef(
        "https://w3id.org/policykg/function/health"
    )
    assert bind_params(query("adopters"), {"instrument": "drg-payment", "min_stage": "pilot"})["_min_stage"] == Literal("pilot")


def test_defaults_are_applied_and_blank_means_absent() -> None:
    assert bind_params(query("co-responsibility"), {}) == {"_min_weight": Literal(1, datatype=XSD_INTEGER)}
    assert bind_params(query("gaps"), {"instrument": "drg-payment", "level": ""}) == {
        "_instrument": URIRef("https://w3id.org/policykg/instrument/drg-payment"),
        "_among": Literal("documented"),
    }
    assert bind_params(query("measures"), {"q": "  "}) == {}


def test_list_parameter_binds_one_typed_iri_per_slot() -> None:
    bound = bind_params(query("compare-jurisdictions"), {"jurisdictions": "330000, 320000,330100"})
    assert bound == {
        "_jurisdictions_1": URIRef(ID + "jurisdiction/330000"),
        "_jurisdictions_2": URIRef(ID + "jurisdiction/320000"),
        "_jurisdictions_3": URIRef(ID + "jurisdiction/330100"),
    }


@pytest.mark.parametrize(
    ("name", "raw", "param", "message"),
    [
        ("adopters", {"instrument": "drg-payment", "colour": "red"}, "colour", "unknown parameter 'colour'"),
        ("adopters", {}, "instrument", "parameter 'instrument' is required"),
        ("adopters", {"instrument": "DRG"}, "instrument", "not a valid instrument id"),
        ("adopters", {"instrument": "drg payment"}, "instrument", "not a valid instrument id"),
        ("adopters", {"instrument": "drg-payment", "min_stage": "done"}, "min_stage", "not one of explore, pilot"),
        ("adopters", {"instrument": "drg-payment", "level": "township"}, "level", "not one of national"),
        ("measures", {"year": "20x7"}, "year", "'20x7' is not an integer"),
        ("measures", {"year": "2017.0"}, "year", "is not an integer"),
        ("measures", {"year": "3000"}, "year", "above the maximum 2100"),
        ("co-responsibility", {"min_weight": "0"}, "min_weight", "below the minimum 1"),
        ("measures", {"jurisdiction": "33000"}, "jurisdiction", "not an adcode (6 digits"),
        ("measures", {"jurisdiction": "3300001"}, "jurisdiction", "not an adcode"),
        ("measures", {"jurisdiction": "浙江省"}, "jurisdiction", "not an adcode"),
        ("compare-targets", {"indicator": "drug_share"}, "indicator", "not a valid indicator id"),
        ("lead-agencies", {"instrument": "drg-payment", "function": "Health"}, "function", "not a valid agency function id"),
        ("gaps", {"instrument": "drg-payment", "among": "some"}, "among", "not one of documented, all"),
        ("citations", {"linked": "yes"}, "linked", "not one of true, false"),
        ("compare-jurisdictions", {"jurisdictions": "330000"}, "jurisdictions", "expected 2 to 8 comma-separated values, got 1"),
        ("compare-jurisdictions", {"jurisdictions": ",".join(["330000"] * 2)}, "jurisdictions", "repeated"),
        ("compare-jurisdictions", {"jurisdictions": "330000,,320000"}, "jurisdictions", "empty item"),
        ("compare-jurisdictions", {"jurisdictions": "330000,32000"}, "jurisdictions", "'32000' is not an adcode"),
        (
            "compare-jurisdictions",
            {"jurisdictions": ",".join(str(330100 + 100 * i) for i in range(9))},
            "jurisdictions",
            "got 9",
        ),
        ("measures", {"q": "x" * 501}, "q", "longer than 500"),
        ("measures", {"year": 2017}, "year", "expected a string"),
    ],
)
def test_bad_parameters_raise_param_error_naming_the_parameter(name, raw, param, message) -> None:
    with pytest.raises(ParamError, match=re.escape(message)) as caught:
        bind_params(query(name), raw)
    assert caught.value.param == param
    assert repr(param) in str(caught.value)


def test_iri_types_take_the_iri_or_the_bare_id() -> None:
    text = """#+ summary: test
#+ params:
#+   - name: i
#+     type: iri-of-instrument
#+     description: an instrument
#+   - name: j
#+     type: iri-of-jurisdiction
#+     description: a jurisdiction
#+   - name: k
#+     type: iri-of-indicator
#+     description: an indicator
#+   - name: d
#+     type: date
#+     description: a day
#+ example: t?i=drg-payment
SELECT ?x WHERE { ?x ?p ?_i , ?_j , ?_k , ?_d }
ORDER BY ?x
"""
    named = parse_named_query("t", text)
    bound = bind_params(named, {
        "i": "https://w3id.org/policykg/instrument/drg-payment",
        "j": "330000",
        "k": "https://w3id.org/policykg/indicator/drug-share",
        "d": "2017-06-21",
    })
    assert bound["_i"] == URIRef("https://w3id.org/policykg/instrument/drg-payment")
    assert bound["_j"] == URIRef(ID + "jurisdiction/330000")
    assert bound["_k"] == URIRef("https://w3id.org/policykg/indicator/drug-share")
    assert bound["_d"] == Literal("2017-06-21", datatype=XSD_DATE)
    for raw, message in [
        ({"i": "https://example.org/drg-payment"}, "not a valid instrument id"),
        ({"j": "https://w3id.org/policykg/id/jurisdiction/33"}, "not an adcode"),
        ({"d": "2017-02-30"}, "not a date"),
        ({"d": "21/06/2017"}, "not a date"),
    ]:
        with pytest.raises(ParamError, match=message):
            bind_params(named, raw)
    assert named.params[0] == Param(name="i", type="iri-of-instrument", description="an instrument")


# --------------------------------------------------------------------------------- injection


def test_injection_into_a_typed_id_parameter_is_refused(store) -> None:
    for name in ("adopters", "timeline", "gaps", "lead-agencies"):
        with pytest.raises(ParamError, match="'instrument'") as caught:
            run(store, name, instrument=INJECTION)
        assert caught.value.param == "instrument"
    with pytest.raises(ParamError, match="'jurisdiction'"):
        run(store, "jurisdiction-profile", jurisdiction="330000> } ; DROP ALL ; #")
    with pytest.raises(ParamError, match="'jurisdictions'"):
        run(store, "compare-jurisdictions", jurisdictions="330000," + INJECTION)


@pytest.mark.parametrize(
    "hostile",
    [INJECTION, '" } ; DROP ALL ; #', "') } DROP ALL #", "\\\" . } } DELETE WHERE { ?s ?p ?o } #", "两票制\n} #"],
)
def test_injection_into_a_string_parameter_is_bound_as_a_literal(hostile: str) -> None:
    store = loaded_store()
    try:
        before_graphs, before_count = store.graphs(), store.count()
        assert bind_params(query("measures"), {"q": hostile}) == {"_q": Literal(hostile.strip())}
        result = run(store, "measures", q=hostile)
        assert result.kind == "select"
        assert result.rows == []  # no measure contains that text
        result = run(store, "citations", doc_number=hostile)
        assert result.rows == []
        assert store.graphs() == before_graphs
        assert store.count() == before_count
        assert table(run(store, "measures", q="两票制"), "measure")  # data intact
    finally:
        store.close()


# ------------------------------------------------------------------------------ header parsing

GOOD_HEADER = """#+ summary: Something
#+ params:
#+   - name: instrument
#+     type: instrument-id
#+     required: true
#+     description: an instrument
#+ example: good?instrument=drg-payment
SELECT ?x WHERE { ?x ?p ?_instrument }
ORDER BY ?x
"""


def test_a_good_header_parses() -> None:
    named = parse_named_query("good", GOOD_HEADER)
    assert named.summary == "Something"
    assert named.params == (Param(name="instrument", type="instrument-id", description="an instrument", required=True),)
    assert named.example_params() == {"instrument": "drg-payment"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD_HEADER.replace("#+ summary: Something\n", ""), 1, "missing 'summary:'"),
        (GOOD_HEADER.replace("#+ summary:", "#+ sumary:"), 1, "unknown header key 'sumary'"),
        (GOOD_HEADER.replace("type: instrument-id", "type: instrument"), 4, "unknown type 'instrument'"),
        (GOOD_HEADER.replace("#+     type: instrument-id\n", ""), 3, "has no 'type:'"),
        (GOOD_HEADER.replace("required: true", "required: yes"), 5, "'required:' must be true or false"),
        (GOOD_HEADER.replace("required: true", "colour: red"), 5, "unknown parameter key 'colour'"),
        (GOOD_HEADER.replace("    description: an", "  description an"), 6, "expected 'key: value'"),
        (GOOD_HEADER.replace("example: good?instrument=drg-payment", "example: good?instrument=DRG"), 7, "example does not validate"),
        (GOOD_HEADER.replace("example: good?", "example: other?"), 7, "example must start with 'good'"),
        (GOOD_HEADER.replace("?_instrument }", "?instrument }"), 3, "never uses ?_instrument"),
        (GOOD_HEADER.replace("?p ?_instrument", "?_p ?_instrument"), 8, "?_p looks like a parameter"),
        (GOOD_HEADER.replace("SELECT ?x", "SELECT ?x ?_instrument"), 8, "?_instrument must not be projected"),
        (GOOD_HEADER.replace("SELECT ?x", "SELECT ?x\n  (1 AS ?_instrument)"), 9, "?_instrument must not be projected"),
        (GOOD_HEADER.replace("SELECT ?x", "SELECT *"), 8, "SELECT *"),
        ("SELECT ?x WHERE { ?x ?p ?o }\n", 1, "must start with a '#+' header"),
        (GOOD_HEADER.replace("#+     required: true\n", "#+     required: true\n#+     default: drg-payment\n"), 6, "a required parameter has no default"),
    ],
)
def test_a_malformed_header_is_an_error_naming_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(HeaderError, match=re.escape(message)) as caught:
        parse_named_query("good", text)
    assert str(caught.value).startswith(f"queries/good.rq:{line}: "), str(caught.value)


def test_binding_substitution_requires_every_parameter_projected() -> None:
    text = GOOD_HEADER.replace("#+ example:", "#+ binding: substitution\n#+ example:")
    with pytest.raises(HeaderError, match=r"every parameter variable is projected; missing \?_instrument"):
        parse_named_query("good", text)
    projected = parse_named_query("good", text.replace("SELECT ?x", "SELECT ?_instrument ?x"))
    assert projected.binding == "substitution"
    with pytest.raises(HeaderError, match="'binding:' must be values or substitution"):
        parse_named_query("good", text.replace("binding: substitution", "binding: paste"))


def test_a_substitution_query_returns_no_parameter_columns(store) -> None:
    query = load_named_queries()["jurisdiction-profile"]
    assert query.binding == "substitution" and "?_jurisdiction" in query.sparql.split("WHERE")[0]
    result = run(store, "jurisdiction-profile", jurisdiction="330100")
    assert not [v for v in result.variables if v.startswith("_")]
    assert all(not k.startswith("_") for row in result.rows for k in row)


def test_a_projected_expression_may_use_a_parameter() -> None:
    text = GOOD_HEADER.replace("SELECT ?x", "SELECT ?x (STR(?_instrument) AS ?asked)")
    assert parse_named_query("good", text).params[0].name == "instrument"


# ---------------------------------------------------------------------------- fixture sanity


def test_the_fixture_conforms_to_the_shapes() -> None:
    from policykg.graph.validate import validate

    dataset = rdflib.Dataset()
    for iri, graph in fixture_graphs().items():
        target = dataset.graph(URIRef(iri))
        for triple in graph:
            target.add(triple)
    report = validate(dataset)
    assert report.conforms, report.text


def test_the_fixture_roll_up_is_what_the_loader_would_materialise() -> None:
    """The hand-written roll-up graph agrees with `graph.loading`'s rebuild from the documents."""
    loading = pytest.importorskip("policykg.graph.loading")
    rollup = "https://w3id.org/policykg/graph/rollup"
    cells = """
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        SELECT ?j ?i ?first ?stage ?d WHERE { GRAPH ?g {
            ?c a pkg:JurisdictionAdoption ; pkg:jurisdiction ?j ; pkg:instrument ?i ;
               pkg:firstYear ?first ; pkg:strongestStage ?stage ; pkg:document ?d } }
        ORDER BY ?j ?i ?d"""
    links = """SELECT ?a ?b WHERE { GRAPH ?g { ?a <http://data.europa.eu/eli/ontology#cites> ?b } } ORDER BY ?a ?b"""
    store = loaded_store()
    try:
        expected = (table(store.query(cells), "j", "i", "first", "stage", "d"), table(store.query(links), "a", "b"))
        store.delete_graph(rollup)
        loading.rebuild_rollups(store)
        rebuilt = (table(store.query(cells), "j", "i", "first", "stage", "d"), table(store.query(links), "a", "b"))
    finally:
        store.close()
    assert rebuilt == expected
    assert len(expected[0]) == 9 and len(expected[1]) == 3

