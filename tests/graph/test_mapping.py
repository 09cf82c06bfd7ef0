"""record → RDF (graph/mapping.py), IRIs (graph/iris.py) and the gazetteer graph."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from policykg.graph.gazetteer_graph import gazetteer_graph
from policykg.graph.iris import (
    GAZETTEER_GRAPH,
    ONTOLOGY_GRAPH,
    ROLLUP_GRAPH,
    VOCABULARY_GRAPH,
    agency_iri,
    document_iri,
    function_iri,
    indicator_iri,
    instrument_iri,
    jurisdiction_iri,
    measure_iri,
    slug,
)
from policykg.graph.mapping import agency_adcode, decimal_literal, record_to_graph
from policykg.graph import namespaces as ns
from policykg.graph.namespaces import ELI, OA, PKG
from policykg.loaders.extract import extract_file, extract_text
from policykg.loaders.record import InstrumentRollup, Record, TargetRec

from ..conftest import ROOT

# A made-up city document (Hubei, 2018) — not one of the bundled five.
DOCUMENT = """宜昌市人民政府办公室关于印发宜昌市深化医药卫生体制改革2018年重点工作任务的通知

宜府办发〔2018〕12号

各县市区人民政府，市政府各部门：
    《宜昌市深化医药卫生体制改革2018年重点工作任务》已经市人民政府同意，现印发给你们，请认真贯彻执行。

宜昌市人民政府办公室
2018年4月16日

宜昌市深化医药卫生体制改革2018年重点工作任务

    为贯彻落实《国务院办公厅关于城市公立医院综合改革试点的指导意见》（国办发〔2015〕38号），现提出2018年重点工作任务如下。

    一、提升基层服务能力
    1．全面推开家庭医生签约服务，重点人群签约服务覆盖率达到60%以上。（市卫生计生委、市人社局负责）
    2．在夷陵区、枝江市开展按疾病诊断相关分组付费试点。（市人社局负责，市卫生计生委（医政科）参与）
    二、加强公立医院运行监管
    3．城市公立医院药占比控制在30%以内，百元医疗收入消耗卫生材料降到20元以下。（市卫生计生委牵头，市财政局、市物价局配合）
"""
PATH = "made-up/yichang-2018-12.txt"
SHA256 = "7ef592ba3b038674a0ce56b47f95035e265058f55b2da5d1df6cacdd32058205"

# Written from reading DOCUMENT (offsets are character offsets into it).
EXPECTED_TURTLE = """
@base <https://w3id.org/policykg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix fn: <https://w3id.org/policykg/function/> .
@prefix ind: <https://w3id.org/policykg/indicator/> .
@prefix inst: <https://w3id.org/policykg/instrument/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix pkg: <https://w3id.org/policykg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# --- the document
<document/420500/宜府办发-2018-12> a pkg:PolicyDocument , eli:LegalResource ;
    dcterms:title "宜昌市人民政府办公室关于印发宜昌市深化医药卫生体制改革2018年重点工作任务的通知"@zh ;
    eli:id_local "宜府办发〔2018〕12号" ;
    eli:date_document "2018-04-16"^^xsd:date ;
    pkg:year 2018 ;
    pkg:jurisdiction <jurisdiction/420500> ;
    eli:passed_by <agency/420500/宜昌市人民政府办公室> ;
    pkg:citesDocNumber "国办发〔2015〕38号" ;
    prov:wasDerivedFrom <document/420500/宜府办发-2018-12/source> .

<document/420500/宜府办发-2018-12/source> a prov:Entity ;
    pkg:sha256 "7ef592ba3b038674a0ce56b47f95035e265058f55b2da5d1df6cacdd32058205" ;
    pkg:encoding "utf-8" ;
    pkg:sourcePath "made-up/yichang-2018-12.txt" .

# --- agencies: canonical names of the city's bodies, printed names as labels
<agency/420500/宜昌市人民政府办公室> a org:Organization , pkg:Agency ;
    skos:prefLabel "宜昌市人民政府办公室"@zh ; rdfs:label "宜昌市人民政府办公室"@zh ;
    pkg:function fn:government ; pkg:jurisdiction <jurisdiction/420500> .
<agency/420500/宜昌市卫生健康委员会> a org:Organization , pkg:Agency ;
    skos:prefLabel "宜昌市卫生健康委员会"@zh ; rdfs:label "市卫生计生委"@zh ;
    pkg:function fn:health ; pkg:jurisdiction <jurisdiction/420500> .
<agency/420500/宜昌市卫生健康委员会/unit/医政科> a org:OrganizationalUnit ;
    skos:prefLabel "医政科"@zh ; org:unitOf <agency/420500/宜昌市卫生健康委员会> .
<agency/420500/宜昌市人力资源和社会保障局> a org:Organization , pkg:Agency ;
    skos:prefLabel "宜昌市人力资源和社会保障局"@zh ; rdfs:label "市人社局"@zh ;
    pkg:function fn:human-resources-social-security ; pkg:jurisdiction <jurisdiction/420500> .
<agency/420500/宜昌市财政局> a org:Organization , pkg:Agency ;
    skos:prefLabel "宜昌市财政局"@zh ; rdfs:label "市财政局"@zh ;
    pkg:function fn:finance ; pkg:jurisdiction <jurisdiction/420500> .
<agency/420500/宜昌市发展和改革委员会> a org:Organization , pkg:Agency ;
    skos:prefLabel "宜昌市发展和改革委员会"@zh ; rdfs:label "市物价局"@zh ;
    pkg:function fn:prices ; pkg:jurisdiction <jurisdiction/420500> .

# --- measure 1: family doctors, implement; contract coverage >= 60 %
<document/420500/宜府办发-2018-12/measure/1> a pkg:Measure , eli:LegalResourceSubdivision ;
    eli:is_part_of <document/420500/宜府办发-2018-12> ;
    eli:id_local "1" ;
    pkg:section "一、提升基层服务能力"@zh ;
    pkg:heading "全面推开家庭医生签约服务，重点人群签约服务覆盖率达到60%以上"@zh ;
    pkg:text "全面推开家庭医生签约服务，重点人群签约服务覆盖率达到60%以上。（市卫生计生委、市人社局负责）"@zh ;
    pkg:jointly true ;
    pkg:leadAgency <agency/420500/宜昌市卫生健康委员会> ;
    pkg:responsibleAgency <agency/420500/宜昌市卫生健康委员会> , <agency/420500/宜昌市人力资源和社会保障局> ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/1/evidence> .
<document/420500/宜府办发-2018-12/measure/1/evidence> a oa:TextPositionSelector ;
    oa:start 272 ; oa:end 319 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/1/adoption/family-doctor-contracting-1> a pkg:InstrumentAdoption ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/1> ;
    pkg:instrument inst:family-doctor-contracting ;
    pkg:stage "implement" ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/1/adoption/family-doctor-contracting-1/evidence> .
<document/420500/宜府办发-2018-12/measure/1/adoption/family-doctor-contracting-1/evidence>
    a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "全面推开家庭医生签约服务，重点人群签约服务覆盖率达到60%以上"@zh ;
    oa:start 272 ; oa:end 303 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/1/target/1> a pkg:Target ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/1> ;
    pkg:indicatorText "重点人群签约服务覆盖率"@zh ;
    pkg:indicator ind:family-doctor-contract-coverage ;
    pkg:comparator ">=" ; pkg:value 60.0 ; pkg:unit "%" ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/1/target/1/evidence> .
<document/420500/宜府办发-2018-12/measure/1/target/1/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "重点人群签约服务覆盖率达到60%以上"@zh ;
    oa:start 285 ; oa:end 303 ; pkg:source <document/420500/宜府办发-2018-12> .

# --- measure 2: DRG payment piloted in two districts; a division of the health commission
<document/420500/宜府办发-2018-12/measure/2> a pkg:Measure , eli:LegalResourceSubdivision ;
    eli:is_part_of <document/420500/宜府办发-2018-12> ;
    eli:id_local "2" ;
    pkg:section "一、提升基层服务能力"@zh ;
    pkg:heading "在夷陵区、枝江市开展按疾病诊断相关分组付费试点"@zh ;
    pkg:text "在夷陵区、枝江市开展按疾病诊断相关分组付费试点。（市人社局负责，市卫生计生委（医政科）参与）"@zh ;
    pkg:jointly true ;
    pkg:leadAgency <agency/420500/宜昌市人力资源和社会保障局> ;
    pkg:responsibleAgency <agency/420500/宜昌市人力资源和社会保障局> , <agency/420500/宜昌市卫生健康委员会> ;
    pkg:responsibleUnit <agency/420500/宜昌市卫生健康委员会/unit/医政科> ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/2/evidence> .
<document/420500/宜府办发-2018-12/measure/2/evidence> a oa:TextPositionSelector ;
    oa:start 326 ; oa:end 372 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/2/adoption/drg-payment-1> a pkg:InstrumentAdoption ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/2> ;
    pkg:instrument inst:drg-payment ;
    pkg:stage "pilot" ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/2/adoption/drg-payment-1/evidence> .
<document/420500/宜府办发-2018-12/measure/2/adoption/drg-payment-1/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "在夷陵区、枝江市开展按疾病诊断相关分组付费试点"@zh ;
    oa:start 326 ; oa:end 349 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/2/pilot/drg-payment-1> a pkg:PilotDesignation ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/2> ;
    pkg:instrument inst:drg-payment ;
    pkg:site <jurisdiction/420506> , <jurisdiction/420583> ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/2/pilot/drg-payment-1/evidence> .
<document/420500/宜府办发-2018-12/measure/2/pilot/drg-payment-1/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "在夷陵区、枝江市开展按疾病诊断相关分组付费试点"@zh ;
    oa:start 326 ; oa:end 349 ; pkg:source <document/420500/宜府办发-2018-12> .

# --- measure 3: drug share <= 30 %, consumables per 100 yuan <= 20 yuan, in city public hospitals
<document/420500/宜府办发-2018-12/measure/3> a pkg:Measure , eli:LegalResourceSubdivision ;
    eli:is_part_of <document/420500/宜府办发-2018-12> ;
    eli:id_local "3" ;
    pkg:section "二、加强公立医院运行监管"@zh ;
    pkg:heading "城市公立医院药占比控制在30%以内，百元医疗收入消耗卫生材料降到20元以下"@zh ;
    pkg:text "城市公立医院药占比控制在30%以内，百元医疗收入消耗卫生材料降到20元以下。（市卫生计生委牵头，市财政局、市物价局配合）"@zh ;
    pkg:jointly true ;
    pkg:leadAgency <agency/420500/宜昌市卫生健康委员会> ;
    pkg:responsibleAgency <agency/420500/宜昌市卫生健康委员会> , <agency/420500/宜昌市财政局> ,
        <agency/420500/宜昌市发展和改革委员会> ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/3/evidence> .
<document/420500/宜府办发-2018-12/measure/3/evidence> a oa:TextPositionSelector ;
    oa:start 396 ; oa:end 456 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/3/adoption/drug-share-control-1> a pkg:InstrumentAdoption ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/3> ;
    pkg:instrument inst:drug-share-control ;
    pkg:stage "promote" ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/3/adoption/drug-share-control-1/evidence> .
<document/420500/宜府办发-2018-12/measure/3/adoption/drug-share-control-1/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "城市公立医院药占比控制在30%以内，百元医疗收入消耗卫生材料降到20元以下"@zh ;
    oa:start 396 ; oa:end 433 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/3/target/1> a pkg:Target ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/3> ;
    pkg:indicatorText "药占比"@zh ;
    pkg:indicator ind:drug-share ;
    pkg:comparator "<=" ; pkg:value 30.0 ; pkg:unit "%" ; pkg:scope "城市公立医院"@zh ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/3/target/1/evidence> .
<document/420500/宜府办发-2018-12/measure/3/target/1/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "城市公立医院药占比控制在30%以内"@zh ;
    oa:start 396 ; oa:end 413 ; pkg:source <document/420500/宜府办发-2018-12> .

<document/420500/宜府办发-2018-12/measure/3/target/2> a pkg:Target ;
    pkg:document <document/420500/宜府办发-2018-12> ;
    pkg:measure <document/420500/宜府办发-2018-12/measure/3> ;
    pkg:indicatorText "百元医疗收入消耗卫生材料"@zh ;
    pkg:indicator ind:consumables-per-100-yuan ;
    pkg:comparator "<=" ; pkg:value 20.0 ; pkg:unit "元" ; pkg:scope "城市公立医院"@zh ;
    pkg:evidence <document/420500/宜府办发-2018-12/measure/3/target/2/evidence> .
<document/420500/宜府办发-2018-12/measure/3/target/2/evidence> a oa:TextQuoteSelector , oa:TextPositionSelector ;
    oa:exact "百元医疗收入消耗卫生材料降到20元以下"@zh ;
    oa:start 414 ; oa:end 433 ; pkg:source <document/420500/宜府办发-2018-12> .
"""

DOC = URIRef("https://w3id.org/policykg/id/document/420500/宜府办发-2018-12")


@pytest.fixture(scope="module")
def record() -> Record:
    return extract_text(DOCUMENT, path=PATH)


@pytest.fixture(scope="module")
def corpus_records() -> list[Record]:
    return [extract_file(p) for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]


def sorted_ntriples(graph: Graph) -> bytes:
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line.strip()))


# --- the made-up document ------------------------------------------------------------------


def test_the_record_is_the_one_the_expected_graph_was_written_from(record: Record) -> None:
    """If this fails the loaders changed, not the mapping: re-read the document and update."""
    assert record.source.sha256 == SHA256
    assert (record.doc_number, record.issue_date) == ("宜府办发〔2018〕12号", date(2018, 4, 16))
    assert record.jurisdiction is not None and record.jurisdiction.adcode == "420500"
    assert [m.number for m in record.measures] == ["1", "2", "3"]
    assert [(u.id, u.stage) for m in record.measures for u in m.instruments] == [
        ("family-doctor-contracting", "implement"),
        ("drg-payment", "pilot"),
        ("drug-share-control", "promote"),
    ]
    assert [(t.indicator, t.comparator, t.value) for t in record.targets] == [
        ("重点人群签约服务覆盖率", ">=", 60),
        ("药占比", "<=", 30),
        ("百元医疗收入消耗卫生材料", "<=", 20),
    ]
    assert {i.id for i in record.instruments} == {"family-doctor-contracting", "drg-payment", "drug-share-control"}
    assert [s.adcode for p in record.pilot_sites for s in p.sites] == ["420506", "420583"]
    assert record.measures[1].agencies[1].division == "医政科"
    assert record.warnings == ()


def test_record_to_graph_is_isomorphic_to_the_graph_written_by_hand(record: Record) -> None:
    expected = Graph().parse(data=EXPECTED_TURTLE, format="turtle")
    actual = record_to_graph(record)
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            "graphs differ\nonly in record_to_graph:\n"
            + "\n".join(sorted(f"  {t}" for t in only_actual.serialize(format="nt").splitlines()))
            + "\nonly in the expected Turtle:\n"
            + "\n".join(sorted(f"  {t}" for t in only_expected.serialize(format="nt").splitlines()))
        )


def test_every_selector_quotes_the_original_text(record: Record) -> None:
    graph = record_to_graph(record)
    selectors = set(graph.subjects(ns.RDF.type, OA.TextPositionSelector))
    assert len(selectors) == 10
    for selector in selectors:
        start = int(graph.value(selector, OA.start))
        end = int(graph.value(selector, OA.end))
        exact = graph.value(selector, OA.exact)
        if exact is not None:
            assert DOCUMENT[start:end] == str(exact)
        else:  # a measure's span: its text
            measure = next(graph.subjects(PKG.evidence, selector))
            assert DOCUMENT[start:end] == str(graph.value(measure, PKG.text))


def test_literals_are_typed(record: Record) -> None:
    graph = record_to_graph(record)
    assert graph.value(DOC, ELI.date_document).datatype == ns.XSD.date
    assert graph.value(DOC, PKG.year).datatype == ns.XSD.integer
    values = list(graph.objects(None, PKG.value))
    assert values and all(v.datatype == ns.XSD.decimal for v in values)
    assert all(v.datatype == ns.XSD.integer for v in graph.objects(None, OA.start))
    assert all(v.datatype == ns.XSD.boolean for v in graph.objects(None, PKG.jointly))
    assert all(v.language == "zh" for p in (PKG.text, PKG.heading, PKG.indicatorText, OA.exact) for v in graph.objects(None, p))
    assert graph.value(DOC, ELI.id_local).language is None


def test_no_blank_nodes_and_byte_identical_ntriples(record: Record) -> None:
    first, second = record_to_graph(record), record_to_graph(record)
    assert not any(isinstance(term, BNode) for triple in first for term in triple)
    assert sorted_ntriples(first) == sorted_ntriples(second)


def test_iris_and_triples_are_the_same_in_another_process(record: Record) -> None:
    """Stable across runs: a fresh interpreter with another hash seed gives the same bytes."""
    code = (
        "import sys\n"
        "from policykg.loaders.extract import extract_text\n"
        "from policykg.graph.mapping import record_to_graph\n"
        "from tests.graph.test_mapping import DOCUMENT, PATH, sorted_ntriples\n"
        "sys.stdout.buffer.write(sorted_ntriples(record_to_graph(extract_text(DOCUMENT, path=PATH))))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=True).stdout
    assert out == sorted_ntriples(record_to_graph(record))


def test_the_graph_is_named_by_the_document_iri(record: Record) -> None:
    assert document_iri(record) == DOC
    assert (DOC, ns.RDF.type, PKG.PolicyDocument) in record_to_graph(record)


# --- records the made-up document does not show --------------------------------------------


def test_preamble_targets_and_adoptions_hang_off_the_document(record: Record) -> None:
    preamble_target = TargetRec(
        indicator="基层就诊率", comparator=">=", value=Decimal("65"), value_max=None, unit="%", per=None,
        baseline=None, deadline="到2020年", scope=None, text="到2020年基层就诊率达到65%以上", measure=None,
        start=240, end=256,
    )
    range_target = dataclasses.replace(
        preamble_target, indicator="临床重点专科", comparator="between", value=Decimal("1"),
        value_max=Decimal("2.50"), unit="个", per="每家市级医院", baseline=Decimal("0.5"),
    )
    rollup = InstrumentRollup(
        id="tiered-care-system", stage="implement", measures=(), evidence="全面推进分级诊疗制度建设", start=200, end=212
    )
    changed = dataclasses.replace(
        record,
        targets=(preamble_target, range_target, *record.targets),
        instruments=(*record.instruments, rollup),
    )
    graph = record_to_graph(changed)
    target = URIRef(f"{DOC}/target/1")
    assert (target, ns.RDF.type, PKG.Target) in graph
    assert graph.value(target, PKG.measure) is None
    assert graph.value(target, PKG.document) == DOC
    assert graph.value(target, PKG.indicator) == indicator_iri("primary-care-visit-share")
    assert graph.value(target, PKG.deadline) == Literal("到2020年", lang="zh")
    second = URIRef(f"{DOC}/target/2")
    assert graph.value(second, PKG.valueMax) == Literal("2.5", datatype=ns.XSD.decimal)
    assert graph.value(second, PKG.baseline) == Literal("0.5", datatype=ns.XSD.decimal)
    assert graph.value(second, PKG.per) == Literal("每家市级医院", lang="zh")
    adoption = URIRef(f"{DOC}/adoption/tiered-care-system-1")
    assert graph.value(adoption, PKG.stage) == Literal("implement")
    assert graph.value(adoption, PKG.measure) is None
    assert graph.value(graph.value(adoption, PKG.evidence), OA.start) == Literal(200)
    # roll-ups of instruments mentioned in measures are not repeated at document level
    assert URIRef(f"{DOC}/adoption/drg-payment-1") not in set(graph.subjects())


def test_a_document_without_wenhao_date_or_jurisdiction(record: Record) -> None:
    bare = dataclasses.replace(record, doc_number=None, issue_date=None, jurisdiction=None, parent_jurisdiction=None)
    iri = document_iri(bare)
    assert iri == URIRef(f"https://w3id.org/policykg/id/document/unknown/undated-{SHA256[:12]}")
    graph = record_to_graph(bare)
    assert graph.value(iri, PKG.year) is None
    assert graph.value(iri, PKG.jurisdiction) is None
    dated = dataclasses.replace(bare, issue_date=date(2012, 3, 21))
    assert str(document_iri(dated)).endswith(f"/unknown/2012-{SHA256[:12]}")
    # without a date the year comes from the 文号
    numbered = dataclasses.replace(record, issue_date=None, doc_number="浙医改办〔2017〕7号")
    graph = record_to_graph(numbered)
    assert graph.value(document_iri(numbered), PKG.year) == Literal(2017)
    assert str(document_iri(numbered)).endswith("/420500/浙医改办-2017-7")


# --- IRIs ------------------------------------------------------------------------------------


def test_slug_keeps_chinese_and_replaces_delimiters() -> None:
    assert slug("浙政办发〔2017〕54") == "浙政办发-2017-54"
    assert slug("annex.8") == "annex.8"
    assert slug("3-1") == "3-1"
    assert slug("a/b#c?d e(f)【g】［h］") == "a-b-c-d-e-f-g-h"
    assert slug("  ") == "_"


def test_iri_helpers() -> None:
    assert measure_iri(str(DOC), "annex.8") == URIRef(f"{DOC}/measure/annex.8")
    assert agency_iri("330000", "浙江省卫生健康委员会") == URIRef(
        "https://w3id.org/policykg/id/agency/330000/浙江省卫生健康委员会"
    )
    assert jurisdiction_iri("100000") == URIRef("https://w3id.org/policykg/id/jurisdiction/100000")
    assert instrument_iri("drg-payment") == URIRef("https://w3id.org/policykg/instrument/drg-payment")
    assert indicator_iri("drug-share") == URIRef("https://w3id.org/policykg/indicator/drug-share")
    assert function_iri("health") == URIRef("https://w3id.org/policykg/function/health")
    assert ONTOLOGY_GRAPH == URIRef("https://w3id.org/policykg/graph/ontology")
    assert VOCABULARY_GRAPH == URIRef("https://w3id.org/policykg/graph/vocabulary")
    assert GAZETTEER_GRAPH == URIRef("https://w3id.org/policykg/graph/gazetteer")
    assert ROLLUP_GRAPH == URIRef("https://w3id.org/policykg/graph/rollup")


def test_decimal_literals_have_a_stable_lexical_form() -> None:
    assert str(decimal_literal(Decimal("30"))) == "30.0"
    assert str(decimal_literal(Decimal("2.50"))) == "2.5"
    assert str(decimal_literal(Decimal("1E+2"))) == "100.0"
    assert str(decimal_literal(Decimal("0.05"))) == "0.05"


@pytest.mark.parametrize(
    ("canonical", "document_adcode", "expected"),
    [
        ("浙江省卫生健康委员会", "330000", "330000"),
        ("中共浙江省委机构编制委员会办公室", "330000", "330000"),
        ("临汾市人民政府", "140000", "141000"),  # a city government named in a provincial document
        ("国家卫生健康委员会", "330000", "100000"),  # a national ministry
        ("国家税务总局浙江省税务局", "330000", "330000"),  # a national system's provincial branch
        ("国家金融监督管理总局江苏监管局", "330000", "320000"),  # …of another province
        ("国家税务总局宁波市税务局", "330200", "330200"),
        ("中共中央办公厅", "330000", "100000"),
        ("宁波市卫生健康委员会", "330000", "330200"),
        ("市医保中心", "420500", "420500"),  # no division named: the document's
        ("市医保中心", None, "unknown"),
    ],
)
def test_agency_jurisdiction_rules(canonical: str, document_adcode: str | None, expected: str) -> None:
    assert agency_adcode(canonical, document_adcode=document_adcode, on=date(2018, 6, 1)) == expected


# --- the bundled corpus ----------------------------------------------------------------------


def test_corpus_records_map_with_stable_iris(corpus_records: list[Record]) -> None:
    iris = [str(document_iri(r)) for r in corpus_records]
    assert iris[0] == "https://w3id.org/policykg/id/document/330000/浙政办发-2017-54"
    assert iris[2] == "https://w3id.org/policykg/id/document/140000/晋医改组发-2019-1"
    assert iris[4].startswith("https://w3id.org/policykg/id/document/320000/2012-")  # no 文号
    assert len(set(iris)) == len(iris)
    for record in corpus_records:
        graph = record_to_graph(record)
        doc = document_iri(record)
        measures = set(graph.subjects(ELI.is_part_of, doc))
        assert len(measures) == len(record.measures)
        assert len(set(graph.subjects(ns.RDF.type, PKG.Target))) == len(record.targets)
        assert len(set(graph.subjects(ns.RDF.type, PKG.PilotDesignation))) == len(record.pilot_sites)
        adoptions = set(graph.subjects(ns.RDF.type, PKG.InstrumentAdoption))
        assert len(adoptions) >= sum(len(m.instruments) for m in record.measures)
        # every instrument of the roll-up is adopted somewhere in the graph
        adopted = {graph.value(a, PKG.instrument) for a in adoptions}
        assert adopted == {instrument_iri(r.id) for r in record.instruments}


def test_mapping_uses_only_declared_project_terms(corpus_records: list[Record]) -> None:
    from policykg.ontology import load_graph

    declared = set(load_graph("policykg.ttl").subjects()) | set(load_graph("agencies.ttl").subjects())
    for record in corpus_records:
        graph = record_to_graph(record)
        used = {p for p in graph.predicates()} | set(graph.objects(None, ns.RDF.type))
        project = {term for term in used if str(term).startswith(str(PKG))}
        assert project <= declared, project - declared


# --- the gazetteer graph ---------------------------------------------------------------------


def test_gazetteer_graph_has_every_code_with_names_level_parent_and_validity() -> None:
    graph = gazetteer_graph()
    zhejiang = jurisdiction_iri("330000")
    assert (zhejiang, ns.RDF.type, PKG.Jurisdiction) in graph
    assert set(graph.objects(zhejiang, ns.SKOS.prefLabel)) == {Literal("浙江省", lang="zh"), Literal("Zhejiang", lang="en")}
    assert graph.value(zhejiang, PKG.level) == Literal("province")
    assert graph.value(zhejiang, PKG.adcode) == Literal("330000")
    assert graph.value(zhejiang, PKG.parent) == jurisdiction_iri("100000")
    assert graph.value(zhejiang, PKG.validTo) is None
    nation = jurisdiction_iri("100000")
    assert graph.value(nation, PKG.level) == Literal("national")
    assert graph.value(nation, PKG.parent) is None
    # a historical division: 莱芜市 ended in 2019
    laiwu = jurisdiction_iri("371200")
    assert graph.value(laiwu, PKG.validTo) == Literal("2019-05-01", datatype=ns.XSD.date)
    assert graph.value(laiwu, PKG.parent) == jurisdiction_iri("370000")
    codes = set(graph.subjects(ns.RDF.type, PKG.Jurisdiction))
    assert len(codes) > 6500


def test_gazetteer_graph_on_a_day_keeps_the_divisions_valid_that_day() -> None:
    graph = gazetteer_graph(on=date(2018, 1, 1))
    assert (jurisdiction_iri("371200"), ns.RDF.type, PKG.Jurisdiction) in graph  # 莱芜市 still existed
    assert (jurisdiction_iri("540600"), ns.RDF.type, PKG.Jurisdiction) in graph  # 那曲市 from 2017-10
    assert (jurisdiction_iri("542400"), ns.RDF.type, PKG.Jurisdiction) not in graph  # 那曲地区 gone


def test_gazetteer_graph_covers_every_dated_division() -> None:
    # Its build time is a benchmark matter (docs/benchmarks.md), not a unit test's.
    graph = gazetteer_graph()
    assert len(graph) > 50_000
