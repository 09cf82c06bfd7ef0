"""The ontology (policykg.ttl), the SHACL shapes (shapes.ttl) and graph/validate.py."""

from __future__ import annotations

import re

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from policykg.graph import namespaces as ns
from policykg.graph.gazetteer_graph import gazetteer_graph
from policykg.graph.iris import GAZETTEER_GRAPH, document_iri
from policykg.graph.mapping import record_to_graph
from policykg.graph.validate import ValidationReport, validate
from policykg.loaders.extract import extract_file, extract_text
from policykg.ontology import load_graph

from ..conftest import ROOT
from .test_mapping import DOCUMENT, PATH

PKG = ns.PKG
MEASURE_3 = "https://w3id.org/policykg/id/document/420500/宜府办发-2018-12/measure/3"


@pytest.fixture(scope="module")
def corpus_graph() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data" / "corpus").glob("*.txt")):
        graph += record_to_graph(extract_file(path))
    return graph


@pytest.fixture()
def made_up() -> Graph:
    return record_to_graph(extract_text(DOCUMENT, path=PATH))


# --- the ontology ------------------------------------------------------------------------------


def ontology_terms() -> list[URIRef]:
    graph = load_graph("policykg.ttl")
    kinds = (ns.OWL.Class, ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty)
    return sorted({s for kind in kinds for s in graph.subjects(ns.RDF.type, kind) if isinstance(s, URIRef)})


def test_every_class_and_property_has_chinese_and_english_labels_and_a_definition() -> None:
    graph = load_graph("policykg.ttl")
    terms = ontology_terms()
    assert len(terms) > 40
    for term in terms:
        labels = {v.language for v in graph.objects(term, ns.RDFS.label) if isinstance(v, Literal)}
        assert {"zh", "en"} <= labels, term
        definitions = {v.language for v in graph.objects(term, ns.SKOS.definition) if isinstance(v, Literal)}
        assert "en" in definitions, term


def test_classes_align_with_reused_vocabularies() -> None:
    graph = load_graph("policykg.ttl")
    assert (PKG.PolicyDocument, ns.RDFS.subClassOf, ns.ELI.LegalResource) in graph
    assert (PKG.Measure, ns.RDFS.subClassOf, ns.ELI.LegalResourceSubdivision) in graph
    assert (PKG.Agency, ns.RDFS.subClassOf, ns.ORG.Organization) in graph
    assert (PKG.evidence, ns.RDFS.range, ns.OA.Selector) in graph
    for name in ("Target", "InstrumentAdoption", "PilotDesignation", "JurisdictionAdoption", "Jurisdiction"):
        assert (PKG[name], ns.RDF.type, ns.OWL.Class) in graph


def test_every_pkg_term_of_the_graph_model_is_declared() -> None:
    text = (ROOT / "docs" / "graph-model.md").read_text(encoding="utf-8")
    named = {PKG[name] for name in re.findall(r"pkg:([A-Za-z][A-Za-z0-9]*)", text)}
    declared = {s for name in ("policykg.ttl", "agencies.ttl", "instruments.ttl") for s in load_graph(name).subjects()}
    assert named - declared == set()


# --- validation --------------------------------------------------------------------------------


def test_the_bundled_records_with_vocabularies_and_gazetteer_conform(corpus_graph: Graph) -> None:
    report = validate(corpus_graph, with_gazetteer=True)
    assert isinstance(report, ValidationReport)
    assert report.conforms, report.text
    assert report.results == 0 and report.text == ""


def test_a_dataset_is_validated_as_the_union_of_its_graphs(made_up: Graph) -> None:
    dataset = Dataset()
    record = extract_text(DOCUMENT, path=PATH)
    named = dataset.graph(document_iri(record))
    for triple in made_up:
        named.add(triple)
    gazetteer = dataset.graph(GAZETTEER_GRAPH)
    for triple in gazetteer_graph(on=record.issue_date):
        gazetteer.add(triple)
    assert validate(dataset).conforms


def test_a_broken_target_is_reported_with_focus_node_and_path(made_up: Graph) -> None:
    target = URIRef(f"{MEASURE_3}/target/1")
    made_up.set((target, PKG.value, Literal("30")))  # a string, not xsd:decimal
    made_up.set((target, PKG.comparator, Literal("≈")))  # not in the closed set
    report = validate(made_up)
    assert not report.conforms
    assert report.results >= 2
    lines = report.text.splitlines()
    value_line = next(line for line in lines if "path pkg:value" in line)
    assert str(target) in value_line and '"30"' in value_line
    comparator_line = next(line for line in lines if "path pkg:comparator" in line)
    assert str(target) in comparator_line and "≈" in comparator_line


def test_an_adoption_needs_a_known_stage_and_an_instrument_of_the_scheme(made_up: Graph) -> None:
    adoption = URIRef(f"{MEASURE_3}/adoption/drug-share-control-1")
    made_up.set((adoption, PKG.stage, Literal("mandate")))
    made_up.set((adoption, PKG.instrument, ns.INST["no-such-instrument"]))
    report = validate(made_up)
    assert not report.conforms
    assert any("path pkg:stage" in line for line in report.text.splitlines())
    assert any("path pkg:instrument" in line for line in report.text.splitlines())


def test_instruments_are_checked_against_the_vocabulary(made_up: Graph) -> None:
    assert validate(made_up).conforms
    # without the vocabularies no instrument is a concept of the scheme
    bare = validate(made_up, with_vocabularies=False)
    assert not bare.conforms
    assert "pkg:instrument" in bare.text


def test_cross_checks_lead_agency_and_measure_of_document(made_up: Graph) -> None:
    measure = URIRef(MEASURE_3)
    made_up.remove((measure, PKG.responsibleAgency, URIRef("https://w3id.org/policykg/id/agency/420500/宜昌市卫生健康委员会")))
    target = URIRef(f"{MEASURE_3}/target/2")
    made_up.set((target, PKG.measure, URIRef("https://w3id.org/policykg/id/document/330000/浙政办发-2017-54/measure/1")))
    report = validate(made_up)
    assert not report.conforms
    assert any(MEASURE_3 in line and "path pkg:leadAgency" in line for line in report.text.splitlines())
    assert any(str(target) in line and "path pkg:measure" in line for line in report.text.splitlines())


def test_a_range_needs_its_upper_bound(made_up: Graph) -> None:
    target = URIRef(f"{MEASURE_3}/target/1")
    made_up.set((target, PKG.comparator, Literal("between")))
    report = validate(made_up)
    assert not report.conforms and "between" in report.text
    made_up.set((target, PKG.valueMax, Literal("40.0", datatype=ns.XSD.decimal)))
    assert validate(made_up).conforms
    made_up.set((target, PKG.valueMax, Literal("20.0", datatype=ns.XSD.decimal)))  # below the value
    assert not validate(made_up).conforms


def test_a_broken_jurisdiction_is_reported() -> None:
    graph = Graph()
    node = URIRef("https://w3id.org/policykg/id/jurisdiction/330000")
    graph.add((node, ns.RDF.type, PKG.Jurisdiction))
    graph.add((node, PKG.adcode, Literal("330000")))
    graph.add((node, ns.SKOS.prefLabel, Literal("Zhejiang", lang="en")))
    graph.add((node, PKG.level, Literal("state")))
    report = validate(graph, with_vocabularies=False)
    assert not report.conforms
    assert "path pkg:level" in report.text
    assert "skos:prefLabel" in report.text  # no Chinese name


def test_the_report_is_deterministic(made_up: Graph) -> None:
    target = URIRef(f"{MEASURE_3}/target/1")
    made_up.set((target, PKG.comparator, Literal("≈")))
    assert validate(made_up).text == validate(made_up).text
