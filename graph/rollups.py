"""The roll-up graph: what the comparison queries read instead of scanning every document.

Per jurisdiction × instrument one node `id:adoption/{adcode}/{instrument}` (pkg:JurisdictionAdoption)
with the first year, the strongest stage and the adopting documents; and `eli:cites` between loaded
documents whose 文号 one cites. Documents without a year or a jurisdiction add no adoption node.

The roll-up is computed in Python from `DocumentFacts` — one small summary per document — by a
pure function (`rollup_ntriples`). The facts come from the loading workers on a first load (no
query at all) or from the store for the jurisdictions a change touched (`refresh_rollups`), so a
load never rescans the whole store (measured: the former all-SPARQL rebuild took 84 s at 10,000
documents on disk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from policykg.graph.iris import ROLLUP_GRAPH, document_year, instrument_iri, jurisdiction_adoption_iri, jurisdiction_iri
from policykg.graph.namespaces import ELI, ID, INST, PKG, RDF, XSD
from policykg.graph.store import Store
from policykg.loaders.record import Record

_DOCUMENT_PREFIX = f"{ID}document/"
_JURISDICTION_PREFIX = f"{ID}jurisdiction/"
_INSTRUMENT_PREFIX = str(INST)


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """What the roll-up needs of one document."""

    document: str  # IRI
    adcode: str | None
    year: int | None
    number: str | None  # its 文号 (eli:id_local)
    instruments: tuple[tuple[str, str], ...]  # (instrument id, strongest stage in the document), sorted
    cites: tuple[str, ...]  # 文号 it cites, sorted


@lru_cache(maxsize=1)
def stage_ranks() -> Mapping[str, int]:
    """explore < pilot < promote < implement, from ontology/instruments.ttl."""
    from policykg.loaders.instruments import load_instrument_vocabulary

    return dict(load_instrument_vocabulary().stage_rank)


def document_facts(record: Record, document: str) -> DocumentFacts:
    """The facts of one extracted document (the same mentions the mapping writes as adoptions)."""
    ranks = stage_ranks()
    strongest: dict[str, str] = {}
    uses = [(u.id, u.stage) for m in record.measures for u in m.instruments]
    uses += [(r.id, r.stage) for r in record.instruments]
    for instrument, stage in uses:
        if instrument not in strongest or ranks[stage] > ranks[strongest[instrument]]:
            strongest[instrument] = stage
    return DocumentFacts(
        document=document,
        adcode=record.jurisdiction.adcode if record.jurisdiction else None,
        year=document_year(record),
        number=record.doc_number,
        instruments=tuple(sorted(strongest.items())),
        cites=tuple(sorted({c.doc_number for c in record.cites})),
    )


def rollup_ntriples(facts: Iterable[DocumentFacts], *, citations: Iterable[tuple[str, str]] = ()) -> str:
    """Sorted N-Triples of the roll-up nodes of `facts` plus the given (citing, cited) links."""
    ranks = stage_ranks()
    first: dict[tuple[str, str], int] = {}
    stage: dict[tuple[str, str], str] = {}
    documents: dict[tuple[str, str], set[str]] = defaultdict(set)
    for fact in facts:
        if fact.adcode is None or fact.year is None:
            continue
        for instrument, strongest in fact.instruments:
            key = (fact.adcode, instrument)
            first[key] = min(first.get(key, fact.year), fact.year)
            if key not in stage or ranks[strongest] > ranks[stage[key]]:
                stage[key] = strongest
            documents[key].add(fact.document)
    lines: list[str] = []
    a, kind = nt(RDF.type), nt(PKG.JurisdictionAdoption)
    for (adcode, instrument), year in first.items():
        node = nt(jurisdiction_adoption_iri(adcode, instrument))
        lines.append(f"{node} {a} {kind} .\n")
        lines.append(f"{node} {nt(PKG.jurisdiction)} {nt(jurisdiction_iri(adcode))} .\n")
        lines.append(f"{node} {nt(PKG.instrument)} {nt(instrument_iri(instrument))} .\n")
        lines.append(f'{node} {nt(PKG.firstYear)} "{year}"^^<{XSD}integer> .\n')
        lines.append(f'{node} {nt(PKG.strongestStage)} "{stage[(adcode, instrument)]}" .\n')
        lines.extend(f"{node} {nt(PKG.document)} {nt(doc)} .\n" for doc in documents[(adcode, instrument)])
    lines.extend(f"{nt(citing)} {nt(ELI.cites)} {nt(cited)} .\n" for citing, cited in citations if citing != cited)
    return "".join(sorted(set(lines)))


def citation_links(facts: Iterable[DocumentFacts]) -> list[tuple[str, str]]:
    """(citing, cited) among `facts`: a cited 文号 that is some document's own 文号."""
    facts = list(facts)
    by_number: dict[str, list[str]] = defaultdict(list)
    for fact in facts:
        if fact.number:
            by_number[fact.number].append(fact.document)
    return sorted({(f.document, cited) for f in facts for n in f.cites for cited in by_number.get(n, ()) if cited != f.document})


def adcode_of_document(document: str) -> str | None:
    """The adcode in a document IRI (`id:document/{adcode}/…`), None for "unknown"."""
    if not document.startswith(_DOCUMENT_PREFIX):
        return None
    adcode = document[len(_DOCUMENT_PREFIX) :].split("/", 1)[0]
    return None if adcode == "unknown" else adcode


# ------------------------------------------------------------------------------- store side

_FACTS_QUERY = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?d ?j ?year ?i ?s WHERE {
  %s
  GRAPH ?d { ?d pkg:jurisdiction ?j ; pkg:year ?year . ?a pkg:stage ?s ; pkg:instrument ?i . }
}"""

_CITING_QUERY = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT DISTINCT ?citing ?cited WHERE {
  %s
  GRAPH ?citing { ?citing pkg:citesDocNumber ?n }
  GRAPH ?cited { ?cited eli:id_local ?n ; a pkg:PolicyDocument }
}"""


def nt(iri: object) -> str:
    """`<iri>`, checked and escaped by Oxigraph (document IRIs come from the store)."""
    return str(ox.NamedNode(str(iri)))


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(nt(i) for i in sorted(iris))} }}"


def facts_from_store(store: Store, adcodes: Iterable[str]) -> list[DocumentFacts]:
    """The roll-up facts of the stored documents of these jurisdictions."""
    adcodes = sorted(set(adcodes))
    if not adcodes:
        return []
    ranks = stage_ranks()
    by_doc: dict[str, dict] = {}
    for start in range(0, len(adcodes), 200):  # bounded VALUES blocks
        chunk = adcodes[start : start + 200]
        result = store.query(_FACTS_QUERY % _values("j", (jurisdiction_iri(a) for a in chunk)), default_graph_union=False)
        for row in result.rows:
            doc, j, year, instrument, stage = (str(row[k]) for k in ("d", "j", "year", "i", "s"))
            entry = by_doc.setdefault(doc, {"adcode": j[len(_JURISDICTION_PREFIX) :], "year": int(year), "i": {}})
            iid = instrument[len(_INSTRUMENT_PREFIX) :]
            if stage in ranks and (iid not in entry["i"] or ranks[stage] > ranks[entry["i"][iid]]):
                entry["i"][iid] = stage
    return [
        DocumentFacts(doc, e["adcode"], e["year"], None, tuple(sorted(e["i"].items())), ())
        for doc, e in sorted(by_doc.items())
    ]


def citations_from_store(store: Store, documents: Iterable[str]) -> list[tuple[str, str]]:
    """(citing, cited) links in the store where either end is one of `documents`."""
    documents = sorted(set(documents))
    links: set[tuple[str, str]] = set()
    for start in range(0, len(documents), 200):
        chunk = documents[start : start + 200]
        for variable in ("citing", "cited"):
            result = store.query(_CITING_QUERY % _values(variable, chunk), default_graph_union=False)
            links.update((str(r["citing"]), str(r["cited"])) for r in result.rows if r["citing"] != r["cited"])
    return sorted(links)


def replace_rollups(store: Store, facts: Iterable[DocumentFacts]) -> None:
    """Write the roll-up graph from scratch from the facts of EVERY document in the store."""
    facts = list(facts)
    _write_rollup_graph(store, rollup_ntriples(facts, citations=citation_links(facts)))


def refresh_rollups(store: Store, documents: Iterable[str]) -> None:
    """Recompute the roll-up nodes of the jurisdictions of `documents` (loaded, replaced or
    deleted) and the citation links at either end of them, in one update."""
    documents = sorted(set(documents))
    adcodes = sorted({a for a in map(adcode_of_document, documents) if a is not None})
    text = rollup_ntriples(facts_from_store(store, adcodes), citations=citations_from_store(store, documents))
    graph = nt(ROLLUP_GRAPH)
    operations = []
    for start in range(0, len(adcodes), 200):
        block = _values("j", (jurisdiction_iri(a) for a in adcodes[start : start + 200]))
        operations.append(
            f"DELETE {{ GRAPH {graph} {{ ?c ?p ?o }} }} WHERE {{ {block} GRAPH {graph} {{ ?c {nt(PKG.jurisdiction)} ?j ; ?p ?o }} }}"
        )
    for start in range(0, len(documents), 200):
        for variable in ("a", "b"):
            block = _values(variable, documents[start : start + 200])
            operations.append(
                f"DELETE {{ GRAPH {graph} {{ ?a {nt(ELI.cites)} ?b }} }} WHERE {{ {block} GRAPH {graph} {{ ?a {nt(ELI.cites)} ?b }} }}"
            )
    if text:
        operations.append(f"INSERT DATA {{ GRAPH {graph} {{ {text} }} }}")
    if operations:
        store.update(" ;\n".join(operations))


def rebuild_rollups(store: Store) -> None:
    """Recompute the whole roll-up graph from the documents in the store."""
    documents = [g for g in store.graphs() if g.startswith(_DOCUMENT_PREFIX)]
    adcodes = {a for a in map(adcode_of_document, documents) if a is not None}
    facts = facts_from_store(store, adcodes)
    _write_rollup_graph(store, rollup_ntriples(facts, citations=citations_from_store(store, documents)))


def _write_rollup_graph(store: Store, text: str) -> None:
    # Dropped first, so the store writes it as a new graph (the bulk path on disk).
    store.delete_graph(str(ROLLUP_GRAPH))
    if text:
        store.replace_graphs_ntriples({str(ROLLUP_GRAPH): text})
