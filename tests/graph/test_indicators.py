"""The indicator vocabulary (ontology/indicators.ttl) and its matcher (graph/indicators.py)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal

from policykg.graph.indicators import (
    DIRECTIONS,
    IndicatorVocabulary,
    IndicatorVocabularyError,
    load_indicator_vocabulary,
    match_indicator,
)
from policykg.graph import namespaces as ns
from policykg.loaders.extract import extract_file
from policykg.ontology import load_graph

from ..conftest import ROOT


@pytest.fixture(scope="module")
def corpus_targets():
    return [t for p in sorted((ROOT / "data" / "corpus").glob("*.txt")) for t in extract_file(p).targets]


def linked(targets, indicator: str) -> set[str | None]:
    return {
        match_indicator(t.indicator, unit=t.unit, per=t.per, scope=t.scope) for t in targets if t.indicator == indicator
    }


# --- the vocabulary --------------------------------------------------------------------------


def test_at_least_thirty_indicators_each_with_labels_unit_direction_and_a_cue() -> None:
    vocabulary = load_indicator_vocabulary()
    assert len(vocabulary.concepts) >= 30
    for concept in vocabulary.concepts:
        assert concept.pref_label_zh and concept.pref_label_en and concept.definition, concept.id
        assert concept.units, concept.id
        assert concept.direction in DIRECTIONS, concept.id
        assert concept.cues, concept.id


def test_every_concept_is_in_the_scheme_with_a_notation_equal_to_its_id() -> None:
    graph = load_graph("indicators.ttl")
    scheme = ns.IND["scheme"]
    assert (scheme, ns.RDF.type, ns.SKOS.ConceptScheme) in graph
    for concept in load_indicator_vocabulary().concepts:
        node = ns.IND[concept.id]
        assert (node, ns.SKOS.inScheme, scheme) in graph
        assert (node, ns.SKOS.notation, Literal(concept.id)) in graph
        assert len([v for v in graph.objects(node, ns.SKOS.prefLabel) if v.language == "zh"]) == 1
        assert len([v for v in graph.objects(node, ns.SKOS.prefLabel) if v.language == "en"]) == 1


def test_a_concept_without_a_direction_is_refused() -> None:
    broken = Graph().parse(
        data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix pkg: <https://w3id.org/policykg/ontology#> .
        @prefix ind: <https://w3id.org/policykg/indicator/> .
        ind:x a skos:Concept ; skos:inScheme ind:scheme ;
            skos:prefLabel "某指标"@zh , "Some indicator"@en ; skos:definition "Something."@en ;
            pkg:unit "%" ; pkg:cue "某指标" .
        """,
        format="turtle",
    )
    with pytest.raises(IndicatorVocabularyError, match="direction"):
        IndicatorVocabulary.from_graph(broken)


def test_a_new_indicator_is_a_turtle_edit_only() -> None:
    graph = Graph()
    for triple in load_graph("indicators.ttl"):
        graph.add(triple)
    graph.parse(
        data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix pkg: <https://w3id.org/policykg/ontology#> .
        @prefix ind: <https://w3id.org/policykg/indicator/> .
        ind:ambulance-response-time a skos:Concept ; skos:inScheme ind:scheme ;
            skos:prefLabel "院前急救平均反应时间"@zh , "Ambulance response time"@en ;
            skos:definition "Average time from an emergency call to the ambulance's arrival."@en ;
            pkg:unit "分钟" ; pkg:direction "lower" ; pkg:cuePattern "急救[^,。;]{0,6}反应时间" .
        """,
        format="turtle",
    )
    vocabulary = IndicatorVocabulary.from_graph(graph)
    assert match_indicator("院前急救平均反应时间", vocabulary=vocabulary) == "ambulance-response-time"


# --- the bundled corpus's targets link ---------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("药占比", "drug-share"),
        ("重点人群签约服务覆盖率", "family-doctor-contract-coverage"),
        ("区域人群签约率", "family-doctor-contract-coverage"),
        ("全科医生", "gps-per-10000"),  # per 每万常住人口
        ("床位规模", "beds-per-1000"),  # per 每千常住人口
        ("医疗总费用增长", "total-medical-cost-growth"),
        ("门(急)诊、住院均次费用增长", "per-visit-cost-growth"),
        ("百元医疗收入(不含药品收入)消耗卫生材料", "consumables-per-100-yuan"),
        ("县域内就诊率", "county-internal-visit-rate"),
        ("基层就诊率", "primary-care-visit-share"),
        ("户籍人口医保参保覆盖率", "insurance-enrolment-rate"),
        ("城镇职工基本医疗保险、城镇居民基本医疗保险和新型农村合作医疗参保(合)率", "insurance-enrolment-rate"),
        ("城乡居民医保财政补助", "resident-insurance-subsidy"),
        ("居民医保和新农合补助水平", "resident-insurance-subsidy"),
        ("人均基本公共卫生服务经费财政补助标准", "public-health-funding-per-capita"),
        ("实行按病种收费的病种", "case-payment-diseases"),
        ("网上采购率", "online-procurement-rate"),
        ("医保基金支出增长", "insurance-fund-expenditure-growth"),
        ("居民医保政策范围内住院支付比例", "inpatient-reimbursement-rate"),
        ("新农合政策范围内住院费用报销比例", "inpatient-reimbursement-rate"),
        ("基金最高支付限额", "fund-payment-cap"),
        ("居民医保基金、新农合基金当年结余率", "fund-balance-rate"),
        ("城乡居民电子健康档案建档率", "ehr-coverage"),
    ],
)
def test_common_corpus_targets_link(corpus_targets, indicator: str, expected: str) -> None:
    assert linked(corpus_targets, indicator) == {expected}


def test_most_corpus_targets_link_and_none_links_wrongly_to_a_per_population_indicator(corpus_targets) -> None:
    matched = [match_indicator(t.indicator, unit=t.unit, per=t.per, scope=t.scope) for t in corpus_targets]
    assert sum(m is not None for m in matched) >= 0.7 * len(corpus_targets)
    for target, concept in zip(corpus_targets, matched):
        if concept in ("gps-per-10000", "beds-per-1000", "doctors-per-1000", "nurses-per-1000"):
            assert target.per and target.per.startswith(("每千", "每万")), target


# --- made-up indicators as other provinces and years print them -------------------------------


@pytest.mark.parametrize(
    ("indicator", "unit", "per", "expected"),
    [
        ("药品收入占医疗收入比例", "%", None, "drug-share"),
        ("公立医院药品收入占比", "%", None, "drug-share"),
        ("家庭醫生簽約服務覆蓋率", "%", None, "family-doctor-contract-coverage"),  # traditional
        ("每千常住人口医疗卫生机构床位数", "张", None, "beds-per-1000"),
        ("床位数", "张", "每千人口", "beds-per-1000"),
        ("每万常住人口全科医生数", "名", None, "gps-per-10000"),
        ("全科医生数", "名", "每万居民", "gps-per-10000"),
        ("执业(助理)医师", "名", "每千常住人口", "doctors-per-1000"),
        ("注册护士", "名", "每千常住人口", "nurses-per-1000"),
        ("参合率", "%", None, "insurance-enrolment-rate"),
        ("城乡居民基本医疗保险参保率", "%", None, "insurance-enrolment-rate"),
        ("新农合人均财政补助标准", "元", None, "resident-insurance-subsidy"),
        ("基层医疗卫生机构诊疗量占总诊疗量比例", "%", None, "primary-care-visit-share"),
        ("县域内住院率", "%", None, "county-internal-visit-rate"),
        ("公立医院医疗费用增幅", "%", None, "total-medical-cost-growth"),
        ("门诊次均费用", "元", None, "per-visit-cost"),
        ("住院次均费用增幅", "%", None, "per-visit-cost-growth"),
        ("医疗服务收入(不含药品、耗材、检查、化验收入)占医疗收入的比例", "%", None, "medical-service-revenue-share"),
        ("人员支出占业务支出比例", "%", None, "personnel-expenditure-share"),
        ("医用耗材占比", "%", None, "consumables-share"),
        ("大病保险报销比例", "%", None, "critical-illness-reimbursement"),
        ("医疗救助比例", "%", None, "medical-assistance-ratio"),
        ("按疾病诊断相关分组付费医疗机构占比", "%", None, "payment-reform-coverage"),
        ("个人卫生支出占卫生总费用的比重", "%", None, "out-of-pocket-share"),
        ("平均住院日", "天", None, "average-length-of-stay"),
        ("孕产妇死亡率", "1/10万", None, "maternal-mortality"),
        ("人均预期寿命", "岁", None, "life-expectancy"),
        ("试点县(市、区)", "个", None, "pilot-counties"),
        ("药品集中采购平台网上采购率", "%", None, "online-procurement-rate"),
        ("副高以上职称医师", "名", "每个县每天", None),  # no indicator of the vocabulary
        ("设区市", "个", None, None),
        ("", None, None, None),
    ],
)
def test_made_up_indicators(indicator: str, unit: str | None, per: str | None, expected: str | None) -> None:
    assert match_indicator(indicator, unit=unit, per=per) == expected


def test_the_longest_cue_wins() -> None:
    # 财政补助标准 (resident insurance) lies inside 基本公共卫生服务经费财政补助标准 (public health)
    assert match_indicator("人均基本公共卫生服务经费财政补助标准", unit="元") == "public-health-funding-per-capita"
    # 费用增长 is in both; 均次费用增长 is longer
    assert match_indicator("住院均次费用增长", unit="%") == "per-visit-cost-growth"


def test_context_cues_need_their_context() -> None:
    assert match_indicator("全科医生", unit="名") is None
    assert match_indicator("全科医生", unit="名", per="每万常住人口") == "gps-per-10000"
    assert match_indicator("定额补助", unit="万元", per="每行政村") == "village-doctor-subsidy"
    assert match_indicator("定额补助", unit="万元") is None


def test_unit_breaks_a_tie_between_equally_long_matches() -> None:
    graph = Graph().parse(
        data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix pkg: <https://w3id.org/policykg/ontology#> .
        @prefix ind: <https://w3id.org/policykg/indicator/> .
        ind:a-count a skos:Concept ; skos:inScheme ind:scheme ;
            skos:prefLabel "数量"@zh , "Count"@en ; skos:definition "A count."@en ;
            pkg:unit "个" ; pkg:direction "higher" ; pkg:cue "覆盖" .
        ind:b-share a skos:Concept ; skos:inScheme ind:scheme ;
            skos:prefLabel "比例"@zh , "Share"@en ; skos:definition "A share."@en ;
            pkg:unit "%" ; pkg:direction "higher" ; pkg:cue "覆盖" .
        """,
        format="turtle",
    )
    vocabulary = IndicatorVocabulary.from_graph(graph)
    assert match_indicator("覆盖", unit="%", vocabulary=vocabulary) == "b-share"
    assert match_indicator("覆盖", unit="个", vocabulary=vocabulary) == "a-count"
    assert match_indicator("覆盖", vocabulary=vocabulary) == "a-count"  # then the id decides
