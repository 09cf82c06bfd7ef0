"""What the projections read from the store: SELECT results turned into small frozen records.

Everything here is I/O — SPARQL through ``select_table`` (pyoxigraph directly on the embedded
store, ``Store.query`` elsewhere) — and everything in graph/projections.py and
graph/research_tables.py that builds graphs and tables from these records is pure.

Reading a large on-disk Oxigraph store (10,000 documents, 16 million quads) fast takes care:

- start from a selective pattern: a bound term (VALUES block of known IRIs, a parameter) or a
  small predicate — never ``?x a pkg:SomeClass`` over a big class;
- read the roll-up graph for anything per jurisdiction × instrument;
- patterns over the union of the graphs, not ``GRAPH ?document { … OPTIONAL … }`` (slow);
- for (nearly) everything, one scan per property joined in Python beats a many-pattern join
  (``scan_property``; about 10 µs a row against 30–45 µs a looked-up or joined row);
- sets of IRIs go into VALUES blocks serialised by Oxigraph (``str(NamedNode)``), never
  pasted text; single parameters are bound with ``bindings=``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from policykg.graph.iris import GAZETTEER_GRAPH, ROLLUP_GRAPH, VOCABULARY_GRAPH
from policykg.graph.namespaces import FN, ID, IND, INST, sparql_prefixes
from policykg.graph.store import Store
from policykg.graph.tables import Value, select_table

__all__ = [
    "Agency",
    "AgencyRows",
    "Cell",
    "CellData",
    "Citations",
    "Concept",
    "DOCUMENT_NS",
    "Document",
    "FullRows",
    "FullSelection",
    "JURISDICTION_NS",
    "Jurisdiction",
    "LEVELS",
    "LEVEL_RANK",
    "Level",
    "ProjectionError",
    "SCAN_ABOVE",
    "STAGES",
    "Selection",
    "Stage",
    "UNLOADED_PREFIX",
    "Vocabulary",
    "check_instrument",
    "curie",
    "fetch_agencies",
    "fetch_agency_rows",
    "fetch_cells",
    "fetch_citations",
    "fetch_documents",
    "fetch_full",
    "fetch_gazetteer",
    "fetch_vocabulary",
    "local_name",
    "lookup_rows",
    "many",
    "resolve_document",
    "responsibility_pairs",
    "scan_property",
    "select_full_documents",
    "select_rows",
    "select_rows_for",
    "selected_documents",
]


Level = Literal["national", "province", "city", "county"]
Stage = Literal["explore", "pilot", "promote", "implement"]
LEVELS: tuple[str, ...] = ("national", "province", "city", "county")
STAGES: tuple[str, ...] = ("explore", "pilot", "promote", "implement")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

JURISDICTION_NS = f"{ID}jurisdiction/"
DOCUMENT_NS = f"{ID}document/"
UNLOADED_PREFIX = "docnumber:"  # node id of a cited 文号 with no loaded document

_PREFIXES = sparql_prefixes()  # the project prefixes, written once (graph/namespaces.py)
_ROLLUP = f"<{ROLLUP_GRAPH}>"
_GAZETTEER = f"<{GAZETTEER_GRAPH}>"
_VOCABULARY = f"<{VOCABULARY_GRAPH}>"
_CHUNK = 400  # IRIs per VALUES block: big enough to be few queries, small enough to plan well
SCAN_ABOVE = 3000  # more IRIs than this: one unrestricted scan filtered here is cheaper
_CURIES = ((str(ID), "id:"), (str(INST), "inst:"), (str(FN), "fn:"), (str(IND), "ind:"))


class ProjectionError(ValueError):
    """A filter names something the store does not hold (or a view cannot be built);
    ``param`` is the name of the offending parameter, when there is one."""

    def __init__(self, param: str | None, message: str) -> None:
        super().__init__(message)
        self.param = param


def curie(iri: str) -> str:
    """``https://w3id.org/policykg/id/jurisdiction/330000`` → ``id:jurisdiction/330000``."""
    for namespace, prefix in _CURIES:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def local_name(iri: str, namespace: str) -> str:
    return iri[len(namespace) :] if iri.startswith(namespace) else iri

# --------------------------------------------------------------------------------------------
# SPARQL plumbing
# --------------------------------------------------------------------------------------------



def select_rows(store: Store, body: str, *, bindings: Mapping[str, object] | None = None) -> list[tuple[Value, ...]]:
    return list(select_table(store, _PREFIXES + body, bindings=bindings).rows)


def _values(variable: str, iris: Iterable[str]) -> str:
    """A VALUES block of IRIs, each checked and escaped by Oxigraph (never pasted raw)."""
    return f"VALUES ?{variable} {{ {' '.join(str(ox.NamedNode(i)) for i in iris)} }}"


def many(iris: Sized) -> bool:
    """Too many IRIs for VALUES blocks: read with scans instead (see ``select_rows_for``)."""
    return len(iris) > SCAN_ABOVE


def select_rows_for(store: Store, template: str, variable: str, iris: Iterable[str]) -> list[tuple[Value, ...]]:
    """Run ``template`` (``{values}`` marks where the VALUES block goes) for these IRIs, in
    chunks; for very many IRIs, once without the block, keeping the rows whose first column
    is one of them (so ``template`` projects ``?variable`` first)."""
    wanted = sorted(set(iris))
    if not wanted:
        return []
    if many(wanted):
        keep = set(wanted)
        return [row for row in select_rows(store, template.replace("{values}", "")) if row[0] in keep]
    rows: list[tuple[Value, ...]] = []
    for start in range(0, len(wanted), _CHUNK):
        rows.extend(select_rows(store, template.replace("{values}", _values(variable, wanted[start : start + _CHUNK]))))
    return rows


def lookup_rows(store: Store, template: str, variable: str, iris: Iterable[str], *, chunk: int = 2000) -> list[tuple[Value, ...]]:
    """Like ``select_rows_for`` but always by VALUES blocks, however many IRIs (a look-up of
    known subjects, ~30 µs each on a large on-disk store, where a scan would read far more)."""
    wanted = sorted(set(iris))
    rows: list[tuple[Value, ...]] = []
    for start in range(0, len(wanted), chunk):
        rows.extend(select_rows(store, template.replace("{values}", _values(variable, wanted[start : start + chunk]))))
    return rows


def scan_property(store: Store, predicate: str) -> dict[str, Value]:
    """Subject → value of one property over the whole store (the smallest value when there
    are several): one single-pattern scan, the cheapest read of a large on-disk store."""
    found: dict[str, Value] = {}
    for subject, value in select_rows(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}"):
        key = str(subject)
        if key not in found or str(value) < str(found[key]):
            found[key] = value
    return found

# --------------------------------------------------------------------------------------------
# Reference data: vocabulary and gazetteer
# --------------------------------------------------------------------------------------------



@dataclass(frozen=True, slots=True)
class Concept:
    """A SKOS concept of the vocabulary graph (instrument, agency function, indicator, stage)."""

    id: str
    iri: str
    label: str | None = None
    label_en: str | None = None
    broader: str | None = None  # id of the broader concept (instruments)
    rank: int | None = None  # stages: 1 explore … 4 implement


@dataclass(frozen=True, slots=True)
class Vocabulary:
    instruments: Mapping[str, Concept]
    functions: Mapping[str, Concept]
    indicators: Mapping[str, Concept]
    stages: Mapping[str, Concept]

    def stage_rank(self, stage: str | None) -> int:
        concept = self.stages.get(stage or "")
        return (concept.rank or 0) if concept is not None else 0

    def narrower(self, instrument: str) -> frozenset[str]:
        """The instrument and every instrument below it (skos:broader*)."""
        children: dict[str, list[str]] = defaultdict(list)
        for concept in self.instruments.values():
            if concept.broader:
                children[concept.broader].append(concept.id)
        found, todo = {instrument}, [instrument]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return frozenset(found)

    def category(self, instrument: str) -> str:
        """The top concept above an instrument (the instrument itself for a top concept)."""
        seen = set()
        current = instrument
        while current in self.instruments and self.instruments[current].broader and current not in seen:
            seen.add(current)
            current = self.instruments[current].broader or current
        return current

_SCHEME_QUERY = """
SELECT ?concept ?label ?labelEn ?broader WHERE {
  GRAPH %s {
    ?concept skos:inScheme ?scheme .
    OPTIONAL { ?concept skos:prefLabel ?label FILTER(LANG(?label) = "zh") }
    OPTIONAL { ?concept skos:prefLabel ?labelEn FILTER(LANG(?labelEn) = "en") }
    OPTIONAL { ?concept skos:broader ?broader }
  }
}""" % _VOCABULARY

_STAGE_QUERY = """
SELECT ?notation ?rank ?label ?labelEn WHERE {
  GRAPH %s {
    ?stage pkg:stageRank ?rank ; skos:notation ?notation .
    OPTIONAL { ?stage skos:prefLabel ?label FILTER(LANG(?label) = "zh") }
    OPTIONAL { ?stage skos:prefLabel ?labelEn FILTER(LANG(?labelEn) = "en") }
  }
}""" % _VOCABULARY


def fetch_vocabulary(store: Store) -> Vocabulary:
    """Instruments, agency functions, indicators and stages from the vocabulary graph."""

    def scheme(scheme_iri: str, namespace: str) -> dict[str, Concept]:
        rows = select_rows(store, _SCHEME_QUERY, bindings={"scheme": URIRef(scheme_iri)})
        concepts: dict[str, Concept] = {}
        for iri, label, label_en, broader in sorted(rows, key=lambda r: tuple(str(v) for v in r)):
            if not str(iri).startswith(namespace):
                continue
            cid = local_name(str(iri), namespace)
            if cid in concepts:  # a second broader: keep the first by IRI
                continue
            concepts[cid] = Concept(cid, str(iri), _text(label), _text(label_en), local_name(str(broader), namespace) if broader else None)
        return concepts

    stages = {}
    for notation, rank, label, label_en in select_rows(store, _STAGE_QUERY):
        stages[str(notation)] = Concept(str(notation), str(notation), _text(label), _text(label_en), rank=int(rank))  # type: ignore[arg-type]
    return Vocabulary(
        instruments=scheme(f"{INST}scheme", str(INST)),
        functions=scheme("https://w3id.org/policykg/ontology#agencyFunctionScheme", str(FN)),
        indicators=scheme(f"{IND}scheme", str(IND)),
        stages=stages,
    )


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    adcode: str
    label: str | None = None
    label_en: str | None = None
    level: str | None = None
    parent: str | None = None  # adcode

    @property
    def iri(self) -> str:
        return JURISDICTION_NS + self.adcode

    def display(self) -> str:
        """``浙江省 Zhejiang``: both names, for pictures."""
        names = [n for n in (self.label, self.label_en) if n]
        return " ".join(names) or self.adcode

_GAZETTEER_QUERY = """
SELECT ?jurisdiction ?label ?labelEn ?level ?parent WHERE {
  GRAPH %s {
    ?jurisdiction pkg:level ?level .
    OPTIONAL { ?jurisdiction skos:prefLabel ?label FILTER(LANG(?label) = "zh") }
    OPTIONAL { ?jurisdiction skos:prefLabel ?labelEn FILTER(LANG(?labelEn) = "en") }
    OPTIONAL { ?jurisdiction pkg:parent ?parent }
  }
}""" % _GAZETTEER

_gazetteer_cache: dict[tuple[str, str], dict[str, Jurisdiction]] = {}
_gazetteer_lock = threading.Lock()


def fetch_gazetteer(store: Store) -> Mapping[str, Jurisdiction]:
    """Every jurisdiction of the gazetteer graph by adcode (about 6,700; cached per store
    version, since a server asks for it on every projection)."""
    key = (repr(store), store.dataset_version())
    with _gazetteer_lock:
        found = _gazetteer_cache.get(key)
    if found is not None:
        return found
    gazetteer: dict[str, Jurisdiction] = {}
    for iri, label, label_en, level, parent in select_rows(store, _GAZETTEER_QUERY):
        adcode = local_name(str(iri), JURISDICTION_NS)
        gazetteer[adcode] = Jurisdiction(adcode, _text(label), _text(label_en), _text(level),
                                         local_name(str(parent), JURISDICTION_NS) if parent else None)
    with _gazetteer_lock:
        if len(_gazetteer_cache) > 8:
            _gazetteer_cache.clear()
        _gazetteer_cache[key] = gazetteer
    return gazetteer


def _text(value: Value) -> str | None:
    return None if value is None else str(value)

# --------------------------------------------------------------------------------------------
# Selection of jurisdictions
# --------------------------------------------------------------------------------------------



@dataclass(frozen=True, slots=True)
class Selection:
    """Which jurisdictions a view covers; every filter given must hold. For the roll-up views
    (adoption, similarity, matrix, timeline, panel) it selects the adopting jurisdictions, for
    the document views (agencies, citations, full, targets, responsibilities) the documents'."""

    level: Level | None = None
    within: str | None = None  # adcode: this jurisdiction and every one under it (pkg:parent*)
    jurisdictions: tuple[str, ...] = ()  # adcodes

    def __bool__(self) -> bool:
        return bool(self.level or self.within or self.jurisdictions)

    def check(self, gazetteer: Mapping[str, Jurisdiction]) -> None:
        """Unknown adcodes are an error naming the parameter, not an empty export."""
        if self.within is not None and self.within not in gazetteer:
            raise ProjectionError("within", f"within: no jurisdiction with adcode {self.within} in the gazetteer")
        for adcode in self.jurisdictions:
            if adcode not in gazetteer:
                raise ProjectionError("jurisdictions", f"jurisdictions: no jurisdiction with adcode {adcode} in the gazetteer")

    def admits(self, adcode: str | None, gazetteer: Mapping[str, Jurisdiction]) -> bool:
        if not self:
            return True
        if adcode is None:
            return False
        if self.jurisdictions and adcode not in self.jurisdictions:
            return False
        if self.level is not None:
            found = gazetteer.get(adcode)
            if found is None or found.level != self.level:
                return False
        if self.within is not None and not _is_within(adcode, self.within, gazetteer):
            return False
        return True

    def describe(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.level:
            out["level"] = self.level
        if self.within:
            out["within"] = self.within
        if self.jurisdictions:
            out["jurisdictions"] = ",".join(self.jurisdictions)
        return out


def _is_within(adcode: str, ancestor: str, gazetteer: Mapping[str, Jurisdiction]) -> bool:
    seen: set[str] = set()
    current: str | None = adcode
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        found = gazetteer.get(current)
        current = found.parent if found else None
    return False

# --------------------------------------------------------------------------------------------
# Roll-up cells (adoption, similarity, matrix, timeline, panel)
# --------------------------------------------------------------------------------------------



@dataclass(frozen=True, slots=True)
class Document:
    iri: str
    adcode: str | None = None
    year: int | None = None
    date: str | None = None  # ISO, eli:date_document
    number: str | None = None  # 文号
    title: str | None = None

    def display(self) -> str:
        return self.number or self.title or curie(self.iri)


@dataclass(frozen=True, slots=True)
class Cell:
    """One roll-up node: a jurisdiction's adoption of an instrument."""

    adcode: str
    instrument: str  # vocabulary id
    stage: str  # strongest stage over its documents
    first_year: int
    documents: tuple[str, ...] = ()  # IRIs, sorted


@dataclass(frozen=True, slots=True)
class CellData:
    """The roll-up cells a view covers, with what is needed to label them."""

    cells: tuple[Cell, ...]
    vocabulary: Vocabulary
    gazetteer: Mapping[str, Jurisdiction]
    documents: Mapping[str, Document] = field(default_factory=dict)  # the cells' documents

    def first_date(self, cell: Cell) -> str:
        """Issue date of the earliest adopting document of the first year; 1 January of that
        year when no such document has a date."""
        dates = sorted(d.date for iri in cell.documents if (d := self.documents.get(iri)) and d.year == cell.first_year and d.date)
        return dates[0] if dates else f"{cell.first_year:04d}-01-01"

_CELLS_QUERY = """
SELECT ?cell ?jurisdiction ?instrument ?stage ?firstYear WHERE {
  {values}
  GRAPH %s { ?cell pkg:jurisdiction ?jurisdiction ; pkg:instrument ?instrument ; pkg:firstYear ?firstYear ; pkg:strongestStage ?stage . }
}""" % _ROLLUP


# One roll-up property at a time: on a large on-disk store, four single-pattern scans joined
# here take a third of the time of the four-pattern join (10,000 documents: 1.5 s vs 4-5 s).
_CELL_PROPERTY_SCAN = """
SELECT ?cell ?value WHERE { GRAPH %s { ?cell pkg:%%s ?value } }""" % _ROLLUP

_CELL_DOCUMENTS_QUERY = """
SELECT ?cell ?document WHERE { {values} GRAPH %s { ?cell pkg:document ?document } }""" % _ROLLUP


def check_instrument(vocabulary: Vocabulary, instrument: str | None, *, param: str = "instrument") -> None:
    if instrument is not None and instrument not in vocabulary.instruments:
        raise ProjectionError(param, f"{param}: {instrument!r} is not an instrument of the vocabulary (ontology/instruments.ttl)")


def _cell_rows(store: Store, restrict: str) -> list[tuple[Value, ...]]:
    """(cell, jurisdiction, instrument, stage, first year) of the roll-up: one joined query
    when a VALUES block restricts it, else four scans joined by cell here."""
    if restrict:
        return select_rows(store, _CELLS_QUERY.replace("{values}", restrict))
    columns = [dict(select_rows(store, _CELL_PROPERTY_SCAN % name)) for name in ("jurisdiction", "instrument", "strongestStage", "firstYear")]
    jurisdictions, instruments, stages, years = columns
    return [(cell, j, instruments[cell], stages[cell], years[cell]) for cell, j in jurisdictions.items()
            if cell in instruments and cell in stages and cell in years]


def fetch_cells(
    store: Store,
    *,
    selection: Selection = Selection(),
    instrument: str | None = None,
    min_stage: str | None = None,
    with_documents: bool = True,
    with_dates: bool = True,
) -> CellData:
    """The roll-up cells of the selected jurisdictions — of ``instrument`` and the instruments
    below it when given, at ``min_stage`` or stronger when given — with the adopting documents
    when ``with_documents``, and their years and dates when ``with_dates`` too."""
    vocabulary = fetch_vocabulary(store)
    gazetteer = fetch_gazetteer(store)
    check_instrument(vocabulary, instrument)
    selection.check(gazetteer)
    instruments = vocabulary.narrower(instrument) if instrument else None
    restrict = ""
    if instruments is not None:
        restrict = _values("instrument", sorted(str(INST) + i for i in instruments))
    elif selection.jurisdictions or selection.within:
        adcodes = [a for a in gazetteer if selection.admits(a, gazetteer)]
        if len(adcodes) <= SCAN_ABOVE:
            restrict = _values("jurisdiction", sorted(JURISDICTION_NS + a for a in adcodes))
    minimum = vocabulary.stage_rank(min_stage) if min_stage else 0
    cells: dict[tuple[str, str], tuple[str, int]] = {}
    key_of: dict[str, tuple[str, str]] = {}
    for cell, jurisdiction, iri, stage, first_year in _cell_rows(store, restrict):
        adcode = local_name(str(jurisdiction), JURISDICTION_NS)
        instrument_id = local_name(str(iri), str(INST))
        if instruments is not None and instrument_id not in instruments:
            continue
        if not selection.admits(adcode, gazetteer) or vocabulary.stage_rank(str(stage)) < minimum:
            continue
        cells[(adcode, instrument_id)] = (str(stage), int(first_year))  # type: ignore[arg-type]
        key_of[str(cell)] = (adcode, instrument_id)
    documents_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    documents: dict[str, Document] = {}
    if with_documents and cells:
        for cell, document in select_rows_for(store, _CELL_DOCUMENTS_QUERY, "cell", key_of):
            documents_of[key_of[str(cell)]].append(str(document))
        if with_dates:
            documents = dict(fetch_documents(store, {d for docs in documents_of.values() for d in docs}))
    built = tuple(
        Cell(adcode, instrument_id, stage, year, tuple(sorted(documents_of.get((adcode, instrument_id), ()))))
        for (adcode, instrument_id), (stage, year) in sorted(cells.items())
    )
    return CellData(built, vocabulary, gazetteer, documents)

# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------



# Patterns over the union of the graphs, not inside GRAPH ?document: Oxigraph evaluates an
# OPTIONAL inside GRAPH ?g slowly (25 documents' measures: 1.7 s inside, 0.02 s outside), and
# a document's own triples are in its graph only.
_DOCUMENTS_QUERY = """
SELECT ?document ?jurisdiction ?year ?date ?number ?title WHERE {
  {values}
  ?document a pkg:PolicyDocument .
  OPTIONAL { ?document pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?document pkg:year ?year }
  OPTIONAL { ?document eli:date_document ?date }
  OPTIONAL { ?document eli:id_local ?number }
  OPTIONAL { ?document dcterms:title ?title }
}"""


def fetch_documents(store: Store, iris: Iterable[str]) -> dict[str, Document]:
    """Jurisdiction, year, date, 文号 and title of these loaded documents."""
    found: dict[str, Document] = {}
    for iri, jurisdiction, year, date, number, title in select_rows_for(store, _DOCUMENTS_QUERY, "document", iris):
        key = str(iri)
        if key in found:
            continue
        found[key] = Document(
            key,
            local_name(str(jurisdiction), JURISDICTION_NS) if jurisdiction else None,
            int(year) if year is not None else None,  # type: ignore[arg-type]
            _text(date),
            _text(number),
            _text(title),
        )
    return found

_SELECTED_DOCUMENTS_QUERY = """
SELECT ?jurisdiction ?document WHERE {
  {values}
  GRAPH ?document { ?document pkg:jurisdiction ?jurisdiction }
}"""


def selected_documents(store: Store, selection: Selection, gazetteer: Mapping[str, Jurisdiction]) -> list[str] | None:
    """IRIs of the loaded documents of the selected jurisdictions (sorted); None when the
    selection is empty (every document)."""
    if not selection:
        return None
    selection.check(gazetteer)
    adcodes = [a for a in gazetteer if selection.admits(a, gazetteer)]
    rows = select_rows_for(store, _SELECTED_DOCUMENTS_QUERY, "jurisdiction", (JURISDICTION_NS + a for a in adcodes))
    return sorted({str(document) for _, document in rows})

# --------------------------------------------------------------------------------------------
# Responsibilities (agencies view, responsibilities table)
# --------------------------------------------------------------------------------------------



@dataclass(frozen=True, slots=True)
class Agency:
    iri: str
    label: str | None = None
    functions: tuple[str, ...] = ()  # function ids, sorted
    adcode: str | None = None

    @property
    def function(self) -> str:
        """One function per agency: the first by id ("unknown" for a body without one)."""
        return self.functions[0] if self.functions else "unknown"


@dataclass(frozen=True, slots=True)
class AgencyRows:
    """Who is responsible for which measure: ``responsible`` (measure, agency) pairs, every
    agency named; ``lead`` the first-named one(s)."""

    responsible: tuple[tuple[str, str], ...]
    lead: frozenset[tuple[str, str]]
    agencies: Mapping[str, Agency]
    vocabulary: Vocabulary
    gazetteer: Mapping[str, Jurisdiction]

_RESPONSIBLE_QUERY = """
SELECT ?document ?measure ?agency WHERE { {values} ?measure eli:is_part_of ?document ; pkg:%s ?agency . }"""

_RESPONSIBLE_SCAN = """
SELECT ?measure ?agency WHERE { GRAPH ?document { ?measure pkg:%s ?agency } }"""

_MEASURES_ADOPTING_QUERY = """
SELECT ?instrument ?measure WHERE { {values} ?adoption pkg:instrument ?instrument ; pkg:measure ?measure . }"""

_AGENCY_QUERY = """
SELECT DISTINCT ?agency ?label ?function ?jurisdiction WHERE {
  {values}
  { ?agency skos:prefLabel ?label } UNION { ?agency pkg:function ?function } UNION { ?agency pkg:jurisdiction ?jurisdiction }
}"""


def responsibility_pairs(store: Store, predicate: str, documents: list[str] | None) -> set[tuple[str, str]]:
    if documents is None:
        return {(str(m), str(a)) for m, a in select_rows(store, _RESPONSIBLE_SCAN % predicate)}
    rows = select_rows_for(store, _RESPONSIBLE_QUERY % predicate, "document", documents)
    return {(str(m), str(a)) for _, m, a in rows}


def fetch_agency_rows(store: Store, *, selection: Selection = Selection(), instrument: str | None = None) -> AgencyRows:
    """Responsibility pairs of the measures in the selected jurisdictions' documents (every
    loaded document when the selection is empty), of measures adopting ``instrument`` or an
    instrument below it when given."""
    vocabulary = fetch_vocabulary(store)
    gazetteer = fetch_gazetteer(store)
    check_instrument(vocabulary, instrument)
    documents = selected_documents(store, selection, gazetteer)
    responsible = responsibility_pairs(store, "responsibleAgency", documents)
    lead = responsibility_pairs(store, "leadAgency", documents)
    if instrument is not None:
        instruments = [str(INST) + i for i in sorted(vocabulary.narrower(instrument))]
        measures = {str(m) for _, m in select_rows_for(store, _MEASURES_ADOPTING_QUERY, "instrument", instruments)}
        responsible = {pair for pair in responsible if pair[0] in measures}
        lead = {pair for pair in lead if pair[0] in measures}
    return AgencyRows(tuple(sorted(responsible)), frozenset(lead), fetch_agencies(store, {a for _, a in responsible}), vocabulary, gazetteer)


def fetch_agencies(store: Store, iris: Iterable[str]) -> dict[str, Agency]:
    labels: dict[str, str] = {}
    functions: dict[str, set[str]] = defaultdict(set)
    adcodes: dict[str, str] = {}
    wanted = sorted(set(iris))
    for start in range(0, len(wanted), _CHUNK):
        block = _values("agency", wanted[start : start + _CHUNK])
        for agency, label, function, jurisdiction in select_rows(store, _AGENCY_QUERY.replace("{values}", block)):
            key = str(agency)
            if label is not None and (key not in labels or str(label) < labels[key]):
                labels[key] = str(label)
            if function is not None:
                functions[key].add(local_name(str(function), str(FN)))
            if jurisdiction is not None:
                adcodes[key] = min(adcodes.get(key, "~"), local_name(str(jurisdiction), JURISDICTION_NS))
    return {a: Agency(a, labels.get(a), tuple(sorted(functions.get(a, ()))), adcodes.get(a)) for a in wanted}

# --------------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------------


_CITED_NUMBERS_QUERY = """
SELECT ?citing ?number WHERE { GRAPH ?citing { ?citing pkg:citesDocNumber ?number } }"""

_CITES_QUERY = """
SELECT ?citing ?cited WHERE { GRAPH %s { ?citing eli:cites ?cited } }""" % _ROLLUP


@dataclass(frozen=True, slots=True)
class Citations:
    numbers: tuple[tuple[str, str], ...]  # (citing IRI, cited 文号)
    links: tuple[tuple[str, str], ...]  # (citing IRI, cited IRI): both loaded
    documents: Mapping[str, Document]
    gazetteer: Mapping[str, Jurisdiction]
    selected: frozenset[str] | None  # documents of the selection; None = all


def fetch_citations(store: Store, *, selection: Selection = Selection()) -> Citations:
    gazetteer = fetch_gazetteer(store)
    documents_selected = selected_documents(store, selection, gazetteer)
    numbers = {(str(c), str(n)) for c, n in select_rows(store, _CITED_NUMBERS_QUERY)}
    links = {(str(c), str(d)) for c, d in select_rows(store, _CITES_QUERY)}
    involved = {c for c, _ in numbers} | {x for link in links for x in link}
    return Citations(tuple(sorted(numbers)), tuple(sorted(links)), fetch_documents(store, involved), gazetteer,
                     frozenset(documents_selected) if documents_selected is not None else None)

# --------------------------------------------------------------------------------------------
# Documents of the full view
# --------------------------------------------------------------------------------------------


_DOCUMENT_BY_NUMBER = """
SELECT ?document WHERE { GRAPH ?document { ?document eli:id_local ?number } }"""

_DOCUMENT_EXISTS = """
SELECT ?document WHERE { GRAPH ?document { ?document eli:id_local|pkg:jurisdiction|pkg:year|dcterms:title ?any } } LIMIT 1"""

_ALL_DOCUMENTS = """
SELECT DISTINCT ?document WHERE { GRAPH ?document { ?document pkg:jurisdiction|pkg:year|eli:id_local ?any } }"""

_FULL_ISSUERS = """
SELECT ?document ?agency WHERE { {values} GRAPH ?document { ?document eli:passed_by ?agency } }"""

_FULL_MEASURES = """
SELECT ?document ?measure ?number ?section ?heading ?text ?start WHERE {
  {values}
  ?measure eli:is_part_of ?document .
  OPTIONAL { ?measure eli:id_local ?number }
  OPTIONAL { ?measure pkg:section ?section }
  OPTIONAL { ?measure pkg:heading ?heading }
  OPTIONAL { ?measure pkg:text ?text }
  OPTIONAL { ?measure pkg:evidence ?evidence . ?evidence oa:start ?start }
}"""

_FULL_ADOPTIONS = """
SELECT ?document ?adoption ?instrument ?stage ?measure WHERE {
  {values}
  ?adoption pkg:document ?document ; pkg:instrument ?instrument ; pkg:stage ?stage .
  OPTIONAL { ?adoption pkg:measure ?measure }
}"""

_FULL_TARGETS = """
SELECT ?document ?target ?measure ?indicatorText ?indicator ?comparator ?value ?valueMax ?unit ?deadline WHERE {
  {values}
  ?target pkg:document ?document ; pkg:indicatorText ?indicatorText .
  OPTIONAL { ?target pkg:measure ?measure }
  OPTIONAL { ?target pkg:indicator ?indicator }
  OPTIONAL { ?target pkg:comparator ?comparator }
  OPTIONAL { ?target pkg:value ?value }
  OPTIONAL { ?target pkg:valueMax ?valueMax }
  OPTIONAL { ?target pkg:unit ?unit }
  OPTIONAL { ?target pkg:deadline ?deadline }
}"""


def resolve_document(store: Store, document: str) -> str:
    """A document IRI (or compact ``id:document/…``) or 文号 → the loaded document's IRI."""
    text = document.strip()
    if text.startswith("id:document/"):
        text = str(ID) + text[len("id:") :]
    if text.startswith(DOCUMENT_NS):
        if select_rows(store, _DOCUMENT_EXISTS, bindings={"document": URIRef(text)}):
            return text
        raise ProjectionError("document", f"document: no loaded document {text}")
    rows = select_rows(store, _DOCUMENT_BY_NUMBER, bindings={"number": RdfLiteral(text)})
    if not rows:
        raise ProjectionError("document", f"document: no loaded document with 文号 {text!r} (give the 文号 as printed, or the document IRI)")
    return str(sorted(str(r[0]) for r in rows)[0])


@dataclass(frozen=True, slots=True)
class FullSelection:
    documents: tuple[str, ...]  # the IRIs included, most recent first
    total: int  # documents matching before the limit


def select_full_documents(
    store: Store, *, selection: Selection = Selection(), document: str | None = None, year: int | None = None, limit: int = 25
) -> FullSelection:
    """The documents the full view shows: the one named, else those of the selection (every
    loaded document without one) of ``year`` when given, most recent first (then by IRI),
    at most ``limit``."""
    if document is not None:
        iri = resolve_document(store, document)
        return FullSelection((iri,), 1)
    gazetteer = fetch_gazetteer(store)
    chosen = selected_documents(store, selection, gazetteer)
    if chosen is None:
        chosen = sorted(str(r[0]) for r in select_rows(store, _ALL_DOCUMENTS))
    meta = fetch_documents(store, chosen)
    if year is not None:
        chosen = [d for d in chosen if meta.get(d) and meta[d].year == year]
    ordered = sorted(chosen, key=lambda d: (-(meta[d].year or 0) if d in meta else 0, d))
    return FullSelection(tuple(ordered[:limit]), len(ordered))

_MEASURE_PAIRS = """
SELECT ?measure ?agency WHERE { {values} ?measure pkg:%s ?agency }"""


def _pairs_from_measures(store: Store, predicate: str, measures: Sequence[str]) -> set[tuple[str, str]]:
    rows = select_rows_for(store, _MEASURE_PAIRS % predicate, "measure", measures)
    return {(str(m), str(a)) for m, a in rows}


@dataclass(frozen=True, slots=True)
class FullRows:
    """What the full view shows of some documents, as read from the store."""

    documents: tuple[str, ...]
    meta: Mapping[str, Document]
    issuers: tuple[tuple[Value, ...], ...]  # (document, agency)
    measures: tuple[tuple[Value, ...], ...]  # (document, measure, number, section, heading, text, start offset)
    responsible: frozenset[tuple[str, str]]  # (measure, agency)
    lead: frozenset[tuple[str, str]]
    adoptions: tuple[tuple[Value, ...], ...]  # (document, adoption, instrument, stage, measure or None)
    targets: tuple[tuple[Value, ...], ...]  # (document, target, measure, text, indicator, comparator, value, value max, unit, deadline)
    agencies: Mapping[str, Agency]
    cites: tuple[tuple[str, str], ...]  # (citing, cited), both among ``documents``
    vocabulary: Vocabulary
    gazetteer: Mapping[str, Jurisdiction]


def fetch_full(store: Store, documents: Sequence[str]) -> FullRows:
    """Everything the full view draws for these documents."""
    issuers = select_rows_for(store, _FULL_ISSUERS, "document", documents)
    measures = select_rows_for(store, _FULL_MEASURES, "document", documents)
    measure_iris = sorted({str(row[1]) for row in measures})
    responsible = _pairs_from_measures(store, "responsibleAgency", measure_iris)
    chosen = set(documents)
    cites = tuple(sorted((str(a), str(b)) for a, b in select_rows(store, _CITES_QUERY) if str(a) in chosen and str(b) in chosen))
    return FullRows(
        documents=tuple(documents),
        meta=fetch_documents(store, documents),
        issuers=tuple(issuers),
        measures=tuple(measures),
        responsible=frozenset(responsible),
        lead=frozenset(_pairs_from_measures(store, "leadAgency", measure_iris)),
        adoptions=tuple(select_rows_for(store, _FULL_ADOPTIONS, "document", documents)),
        targets=tuple(select_rows_for(store, _FULL_TARGETS, "document", documents)),
        agencies=fetch_agencies(store, {str(a) for _, a in issuers} | {a for _, a in responsible}),
        cites=cites,
        vocabulary=fetch_vocabulary(store),
        gazetteer=fetch_gazetteer(store),
    )
