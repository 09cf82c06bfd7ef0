"""Agency vocabulary and responsibility clauses, on small made-up documents."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph

from policykg.loaders.agencies import (
    UNKNOWN_FUNCTION,
    AgencyVocabulary,
    JurisdictionContext,
    find_responsibility,
    load_agency_vocabulary,
    parse_agency_list,
    resolve_agency,
)
from policykg.loaders.text import normalise
from policykg.ontology import load_graph, turtle_text

HUNAN_2016 = JurisdictionContext(name="湖南省", level="province", on=date(2016, 4, 1))
GUANGXI_2013 = JurisdictionContext(name="广西壮族自治区", level="province", on=date(2013, 8, 1))
HEFEI_2019 = JurisdictionContext(name="合肥市", level="city", on=date(2019, 9, 1))
DEQING_2020 = JurisdictionContext(name="德清县", level="county", on=date(2020, 3, 1))


def view(text: str) -> str:
    return normalise(text).text


def names(found) -> list[str]:
    agencies = found.agencies if hasattr(found, "agencies") else found
    return [a.name for a in agencies]


# --- vocabulary -------------------------------------------------------------------------------


def test_vocabulary_loads_functions_types_and_aliases() -> None:
    vocabulary = load_agency_vocabulary()
    assert vocabulary is load_agency_vocabulary()  # cached
    for function in ("health", "medical-insurance", "finance", "staffing", "government", "tcm"):
        assert function in vocabulary.functions
    assert vocabulary.functions["health"] == ("卫生健康", "health")
    kinds = {use.kind for alias in ("卫生厅", "卫计委", "卫健委") for use in vocabulary.aliases[alias]}
    assert kinds == {"health-commission"}


def test_every_agency_type_has_a_known_function_and_a_canonical_name() -> None:
    vocabulary = load_agency_vocabulary()
    for kind, agency_type in vocabulary.types.items():
        assert agency_type.function in vocabulary.functions, kind
        assert vocabulary.forms(kind), kind


# --- clause styles ----------------------------------------------------------------------------


def test_plain_clause_with_lead_note() -> None:
    text = view("推进家庭医生签约服务。（省卫生计生委、省财政厅、省人力社保厅负责。列第一位的为牵头单位，下同）")
    found = find_responsibility(text, context=HUNAN_2016)
    assert found is not None
    assert names(found) == ["省卫生计生委", "省财政厅", "省人力社保厅"]
    assert found.lead is found.agencies[0]
    assert found.roles[0] == "lead"
    assert found.jointly is True
    assert text[found.start] == "(" and found.end == len(text)
    assert [a.function for a in found.agencies] == [
        "health", "finance", "human-resources-social-security",
    ]


def test_labelled_clause_with_markdown_removed() -> None:
    text = view("开展按病种付费试点。（**责任部门：省医保局、省卫健委**）")
    found = find_responsibility(text)
    assert names(found) == ["省医保局", "省卫健委"]
    assert [a.function for a in found.agencies] == ["medical-insurance", "health"]
    assert found.jointly is True
    assert text[found.start : found.end] == "(责任部门:省医保局、省卫健委)"


def test_single_agency_is_not_joint() -> None:
    found = find_responsibility(view("完善基层首诊制度。(责任单位:市卫健委)"), context=HEFEI_2019)
    assert names(found) == ["市卫健委"]
    assert found.jointly is False
    assert found.lead.canonical == "合肥市卫生健康委员会"


def test_lead_and_supporting_labels() -> None:
    text = view("建立医共体。（牵头单位：县卫健委；配合单位：县财政局、县医保局）")
    found = find_responsibility(text, context=DEQING_2020)
    assert names(found) == ["县卫健委", "县财政局", "县医保局"]
    assert found.roles == ("lead", "supporting", "supporting")
    assert found.lead.name == "县卫健委"
    assert found.jointly is True
    assert [a.canonical for a in found.agencies] == [
        "德清县卫生健康局", "德清县财政局", "德清县医疗保障局",
    ]


def test_lead_verb_and_supporting_verb() -> None:
    found = find_responsibility(view("(市卫健委牵头,市发展改革委、市财政局配合)"), context=HEFEI_2019)
    assert names(found) == ["市卫健委", "市发展改革委", "市财政局"]
    assert found.roles == ("lead", "supporting", "supporting")
    assert found.jointly is True


def test_responsible_and_participating() -> None:
    found = find_responsibility(view("（市医保局负责，市卫健委参与）"))
    assert names(found) == ["市医保局", "市卫健委"]
    assert found.roles == ("responsible", "supporting")
    assert found.lead.name == "市医保局"


def test_label_outside_brackets() -> None:
    text = view("16. 推进检查检验结果互认。\n责任单位：省卫健委、省医保局\n")
    found = find_responsibility(text)
    assert names(found) == ["省卫健委", "省医保局"]
    assert text[found.start : found.end] == "责任单位:省卫健委、省医保局"


def test_labels_on_consecutive_lines_form_one_clause() -> None:
    text = view("推进医联体建设。\n牵头单位：市卫健委\n配合单位：市财政局、市医保局\n")
    found = find_responsibility(text)
    assert names(found) == ["市卫健委", "市财政局", "市医保局"]
    assert found.roles == ("lead", "supporting", "supporting")
    assert text[found.start : found.end] == "牵头单位:市卫健委\n配合单位:市财政局、市医保局"
    found = find_responsibility(view("（责任单位：省卫健委；完成时限：2020年底前）"))
    assert names(found) == ["省卫健委"]


@pytest.mark.parametrize("verb", ["分别负责", "分别牵头", "按职责分工负责"])
def test_separate_responsibility_is_not_joint(verb: str) -> None:
    found = find_responsibility(view(f"（省医改办、省人力社保厅、省物价局{verb}）"))
    assert len(found.agencies) == 3
    assert found.jointly is False
    assert found.lead.name == "省医改办"


def test_notes_and_role_words_are_not_agencies() -> None:
    found = find_responsibility(view("（省卫生厅、省民政厅负责落实，下同）"))
    assert names(found) == ["省卫生厅", "省民政厅"]
    found = find_responsibility(view("(由省卫健委会同省财政厅、省医保局等部门负责)"))
    assert names(found) == ["省卫健委", "省财政厅", "省医保局"]


def test_names_with_和_are_not_split() -> None:
    found = find_responsibility(view("（省人力资源和社会保障厅、省卫生和计划生育委员会负责）"))
    assert names(found) == ["省人力资源和社会保障厅", "省卫生和计划生育委员会"]
    found = find_responsibility(view("（省卫健委和省医保局负责）"))
    assert names(found) == ["省卫健委", "省医保局"]


def test_missing_closing_bracket() -> None:
    text = view("完善医疗服务价格动态调整机制（省医保局、省卫健委负责\n下一项工作")
    found = find_responsibility(text)
    assert names(found) == ["省医保局", "省卫健委"]
    assert text[found.start : found.end] == "(省医保局、省卫健委负责"


def test_mismatched_closing_bracket() -> None:
    text = view("推进分级诊疗(市卫健委、市医保局负责】。")
    found = find_responsibility(text)
    assert names(found) == ["市卫健委", "市医保局"]
    assert text[found.end - 1] == "】"


def test_brackets_that_are_not_clauses() -> None:
    assert find_responsibility(view("医共体由县级医院牵头，乡镇卫生院参与（2019年底前完成）")) is None
    assert find_responsibility(view("（具体办法由省卫健委另行制定）")) is None
    assert find_responsibility(view("实行院长负责制(含民营医院负责人)。")) is None
    assert find_responsibility("") is None


def test_the_last_clause_of_a_measure_wins() -> None:
    text = view("（一）完善补偿机制（省财政厅负责）。（二）推进薪酬改革（省人社厅、省卫健委负责）")
    found = find_responsibility(text)
    assert names(found) == ["省人社厅", "省卫健委"]


def test_traditional_characters_after_normalise() -> None:
    text = view("（省衛生計生委、省財政廳、省人力社保廳負責）")
    found = find_responsibility(text, context=HUNAN_2016)
    assert names(found) == ["省卫生计生委", "省财政厅", "省人力社保厅"]
    assert found.agencies[0].canonical == "湖南省卫生健康委员会"


# --- abbreviated lists ------------------------------------------------------------------------


def test_level_prefix_carries_through_an_abbreviated_list() -> None:
    text = view("（省人力资源社会保障厅、卫生厅、财政厅、物价局负责）")
    found = find_responsibility(text)
    assert names(found) == ["省人力资源社会保障厅", "省卫生厅", "省财政厅", "省物价局"]
    # offsets point at the printed names, without the restored prefix
    assert [text[a.start : a.end] for a in found.agencies] == [
        "省人力资源社会保障厅", "卫生厅", "财政厅", "物价局",
    ]


def test_own_prefix_resets_the_carried_one() -> None:
    text = view("（省人力资源社会保障厅，省编办，省卫生厅、财政厅，安徽保监局负责）")
    found = find_responsibility(text, context=JurisdictionContext("安徽省", "province", date(2012, 3, 1)))
    assert names(found) == ["省人力资源社会保障厅", "省编办", "省卫生厅", "省财政厅", "安徽保监局"]
    insurance = found.agencies[-1]
    assert insurance.function == "insurance-regulation"
    assert insurance.canonical == "国家金融监督管理总局安徽监管局"
    # a bare place resets the carry to nothing
    found = find_responsibility(view("（省卫生厅、安徽保监局、财政厅负责）"))
    assert names(found) == ["省卫生厅", "安徽保监局", "财政厅"]


def test_national_prefix_carries_but_not_into_ministries() -> None:
    found = find_responsibility(
        view("（国家卫生健康委、发展改革委、财政部、国家医保局按职责分工负责）"),
        context=JurisdictionContext(level="national", on=date(2019, 1, 1)),
    )
    assert names(found) == ["国家卫生健康委", "国家发展改革委", "财政部", "国家医保局"]
    assert [a.canonical for a in found.agencies] == [
        "国家卫生健康委员会", "国家发展和改革委员会", "财政部", "国家医疗保障局",
    ]
    assert found.jointly is False


def test_level_words_share_the_following_name() -> None:
    found = find_responsibility(view("（省、市医保局负责）"))
    assert names(found) == ["省医保局", "市医保局"]
    assert [a.level for a in found.agencies] == ["province", "city"]
    found = find_responsibility(view("（省卫健委牵头，市、县政府配合）"))
    assert names(found) == ["省卫健委", "市政府", "县政府"]
    assert [a.function for a in found.agencies] == ["health", "government", "government"]
    found = find_responsibility(view("（各县（市、区）政府负责）"))
    assert names(found) == ["各县(市、区)政府"] and found.agencies[0].function == "government"


def test_annex_cell_with_division() -> None:
    cell = view("市卫健委（医政医管处）")
    (agency,) = parse_agency_list(cell)
    assert (agency.name, agency.division, agency.function) == ("市卫健委", "医政医管处", "health")
    assert cell[agency.start : agency.end] == "市卫健委"
    agencies = parse_agency_list(view("省医保局、省卫健委(财务处)"))
    assert [(a.name, a.division) for a in agencies] == [("省医保局", None), ("省卫健委", "财务处")]


def test_annex_cell_with_places_sharing_a_suffix() -> None:
    cell = view("省卫健委、省医保局，株洲、湘潭、衡阳、岳阳市")
    agencies = parse_agency_list(cell, context=HUNAN_2016)
    assert names(agencies) == ["省卫健委", "省医保局", "株洲市", "湘潭市", "衡阳市", "岳阳市"]
    assert [a.function for a in agencies[2:]] == ["government"] * 4
    assert agencies[2].canonical == "株洲市人民政府"
    assert cell[agencies[2].start : agencies[2].end] == "株洲"
    counted = parse_agency_list(view("株洲、湘潭、衡阳三市"))
    assert names(counted) == ["株洲市", "湘潭市", "衡阳市"]


def test_annex_cell_with_one_city() -> None:
    agencies = parse_agency_list(view("省医保局,常德市"))
    assert [(a.name, a.function, a.known) for a in agencies] == [
        ("省医保局", "medical-insurance", True),
        ("常德市", "government", True),
    ]


def test_annex_cell_separators_and_header() -> None:
    assert names(parse_agency_list(view("市卫健委 市财政局;市医保局/市人社局"))) == [
        "市卫健委", "市财政局", "市医保局", "市人社局",
    ]
    assert parse_agency_list("负责单位") == ()


# --- normalisation across reorganisations -----------------------------------------------------


def test_health_bodies_normalise_across_reorganisations() -> None:
    old = resolve_agency("省卫生厅", context=JurisdictionContext("河南省", "province", date(2012, 5, 1)))
    middle = resolve_agency("省卫生计生委", context=JurisdictionContext("河南省", "province", date(2016, 5, 1)))
    new = resolve_agency("省卫健委", context=JurisdictionContext("河南省", "province", date(2019, 5, 1)))
    assert old.kind == middle.kind == new.kind == "health-commission"
    assert old.canonical == middle.canonical == new.canonical == "河南省卫生健康委员会"
    assert old.function == new.function == "health"


def test_health_without_jurisdiction_uses_the_level_word() -> None:
    assert resolve_agency("省卫生计生委").canonical == "省卫生健康委员会"
    assert resolve_agency("卫生部").canonical == "国家卫生健康委员会"
    assert resolve_agency("国家卫生计生委").level == "national"


def test_human_resources_held_medical_insurance_before_2018() -> None:
    before = resolve_agency("省人社厅", context=JurisdictionContext("河北省", "province", date(2015, 1, 1)))
    after = resolve_agency("省人社厅", context=JurisdictionContext("河北省", "province", date(2019, 6, 1)))
    assert before.function == after.function == "human-resources-social-security"
    assert before.functions == ("human-resources-social-security", "medical-insurance")
    assert after.functions == ("human-resources-social-security",)
    # without a date, an alias current only before 2018 implies the era
    assert "medical-insurance" in resolve_agency("劳动保障厅").functions
    assert "medical-insurance" not in resolve_agency("人社厅").functions


def test_defunct_bodies_keep_their_function_but_take_the_successors_name() -> None:
    prices = resolve_agency("市物价局", context=JurisdictionContext("洛阳市", "city", date(2013, 1, 1)))
    assert prices.function == "prices"
    assert prices.canonical == "洛阳市发展和改革委员会"
    drugs = resolve_agency("市食品药品监管局", context=JurisdictionContext("洛阳市", "city", date(2016, 1, 1)))
    assert drugs.function == "drug-regulation"
    assert "market-regulation" in drugs.functions
    assert drugs.canonical == "洛阳市市场监督管理局"
    assert resolve_agency("省食品药品监管局").canonical == "省药品监督管理局"
    tax = resolve_agency("自治区地税局", context=GUANGXI_2013)
    assert (tax.function, tax.canonical) == ("tax", "国家税务总局广西壮族自治区税务局")


def test_level_specific_canonical_forms() -> None:
    assert resolve_agency("省财政厅", context=HUNAN_2016).canonical == "湖南省财政厅"
    assert resolve_agency("市财政局", context=HEFEI_2019).canonical == "合肥市财政局"
    assert resolve_agency("区人社局", context=JurisdictionContext("西湖区", "county")).canonical == (
        "西湖区人力资源和社会保障局"
    )
    # municipalities are province level but name bodies like cities
    assert resolve_agency("市财政局", context=JurisdictionContext("天津市", "province")).canonical == (
        "天津市财政局"
    )
    # a province body named in a city document is not the city's
    assert resolve_agency("省财政厅", context=HEFEI_2019).canonical == "省财政厅"
    assert resolve_agency("省委编办", context=HUNAN_2016).canonical == "中共湖南省委机构编制委员会办公室"
    assert resolve_agency("自治区卫生厅", context=GUANGXI_2013).canonical == "广西壮族自治区卫生健康委员会"
    assert resolve_agency("广西保监局", context=GUANGXI_2013).canonical == "国家金融监督管理总局广西监管局"


def test_explicit_jurisdictions_and_party_bodies() -> None:
    agency = resolve_agency("芜湖市卫生计生委")
    assert (agency.jurisdiction, agency.level, agency.canonical) == ("芜湖市", "city", "芜湖市卫生健康委员会")
    party = resolve_agency("中共芜湖市委")
    assert (party.function, party.canonical) == ("party-committee", "中国共产党芜湖市委员会")
    assert resolve_agency("省政府办公厅").function == "government"
    assert resolve_agency("国务院医改办").canonical == "国务院深化医药卫生体制改革领导小组办公室"


def test_unknown_bodies_are_kept() -> None:
    found = find_responsibility(view("（省卫健委、省总工会、团省委负责）"), context=HUNAN_2016)
    assert names(found) == ["省卫健委", "省总工会", "团省委"]
    union, league = found.agencies[1], found.agencies[2]
    assert (union.known, union.function, union.functions) == (False, UNKNOWN_FUNCTION, (UNKNOWN_FUNCTION,))
    assert union.canonical == "湖南省总工会"
    assert league.canonical == "团省委" and league.known is False
    # an unknown body in an abbreviated list still gets the carried prefix
    found = find_responsibility(view("（省卫生厅、总工会负责）"))
    assert names(found) == ["省卫生厅", "省总工会"]
    # something that is not an organisation is not an agency
    assert resolve_agency("有效落实").known is False
    assert parse_agency_list("有效落实") == ()


def test_resolve_agency_reports_division_and_offsets() -> None:
    agency = resolve_agency("省卫健委（规划处）")
    assert (agency.name, agency.division, agency.start, agency.end) == ("省卫健委", "规划处", 0, 4)
    assert resolve_agency("省卫健委(规划处").division == "规划处"


# --- the vocabulary drives behaviour ----------------------------------------------------------


def test_adding_a_turtle_alias_changes_behaviour_without_code() -> None:
    base = load_agency_vocabulary()
    assert resolve_agency("省健康委", vocabulary=base).known is False
    extra = """
    @prefix pkg: <https://w3id.org/policykg/ontology#> .
    @prefix agt: <https://w3id.org/policykg/agency/> .
    @prefix fn:  <https://w3id.org/policykg/function/> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    agt:health-commission pkg:alias "健康委" .
    fn:big-data a skos:Concept ; skos:inScheme pkg:agencyFunctionScheme ; skos:notation "big-data" ;
        skos:prefLabel "大数据"@zh , "big data"@en .
    agt:big-data-bureau a pkg:AgencyType ; pkg:function fn:big-data ;
        pkg:canonicalName "大数据发展管理局" ; pkg:alias "大数据局" .
    """
    graph = Graph().parse(data=turtle_text("agencies.ttl"), format="turtle")
    graph.parse(data=extra, format="turtle")
    modified = AgencyVocabulary.from_graph(graph)
    assert len(load_graph("agencies.ttl")) < len(graph)  # the shipped graph is untouched
    agency = resolve_agency("省健康委", context=HUNAN_2016, vocabulary=modified)
    assert (agency.known, agency.function, agency.canonical) == (True, "health", "湖南省卫生健康委员会")
    found = find_responsibility(view("（省大数据局、省卫健委负责）"), vocabulary=modified)
    assert [(a.known, a.function) for a in found.agencies] == [(True, "big-data"), (True, "health")]
    assert found.agencies[0].canonical == "省大数据发展管理局"
    assert resolve_agency("省大数据局").known is False
