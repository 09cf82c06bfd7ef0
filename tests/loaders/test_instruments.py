"""Instrument vocabulary (ontology/instruments.ttl) and the matcher driven by it.

Inputs are made-up sentences phrased like provincial, municipal and county documents of
2009–2024, passed through `normalise` as callers do.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from policykg.loaders.instruments import (
    STAGE_RANK,
    InstrumentMention,
    InstrumentVocabulary,
    load_instrument_vocabulary,
    match_instruments,
    strongest_stage,
)
from policykg.loaders.text import normalise
from policykg.ontology import load_graph, turtle_text

SPEC = Path(__file__).resolve().parents[2] / "docs" / "instruments-spec.csv"
INST = Namespace("https://w3id.org/policykg/instrument/")
PKG = Namespace("https://w3id.org/policykg/ontology#")


def mentions(text: str, *, vocabulary: InstrumentVocabulary | None = None) -> list[InstrumentMention]:
    return match_instruments(normalise(text).text, vocabulary=vocabulary)


def ids(text: str) -> set[str]:
    return {m.id for m in mentions(text)}


def stage_of(text: str, instrument: str) -> str:
    found = [m for m in mentions(text) if m.id == instrument]
    assert len(found) == 1, (instrument, found)
    return found[0].stage


# ---------------------------------------------------------------------------------------------
# The vocabulary itself
# ---------------------------------------------------------------------------------------------


def spec_rows() -> list[dict[str, str]]:
    with SPEC.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_spec_id_is_a_concept_with_labels_definition_and_hierarchy():
    graph = load_graph("instruments.ttl")
    scheme = URIRef("https://w3id.org/policykg/instrument/scheme")
    for row in spec_rows():
        concept = INST[row["id"]]
        assert (concept, RDF.type, SKOS.Concept) in graph, row["id"]
        assert (concept, SKOS.inScheme, scheme) in graph
        langs = {lit.language for lit in graph.objects(concept, SKOS.prefLabel)}
        assert {"zh", "en"} <= langs, row["id"]
        assert Literal(row["zh_label"], lang="zh") in set(graph.objects(concept, SKOS.prefLabel))
        assert any(d.language == "en" for d in graph.objects(concept, SKOS.definition)), row["id"]
        if row["broader"]:
            assert (concept, SKOS.broader, INST[row["broader"]]) in graph, row["id"]
        else:
            assert (concept, SKOS.topConceptOf, scheme) in graph, row["id"]


def test_loaded_vocabulary_covers_the_spec_and_every_concept_has_a_cue():
    vocabulary = load_instrument_vocabulary()
    loaded = {c.id for c in vocabulary.concepts}
    assert {row["id"] for row in spec_rows()} <= loaded
    for concept in vocabulary.concepts:
        assert concept.cues, concept.id
        assert concept.pref_label_zh and concept.pref_label_en and concept.definition


def test_matcher_properties_are_declared_with_label_and_comment():
    graph = load_graph("instruments.ttl")
    for name in ("cue", "cuePattern", "contextCue", "requiresContext", "excludeCue", "yieldsTo",
                 "stageCue", "stageRank"):
        prop = PKG[name]
        assert set(graph.objects(prop, RDF.type)), name
        assert next(graph.objects(prop, URIRef("http://www.w3.org/2000/01/rdf-schema#label")), None), name
        assert next(graph.objects(prop, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")), None), name


def test_stage_ranks_come_from_the_vocabulary():
    assert dict(STAGE_RANK) == {"explore": 1, "pilot": 2, "promote": 3, "implement": 4}
    assert strongest_stage(["pilot", "explore", "promote"]) == "promote"
    assert strongest_stage(["implement", "pilot"]) == "implement"
    with pytest.raises(ValueError):
        strongest_stage([])


# ---------------------------------------------------------------------------------------------
# Broad cues need context
# ---------------------------------------------------------------------------------------------


def test_negotiation_about_wages_is_not_insurance_negotiation():
    assert "insurance-negotiation" not in ids("建立健全工资集体协商制度，开展薪酬谈判，合理确定医务人员工资水平。")
    assert "insurance-negotiation" not in ids("加强招商引资项目谈判，推动健康产业园区建设。")


def test_negotiation_about_insurance_payment_standards_is_insurance_negotiation():
    assert "insurance-negotiation" in ids("由市医保经办机构开展医保支付标准谈判。")
    assert "insurance-negotiation" in ids("由医保经办机构与定点医疗机构谈判确定年度总额。")
    assert "insurance-negotiation" in ids("推动建立医保经办机构与医疗机构之间的集体协商机制。")


def test_performance_assessment_needs_a_hospital_and_is_not_government_assessment():
    assert "hospital-performance-assessment" not in ids("将医改任务完成情况纳入政府目标管理绩效考核。")
    assert "hospital-performance-assessment" in ids("每年完成二级公立医院绩效考核工作。")
    assert "hospital-performance-assessment" in ids("建立以公益性为导向的医院绩效考核制度。")
    assert "hospital-performance-assessment" not in ids("医院要完善医务人员绩效考核办法。")


def test_referral_needs_tiered_care_context():
    assert "two-way-referral" not in ids("实现符合转诊规定的异地就医住院费用直接结算。")
    assert "two-way-referral" in ids("畅通上下级医疗机构之间的转诊通道。")
    assert "two-way-referral" in ids("建立双向转诊机制。")


def test_other_broad_cues():
    assert "tcm-development" not in ids("提高诊查、手术、护理、中医和儿科等项目价格。")
    assert "tcm-development" in ids("促进中医传承创新发展。")
    assert "reform-leading-group" not in ids("落实安全生产“一把手”责任。")
    assert "reform-leading-group" in ids("把深化医改作为“一把手”工程。")
    assert "commercial-health-insurance" not in ids("委托具有资质的商业保险机构承办城乡居民大病保险。")
    assert "commercial-health-insurance" in ids("鼓励商业保险机构开发与基本医保相衔接的补充保险产品。")
    assert "global-budget" not in ids("合理核定公立医院工资总额预算。")
    assert "global-budget" in ids("全面推行医保基金总额预算管理。")
    assert "social-capital-hospitals" not in ids("引导社会资本投资城市基础设施建设。")
    assert "social-capital-hospitals" in ids("鼓励社会资本举办康复医院。")
    assert "sanming-model" not in ids("在三明市召开全省现场会。")
    assert "sanming-model" in ids("学习推广三明医改经验。")


# ---------------------------------------------------------------------------------------------
# Payment methods and procurement: which instrument, not just whether
# ---------------------------------------------------------------------------------------------


def test_case_based_payment_is_not_drg():
    found = ids("全面推行按病种付费，做好按病种收费和付费的衔接。")
    assert "case-based-payment" in found
    assert "drg-payment" not in found and "dip-payment" not in found


def test_drg_is_not_case_based_payment():
    for text in ("开展按疾病诊断相关分组付费试点。", "推进DRG付费改革。", "推进DRGs付费国家试点。",
                 "实施按疾病诊断相关分组(CHS-DRG)付费。"):
        found = ids(text)
        assert "drg-payment" in found, text
        assert "case-based-payment" not in found, text


def test_drg_used_for_performance_evaluation_is_not_payment():
    assert "drg-payment" not in ids("推行基于疾病诊断相关分组（DRGs）的医疗服务绩效评价。")


def test_dip_is_not_case_based_payment():
    found = ids("推进按病种分值付费(DIP)改革。")
    assert "dip-payment" in found and "case-based-payment" not in found


def test_regional_point_budget_with_dip_gives_all_three():
    found = ids("开展区域点数法总额预算和按病种分值付费试点。")
    assert {"dip-payment", "point-based-payment", "global-budget"} <= found
    assert "case-based-payment" not in found


def test_ascii_cues_are_not_glued_to_other_words():
    assert "dip-payment" not in ids("参加DIPLOMA培训项目。")
    assert "drg-payment" in ids("做好DRG/DIP支付方式改革。")
    assert "dip-payment" in ids("做好DRG/DIP支付方式改革。")


def test_case_based_payment_with_group_in_brackets():
    assert "case-based-payment" in ids("稳步推进按病种（组）付费。")


def test_national_procurement_is_volume_based_not_centralised():
    found = ids("全面落实国家组织药品集中采购和使用工作。")
    assert "volume-based-procurement" in found
    assert "centralized-procurement" not in found
    found = ids("开展省级药品耗材集中带量采购。")
    assert found >= {"volume-based-procurement"} and "centralized-procurement" not in found


def test_centralised_procurement_also_stated_counts_both():
    found = ids("落实国家组织药品集中采购和使用,完善省级药品集中采购平台功能。")
    assert {"volume-based-procurement", "centralized-procurement"} <= found
    assert "centralized-procurement" in ids("所有公立医院在省级药品集中采购平台网上采购药品。")


# ---------------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "instrument", "stage"),
    [
        ("鼓励开展按疾病诊断相关分组（DRGs）付费试点。", "drg-payment", "pilot"),
        ("实施按疾病诊断相关分组付费试点。", "drg-payment", "pilot"),
        ("探索按疾病诊断相关分组付费。", "drg-payment", "explore"),
        ("研究制定按病种分值付费实施办法。", "dip-payment", "explore"),
        ("推广按病种付费试点经验。", "case-based-payment", "promote"),
        ("在试点基础上，稳步推进按人头付费。", "capitation", "promote"),
        ("全面推进按病种付费改革。", "case-based-payment", "implement"),
        ("全面推开公立医院药品零差率销售。", "zero-markup-drugs", "implement"),
        ("加快推进医联体建设。", "medical-alliance", "promote"),
        ("鼓励三级医院与二级医院建立医疗联合体。", "medical-alliance", "promote"),
        ("全面建立医疗服务价格动态调整机制。", "service-price-adjustment", "implement"),
        ("逐步探索通过核定人员总量实行编制备案制。", "staffing-filing-system", "explore"),
        ("所有三级公立医院全面落实总会计师制度。", "chief-accountant-system", "implement"),
        ("按病种付费全面推开。", "case-based-payment", "implement"),
        ("选择部分县(市)开展医共体建设。", "county-medical-community", "pilot"),
        ("在综合医改先行先试地区开展日间手术。", "day-surgery", "pilot"),
        ("率先实行检查检验结果互认。", "test-result-mutual-recognition", "pilot"),
        ("医疗救助全面实行“一站式”结算。", "medical-assistance", "implement"),
        ("逐步建立家庭医生签约服务制度。", "family-doctor-contracting", "promote"),
        ("有条件的地区可探索开展长期护理保险。", "long-term-care-insurance", "pilot"),
        ("有序扩大分级诊疗试点病种。", "tiered-care-system", "pilot"),
        ("基本药物制度。", "essential-medicines-system", "promote"),  # no cue: default stage
    ],
)
def test_stage(text, instrument, stage):
    assert stage_of(text, instrument) == stage


def test_stage_is_read_per_clause_not_per_sentence():
    text = "探索按疾病诊断相关分组付费，全面推行按病种付费。"
    found = {m.id: m.stage for m in mentions(text)}
    assert found["drg-payment"] == "explore"
    assert found["case-based-payment"] == "implement"


def test_a_list_shares_its_verb():
    found = {m.id: m.stage for m in mentions("加快推行以总额预算为基础的按病种付费、按床日付费、按人头付费等复合支付方式。")}
    assert found == {"global-budget": "promote", "case-based-payment": "promote",
                     "per-diem-payment": "promote", "capitation": "promote"}


def test_prohibition_enforces_only_instruments_that_name_a_proscribed_behaviour():
    assert stage_of("严禁公立医院举债建设。", "hospital-debt-resolution") == "implement"
    assert stage_of("严禁医务人员收受回扣。", "bribery-blacklist") == "implement"
    # 不得 governs the pushing-off of patients, not the payment method.
    assert stage_of("不得以按病种付费为由推诿重症患者。", "case-based-payment") == "promote"


def test_strongest_stage_wins_within_one_sentence():
    found = mentions("开展按人头付费试点，总结经验后全面推行按人头付费。")
    assert [(m.id, m.stage) for m in found] == [("capitation", "implement")]


# ---------------------------------------------------------------------------------------------
# Spans, titles, normalisation
# ---------------------------------------------------------------------------------------------


def test_evidence_span_is_the_sentence_without_its_terminator():
    text = normalise("（三）医保支付\n  6．全面推开按病种付费，扩大病种范围；探索DRG付费。").text
    found = match_instruments(text)
    case = next(m for m in found if m.id == "case-based-payment")
    assert text[case.start : case.end] == case.cue == "按病种付费"
    assert text[case.evidence_start : case.evidence_end] == "6.全面推开按病种付费,扩大病种范围"
    drg = next(m for m in found if m.id == "drg-payment")
    assert text[drg.evidence_start : drg.evidence_end] == "探索DRG付费"
    assert drg.stage == "explore"
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_at_most_one_mention_per_instrument_and_sentence():
    found = mentions("推进医联体建设，以医联体为载体推进分级诊疗，医联体内实行双向转诊。医联体实行总额付费。")
    alliance = [m for m in found if m.id == "medical-alliance"]
    assert len(alliance) == 2
    assert len({(m.evidence_start, m.evidence_end) for m in alliance}) == 2


def test_cited_titles_are_context_not_adoption():
    text = "根据《关于推进按病种付费工作的通知》和“关于开展DRG付费国家试点的实施方案”精神，推行“两票制”。"
    found = ids(text)
    assert "case-based-payment" not in found and "drg-payment" not in found
    assert "two-invoice-system" in found
    # A title's verbs do not set the stage of what follows it either.
    assert stage_of("贯彻《关于全面推开县级公立医院综合改革的实施意见》，探索医共体建设。",
                    "county-medical-community") == "explore"
    # Nested titles are masked as a whole.
    assert "volume-based-procurement" not in ids("转发《国务院办公厅关于印发〈国家组织药品集中采购和使用试点方案〉的通知》。")


def test_traditional_characters_match_after_normalise():
    found = mentions("鼓勵開展按疾病診斷相關分組（DRGs）付費試點，全面推行家庭醫生簽約服務。")
    by_id = {m.id: m.stage for m in found}
    assert by_id["drg-payment"] == "pilot"
    assert by_id["family-doctor-contracting"] == "implement"


# ---------------------------------------------------------------------------------------------
# A new cue is a Turtle edit only
# ---------------------------------------------------------------------------------------------


def test_a_cue_added_to_the_turtle_changes_matching_without_code_change():
    sentence = "推进医保支付“打包付”改革。"
    assert "global-budget" not in ids(sentence)
    graph = Graph().parse(data=turtle_text("instruments.ttl"), format="turtle")
    graph.add((INST["global-budget"], PKG.cue, Literal("打包付")))
    vocabulary = InstrumentVocabulary.from_graph(graph)
    assert "global-budget" in {m.id for m in mentions(sentence, vocabulary=vocabulary)}
    # The bundled, cached vocabulary is untouched.
    assert "global-budget" not in ids(sentence)


def test_a_new_instrument_and_stage_cue_are_turtle_edits_only():
    extra = """
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    @prefix pkg:  <https://w3id.org/policykg/ontology#> .
    @prefix inst: <https://w3id.org/policykg/instrument/> .
    inst:medical-insurance-credit a skos:Concept ;
        skos:inScheme inst:scheme ; skos:broader inst:universal-insurance ;
        skos:prefLabel "医保信用管理"@zh , "Insurance credit management"@en ;
        skos:definition "Credit ratings for insured providers."@en ;
        pkg:contextCue [ pkg:cueText "信用评价" ; pkg:requiresContext "医保" , "定点" ] .
    pkg:StagePilot pkg:stageCue "揭榜挂帅" .
    """
    graph = Graph().parse(data=turtle_text("instruments.ttl") + extra, format="turtle")
    vocabulary = InstrumentVocabulary.from_graph(graph)
    found = mentions("以揭榜挂帅方式开展定点医药机构医保信用评价。", vocabulary=vocabulary)
    assert [(m.id, m.stage) for m in found] == [("medical-insurance-credit", "pilot")]
    assert mentions("开展企业信用评价。", vocabulary=vocabulary) == []


def test_an_exclusion_added_to_the_turtle_vetoes_a_match():
    sentence = "开展按病种付费。"
    graph = Graph().parse(data=turtle_text("instruments.ttl"), format="turtle")
    graph.add((INST["case-based-payment"], PKG.excludeCue, Literal("开展按病种付费")))
    assert mentions(sentence, vocabulary=InstrumentVocabulary.from_graph(graph)) == []
    assert ids(sentence) == {"case-based-payment"}
