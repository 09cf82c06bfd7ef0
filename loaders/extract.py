"""bytes → Record: the loaders' pipeline, pure apart from `extract_file` reading the bytes."""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from itertools import islice

from policykg.loaders.agencies import Agency, JurisdictionContext, find_responsibility, parse_agency_list
from policykg.loaders.gazetteer import Division, Gazetteer, load_gazetteer
from policykg.loaders.instruments import InstrumentMention, has_stage_cue, match_instruments, strongest_stage
from policykg.loaders.metadata import (
    DocNumber,
    Header,
    doc_number_issuer,
    IssuerName,
    extract_header,
    find_doc_numbers,
    infer_jurisdiction,
)
from policykg.loaders.noise import find_spam
from policykg.loaders.reading import LoaderError, SourceBytes, decode, read_source, source_from_bytes
from policykg.loaders.record import (
    AgencyRef,
    Citation,
    InstrumentRollup,
    InstrumentUse,
    JurisdictionRef,
    Measure,
    ParentRef,
    PilotDesignation,
    Record,
    Site,
    SourceInfo,
    TargetRec,
)
from policykg.loaders.structure import MeasureBlock, parse_structure
from policykg.loaders.targets import extract_targets, measure_deadline
from policykg.loaders.text import NormalisedText, join_wrapped, normalise

_MIN_HANZI = 20  # below this a file holds no recognisable policy text
_HANZI = re.compile("[\u4e00-\u9fff]")


def extract_file(path: str | os.PathLike[str], *, gazetteer: Gazetteer | None = None) -> Record:
    """Read one document file and extract its record (the only I/O of the loaders)."""
    return extract_record(read_source(path), gazetteer=gazetteer)


def extract_text(text: str, *, path: str = "<text>", gazetteer: Gazetteer | None = None) -> Record:
    return extract_record(source_from_bytes(text.encode("utf-8"), path=path), gazetteer=gazetteer)


def extract_record(source: SourceBytes, *, gazetteer: Gazetteer | None = None) -> Record:
    decoded = decode(source)
    view = normalise(decoded.text)
    hanzi = sum(1 for _ in islice(_HANZI.finditer(view.text), _MIN_HANZI))  # exact below the minimum
    if hanzi < _MIN_HANZI:
        raise LoaderError(source.path, f"no recognisable structure: only {hanzi} Chinese characters of text")
    gaz = gazetteer or load_gazetteer()
    warnings: list[str] = []

    header = extract_header(view)
    structure = parse_structure(view.text, body_start=header.body_start)
    warnings.extend(structure.warnings)
    body = view.text[header.body_start : structure.body_end]

    verdict = infer_jurisdiction(
        gazetteer=gaz,
        issuers=header.issuers,
        title=header.title,
        doc_number=header.doc_number,
        body=body,
        level_hint=header.level_hint,
        on=header.issue_date,
    )
    division = verdict.division
    if division is None:
        warnings.append("jurisdiction: no evidence names the issuing jurisdiction")
    context = JurisdictionContext(
        name=division.name if division and division.level != "national" else None,
        level=division.level if division else header.level_hint,  # type: ignore[arg-type]
        on=header.issue_date,
    )
    issuers, title = _repair_issuers(header, division, warnings)
    issuer_refs = tuple(_issuer_ref(name, context) for name in issuers)

    if header.title is None:
        warnings.append("title: no title found (excerpt or page without a header?)")
    if header.doc_number is None:
        warnings.append("doc_number: no 文号 printed in the document")
    if header.issue_date is None:
        warnings.append("issue_date: no signing date printed in the document")
    elif header.date_is_printing_date:
        warnings.append("issue_date: only a printing date (××印发) is given; used as the issue date")
    if not view.text.rstrip().endswith(tuple("。！？)）”」》；;.")) and not structure.measures:
        warnings.append("text: the document seems cut off mid-sentence")

    measures = tuple(
        _measure(view, block, context=context, gazetteer=gaz, jurisdiction=division) for block in structure.measures
    )
    gaps = _gaps_between_measures(view, header.body_start, structure.body_end, structure.measures)
    outside = [_instrument_use(gap, m) for gap in gaps for m in match_instruments(gap.text)]
    rollup = _rollup(measures, outside)
    # targets set in a preamble or section introduction belong to no measure
    loose_targets = tuple(_target(gap, t, None) for gap in gaps for t in extract_targets(gap.text))
    targets = loose_targets + tuple(t for m in measures for t in m.targets)
    pilots = tuple(p for m in measures for p in m.pilot_sites)
    cites = _citations(view, header.doc_number, gazetteer=gaz, on=header.issue_date)

    parent = None
    jurisdiction = None
    if division is not None:
        jurisdiction = JurisdictionRef(division.name, division.adcode, division.level, division.name_en)
        up = gaz.parent(division)
        if up is not None:
            parent = ParentRef(up.name, up.adcode)
    return Record(
        title=title,
        doc_number=header.doc_number.normalised if header.doc_number else None,
        issue_date=header.issue_date,
        issuers=issuer_refs,
        jurisdiction=jurisdiction,
        parent_jurisdiction=parent,
        cites=cites,
        measures=measures,
        instruments=rollup,
        targets=targets,
        pilot_sites=pilots,
        warnings=tuple(warnings),
        source=SourceInfo(path=source.path, sha256=source.sha256, encoding=decoded.encoding),
    )


# --- issuers -----------------------------------------------------------------------------

_GOV_ABBREVIATION = re.compile(r"^(?P<place>.*?(?:省|市|县|区|自治区|自治州|盟|州)?)政府(?P<rest>办公厅|办公室)?$")


def _repair_issuers(header: Header, division: Division | None, warnings: list[str]) -> tuple[list[str], str | None]:
    """Full official names for the issuers; spam-damaged names restored from the jurisdiction
    that the rest of the document proves (and the same repair applied to the title)."""
    names: list[str] = []
    title = header.title
    place = division.name if division and division.level != "national" else None
    for issuer in header.issuers:
        name = issuer.name
        if issuer.damaged or not _has_place(name):
            if issuer.damaged and place:
                suffix = name if name in ("办公厅", "办公室", "人民政府", "") else None
                if suffix is not None:
                    restored = f"{place}人民政府{'' if suffix == '人民政府' else suffix}"
                    warnings.append(
                        f"issuer: spam text replaced a government's name; restored as {restored} "
                        f"from {_evidence_summary(header)}"
                    )
                    if title:
                        title = _repair_title(title, f"{place}人民政府")
                    name = restored
            elif place and name.startswith(("省", "市", "县", "区", "自治区")):
                level_word = name[0] if not name.startswith("自治区") else "自治区"
                if place.endswith(level_word):
                    name = place + name[len(level_word) :]
        match = _GOV_ABBREVIATION.match(name)
        if match and not name.endswith("人民政府") and "人民政府" not in name:
            name = f"{match.group('place')}人民政府{match.group('rest') or ''}"
        names.append(name)
    if title and find_spam(title):
        warnings.append("title: contains spam text that could not be repaired")
    return list(OrderedDict.fromkeys(names)), title


def _has_place(name: str) -> bool:
    return bool(re.match(r"^(?:中共)?[\u4e00-\u9fff]{2,}?(?:省|市|县|区|自治区|州|盟)", name)) and not name.startswith(
        ("省", "市", "县", "区")
    )


def _repair_title(title: str, replacement: str) -> str:
    for span in reversed(find_spam(title)):
        title = title[: span.start] + replacement + title[span.end :]
    return title


def _evidence_summary(header: Header) -> str:
    parts = []
    if header.doc_number:
        parts.append(f"文号 {header.doc_number.normalised}")
    others = [i.name for i in header.issuers if not i.damaged]
    if others:
        parts.append("co-issuer " + "、".join(others))
    return " and ".join(parts) or "the document body"


def _issuer_ref(name: str, context: JurisdictionContext) -> AgencyRef:
    from policykg.loaders.agencies import resolve_agency

    agency = resolve_agency(name, context=context)
    # a government or its general office is named in full already (办公厅 vs 办公室 varies by place)
    canonical = agency.canonical if agency.known and agency.function != "government" else name
    return AgencyRef(name=name, canonical=canonical, function=agency.function)


# --- measures ----------------------------------------------------------------------------


def _agency_ref(agency: Agency) -> AgencyRef:
    return AgencyRef(name=agency.name, canonical=agency.canonical, function=agency.function, division=agency.division)


def _measure(
    view: NormalisedText,
    block: MeasureBlock,
    *,
    context: JurisdictionContext,
    gazetteer: Gazetteer,
    jurisdiction: Division | None,
) -> Measure:
    segment = join_wrapped(view, block.start, block.end)
    text = segment.text
    if block.annex_cells is not None:
        agencies = parse_agency_list(block.annex_cells.get("agencies", ""), context=context)
        lead = agencies[0] if agencies else None
        jointly = len(agencies) > 1
        deadline = block.annex_cells.get("deadline") or None
    else:
        responsibility = find_responsibility(text, context=context)
        agencies = responsibility.agencies if responsibility else ()
        lead = responsibility.lead if responsibility else None
        jointly = responsibility.jointly if responsibility else False
        found = measure_deadline(text)
        deadline = found.text if found else None
    mentions = match_instruments(text)
    uses = tuple(_instrument_use(segment, m) for m in mentions)
    targets = tuple(_target(segment, t, block.number) for t in extract_targets(text))
    pilots = _pilot_sites(segment, mentions, agencies, block.number, gazetteer=gazetteer, jurisdiction=jurisdiction)
    start, end = view.original_span(block.start, block.end)
    return Measure(
        number=block.number,
        section=view.original[slice(*_section_span(view, block))] if block.section else None,
        heading=_original_heading(view, block),
        text=view.original[start:end],
        lead_agency=_agency_ref(lead) if lead else None,
        agencies=tuple(_agency_ref(a) for a in agencies),
        jointly=jointly,
        deadline=deadline,
        instruments=uses,
        targets=targets,
        pilot_sites=pilots,
        start=start,
        end=end,
    )


def _original_heading(view: NormalisedText, block: MeasureBlock) -> str | None:
    """The measure's lead phrase as printed (the structure parser finds it in the view)."""
    if block.heading is None:
        return None
    index = view.text.find(block.heading, block.start, block.end)
    return view.quote(index, index + len(block.heading)) if index >= 0 else block.heading


def _section_span(view: NormalisedText, block: MeasureBlock) -> tuple[int, int]:
    """The original text of the measure's section heading line."""
    assert block.section is not None
    index = view.text.rfind(block.section, 0, block.start)
    if index < 0:
        return (0, 0)
    return view.original_span(index, index + len(block.section))


def _instrument_use(segment: NormalisedText, mention: InstrumentMention) -> InstrumentUse:
    start, end = segment.original_span(mention.evidence_start, mention.evidence_end)
    return InstrumentUse(
        id=mention.id, stage=mention.stage, evidence=segment.original[start:end], start=start, end=end
    )


def _target(segment: NormalisedText, target, number: str | None) -> TargetRec:
    start, end = segment.original_span(target.start, target.end)
    return TargetRec(
        indicator=target.indicator,
        comparator=target.comparator,
        value=target.value,
        value_max=target.value_max,
        unit=target.unit,
        per=target.per,
        baseline=target.baseline,
        deadline=target.deadline.text if target.deadline else None,
        scope=target.scope,
        text=segment.original[start:end],
        measure=number,
        start=start,
        end=end,
    )


_CLAUSE_SEPARATOR = re.compile(r"[,;:，；：]")


def _pilot_sites(
    segment: NormalisedText,
    mentions: list[InstrumentMention],
    agencies: tuple[Agency, ...],
    number: str,
    *,
    gazetteer: Gazetteer,
    jurisdiction: Division | None,
) -> tuple[PilotDesignation, ...]:
    """Sub-jurisdictions designated to try an instrument first: named in the sentence of a
    piloted instrument (宁波、温州、湖州等市…试点), named in a clause of the instrument's sentence
    that carries a pilot cue (…机制,太原、运城、长治、阳泉四市要率先取得经验), or named as
    responsible for an annex task that pilots the instrument."""
    if jurisdiction is None:
        return ()
    designations: list[PilotDesignation] = []
    row_governments = [a for a in agencies if a.function == "government"]
    for mention in mentions:
        sentence = segment.text[mention.evidence_start : mention.evidence_end]
        piloted = mention.stage == "pilot"
        if piloted:
            regions = [sentence]
        else:
            regions = [c for c in _CLAUSE_SEPARATOR.split(sentence) if has_stage_cue(c, "pilot")]
        sites: dict[str, Site] = {}
        for region in regions:
            for place in gazetteer.find_mentions(region, on=None, within=jurisdiction.adcode):
                code = place.division.adcode
                if code != jurisdiction.adcode and code not in sites:
                    sites[code] = Site(place.division.name, code)
        if piloted or regions:
            for agency in row_governments:
                for division in gazetteer.lookup(agency.name, within=jurisdiction.adcode):
                    if division.adcode != jurisdiction.adcode:
                        sites.setdefault(division.adcode, Site(division.name, division.adcode))
                        break
        if sites:
            start, end = segment.original_span(mention.evidence_start, mention.evidence_end)
            designations.append(
                PilotDesignation(
                    instrument=mention.id,
                    sites=tuple(sites.values()),
                    measure=number,
                    evidence=segment.original[start:end],
                    start=start,
                    end=end,
                )
            )
    return tuple(designations)


def _gaps_between_measures(
    view: NormalisedText, body_start: int, body_end: int, blocks: tuple[MeasureBlock, ...]
) -> list[NormalisedText]:
    """The main text outside every measure: the preamble and section introductions."""
    gaps: list[NormalisedText] = []
    cursor = body_start
    for block in sorted((b for b in blocks if b.annex_cells is None), key=lambda b: b.start):
        if block.start > cursor:
            gaps.append(join_wrapped(view, cursor, block.start))
        cursor = max(cursor, block.end)
    if body_end > cursor:
        gaps.append(join_wrapped(view, cursor, body_end))
    return gaps


def _rollup(measures: tuple[Measure, ...], outside: list[InstrumentUse]) -> tuple[InstrumentRollup, ...]:
    by_id: dict[str, list[tuple[str | None, InstrumentUse]]] = OrderedDict()
    for use in outside:
        by_id.setdefault(use.id, []).append((None, use))
    for measure in measures:
        for use in measure.instruments:
            by_id.setdefault(use.id, []).append((measure.number, use))
    rollups = []
    for instrument_id, uses in by_id.items():
        stage = strongest_stage(u.stage for _, u in uses)
        best = next(u for _, u in uses if u.stage == stage)
        numbers = tuple(OrderedDict.fromkeys(n for n, _ in uses if n is not None))
        rollups.append(InstrumentRollup(instrument_id, stage, numbers, best.evidence, best.start, best.end))
    return tuple(sorted(rollups, key=lambda r: r.id))


# --- citations ---------------------------------------------------------------------------


def _citations(
    view: NormalisedText, own: DocNumber | None, *, gazetteer: Gazetteer, on
) -> tuple[Citation, ...]:
    """Every other document's 文号 in the text, first appearance, with the cited title when
    it stands in 《》 just before the number."""
    seen: dict[str, Citation] = OrderedDict()
    for number in find_doc_numbers(view.text):
        normalised = number.normalised
        if own is not None and normalised == own.normalised:
            continue
        if normalised in seen:
            continue
        before = view.text[max(0, number.start - 200) : number.start]
        match = re.search(r"《([^《》]+)》\s*[(（]?\s*$", before)
        title = match.group(1) if match else None
        start, end = view.original_span(number.start, number.end)
        if title is not None and match is not None:
            t_start, t_end = view.original_span(
                number.start - len(before) + match.start(1), number.start - len(before) + match.end(1)
            )
            title = view.original[t_start:t_end]
        issuer = doc_number_issuer(gazetteer, number, on=on)
        where = JurisdictionRef(issuer.name, issuer.adcode, issuer.level, issuer.name_en) if issuer else None
        seen[normalised] = Citation(normalised, title, start, end, where)
    return tuple(seen.values())

