"""Record → RDF: the triples of ONE document's named graph (docs/graph-model.md).

`record_to_graph` is a pure function of the record (plus the bundled, read-only gazetteer and
indicator vocabulary): the same record always gives the same triples with the same IRIs, and
no blank nodes, so sorted N-Triples are byte-identical across runs. The graph's name is
`document_iri(record)`.

Literals: Chinese text as printed (titles, measure text, headings, sections, deadlines,
indicator text, per, scope, evidence, agency names) is tagged @zh; codes and closed-set values
(文号, comparator, unit, stage, level, warnings, hashes) are plain xsd:string; dates xsd:date;
years and offsets xsd:integer; target values xsd:decimal (lexical form with at least one
decimal: 30.0, 2.5); jointly xsd:boolean.

An agency's jurisdiction (its IRI's adcode and pkg:jurisdiction), from its canonical name —
simple rules, in order (a leading 中共 of Party bodies is ignored):
  1. a name opening with a national marker (国家, 国务院, 中央, 全国, 中华人民共和国) is a national
     body (100000) — unless it names the document's jurisdiction or a province further on, as
     the local branches of vertical national systems do (国家税务总局浙江省税务局,
     国家金融监督管理总局江苏监管局): then that jurisdiction;
  2. a name opening with the official name of a division (浙江省…, 临汾市人民政府) belongs to
     that division (on the document's date; the document's own division or one inside it first);
  3. otherwise the document's jurisdiction ("unknown" when the document has none).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from policykg.graph.indicators import match_indicator
from policykg.graph.iris import (
    UNKNOWN_JURISDICTION,
    adoption_iri,
    agency_iri,
    agency_unit_iri,
    document_iri,
    document_year,
    evidence_iri,
    function_iri,
    indicator_iri,
    instrument_iri,
    jurisdiction_iri,
    measure_iri,
    pilot_iri,
    source_iri,
    target_iri,
)
from policykg.graph.namespaces import DCTERMS, ELI, OA, ORG, PKG, PROV, RDF, RDFS, SKOS, XSD, bind_prefixes
from policykg.loaders.gazetteer import NATIONAL_ADCODE, Division, Gazetteer, load_gazetteer
from policykg.loaders.record import AgencyRef, Measure, PilotDesignation, Record, TargetRec

UNKNOWN_FUNCTION = "unknown"  # the loaders' function id for an agency they could not identify
NATIONAL_MARKERS = ("中华人民共和国", "中共中央", "国务院", "中央", "国家", "全国")
_PARTY_PREFIX = "中共"
_MAX_DIVISION_NAME = 20


def record_to_graph(record: Record, *, gazetteer: Gazetteer | None = None) -> Graph:
    """The triples of the document's named graph (see the module docstring)."""
    graph = bind_prefixes(Graph())
    for triple in _Mapper(record, gazetteer or load_gazetteer()).triples:
        graph.add(triple)
    return graph


def record_to_ntriples(record: Record, *, gazetteer: Gazetteer | None = None) -> str:
    """The same triples as `record_to_graph`, as sorted N-Triples text — the loading fast path
    (building an rdflib Graph costs more than extracting the document)."""
    lines = {f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in _Mapper(record, gazetteer or load_gazetteer()).triples}
    return "".join(sorted(lines))


def _nt(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{lexical}"^^<{term.datatype}>'
        return f'"{lexical}"'
    raise TypeError(f"the mapping makes no blank nodes, got {term!r}")


def decimal_literal(value: Decimal | int) -> Literal:
    """xsd:decimal with a stable lexical form: at least one decimal, no exponent (30.0, 2.5)."""
    number = Decimal(value).normalize()
    text = format(number, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def integer_literal(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def date_literal(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class _Mapper:
    def __init__(self, record: Record, gazetteer: Gazetteer):
        self.record = record
        self.gazetteer = gazetteer
        self.triples: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
        self.doc = document_iri(record)
        self.doc_adcode = record.jurisdiction.adcode if record.jurisdiction else None
        self._agency_cache: dict[str, URIRef] = {}
        self._map()

    def add(self, s, p, o) -> None:
        self.triples.append((s, p, o))

    # --- document ----------------------------------------------------------------------

    def _map(self) -> None:
        record, doc = self.record, self.doc
        self.add(doc, RDF.type, PKG.PolicyDocument)
        self.add(doc, RDF.type, ELI.LegalResource)
        if record.title:
            self.add(doc, DCTERMS.title, zh(record.title))
        if record.doc_number:
            self.add(doc, ELI.id_local, Literal(record.doc_number))
        if record.issue_date:
            self.add(doc, ELI.date_document, date_literal(record.issue_date))
        year = document_year(record)
        if year is not None:
            self.add(doc, PKG.year, integer_literal(year))
        if self.doc_adcode:
            self.add(doc, PKG.jurisdiction, jurisdiction_iri(self.doc_adcode))
        for issuer in record.issuers:
            self.add(doc, ELI.passed_by, self._agency(issuer))
        for citation in record.cites:
            self.add(doc, PKG.citesDocNumber, Literal(citation.doc_number))
        for warning in record.warnings:
            self.add(doc, PKG.warning, Literal(warning))
        source = source_iri(doc)
        self.add(doc, PROV.wasDerivedFrom, source)
        self.add(source, RDF.type, PROV.Entity)
        self.add(source, PKG.sha256, Literal(record.source.sha256))
        self.add(source, PKG.encoding, Literal(record.source.encoding))
        self.add(source, PKG.sourcePath, Literal(record.source.path))

        seen_numbers: dict[str, int] = {}
        for measure in record.measures:
            self._measure(measure, seen_numbers)

        # Preamble (no-measure) targets and pilots.
        self._targets(doc, [t for t in record.targets if t.measure is None], measure=None)
        self._pilots(doc, [p for p in record.pilot_sites if p.measure is None], measure=None)
        self._preamble_adoptions()

    # --- measures ----------------------------------------------------------------------

    def _measure(self, measure: Measure, seen_numbers: dict[str, int]) -> URIRef:
        # The loaders keep numbers unique; should two still collide, the later gets "~2", "~3"…
        count = seen_numbers.get(measure.number, 0) + 1
        seen_numbers[measure.number] = count
        number = measure.number if count == 1 else f"{measure.number}~{count}"
        node = measure_iri(self.doc, number)
        self.add(node, RDF.type, PKG.Measure)
        self.add(node, RDF.type, ELI.LegalResourceSubdivision)
        self.add(node, ELI.is_part_of, self.doc)
        self.add(node, ELI.id_local, Literal(number))
        if measure.section:
            self.add(node, PKG.section, zh(measure.section))
        if measure.heading:
            self.add(node, PKG.heading, zh(measure.heading))
        self.add(node, PKG.text, zh(measure.text))
        self.add(node, PKG.jointly, Literal(measure.jointly))
        if measure.deadline:
            self.add(node, PKG.deadline, zh(measure.deadline))
        if measure.lead_agency is not None:
            self.add(node, PKG.leadAgency, self._agency(measure.lead_agency))
            self._responsible(node, measure.lead_agency)
        for agency in measure.agencies:
            self._responsible(node, agency)
        span = evidence_iri(node)
        self.add(node, PKG.evidence, span)
        self.add(span, RDF.type, OA.TextPositionSelector)
        self.add(span, OA.start, integer_literal(measure.start))
        self.add(span, OA.end, integer_literal(measure.end))
        self.add(span, PKG.source, self.doc)

        counts: dict[str, int] = defaultdict(int)
        for use in measure.instruments:
            counts[use.id] += 1
            adoption = adoption_iri(node, use.id, counts[use.id])
            self._adoption(adoption, use.id, use.stage, use.evidence, use.start, use.end, measure=node)
        self._targets(node, list(measure.targets), measure=node)
        self._pilots(node, list(measure.pilot_sites), measure=node)
        return node

    def _responsible(self, measure: URIRef, agency: AgencyRef) -> None:
        node = self._agency(agency)
        self.add(measure, PKG.responsibleAgency, node)
        if agency.division:
            unit = agency_unit_iri(node, agency.division)
            self.add(unit, RDF.type, ORG.OrganizationalUnit)
            self.add(unit, ORG.unitOf, node)
            self.add(unit, SKOS.prefLabel, zh(agency.division))
            self.add(measure, PKG.responsibleUnit, unit)

    # --- statements --------------------------------------------------------------------

    def _adoption(
        self, node: URIRef, instrument: str, stage: str, evidence: str, start: int, end: int, *, measure: URIRef | None
    ) -> None:
        self.add(node, RDF.type, PKG.InstrumentAdoption)
        self.add(node, PKG.document, self.doc)
        if measure is not None:
            self.add(node, PKG.measure, measure)
        self.add(node, PKG.instrument, instrument_iri(instrument))
        self.add(node, PKG.stage, Literal(stage))
        self._evidence(node, evidence, start, end)

    def _preamble_adoptions(self) -> None:
        """The record lists mentions outside measures only through its roll-up: a roll-up whose
        evidence is no measure's mention of that instrument comes from the preamble (or a section
        introduction) and becomes `{document}/adoption/{id}-1`."""
        in_measures = {(u.id, u.start, u.end) for m in self.record.measures for u in m.instruments}
        for rollup in sorted(self.record.instruments, key=lambda r: r.id):
            if (rollup.id, rollup.start, rollup.end) in in_measures:
                continue
            node = adoption_iri(self.doc, rollup.id, 1)
            self._adoption(node, rollup.id, rollup.stage, rollup.evidence, rollup.start, rollup.end, measure=None)

    def _targets(self, parent: URIRef, targets: list[TargetRec], *, measure: URIRef | None) -> None:
        for n, target in enumerate(targets, start=1):
            node = target_iri(parent, n)
            self.add(node, RDF.type, PKG.Target)
            self.add(node, PKG.document, self.doc)
            if measure is not None:
                self.add(node, PKG.measure, measure)
            self.add(node, PKG.indicatorText, zh(target.indicator))
            indicator = match_indicator(target.indicator, unit=target.unit, per=target.per, scope=target.scope)
            if indicator is not None:
                self.add(node, PKG.indicator, indicator_iri(indicator))
            self.add(node, PKG.comparator, Literal(target.comparator))
            self.add(node, PKG.value, decimal_literal(target.value))
            if target.value_max is not None:
                self.add(node, PKG.valueMax, decimal_literal(target.value_max))
            if target.unit:
                self.add(node, PKG.unit, Literal(target.unit))
            if target.per:
                self.add(node, PKG.per, zh(target.per))
            if target.baseline is not None:
                self.add(node, PKG.baseline, decimal_literal(target.baseline))
            if target.deadline:
                self.add(node, PKG.deadline, zh(target.deadline))
            if target.scope:
                self.add(node, PKG.scope, zh(target.scope))
            self._evidence(node, target.text, target.start, target.end)

    def _pilots(self, parent: URIRef, pilots: list[PilotDesignation], *, measure: URIRef | None) -> None:
        counts: dict[str, int] = defaultdict(int)
        for pilot in pilots:
            counts[pilot.instrument] += 1
            node = pilot_iri(parent, pilot.instrument, counts[pilot.instrument])
            self.add(node, RDF.type, PKG.PilotDesignation)
            self.add(node, PKG.document, self.doc)
            if measure is not None:
                self.add(node, PKG.measure, measure)
            self.add(node, PKG.instrument, instrument_iri(pilot.instrument))
            for site in pilot.sites:
                self.add(node, PKG.site, jurisdiction_iri(site.adcode))
            self._evidence(node, pilot.evidence, pilot.start, pilot.end)

    def _evidence(self, owner: URIRef, exact: str, start: int, end: int) -> None:
        node = evidence_iri(owner)
        self.add(owner, PKG.evidence, node)
        self.add(node, RDF.type, OA.TextQuoteSelector)
        self.add(node, RDF.type, OA.TextPositionSelector)
        self.add(node, OA.exact, zh(exact))
        self.add(node, OA.start, integer_literal(start))
        self.add(node, OA.end, integer_literal(end))
        self.add(node, PKG.source, self.doc)

    # --- agencies ----------------------------------------------------------------------

    def _agency(self, agency: AgencyRef) -> URIRef:
        adcode = self._agency_adcode(agency.canonical)
        node = agency_iri(adcode, agency.canonical)
        self.add(node, RDF.type, ORG.Organization)
        self.add(node, RDF.type, PKG.Agency)
        self.add(node, SKOS.prefLabel, zh(agency.canonical))
        self.add(node, RDFS.label, zh(agency.name))
        if agency.function and agency.function != UNKNOWN_FUNCTION:
            self.add(node, PKG.function, function_iri(agency.function))
        if adcode != UNKNOWN_JURISDICTION:
            self.add(node, PKG.jurisdiction, jurisdiction_iri(adcode))
        return node

    def _agency_adcode(self, canonical: str) -> str:
        cached = self._agency_cache.get(canonical)
        if cached is None:
            cached = self._agency_cache[canonical] = agency_adcode(
                canonical,
                document_adcode=self.doc_adcode,
                on=self.record.issue_date,
                gazetteer=self.gazetteer,
            )
        return cached


def agency_adcode(
    canonical: str,
    *,
    document_adcode: str | None,
    on: date | None = None,
    gazetteer: Gazetteer | None = None,
) -> str:
    """The adcode of the jurisdiction an agency belongs to (rules in the module docstring)."""
    gazetteer = gazetteer or load_gazetteer()
    default = document_adcode or UNKNOWN_JURISDICTION
    name = canonical.strip()
    if name.startswith(_PARTY_PREFIX) and not name.startswith("中共中央"):
        name = name[len(_PARTY_PREFIX) :]
    if name.startswith(NATIONAL_MARKERS):
        return _named_inside(name, document_adcode, on, gazetteer) or NATIONAL_ADCODE
    division = _division_at_start(name, document_adcode, on, gazetteer)
    return division.adcode if division is not None else default


def _names_of(division: Division) -> tuple[str, ...]:
    return (division.name, *(s for s in division.short_names if len(s) >= 2))


def _named_inside(name: str, document_adcode: str | None, on: date | None, gazetteer: Gazetteer) -> str | None:
    """A branch of a national system: the document's jurisdiction or a province named in it."""
    if document_adcode and document_adcode != NATIONAL_ADCODE:
        own = gazetteer.get(document_adcode, on=on) or gazetteer.get(document_adcode)
        if own is not None and any(n in name for n in _names_of(own)):
            return own.adcode
    found: list[tuple[int, str]] = []
    for province in _provinces(gazetteer):
        positions = [name.find(n) for n in _names_of(province) if n in name]
        if positions:
            found.append((min(positions), province.adcode))
    return min(found)[1] if found else None


@lru_cache(maxsize=4)
def _provinces(gazetteer: Gazetteer) -> tuple[Division, ...]:
    return tuple(gazetteer.current(levels=("province",)))


def _division_at_start(name: str, document_adcode: str | None, on: date | None, gazetteer: Gazetteer) -> Division | None:
    """The division whose official name the agency name opens with (longest name first)."""
    for length in range(min(len(name), _MAX_DIVISION_NAME), 1, -1):
        prefix = name[:length]
        candidates = [d for d in gazetteer.lookup(prefix, on=on) if d.name == prefix]
        if not candidates and on is not None:
            candidates = [d for d in gazetteer.lookup(prefix) if d.name == prefix]
        if not candidates:
            continue
        if document_adcode:
            for division in candidates:
                if division.adcode == document_adcode:
                    return division
            inside = {d.adcode for d in gazetteer.lookup(prefix, within=document_adcode) if d.name == prefix}
            for division in candidates:
                if division.adcode in inside:
                    return division
        return candidates[0]
    return None
