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

from rdflib import Graph, Literal

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
    graph.parse(data=record_to_ntriples(record, gazetteer=gazetteer), format="nt")
    return graph


def record_to_ntriples(record: Record, *, gazetteer: Gazetteer | None = None) -> str:
    """The same triples as `record_to_graph`, as sorted N-Triples text — the loading fast path.
    The mapper writes N-Triples terms as strings: building rdflib terms cost more than
    extracting the document (measured: 14 ms of rdflib terms per synthetic document)."""
    lines = {f"{s} {p} {o} .\n" for s, p, o in _Mapper(record, gazetteer or load_gazetteer()).triples}
    return "".join(sorted(lines))


class _Terms:
    """`<iri>` strings of one namespace, built once per name: `_Terms(PKG).measure`."""

    def __init__(self, namespace: str):
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> str:
        value = f"<{self._namespace}{name}>"
        setattr(self, name, value)
        return value


_RDF, _RDFS, _SKOS, _DCTERMS, _PROV = _Terms(RDF), _Terms(RDFS), _Terms(SKOS), _Terms(DCTERMS), _Terms(PROV)
_PKG, _ELI, _ORG, _OA = _Terms(PKG), _Terms(ELI), _Terms(ORG), _Terms(OA)
_A = _RDF.type
_XSD_INTEGER, _XSD_DECIMAL, _XSD_DATE, _XSD_BOOLEAN = (f"^^<{XSD}{t}>" for t in ("integer", "decimal", "date", "boolean"))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _iri(iri: str) -> str:
    return f"<{iri}>"


def _zh(text: str) -> str:
    return f'"{_escape(text)}"@zh'


def _plain(text: str) -> str:
    return f'"{_escape(text)}"'


def _integer(value: int) -> str:
    return f'"{int(value)}"{_XSD_INTEGER}'


def _decimal(value: Decimal | int) -> str:
    return f'"{decimal_lexical(value)}"{_XSD_DECIMAL}'


def _date(value: date) -> str:
    return f'"{value.isoformat()}"{_XSD_DATE}'


def _boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"{_XSD_BOOLEAN}'


def decimal_lexical(value: Decimal | int) -> str:
    """A stable xsd:decimal lexical form: at least one decimal, no exponent (30.0, 2.5)."""
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text else text + ".0"


def decimal_literal(value: Decimal | int) -> Literal:
    """xsd:decimal with the stable lexical form of `decimal_lexical`."""
    return Literal(decimal_lexical(value), datatype=XSD.decimal)


class _Mapper:
    """Collects the document's triples as N-Triples term strings."""

    def __init__(self, record: Record, gazetteer: Gazetteer):
        self.record = record
        self.gazetteer = gazetteer
        self.triples: list[tuple[str, str, str]] = []
        self.doc_iri = str(document_iri(record))
        self.doc = _iri(self.doc_iri)
        self.doc_adcode = record.jurisdiction.adcode if record.jurisdiction else None
        self._agency_nodes: dict[AgencyRef, str] = {}
        self._map()

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.append((s, p, o))

    # --- document ----------------------------------------------------------------------

    def _map(self) -> None:
        record, doc, add = self.record, self.doc, self.add
        add(doc, _A, _PKG.PolicyDocument)
        add(doc, _A, _ELI.LegalResource)
        if record.title:
            add(doc, _DCTERMS.title, _zh(record.title))
        if record.doc_number:
            add(doc, _ELI.id_local, _plain(record.doc_number))
        if record.issue_date:
            add(doc, _ELI.date_document, _date(record.issue_date))
        year = document_year(record)
        if year is not None:
            add(doc, _PKG.year, _integer(year))
        if self.doc_adcode:
            add(doc, _PKG.jurisdiction, _iri(jurisdiction_iri(self.doc_adcode)))
        for issuer in record.issuers:
            add(doc, _ELI.passed_by, self._agency(issuer))
        for citation in record.cites:
            add(doc, _PKG.citesDocNumber, _plain(citation.doc_number))
        for warning in record.warnings:
            add(doc, _PKG.warning, _plain(warning))
        source = _iri(source_iri(self.doc_iri))
        add(doc, _PROV.wasDerivedFrom, source)
        add(source, _A, _PROV.Entity)
        add(source, _PKG.sha256, _plain(record.source.sha256))
        add(source, _PKG.encoding, _plain(record.source.encoding))
        add(source, _PKG.sourcePath, _plain(record.source.path))

        seen_numbers: dict[str, int] = {}
        for measure in record.measures:
            self._measure(measure, seen_numbers)

        # Preamble (no-measure) targets and pilots.
        self._targets(self.doc_iri, [t for t in record.targets if t.measure is None], measure=None)
        self._pilots(self.doc_iri, [p for p in record.pilot_sites if p.measure is None], measure=None)
        self._preamble_adoptions()

    # --- measures ----------------------------------------------------------------------

    def _measure(self, measure: Measure, seen_numbers: dict[str, int]) -> None:
        # The loaders keep numbers unique; should two still collide, the later gets "~2", "~3"…
        add = self.add
        count = seen_numbers.get(measure.number, 0) + 1
        seen_numbers[measure.number] = count
        number = measure.number if count == 1 else f"{measure.number}~{count}"
        measure_str = str(measure_iri(self.doc_iri, number))
        node = _iri(measure_str)
        add(node, _A, _PKG.Measure)
        add(node, _A, _ELI.LegalResourceSubdivision)
        add(node, _ELI.is_part_of, self.doc)
        add(node, _ELI.id_local, _plain(number))
        if measure.section:
            add(node, _PKG.section, _zh(measure.section))
        if measure.heading:
            add(node, _PKG.heading, _zh(measure.heading))
        add(node, _PKG.text, _zh(measure.text))
        add(node, _PKG.jointly, _boolean(measure.jointly))
        if measure.deadline:
            add(node, _PKG.deadline, _zh(measure.deadline))
        if measure.lead_agency is not None:
            add(node, _PKG.leadAgency, self._agency(measure.lead_agency))
            self._responsible(node, measure.lead_agency)
        for agency in measure.agencies:
            self._responsible(node, agency)
        span = _iri(evidence_iri(measure_str))
        add(node, _PKG.evidence, span)
        add(span, _A, _OA.TextPositionSelector)
        add(span, _OA.start, _integer(measure.start))
        add(span, _OA.end, _integer(measure.end))
        add(span, _PKG.source, self.doc)

        counts: dict[str, int] = defaultdict(int)
        for use in measure.instruments:
            counts[use.id] += 1
            adoption = str(adoption_iri(measure_str, use.id, counts[use.id]))
            self._adoption(adoption, use.id, use.stage, use.evidence, use.start, use.end, measure=node)
        self._targets(measure_str, list(measure.targets), measure=node)
        self._pilots(measure_str, list(measure.pilot_sites), measure=node)

    def _responsible(self, measure: str, agency: AgencyRef) -> None:
        node = self._agency(agency)
        self.add(measure, _PKG.responsibleAgency, node)
        if agency.division:
            unit = _iri(agency_unit_iri(node[1:-1], agency.division))
            self.add(unit, _A, _ORG.OrganizationalUnit)
            self.add(unit, _ORG.unitOf, node)
            self.add(unit, _SKOS.prefLabel, _zh(agency.division))
            self.add(measure, _PKG.responsibleUnit, unit)

    # --- statements --------------------------------------------------------------------

    def _adoption(
        self, iri: str, instrument: str, stage: str, evidence: str, start: int, end: int, *, measure: str | None
    ) -> None:
        node = _iri(iri)
        self.add(node, _A, _PKG.InstrumentAdoption)
        self.add(node, _PKG.document, self.doc)
        if measure is not None:
            self.add(node, _PKG.measure, measure)
        self.add(node, _PKG.instrument, _iri(instrument_iri(instrument)))
        self.add(node, _PKG.stage, _plain(stage))
        self._evidence(iri, evidence, start, end)

    def _preamble_adoptions(self) -> None:
        """The record lists mentions outside measures only through its roll-up: a roll-up whose
        evidence is no measure's mention of that instrument comes from the preamble (or a section
        introduction) and becomes `{document}/adoption/{id}-1`."""
        in_measures = {(u.id, u.start, u.end) for m in self.record.measures for u in m.instruments}
        for rollup in sorted(self.record.instruments, key=lambda r: r.id):
            if (rollup.id, rollup.start, rollup.end) in in_measures:
                continue
            iri = str(adoption_iri(self.doc_iri, rollup.id, 1))
            self._adoption(iri, rollup.id, rollup.stage, rollup.evidence, rollup.start, rollup.end, measure=None)

    def _targets(self, parent: str, targets: list[TargetRec], *, measure: str | None) -> None:
        add = self.add
        for n, target in enumerate(targets, start=1):
            iri = str(target_iri(parent, n))
            node = _iri(iri)
            add(node, _A, _PKG.Target)
            add(node, _PKG.document, self.doc)
            if measure is not None:
                add(node, _PKG.measure, measure)
            add(node, _PKG.indicatorText, _zh(target.indicator))
            indicator = match_indicator(target.indicator, unit=target.unit, per=target.per, scope=target.scope)
            if indicator is not None:
                add(node, _PKG.indicator, _iri(indicator_iri(indicator)))
            add(node, _PKG.comparator, _plain(target.comparator))
            add(node, _PKG.value, _decimal(target.value))
            if target.value_max is not None:
                add(node, _PKG.valueMax, _decimal(target.value_max))
            if target.unit:
                add(node, _PKG.unit, _plain(target.unit))
            if target.per:
                add(node, _PKG.per, _zh(target.per))
            if target.baseline is not None:
                add(node, _PKG.baseline, _decimal(target.baseline))
            if target.deadline:
                add(node, _PKG.deadline, _zh(target.deadline))
            if target.scope:
                add(node, _PKG.scope, _zh(target.scope))
            self._evidence(iri, target.text, target.start, target.end)

    def _pilots(self, parent: str, pilots: list[PilotDesignation], *, measure: str | None) -> None:
        counts: dict[str, int] = defaultdict(int)
        for pilot in pilots:
            counts[pilot.instrument] += 1
            iri = str(pilot_iri(parent, pilot.instrument, counts[pilot.instrument]))
            node = _iri(iri)
            self.add(node, _A, _PKG.PilotDesignation)
            self.add(node, _PKG.document, self.doc)
            if measure is not None:
                self.add(node, _PKG.measure, measure)
            self.add(node, _PKG.instrument, _iri(instrument_iri(pilot.instrument)))
            for site in pilot.sites:
                self.add(node, _PKG.site, _iri(jurisdiction_iri(site.adcode)))
            self._evidence(iri, pilot.evidence, pilot.start, pilot.end)

    def _evidence(self, owner: str, exact: str, start: int, end: int) -> None:
        add = self.add
        node = _iri(evidence_iri(owner))
        add(_iri(owner), _PKG.evidence, node)
        add(node, _A, _OA.TextQuoteSelector)
        add(node, _A, _OA.TextPositionSelector)
        add(node, _OA.exact, _zh(exact))
        add(node, _OA.start, _integer(start))
        add(node, _OA.end, _integer(end))
        add(node, _PKG.source, self.doc)

    # --- agencies ----------------------------------------------------------------------

    def _agency(self, agency: AgencyRef) -> str:
        """The agency's node; its description is written once per document."""
        node = self._agency_nodes.get(agency)
        if node is not None:
            return node
        adcode = agency_adcode(
            agency.canonical, document_adcode=self.doc_adcode, on=self.record.issue_date, gazetteer=self.gazetteer
        )
        node = _iri(agency_iri(adcode, agency.canonical))
        self._agency_nodes[agency] = node
        self.add(node, _A, _ORG.Organization)
        self.add(node, _A, _PKG.Agency)
        self.add(node, _SKOS.prefLabel, _zh(agency.canonical))
        self.add(node, _RDFS.label, _zh(agency.name))
        if agency.function and agency.function != UNKNOWN_FUNCTION:
            self.add(node, _PKG.function, _iri(function_iri(agency.function)))
        if adcode != UNKNOWN_JURISDICTION:
            self.add(node, _PKG.jurisdiction, _iri(jurisdiction_iri(adcode)))
        return node


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
