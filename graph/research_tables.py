"""Tabular research exports, built from SPARQL results like the network projections:

- ``matrix``: jurisdictions × instruments, one row per jurisdiction, a column per instrument
  (strongest stage, first year or number of documents) — the comparison heatmap's data;
- ``timeline``: for one instrument (and those below it), the first year each jurisdiction
  adopted it, with its strongest stage — the diffusion curve;
- ``panel``: jurisdiction × instrument × year in long format, the layout of diffusion
  datasets such as SPID, for event-history models;
- ``targets``: every quantitative target with its document, jurisdiction and year;
- ``responsibilities``: every (measure, responsible agency) with the agency's role.

A table is columns plus rows of plain values (int, float, bool, str, None). The panel's rows
are generated lazily (a national panel has millions), so iterate them once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rdflib import URIRef

from policykg.graph import projection_data
from policykg.graph.namespaces import IND, INST
from policykg.graph.projection_data import (
    LEVEL_RANK,
    Cell,
    CellData,
    Concept,
    Document,
    Jurisdiction,
    ProjectionError,
    Selection,
    check_instrument,
    curie,
    fetch_agencies,
    fetch_documents,
    fetch_gazetteer,
    fetch_vocabulary,
    local_name,
    lookup_rows,
    responsibility_pairs,
    select_rows,
    scan_property,
    select_rows_for,
    selected_documents,
)
from policykg.graph.store import Store
from policykg.graph.tables import Value

__all__ = [
    "DataTable",
    "Matrix",
    "TimelineRow",
    "build_matrix",
    "matrix_table",
    "panel_table",
    "responsibilities_table",
    "targets_table",
    "timeline_rows",
    "timeline_table",
]

MatrixValue = Literal["stage", "first_year", "documents"]


@dataclass(frozen=True, slots=True)
class DataTable:
    columns: tuple[str, ...]
    rows: Iterable[tuple[Value, ...]]
    total: int | None = None  # rows before a limit, when one was applied


def _jurisdiction_columns(jurisdiction: Jurisdiction) -> tuple[Value, ...]:
    return (jurisdiction.adcode, jurisdiction.label, jurisdiction.label_en, jurisdiction.level, jurisdiction.parent)


_JURISDICTION_COLUMNS = ("adcode", "jurisdiction", "jurisdiction_en", "level", "parent")


# --------------------------------------------------------------------------------------------
# matrix
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matrix:
    jurisdictions: tuple[Jurisdiction, ...]  # rows: by level, then adcode
    instruments: tuple[Concept, ...]  # columns: by category (top concept first), then id
    cells: Mapping[tuple[str, str], Cell]  # (adcode, instrument id) → cell
    data: CellData
    total: int  # jurisdictions before the limit


def build_matrix(data: CellData, *, limit: int | None = None) -> Matrix:
    """The cells as a grid. With ``limit``, the ``limit`` jurisdictions adopting most
    instruments (ties by adcode), still shown by level and adcode."""
    count: dict[str, int] = defaultdict(int)
    for cell in data.cells:
        count[cell.adcode] += 1
    adcodes = sorted(count, key=lambda a: (-count[a], a))
    total = len(adcodes)
    if limit is not None:
        adcodes = adcodes[:limit]
    jurisdictions = [data.gazetteer.get(a) or Jurisdiction(a) for a in adcodes]
    jurisdictions.sort(key=lambda j: (LEVEL_RANK.get(j.level or "", 9), j.adcode))
    kept = set(adcodes)
    cells = {(c.adcode, c.instrument): c for c in data.cells if c.adcode in kept}
    vocabulary = data.vocabulary
    used = sorted({i for _, i in cells}, key=lambda i: (vocabulary.category(i), i != vocabulary.category(i), i))
    instruments = tuple(vocabulary.instruments.get(i) or Concept(i, str(INST) + i) for i in used)
    return Matrix(tuple(jurisdictions), instruments, cells, data, total)


def matrix_table(matrix: Matrix, *, value: MatrixValue = "stage") -> DataTable:
    """One row per jurisdiction, one column per instrument (its id); empty where the
    jurisdiction has not adopted the instrument."""
    columns = _JURISDICTION_COLUMNS + tuple(c.id for c in matrix.instruments)
    rows = []
    for jurisdiction in matrix.jurisdictions:
        row: list[Value] = list(_jurisdiction_columns(jurisdiction))
        for concept in matrix.instruments:
            cell = matrix.cells.get((jurisdiction.adcode, concept.id))
            if cell is None:
                row.append(None)
            elif value == "stage":
                row.append(cell.stage)
            elif value == "first_year":
                row.append(cell.first_year)
            else:
                row.append(len(cell.documents))
        rows.append(tuple(row))
    return DataTable(columns, tuple(rows), matrix.total)


# --------------------------------------------------------------------------------------------
# timeline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineRow:
    jurisdiction: Jurisdiction
    first_year: int
    first_date: str
    stage: str  # strongest over the instrument and those below it
    instruments: int  # how many of them it adopted
    documents: int


def timeline_rows(data: CellData) -> list[TimelineRow]:
    """Per jurisdiction, from cells fetched for one instrument (with those below it): the
    first year any of them appears, the strongest stage; by first year, then adcode."""
    by_jurisdiction: dict[str, list[Cell]] = defaultdict(list)
    for cell in data.cells:
        by_jurisdiction[cell.adcode].append(cell)
    rows = []
    for adcode, cells in by_jurisdiction.items():
        first = min(c.first_year for c in cells)
        strongest = max(cells, key=lambda c: (data.vocabulary.stage_rank(c.stage), c.stage)).stage
        documents = {d for c in cells for d in c.documents}
        first_date = min(data.first_date(c) for c in cells if c.first_year == first)
        rows.append(TimelineRow(data.gazetteer.get(adcode) or Jurisdiction(adcode), first, first_date, strongest, len(cells), len(documents)))
    rows.sort(key=lambda r: (r.first_year, r.jurisdiction.adcode))
    return rows


def timeline_table(rows: Sequence[TimelineRow]) -> DataTable:
    columns = _JURISDICTION_COLUMNS + ("first_year", "first_date", "stage", "instruments", "documents", "cumulative")
    out = []
    for n, row in enumerate(rows, start=1):
        out.append(_jurisdiction_columns(row.jurisdiction) + (row.first_year, row.first_date, row.stage, row.instruments, row.documents, n))
    return DataTable(columns, tuple(out))


# --------------------------------------------------------------------------------------------
# panel
# --------------------------------------------------------------------------------------------

PANEL_COLUMNS = _JURISDICTION_COLUMNS + (
    "instrument", "instrument_label", "instrument_en", "category", "year", "documents",
    "mentioned", "adopted", "event", "first_year", "strongest_stage",
)


def panel_table(
    data: CellData,
    documents: Mapping[str, Document],
    *,
    year_from: int | None = None,
    year_to: int | None = None,
) -> DataTable:
    """Jurisdiction × instrument × year, long format. The jurisdictions are those with a
    loaded, dated document among ``documents`` (the selection's), observed from the year of
    their first document to ``year_to`` (default: the latest year loaded); the instruments are
    those of ``data``. Per row: ``documents`` loaded that year, ``mentioned`` (1: one of them
    adopts the instrument), ``adopted`` (1 from the first year on), ``event`` (1 in the first
    year only), and the cell's ``first_year`` and overall ``strongest_stage``."""
    docs_per_year: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for document in documents.values():
        if document.adcode and document.year is not None:
            docs_per_year[document.adcode][document.year] += 1
    if not docs_per_year:
        return DataTable(PANEL_COLUMNS, ())
    last = year_to if year_to is not None else max(y for years in docs_per_year.values() for y in years)
    cells = {(c.adcode, c.instrument): c for c in data.cells}
    instruments = sorted({c.instrument for c in data.cells})
    vocabulary = data.vocabulary
    gazetteer = data.gazetteer

    def rows() -> Iterator[tuple[Value, ...]]:
        for adcode in sorted(docs_per_year):
            jurisdiction = gazetteer.get(adcode) or Jurisdiction(adcode)
            head = _jurisdiction_columns(jurisdiction)
            years = docs_per_year[adcode]
            first_observed = max(min(years), year_from) if year_from is not None else min(years)
            for instrument in instruments:
                concept = vocabulary.instruments.get(instrument)
                cell = cells.get((adcode, instrument))
                mention_years = {documents[d].year for d in cell.documents if d in documents} if cell else set()
                label = (instrument, concept.label if concept else None, concept.label_en if concept else None, vocabulary.category(instrument))
                for year in range(first_observed, last + 1):
                    adopted = cell is not None and year >= cell.first_year
                    yield head + label + (
                        year,
                        years.get(year, 0),
                        int(year in mention_years),
                        int(adopted),
                        int(cell is not None and year == cell.first_year),
                        cell.first_year if cell else None,
                        cell.stage if cell else None,
                    )

    return DataTable(PANEL_COLUMNS, rows())


# --------------------------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------------------------

# Over the union of the graphs (see graph/projection_data.py): a target's and a
# measure's triples are in their document's graph only.
_TARGETS = """
SELECT ?document ?target ?indicatorText ?indicator ?measureNumber ?comparator ?value ?valueMax ?unit ?per ?baseline ?deadline ?scope ?evidence WHERE {
  {values}
  ?target pkg:document ?document ; pkg:indicatorText ?indicatorText .
  OPTIONAL { ?target pkg:indicator ?indicator }
  OPTIONAL { ?target pkg:measure ?measure . ?measure eli:id_local ?measureNumber }
  OPTIONAL { ?target pkg:comparator ?comparator }
  OPTIONAL { ?target pkg:value ?value }
  OPTIONAL { ?target pkg:valueMax ?valueMax }
  OPTIONAL { ?target pkg:unit ?unit }
  OPTIONAL { ?target pkg:per ?per }
  OPTIONAL { ?target pkg:baseline ?baseline }
  OPTIONAL { ?target pkg:deadline ?deadline }
  OPTIONAL { ?target pkg:scope ?scope }
  OPTIONAL { ?target pkg:evidence ?selector . ?selector oa:exact ?evidence }
}"""

_TARGETS_OF_INDICATOR = """
SELECT ?document ?target WHERE { GRAPH ?document { ?target pkg:indicator ?indicator ; pkg:document ?document } }"""

TARGET_COLUMNS = (
    "adcode", "jurisdiction", "jurisdiction_en", "level", "year", "date", "document", "doc_number",
    "measure_number", "target", "indicator", "indicator_label", "indicator_en", "indicator_text",
    "comparator", "value", "value_max", "unit", "per", "baseline", "deadline", "scope", "evidence",
)


def targets_table(
    store: Store, *, selection: Selection = Selection(), indicator: str | None = None, year: int | None = None
) -> DataTable:
    """Every target of the selected jurisdictions' documents (all documents without a
    selection), of ``indicator`` / of documents of ``year`` when given; by jurisdiction, year,
    document, target."""
    vocabulary = fetch_vocabulary(store)
    gazetteer = fetch_gazetteer(store)
    if indicator is not None and indicator not in vocabulary.indicators:
        raise ProjectionError("indicator", f"indicator: {indicator!r} is not an indicator of the vocabulary (ontology/indicators.ttl)")
    documents = selected_documents(store, selection, gazetteer)
    wanted_targets: set[str] | None = None
    if indicator is not None:
        rows = select_rows(store, _TARGETS_OF_INDICATOR, bindings={"indicator": URIRef(str(IND) + indicator)})
        wanted_targets = {str(t) for _, t in rows}
        in_documents = {str(d) for d, _ in rows}
        documents = sorted(in_documents if documents is None else in_documents & set(documents))
    if documents is None or projection_data.many(documents):
        rows = _targets_by_scans(store, None if documents is None else set(documents))
    else:
        rows = select_rows_for(store, _TARGETS, "document", documents)
    meta = fetch_documents(store, {str(r[0]) for r in rows})
    out = []
    for document, target, text, indicator_iri, number, comparator, value, value_max, unit, per, baseline, deadline, scope, evidence in rows:
        if wanted_targets is not None and str(target) not in wanted_targets:
            continue
        doc = meta.get(str(document)) or Document(str(document))
        if year is not None and doc.year != year:
            continue
        jurisdiction = gazetteer.get(doc.adcode or "") or Jurisdiction(doc.adcode or "")
        indicator_id = local_name(str(indicator_iri), str(IND)) if indicator_iri else None
        concept = vocabulary.indicators.get(indicator_id or "")
        out.append((
            jurisdiction.adcode or None, jurisdiction.label, jurisdiction.label_en, jurisdiction.level,
            doc.year, doc.date, curie(doc.iri), doc.number, number, curie(str(target)), indicator_id,
            concept.label if concept else None, concept.label_en if concept else None, text,
            comparator, value, value_max, unit, per, baseline, deadline, scope, evidence,
        ))
    out.sort(key=lambda r: (str(r[0] or ""), r[4] or 0, str(r[6]), _target_order(str(r[9]))))
    return DataTable(TARGET_COLUMNS, tuple(out))


_TARGET_PROPERTIES = ("indicator", "comparator", "value", "valueMax", "unit", "per", "baseline", "deadline", "scope")
_DOCUMENT_IRIS = "SELECT ?document WHERE { ?document a pkg:PolicyDocument }"
_OWNER_LOOKUP = "SELECT ?target ?measure ?document WHERE { {values} ?target pkg:document ?document OPTIONAL { ?target pkg:measure ?measure } }"
_EXACT_LOOKUP = "SELECT ?selector ?exact WHERE { {values} ?selector oa:exact ?exact }"
_EVIDENCE_LOOKUP = "SELECT ?target ?exact WHERE { {values} ?target pkg:evidence ?selector . ?selector oa:exact ?exact }"


def _targets_by_scans(store: Store, documents: set[str] | None) -> list[tuple[Value, ...]]:
    """The rows of ``_TARGETS`` for (nearly) every document, from one scan per property
    joined here: on a large on-disk store Oxigraph's eleven OPTIONAL look-ups per target cost
    twice as much (10,000 documents: ~45 s vs ~20 s). A target's measure and document are read
    off its IRI — ``{measure}/target/{n}`` or ``{document}/target/{n}``, and its evidence is
    ``{target}/evidence`` (docs/graph-model.md, "Stable IRIs") — and used only when the store
    confirms them (a known measure or document, an existing selector); anything else is looked
    up in SPARQL, so the result is the same either way (tests/export/test_scan_paths.py)."""
    texts = scan_property(store, "pkg:indicatorText")
    part_of = scan_property(store, "eli:is_part_of")
    numbers = scan_property(store, "eli:id_local")
    known_documents = {str(row[0]) for row in select_rows(store, _DOCUMENT_IRIS)}
    owner: dict[str, tuple[str | None, str]] = {}  # target → (measure, document)
    unsure = []
    for target in texts:
        prefix = target.rpartition("/target/")[0]
        if prefix in part_of:
            owner[target] = (prefix, str(part_of[prefix]))
        elif prefix in known_documents:
            owner[target] = (None, prefix)
        else:
            unsure.append(target)
    for target, measure, document in lookup_rows(store, _OWNER_LOOKUP, "target", unsure):
        owner[str(target)] = (str(measure) if measure else None, str(document))
    wanted = [t for t in sorted(texts) if t in owner and (documents is None or owner[t][1] in documents)]
    columns = {name: scan_property(store, f"pkg:{name}") for name in _TARGET_PROPERTIES}
    evidence = {str(s)[: -len("/evidence")]: e for s, e in lookup_rows(store, _EXACT_LOOKUP, "selector", (t + "/evidence" for t in wanted))}
    missing = [t for t in wanted if t not in evidence]
    evidence.update((str(t), e) for t, e in lookup_rows(store, _EVIDENCE_LOOKUP, "target", missing))
    rows = []
    for target in wanted:
        measure, document = owner[target]
        rows.append((document, target, texts[target], columns["indicator"].get(target), numbers.get(measure) if measure else None,
                     *(columns[name].get(target) for name in _TARGET_PROPERTIES[1:]), evidence.get(target)))
    return rows


def _target_order(target: str) -> tuple:
    """…/measure/14/target/2 sorts after …/measure/9/target/10 by number, not by text."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in target.replace(".", "/").split("/"))


# --------------------------------------------------------------------------------------------
# responsibilities
# --------------------------------------------------------------------------------------------

_MEASURES = """
SELECT ?document ?measure ?number ?jointly ?deadline WHERE {
  {values}
  ?measure eli:is_part_of ?document .
  FILTER EXISTS { ?measure pkg:responsibleAgency ?anyAgency }
  OPTIONAL { ?measure eli:id_local ?number }
  OPTIONAL { ?measure pkg:jointly ?jointly }
  OPTIONAL { ?measure pkg:deadline ?deadline }
}"""

_MEASURE_INSTRUMENTS = """
SELECT ?document ?measure ?instrument WHERE {
  {values}
  ?adoption pkg:document ?document ; pkg:measure ?measure ; pkg:instrument ?instrument ; pkg:stage ?stage .
}"""



def _measures_by_scans(
    store: Store, documents: set[str] | None, responsible: set[tuple[str, str]], instruments: Iterable[str]
) -> tuple[list[tuple[Value, ...]], list[tuple[str, str]]]:
    """``_MEASURES`` and ``_MEASURE_INSTRUMENTS`` rows for (nearly) every document, from one
    scan per property joined here. An adoption's measure and instrument are read off its IRI,
    ``{measure}/adoption/{instrument id}-{n}`` (docs/graph-model.md, "Stable IRIs"), when the
    prefix is a known measure and the id a known instrument; any other adoption is looked up
    in SPARQL. At 10,000 documents this reads 780,000 adoptions once (pkg:stage) instead of
    joining pkg:measure and pkg:instrument (1.8 million rows)."""
    part_of = scan_property(store, "eli:is_part_of")
    with_agency = {m for m, _ in responsible}
    numbers, jointly, deadlines = (scan_property(store, p) for p in ("eli:id_local", "pkg:jointly", "pkg:deadline"))
    measures = [(document, measure, numbers.get(measure), jointly.get(measure), deadlines.get(measure))
                for measure, document in sorted(part_of.items())
                if measure in with_agency and (documents is None or document in documents)]
    known_documents = {str(row[0]) for row in select_rows(store, _DOCUMENT_IRIS)}
    known_instruments = set(instruments)
    adoptions: list[tuple[str, str]] = []
    unsure = []
    for (adoption,) in select_rows(store, "SELECT ?a WHERE { ?a pkg:stage ?stage }"):
        owner, marker, local = str(adoption).rpartition("/adoption/")
        instrument = local.rpartition("-")[0]
        if marker and owner in known_documents:
            continue  # a preamble mention: no measure
        if marker and owner in part_of and instrument in known_instruments:
            adoptions.append((owner, str(INST) + instrument))
        else:
            unsure.append(str(adoption))  # not `{measure}/adoption/{id}-{n}`: ask the store
    adoptions.extend((str(m), str(i)) for m, i in lookup_rows(store, _ADOPTION_LOOKUP, "adoption", unsure))
    return measures, adoptions


_ADOPTION_LOOKUP = "SELECT ?measure ?instrument WHERE { {values} ?adoption pkg:measure ?measure ; pkg:instrument ?instrument ; pkg:stage ?stage }"

RESPONSIBILITY_COLUMNS = (
    "adcode", "jurisdiction", "jurisdiction_en", "level", "year", "document", "doc_number",
    "measure", "measure_number", "agency", "agency_label", "agency_adcode", "function", "functions",
    "role", "jointly", "deadline", "instruments",
)


def responsibilities_table(
    store: Store, *, selection: Selection = Selection(), instrument: str | None = None, year: int | None = None
) -> DataTable:
    """One row per (measure, responsible agency): ``role`` lead (named first) or co, with the
    measure's joint flag, deadline and adopted instruments; measures adopting ``instrument``
    (or one below it) / of documents of ``year`` when given."""
    vocabulary = fetch_vocabulary(store)
    gazetteer = fetch_gazetteer(store)
    check_instrument(vocabulary, instrument)
    documents = selected_documents(store, selection, gazetteer)
    responsible = responsibility_pairs(store, "responsibleAgency", documents)
    if documents is None or projection_data.many(documents):
        measures, adoptions = _measures_by_scans(store, None if documents is None else set(documents), responsible, vocabulary.instruments)
    else:
        measures = select_rows_for(store, _MEASURES, "document", documents)
        adoptions = [row[1:] for row in select_rows_for(store, _MEASURE_INSTRUMENTS, "document", documents)]
    instruments_of: dict[str, set[str]] = defaultdict(set)
    for measure, iri in adoptions:
        instruments_of[str(measure)].add(local_name(str(iri), str(INST)))
    wanted = vocabulary.narrower(instrument) if instrument else None
    lead = responsibility_pairs(store, "leadAgency", documents)
    agencies_of: dict[str, list[str]] = defaultdict(list)
    for measure, agency in responsible:
        agencies_of[measure].append(agency)
    meta = fetch_documents(store, {str(r[0]) for r in measures})
    info = fetch_agencies(store, {a for _, a in responsible})
    out = []
    for document, measure, number, jointly, deadline in measures:
        measure = str(measure)
        if wanted is not None and not instruments_of.get(measure, set()) & wanted:
            continue
        doc = meta.get(str(document)) or Document(str(document))
        if year is not None and doc.year != year:
            continue
        jurisdiction = gazetteer.get(doc.adcode or "") or Jurisdiction(doc.adcode or "")
        for agency in sorted(set(agencies_of.get(measure, ()))):
            found = info.get(agency)
            out.append((
                jurisdiction.adcode or None, jurisdiction.label, jurisdiction.label_en, jurisdiction.level,
                doc.year, curie(doc.iri), doc.number, curie(measure), number, curie(agency),
                found.label if found else None, found.adcode if found else None,
                found.function if found else None, "|".join(found.functions) if found and found.functions else None,
                "lead" if (measure, agency) in lead else "co", jointly, deadline,
                "|".join(sorted(instruments_of.get(measure, ()))) or None,
            ))
    order = {m: _target_order(m) for m in {str(r[7]) for r in out}}  # once per measure, not per row
    out.sort(key=lambda r: (str(r[0] or ""), r[4] or 0, str(r[5]), order[str(r[7])], r[14] != "lead", str(r[9])))
    return DataTable(RESPONSIBILITY_COLUMNS, tuple(out))
