"""Stable, readable IRIs for the graph's resources (docs/graph-model.md, "Stable IRIs").

The same input always gives the same IRI. Chinese characters are kept (these are IRIs, not
URIs); `slug` replaces what cannot or should not stand in a path segment.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from rdflib import URIRef

from policykg.graph.namespaces import FN, GRAPH, ID, IND, INST

if TYPE_CHECKING:
    from policykg.loaders.record import Record

# Named graphs besides one per document (whose name is the document IRI).
ONTOLOGY_GRAPH = URIRef(GRAPH["ontology"])  # policykg.ttl + shapes.ttl: schema, not data
VOCABULARY_GRAPH = URIRef(GRAPH["vocabulary"])  # instruments, agencies, indicators
GAZETTEER_GRAPH = URIRef(GRAPH["gazetteer"])  # jurisdictions (graph/gazetteer_graph.py)
ROLLUP_GRAPH = URIRef(GRAPH["rollup"])  # materialised roll-ups, rebuilt after every load/delete

# Which `ontology/*.ttl` files make up which named graph (read with policykg.ontology.load_graph).
GRAPH_FILES: dict[URIRef, tuple[str, ...]] = {
    ONTOLOGY_GRAPH: ("policykg.ttl", "shapes.ttl"),
    VOCABULARY_GRAPH: ("instruments.ttl", "agencies.ttl", "indicators.ttl"),
}

UNKNOWN_JURISDICTION = "unknown"

# Path delimiters, brackets of every width, quotes and characters IRIs forbid outright.
_REPLACED = set("/#?[]()<>{}|\\^`\"'%（）〔〕【】［］〈〉《》「」『』〖〗｛｝")
_DASHES = re.compile(r"-{2,}")
_YEAR_IN_DOC_NUMBER = re.compile(r"[〔\[(（【［]\s*((?:19|20)\d\d)\s*[〕\])）】］]")


def slug(text: str) -> str:
    """A path segment for `text`: `/ # ?`, whitespace, brackets, quotes and control or private
    characters become `-`; runs of `-` collapse and none is left at either end.
    Everything else (Chinese characters, `.`, `-`, `~`) is kept: slug("2.3") == "2.3"."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _REPLACED or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"):
            out.append("-")
        else:
            out.append(ch)
    cleaned = _DASHES.sub("-", "".join(out)).strip("-")
    return cleaned or "_"


def doc_number_slug(doc_number: str) -> str:
    """浙政办发〔2017〕54号 → 浙政办发-2017-54 (the closing 号 is dropped)."""
    text = doc_number.strip()
    if text.endswith("号"):
        text = text[:-1]
    return slug(text)


def document_year(record: Record) -> int | None:
    """The year of the issue date, else the year printed in the 文号 (〔2017〕), else None."""
    if record.issue_date is not None:
        return record.issue_date.year
    if record.doc_number:
        found = _YEAR_IN_DOC_NUMBER.search(record.doc_number)
        if found:
            return int(found.group(1))
    return None


def document_iri(record: Record) -> URIRef:
    """`id:document/{adcode}/{文号 slug}`; without a 文号
    `id:document/{adcode}/{year or "undated"}-{first 12 hex of sha256}`; adcode "unknown" when
    the record has no jurisdiction. Also the name of the document's graph."""
    adcode = record.jurisdiction.adcode if record.jurisdiction else UNKNOWN_JURISDICTION
    if record.doc_number:
        local = doc_number_slug(record.doc_number)
    else:
        year = record.issue_date.year if record.issue_date else "undated"
        local = f"{year}-{record.source.sha256[:12]}"
    return URIRef(f"{ID}document/{adcode}/{local}")


def measure_iri(doc_iri: str, number: str) -> URIRef:
    """`{document}/measure/{number}` (…/measure/annex.8, …/measure/2.3)."""
    return URIRef(f"{doc_iri}/measure/{slug(number)}")


def target_iri(parent_iri: str, n: int) -> URIRef:
    """`{measure}/target/{n}` (n 1-based within the measure); `{document}/target/{n}` in a preamble."""
    return URIRef(f"{parent_iri}/target/{n}")


def adoption_iri(parent_iri: str, instrument_id: str, n: int) -> URIRef:
    """`{measure}/adoption/{instrument id}-{n}`; preamble mentions `{document}/adoption/…`."""
    return URIRef(f"{parent_iri}/adoption/{slug(instrument_id)}-{n}")


def pilot_iri(parent_iri: str, instrument_id: str, n: int) -> URIRef:
    """`{measure}/pilot/{instrument id}-{n}`."""
    return URIRef(f"{parent_iri}/pilot/{slug(instrument_id)}-{n}")


def evidence_iri(owner_iri: str) -> URIRef:
    """`{adoption, target, pilot or measure}/evidence` — the text selector of its evidence."""
    return URIRef(f"{owner_iri}/evidence")


def source_iri(doc_iri: str) -> URIRef:
    """`{document}/source` — the file the document was read from (prov:wasDerivedFrom)."""
    return URIRef(f"{doc_iri}/source")


def agency_iri(adcode: str, canonical: str) -> URIRef:
    """`id:agency/{adcode of the agency's jurisdiction}/{canonical}`."""
    return URIRef(f"{ID}agency/{slug(adcode)}/{slug(canonical)}")


def agency_unit_iri(agency: str, division: str) -> URIRef:
    """`{agency}/unit/{division}` — an internal division printed in brackets (规划处)."""
    return URIRef(f"{agency}/unit/{slug(division)}")


def jurisdiction_iri(adcode: str) -> URIRef:
    """`id:jurisdiction/{adcode}` (the nation: `id:jurisdiction/100000`)."""
    return URIRef(f"{ID}jurisdiction/{slug(adcode)}")


def jurisdiction_adoption_iri(adcode: str, instrument_id: str) -> URIRef:
    """`id:adoption/{adcode}/{instrument id}` — a roll-up node (roll-up graph)."""
    return URIRef(f"{ID}adoption/{slug(adcode)}/{slug(instrument_id)}")


def instrument_iri(instrument_id: str) -> URIRef:
    return URIRef(INST[instrument_id])


def indicator_iri(indicator_id: str) -> URIRef:
    return URIRef(IND[indicator_id])


def function_iri(function_id: str) -> URIRef:
    return URIRef(FN[function_id])
