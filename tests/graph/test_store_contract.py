"""The Store contract: one suite, every backend (memory, disk, Oxigraph server, Virtuoso).

Data are a few made-up policy documents shaped like docs/graph-model.md: Chinese IRIs,
@zh titles, xsd:integer years, a blank-node source description, a roll-up graph.
"""
from __future__ import annotations

import httpx
import pytest
import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from policykg.graph.oxigraph_store import OxigraphStore
from policykg.graph.remote_store import RemoteStore
from policykg.graph.store import (
    DEFAULT_STORE_DIR,
    InvalidQuery,
    QueryResult,
    QueryTimeout,
    ReadOnlyStoreError,
    Store,
    StoreError,
    bind_with_values,
    default_store_location,
    open_store,
    query_form,
)

# Plain Namespaces: rdflib's closed ones warn when pytest probes module attributes.
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PKG = Namespace("https://w3id.org/policykg/ontology#")
INST = Namespace("https://w3id.org/policykg/instrument/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ID = "https://w3id.org/policykg/id/"

DOC_ZJ = f"{ID}document/330000/浙政办发-2017-54"
DOC_SC = f"{ID}document/510000/川办发-2019-12"
DOC_GZ = f"{ID}document/440100/穗医保发-2020-3"
ROLLUP = "https://w3id.org/policykg/graph/rollup"

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated.*:DeprecationWarning")  # rdflib's own parsers

PREFIXES = """\
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX inst: <https://w3id.org/policykg/instrument/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""
INJECTION = "drg-payment> } ; DROP ALL ; #"


def document(doc: str, *, title: str, number: str, year: int, adcode: str, instruments: list[str]) -> Graph:
    graph = Graph()
    d = URIRef(doc)
    graph.add((d, RDF.type, PKG.PolicyDocument))
    graph.add((d, DCTERMS.title, Literal(title, lang="zh")))
    graph.add((d, ELI.id_local, Literal(number)))
    graph.add((d, PKG.year, Literal(year)))  # xsd:integer
    graph.add((d, ELI.date_document, Literal(f"{year}-03-01", datatype=XSD.date)))
    graph.add((d, PKG.jurisdiction, URIRef(f"{ID}jurisdiction/{adcode}")))
    source = BNode()
    graph.add((d, PROV.wasDerivedFrom, source))
    graph.add((source, PKG.sha256, Literal(f"{abs(hash(doc)) % 10**8:08d}" * 8)))
    graph.add((source, PKG.encoding, Literal("gb18030")))
    for n, instrument in enumerate(instruments, 1):
        measure = URIRef(f"{doc}/measure/{n}")
        graph.add((measure, RDF.type, PKG.Measure))
        graph.add((measure, ELI.is_part_of, d))
        graph.add((measure, PKG.text, Literal(f"（{n}）推进“{instrument}”改革。\n含\\反斜杠与\"引号\"", lang="zh")))
        graph.add((measure, PKG.jointly, Literal(n % 2 == 0)))
        adoption = URIRef(f"{measure}/adoption/{instrument}-1")
        graph.add((adoption, RDF.type, PKG.InstrumentAdoption))
        graph.add((adoption, PKG.instrument, INST[instrument]))
        graph.add((adoption, PKG.stage, Literal("pilot")))
        graph.add((adoption, PKG.document, d))
        graph.add((adoption, PKG.measure, measure))
    target = URIRef(f"{doc}/measure/1/target/1")
    graph.add((target, RDF.type, PKG.Target))
    graph.add((target, PKG.value, Literal("90.5", datatype=XSD.decimal)))
    graph.add((target, PKG.unit, Literal("%")))
    return graph


def rollup(*docs: tuple[str, str, str, int]) -> Graph:
    graph = Graph()
    for doc, adcode, instrument, year in docs:
        node = URIRef(f"{ID}adoption/{adcode}/{instrument}")
        graph.add((node, RDF.type, PKG.JurisdictionAdoption))
        graph.add((node, PKG.instrument, INST[instrument]))
        graph.add((node, PKG.firstYear, Literal(year)))
        graph.add((node, PKG.document, URIRef(doc)))
    return graph


ZJ = document(DOC_ZJ, title="浙江省人民政府办公厅关于推进医疗保障支付方式改革的实施意见", number="浙政办发〔2017〕54号",
              year=2017, adcode="330000", instruments=["drg-payment", "family-doctor"])
SC = document(DOC_SC, title="四川省深化医药卫生体制改革实施方案", number="川办发〔2019〕12号",
              year=2019, adcode="510000", instruments=["drg-payment", "medical-alliance", "volume-procurement"])
GZ = document(DOC_GZ, title="广州市医疗保障局关于开展按病种分值付费的通知", number="穗医保发〔2020〕3号",
              year=2020, adcode="440100", instruments=["dip-payment"])
ROLL = rollup((DOC_ZJ, "330000", "drg-payment", 2017), (DOC_SC, "510000", "drg-payment", 2019))


def load(store: Store) -> None:
    store.replace_graphs({DOC_ZJ: ZJ, DOC_SC: SC, ROLLUP: ROLL})


def column(result: QueryResult, name: str) -> set:
    assert result.kind == "select"
    return {row[name] for row in result.rows}


def triples_without_bnodes(*graphs: Graph) -> set:
    return {t for g in graphs for t in g if not any(isinstance(x, BNode) for x in t)}


class FailingGraph(Graph):
    """A graph whose iteration breaks half-way, as a mapping error would."""

    def __iter__(self):
        for index, triple in enumerate(super().__iter__()):
            if index == 3:
                raise RuntimeError("mapping failed half-way")
            yield triple


def failing_copy(source: Graph) -> FailingGraph:
    graph = FailingGraph()
    for triple in source:
        graph.add(triple)
    return graph


# =========================================================================== writes


def test_implements_the_interface(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.graphs() == [] and store.count() == 0


def test_replace_graph_then_query(store: Store) -> None:
    store.replace_graph(DOC_ZJ, ZJ)
    result = store.query(PREFIXES + "SELECT ?d ?t WHERE { ?d a pkg:PolicyDocument ; dcterms:title ?t }")
    assert result.kind == "select"
    assert result.variables == ["d", "t"]
    assert result.rows == [{"d": URIRef(DOC_ZJ), "t": Literal(ZJ.value(URIRef(DOC_ZJ), DCTERMS.title), lang="zh")}]
    assert store.count(graph=DOC_ZJ) == len(ZJ)


def test_replace_graph_replaces_the_old_content(store: Store) -> None:
    store.replace_graph(DOC_ZJ, ZJ)
    smaller = Graph()
    smaller.add((URIRef(DOC_ZJ), RDF.type, PKG.PolicyDocument))
    store.replace_graph(DOC_ZJ, smaller)
    assert store.count(graph=DOC_ZJ) == 1
    assert store.query(PREFIXES + "ASK { ?m a pkg:Measure }").boolean is False


def test_replace_is_atomic_when_building_the_triples_fails(store: Store) -> None:
    load(store)
    before, version = store.dump(format="nquads"), store.dataset_version()
    with pytest.raises(RuntimeError, match="half-way"):
        store.replace_graph(DOC_ZJ, failing_copy(GZ))
    assert store.dump(format="nquads") == before
    assert store.dataset_version() == version


def test_replace_graphs_is_atomic_across_graphs(store: Store) -> None:
    load(store)
    before = store.dump(format="nquads")
    with pytest.raises(RuntimeError, match="half-way"):
        store.replace_graphs({DOC_GZ: GZ, ROLLUP: failing_copy(ROLL)})
    assert store.dump(format="nquads") == before
    assert DOC_GZ not in store.graphs()


def test_replace_graphs_writes_several_graphs(store: Store) -> None:
    load(store)
    assert store.graphs() == sorted([DOC_ZJ, DOC_SC, ROLLUP])
    new_rollup = rollup((DOC_GZ, "440100", "dip-payment", 2020))
    store.replace_graphs({DOC_GZ: GZ, ROLLUP: new_rollup})
    assert store.graphs() == sorted([DOC_ZJ, DOC_SC, DOC_GZ, ROLLUP])
    assert store.count(graph=ROLLUP) == len(new_rollup)
    firsts = store.query(PREFIXES + "SELECT ?y WHERE { GRAPH <%s> { ?a pkg:firstYear ?y } }" % ROLLUP)
    assert column(firsts, "y") == {Literal(2020)}


def test_replace_graphs_from_ntriples(store: Store) -> None:
    load(store)
    store.replace_graphs_ntriples({DOC_GZ: GZ.serialize(format="nt"), DOC_ZJ: ""})
    assert store.graphs() == sorted([DOC_SC, DOC_GZ, ROLLUP])
    assert store.count(graph=DOC_GZ) == len(GZ)
    before = store.dump(format="nquads")
    with pytest.raises((StoreError, ValueError, SyntaxError)):
        store.replace_graphs_ntriples({DOC_SC: "<urn:a> <urn:b> } ; DROP ALL ; #"})
    assert store.dump(format="nquads") == before


def test_a_bad_new_graph_writes_no_graph_of_its_batch(store: Store) -> None:
    """New graphs take the bulk path: text that looks line-by-line like N-Triples but does not
    parse halfway through must leave nothing behind, not even its valid batch-mates."""
    load(store)
    before = store.dump(format="nquads")
    bad = "<urn:a> <urn:b> <urn:c> .\n" * 50 + '<urn:a> <urn:b> "never closed .\n'
    with pytest.raises((StoreError, ValueError, SyntaxError)):
        store.replace_graphs_ntriples({DOC_GZ: GZ.serialize(format="nt"), "urn:x-test:bad": bad})
    assert store.dump(format="nquads") == before
    assert DOC_GZ not in store.graphs()


def test_replacing_with_an_empty_graph_removes_it(store: Store) -> None:
    load(store)
    store.replace_graphs({ROLLUP: Graph()})
    assert ROLLUP not in store.graphs()
    assert store.count(graph=ROLLUP) == 0


def test_blank_nodes_survive_a_write(store: Store) -> None:
    store.replace_graph(DOC_ZJ, ZJ)
    result = store.query(PREFIXES + "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                         "SELECT ?src ?enc WHERE { ?d prov:wasDerivedFrom ?src . ?src pkg:encoding ?enc }")
    assert len(result.rows) == 1
    assert isinstance(result.rows[0]["src"], BNode)
    assert result.rows[0]["enc"] == Literal("gb18030")


def test_literals_come_back_as_written(store: Store) -> None:
    store.replace_graph(DOC_ZJ, ZJ)
    result = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DOC_ZJ}> {{ ?s ?p ?o }} FILTER(isLiteral(?o)) }}")
    returned = {(r["s"], r["p"], r["o"]) for r in result.rows if not isinstance(r["s"], BNode)}
    expected = {t for t in ZJ if isinstance(t[2], Literal) and not isinstance(t[0], BNode)}
    assert returned == expected


def test_delete_graph(store: Store) -> None:
    load(store)
    assert store.delete_graph(DOC_SC) is True
    assert store.delete_graph(DOC_SC) is False
    assert store.delete_graph(DOC_GZ) is False
    assert store.graphs() == sorted([DOC_ZJ, ROLLUP])
    assert store.count(graph=DOC_ZJ) == len(ZJ)


def test_graphs_are_sorted(store: Store) -> None:
    store.replace_graph(ROLLUP, ROLL)
    store.replace_graph(DOC_SC, SC)
    store.replace_graph(DOC_ZJ, ZJ)
    store.replace_graph(DOC_GZ, GZ)
    assert store.graphs() == sorted([ROLLUP, DOC_SC, DOC_ZJ, DOC_GZ])


def test_update(store: Store) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{DOC_GZ}> {{ <{DOC_GZ}> <{PKG.warning}> "未识别的文号" }} }}')
    assert store.graphs() == [DOC_GZ]
    assert store.count(graph=DOC_GZ) == 1
    with pytest.raises(InvalidQuery):
        store.update("INSERT DATA { this is not sparql }")


@pytest.mark.parametrize("graph", ["", "not an iri", "urn:x-policykg:store"])
def test_graph_names_are_checked(store: Store, graph: str) -> None:
    with pytest.raises(ValueError):
        store.replace_graph(graph, ZJ)


# =========================================================================== queries


def test_union_default_graph(store: Store) -> None:
    """With the union, patterns outside GRAPH see every named graph's triples; without, none.

    Filtered to policykg's namespace: a Virtuoso union also holds Virtuoso's own system graphs
    (docs/stores.md), which the contract neither requires nor forbids.
    """
    load(store)
    ours = 'FILTER(STRSTARTS(STR(?s), "https://w3id.org/policykg/"))'
    everything = store.query(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {ours} }}")
    with_iri_subject = [t for g in (ZJ, SC, ROLL) for t in g if isinstance(t[0], URIRef)]
    assert len(everything.rows) == len(with_iri_subject)
    assert {(r["s"], r["p"], r["o"]) for r in everything.rows} >= triples_without_bnodes(ZJ, SC, ROLL)
    counted = store.query(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?d a pkg:PolicyDocument }")
    assert counted.rows == [{"n": Literal(2)}]

    assert store.query(f"SELECT ?s WHERE {{ ?s ?p ?o {ours} }}", default_graph_union=False).rows == []
    assert store.query(f"ASK {{ <{DOC_ZJ}> ?p ?o }}", default_graph_union=False).boolean is False
    for union in (True, False):
        named = store.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours.replace("?s", "?g")} }}',
                            default_graph_union=union)
        assert column(named, "g") == {URIRef(DOC_ZJ), URIRef(DOC_SC), URIRef(ROLLUP)}
        years = store.query(PREFIXES + f"SELECT ?y WHERE {{ GRAPH <{ROLLUP}> {{ ?a pkg:firstYear ?y }} }}",
                            default_graph_union=union)
        assert column(years, "y") == {Literal(2017), Literal(2019)}


def test_construct_returns_an_rdflib_graph(store: Store) -> None:
    load(store)
    result = store.query(PREFIXES + "CONSTRUCT { ?a pkg:instrument ?i } WHERE { ?a a pkg:InstrumentAdoption ; pkg:instrument ?i }")
    assert result.kind == "graph"
    assert isinstance(result.graph, rdflib.Graph)
    expected = {(a, PKG.instrument, i) for g in (ZJ, SC) for a, _, i in g.triples((None, PKG.instrument, None))}
    assert set(result.graph) == expected


def test_describe_returns_a_graph(store: Store) -> None:
    load(store)
    result = store.query(f"DESCRIBE <{DOC_ZJ}>")
    assert result.kind == "graph"
    assert (URIRef(DOC_ZJ), RDF.type, PKG.PolicyDocument) in result.graph


def test_ask(store: Store) -> None:
    load(store)
    assert store.query(PREFIXES + "ASK { ?d a pkg:PolicyDocument }") == QueryResult(kind="ask", boolean=True)
    assert store.query(PREFIXES + "ASK { ?d a pkg:Nothing }").boolean is False


def test_unbound_variables_are_none(store: Store) -> None:
    load(store)
    result = store.query(PREFIXES + f"SELECT ?d ?w WHERE {{ ?d a pkg:PolicyDocument OPTIONAL {{ ?d pkg:warning ?w }} FILTER(?d = <{DOC_ZJ}>) }}")
    assert result.rows == [{"d": URIRef(DOC_ZJ), "w": None}]


def test_invalid_query(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.query("SELECT * WHERE { ?s ?p }")


def test_timeout(store: Store) -> None:
    load(store)
    quick = store.query("ASK { ?s ?p ?o }", timeout=30)
    assert quick.boolean is True
    with pytest.raises(QueryTimeout):
        # ~330 000 solutions: tens of ms in Oxigraph; Virtuoso refuses it on its cost estimate
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.001)


# =========================================================================== bindings


def test_bindings_with_typed_terms(store: Store) -> None:
    load(store)
    by_year = PREFIXES + "SELECT ?d WHERE { ?d pkg:year ?y }"
    assert column(store.query(by_year, bindings={"y": Literal(2017)}), "d") == {URIRef(DOC_ZJ)}
    assert store.query(by_year, bindings={"y": Literal("2017")}).rows == []  # a string is not an integer

    by_title = PREFIXES + "SELECT ?d WHERE { ?d dcterms:title ?t }"
    title = str(SC.value(URIRef(DOC_SC), DCTERMS.title))
    assert column(store.query(by_title, bindings={"t": Literal(title, lang="zh")}), "d") == {URIRef(DOC_SC)}
    assert store.query(by_title, bindings={"t": Literal(title)}).rows == []  # no language tag, no match

    by_instrument = PREFIXES + "SELECT ?a WHERE { ?a a pkg:InstrumentAdoption ; pkg:instrument ?i }"
    adopters = column(store.query(by_instrument, bindings={"i": INST["drg-payment"]}), "a")
    assert adopters == {URIRef(f"{DOC_ZJ}/measure/1/adoption/drg-payment-1"), URIRef(f"{DOC_SC}/measure/1/adoption/drg-payment-1")}


def test_bindings_reach_aggregates_construct_and_ask(store: Store) -> None:
    load(store)
    counted = store.query(PREFIXES + "SELECT (COUNT(?a) AS ?n) WHERE { ?a a pkg:InstrumentAdoption ; pkg:instrument ?i }",
                          bindings={"i": INST["drg-payment"]})
    assert counted.rows == [{"n": Literal(2)}]
    grouped = store.query(PREFIXES + "SELECT ?d (COUNT(?a) AS ?n) WHERE { ?a pkg:instrument ?i ; pkg:document ?d } GROUP BY ?d",
                          bindings={"i": INST["medical-alliance"]})
    assert grouped.rows == [{"d": URIRef(DOC_SC), "n": Literal(1)}]
    constructed = store.query(PREFIXES + "CONSTRUCT { ?a pkg:instrument ?i } WHERE { ?a pkg:instrument ?i }",
                              bindings={"i": INST["family-doctor"]})
    assert set(constructed.graph) == {(URIRef(f"{DOC_ZJ}/measure/2/adoption/family-doctor-1"), PKG.instrument, INST["family-doctor"])}
    assert store.query(PREFIXES + "ASK { ?a pkg:instrument ?i }", bindings={"i": INST["dip-payment"]}).boolean is False
    star = store.query(PREFIXES + "SELECT * WHERE { ?d pkg:year ?y }", bindings={"y": Literal(2019)})
    assert star.rows == [{"d": URIRef(DOC_SC), "y": Literal(2019)}]


def test_injection_through_a_bound_literal_is_inert(store: Store) -> None:
    load(store)
    before = store.dump(format="nquads")
    for payload in (INJECTION, 'pilot" } ; DROP ALL ; #', "pilot'''\"\"\" } ; CLEAR ALL"):
        result = store.query(PREFIXES + "SELECT ?a WHERE { ?a pkg:stage ?s }", bindings={"s": Literal(payload)})
        assert result.rows == []
    assert store.dump(format="nquads") == before


def test_injection_through_a_bound_iri_is_refused_or_inert(store: Store) -> None:
    load(store)
    before = store.dump(format="nquads")
    query = PREFIXES + "SELECT ?a WHERE { ?a pkg:instrument ?i }"
    with pytest.raises(ValueError):  # '>', '}' and spaces cannot occur in an IRI
        store.query(query, bindings={"i": URIRef(str(INST) + INJECTION)})
    assert store.query(query, bindings={"i": URIRef(str(INST) + "drg-payment;DROP#ALL")}).rows == []
    with pytest.raises(ValueError):
        store.query(query, bindings={"i": Literal("x", datatype=URIRef("http://x/> } ; DROP ALL ; #"))})
    assert store.dump(format="nquads") == before


def test_blank_node_bindings(backend, store: Store) -> None:
    """In-process a blank node from a result can be bound again to a projected variable
    (pyoxigraph substitution); SPARQL VALUES cannot carry one, so elsewhere it is refused."""
    store.replace_graph(DOC_ZJ, ZJ)
    source = store.query("SELECT ?src WHERE { ?d <http://www.w3.org/ns/prov#wasDerivedFrom> ?src }").rows[0]["src"]
    projected = PREFIXES + "SELECT ?src ?enc WHERE { ?src pkg:encoding ?enc }"
    hidden = PREFIXES + "SELECT ?enc WHERE { ?src pkg:encoding ?enc }"
    if not backend.name.startswith("remote"):
        assert store.query(projected, bindings={"src": source}).rows == [{"src": source, "enc": Literal("gb18030")}]
    else:
        with pytest.raises(ValueError, match="blank node"):
            store.query(projected, bindings={"src": source})
    with pytest.raises(ValueError, match="blank node"):
        store.query(hidden, bindings={"src": source})


@pytest.mark.parametrize("bindings", [{"i) } ; DROP ALL ; #": INST.x}, {"?i": INST.x}, {"1i": INST.x}, {"i": "plain str"}, {"i": None}])
def test_bad_bindings_are_refused(store: Store, bindings: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        store.query(PREFIXES + "SELECT ?a WHERE { ?a pkg:instrument ?i }", bindings=bindings)


# =========================================================================== dump, count, version


@pytest.mark.parametrize("fmt", ["nquads", "trig", "turtle", "jsonld", "ntriples"])
def test_dump_is_deterministic_and_reloads(store: Store, fmt: str) -> None:
    load(store)
    whole_graph = fmt in ("turtle", "ntriples")
    graph = DOC_ZJ if whole_graph else None
    first, second = store.dump(format=fmt, graph=graph), store.dump(format=fmt, graph=graph)
    assert first == second and first
    rdflib_format = {"nquads": "nquads", "trig": "trig", "turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt"}[fmt]
    if whole_graph:
        reloaded = Graph().parse(data=first, format=rdflib_format)
        assert isomorphic(reloaded, ZJ)
    else:
        dataset = rdflib.Dataset().parse(data=first, format=rdflib_format)
        for iri, expected in ((DOC_ZJ, ZJ), (DOC_SC, SC), (ROLLUP, ROLL)):
            assert isomorphic(dataset.graph(URIRef(iri)), expected), iri
        assert {str(c.identifier) for c in dataset.graphs() if len(c)} == {DOC_ZJ, DOC_SC, ROLLUP}


def test_dump_equals_a_fresh_in_memory_store(store: Store) -> None:
    """Same content, same bytes — whatever the backend, blank nodes included."""
    load(store)
    reference = open_store(None)
    load(reference)
    try:
        assert store.dump(format="nquads") == reference.dump(format="nquads")
        assert store.dump(format="turtle", graph=DOC_ZJ) == reference.dump(format="turtle", graph=DOC_ZJ)
    finally:
        reference.close()


def test_count(store: Store) -> None:
    assert store.count() == 0
    load(store)
    assert store.count() == len(ZJ) + len(SC) + len(ROLL)
    assert store.count(graph=DOC_SC) == len(SC)
    assert store.count(graph=DOC_GZ) == 0


def test_dataset_version_changes_on_writes_only(store: Store) -> None:
    seen = [store.dataset_version()]

    def changed() -> None:
        seen.append(store.dataset_version())
        assert seen[-1] not in seen[:-1]

    store.replace_graph(DOC_ZJ, ZJ)
    changed()
    store.replace_graphs({DOC_SC: SC, ROLLUP: ROLL})
    changed()
    store.query("SELECT * WHERE { ?s ?p ?o }")
    store.graphs(), store.count(), store.dump(format="trig")
    assert store.dataset_version() == seen[-1]
    assert store.delete_graph(DOC_SC)
    changed()
    store.update(f'INSERT DATA {{ GRAPH <{DOC_GZ}> {{ <{DOC_GZ}> a <{PKG.PolicyDocument}> }} }}')
    changed()
    assert store.dataset_version() == seen[-1]


# =========================================================================== opening


def test_content_persists_across_reopen(backend, store: Store) -> None:
    load(store)
    dumped = store.dump(format="nquads")
    store.close()
    reopened = backend.open()
    if backend.persistent:
        assert reopened.graphs() == sorted([DOC_ZJ, DOC_SC, ROLLUP])
        assert reopened.dump(format="nquads") == dumped
    else:  # by design: every in-memory store starts empty
        assert reopened.graphs() == [] and reopened.count() == 0


def test_read_only_refuses_writes(backend, store: Store) -> None:
    load(store)
    if backend.persistent:
        store.close()
        readonly = backend.open(read_only=True)
        assert readonly.count(graph=DOC_ZJ) == len(ZJ)
    else:
        readonly = backend.open(read_only=True)
    version = readonly.dataset_version()
    for write in (lambda: readonly.replace_graph(DOC_GZ, GZ), lambda: readonly.replace_graphs({DOC_GZ: GZ}),
                  lambda: readonly.delete_graph(DOC_ZJ), lambda: readonly.update("CLEAR ALL")):
        with pytest.raises(ReadOnlyStoreError):
            write()
    assert readonly.dataset_version() == version


def test_closed_store_refuses_calls(store: Store) -> None:
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError):
        store.graphs()


# =========================================================================== not per backend


def test_open_store_chooses_the_backend(tmp_path, monkeypatch) -> None:
    assert isinstance(open_store(None), OxigraphStore)
    assert isinstance(open_store(":memory:"), OxigraphStore)
    directory = tmp_path / "nested" / "store"
    disk = open_store(str(directory))
    assert isinstance(disk, OxigraphStore) and directory.is_dir()
    disk.close()
    remote = open_store("http://user:secret@127.0.0.1:9/query")  # no request until used
    assert isinstance(remote, RemoteStore)
    assert remote.query_url == "http://127.0.0.1:9/query" and remote.update_url == "http://127.0.0.1:9/update"
    remote.close()
    ipv6 = RemoteStore("http://kg%40team:p%3Ass@[::1]:7878/query")
    assert ipv6.query_url == "http://[::1]:7878/query"
    assert (ipv6._http.auth._auth_header == httpx.BasicAuth("kg@team", "p:ss")._auth_header)
    ipv6.close()
    virtuoso = RemoteStore("https://kg.example.org/sparql")
    assert virtuoso.update_url == "https://kg.example.org/sparql"
    assert virtuoso.graph_store_url == "https://kg.example.org/sparql-graph-crud"
    virtuoso.close()
    with pytest.raises(ValueError):
        open_store("ftp://example.org/store")
    with pytest.raises(FileNotFoundError):
        open_store(tmp_path / "missing", read_only=True)

    monkeypatch.delenv("POLICYKG_STORE", raising=False)
    assert default_store_location() == str(DEFAULT_STORE_DIR)
    assert DEFAULT_STORE_DIR.parts[-2:] == ("policykg", "store")
    monkeypatch.setenv("POLICYKG_STORE", "http://localhost:7878/query")
    assert default_store_location() == "http://localhost:7878/query"


def test_remote_store_reports_an_unreachable_server() -> None:
    store = RemoteStore("http://127.0.0.1:9/query", dialect="oxigraph", timeout=2)
    with pytest.raises(StoreError):
        store.graphs()
    store.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?d WHERE { ?d ?p ?y }", "SELECT ?d WHERE { VALUES (?y) {"),
        ("# { a comment\nPREFIX ex: <http://ex/{x}>\nSELECT ?d { ?d ex:p \"{\" }", "SELECT ?d { VALUES"),
        ("SELECT ?d (EXISTS { ?d ?p ?o } AS ?e) WHERE { ?d ?p ?y }", "AS ?e) WHERE { VALUES"),
        ("CONSTRUCT { ?d ?p ?y } WHERE { ?d ?p ?y }", "CONSTRUCT { ?d ?p ?y } WHERE { VALUES"),
        ("CONSTRUCT WHERE { ?d ?p ?y }", "CONSTRUCT WHERE { ?d ?p ?y }\nVALUES"),
        ("SELECT * WHERE { SELECT ?y WHERE { ?d ?p ?y } }", "} }\nVALUES"),
    ],
)
def test_values_block_goes_into_the_outer_where(query: str, expected: str) -> None:
    bound = bind_with_values(query, {"y": rdflib.Literal(1)})
    assert expected in bound
    assert '(?y) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }' in bound
    assert query_form(bound) == query_form(query)


def test_virtuoso_digest_auth_endpoint(clean_virtuoso) -> None:
    server = clean_virtuoso
    store = RemoteStore(server.extra["auth_url"], username=server.extra["user"], password=server.extra["password"])
    try:
        assert store.update_url == server.extra["auth_url"]
        store.replace_graph(DOC_GZ, GZ)
        assert store.count(graph=DOC_GZ) == len(GZ)
        assert store.delete_graph(DOC_GZ)
    finally:
        store.close()


def test_virtuoso_truncated_results_are_an_error(clean_virtuoso) -> None:
    """Virtuoso silently cuts results at ResultSetMaxRows (10000 on Debian); the store must not.

    Dumps and internal look-ups go through the same check.
    """
    store = open_store(clean_virtuoso.query_url)
    try:
        store.replace_graph(DOC_SC, SC)  # 34 triples; a three-way product has 39 304 rows
        product = f"SELECT ?a ?b ?c WHERE {{ GRAPH <{DOC_SC}> {{ ?a ?p ?x }} GRAPH <{DOC_SC}> {{ ?b ?q ?y }} GRAPH <{DOC_SC}> {{ ?c ?r ?z }} }}"
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            store.query(product)
        assert store.query(product + " LIMIT 5").rows
    finally:
        store.close()
