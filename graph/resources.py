"""The REST resources of the HTTP API as plain data: a store in, JSON-ready dicts out.

No HTTP here (the API layer adds status codes, formats and links). Every function takes the
parameters as the client sent them (strings) and validates them the way named queries do: the
queries of this module declare their parameters as `policykg.graph.named_queries.Param`s and
go through `bind_params`, so a bad value is a `ParamError` naming the parameter and every value
reaches the store as a typed RDF term. Where a named query of `queries/` already answers the
question (measures, adopters, the matrix, a jurisdiction's instruments) it is used as is, by
its documented columns.

Labels are bilingual (``{"zh": …, "en": …}``) and read from the store's vocabulary and
gazetteer graphs once per store version. Lists are sorted deterministically and paginated
(`Listing`: items, total, offset, limit).
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from policykg.graph.iris import GAZETTEER_GRAPH, ROLLUP_GRAPH, VOCABULARY_GRAPH
from policykg.graph.named_queries import LEVELS, STAGES, NamedQuery, Param, bind_params, load_named_queries, named_query_table
from policykg.graph.namespaces import FN, ID, IND, INST, sparql_prefixes
from policykg.graph.store import Store
from policykg.graph.tables import Table, Value, select_table, values_of

__all__ = [
    "DOCUMENT_NAMESPACE",
    "CsvTable",
    "Listing",
    "Resource",
    "ResourceNotFound",
    "adoption_matrix",
    "compare_jurisdictions",
    "document_detail",
    "document_id",
    "instrument_adopters",
    "instrument_tree",
    "jurisdiction_profile",
    "labels",
    "list_agencies",
    "list_documents",
    "list_jurisdictions",
    "list_measures",
    "list_targets",
    "printed_agency_names",
    "resolve_document",
]

DOCUMENT_NAMESPACE = f"{ID}document/"
JURISDICTION_NAMESPACE = f"{ID}jurisdiction/"
_STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES, start=1)}

_PREFIXES = sparql_prefixes()  # the project prefixes, written once (graph/namespaces.py)


class ResourceNotFound(LookupError):
    """No such resource (``kind``: jurisdiction, document, instrument…; ``key``: what was asked)."""

    def __init__(self, kind: str, key: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The flat table a resource offers as CSV."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a list resource: ``total`` items in all, these from ``offset``."""

    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    table: CsvTable


@dataclass(frozen=True, slots=True)
class Resource:
    """A single (nested) resource and its flat CSV form."""

    data: dict[str, Any]
    table: CsvTable


# --------------------------------------------------------------------------------------------
# Queries of this module (with #+ headers: validated and bound like named queries)
# --------------------------------------------------------------------------------------------

# `?_p` binds parameter `p` (graph/named_queries.py's convention), validated by `bind_params`
# against the `Param`s declared here. Unlike the named queries, these queries project their
# parameters, so that `select_table` can hand them to pyoxigraph as substitutions — constants
# Oxigraph plans from — or bind them with a VALUES block, whichever plans better for the query
# (`_BOUND_BY_VALUES`). Both must mean the same: substituted variables look unbound to BOUND()
# and BIND(), so an optional parameter is tested with `!COALESCE(sameTerm(?_p, ?_p), false)`
# and never copied with BIND, and parameters are used in the outer group only.
_QUERIES: dict[str, tuple[tuple[Param, ...], str]] = {
    "jurisdictions": (
        (Param('level', 'level', allowed=LEVELS),),
        """SELECT ?_level ?jurisdiction (COUNT(DISTINCT ?document) AS ?documents) (MIN(?year) AS ?firstYear) (MAX(?year) AS ?lastYear)
WHERE {
  ?document pkg:jurisdiction ?jurisdiction ; a pkg:PolicyDocument .
  OPTIONAL { ?document pkg:year ?year }
  OPTIONAL { ?jurisdiction pkg:level ?level }
  FILTER(!COALESCE(sameTerm(?_level, ?_level), false) || ?level = ?_level)
}
GROUP BY ?jurisdiction ?_level
ORDER BY ?jurisdiction
""",
    ),
    "documents": (
        (Param('jurisdiction', 'adcode'), Param('year', 'integer', minimum=1949, maximum=2100)),
        """SELECT DISTINCT ?_jurisdiction ?_year ?document ?docNumber ?title ?date ?year ?jurisdiction
WHERE {
  ?document a pkg:PolicyDocument .
  OPTIONAL { ?document pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?document pkg:year ?year }
  FILTER(!COALESCE(sameTerm(?_jurisdiction, ?_jurisdiction), false) || ?jurisdiction = ?_jurisdiction)
  FILTER(!COALESCE(sameTerm(?_year, ?_year), false) || ?year = ?_year)
  OPTIONAL { ?document eli:id_local ?docNumber }
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document eli:date_document ?date }
}
ORDER BY ?year ?date ?document
""",
    ),
    "documents-adopting": (
        (Param('instrument', 'instrument-id', required=True), Param('jurisdiction', 'adcode'), Param('year', 'integer', minimum=1949, maximum=2100)),
        """SELECT DISTINCT ?_instrument ?_jurisdiction ?_year ?document ?docNumber ?title ?date ?year ?jurisdiction
WHERE {
  ?instrument skos:broader* ?_instrument .
  ?adoption pkg:instrument ?instrument ; pkg:stage ?stage ; pkg:document ?document .
  OPTIONAL { ?document pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?document pkg:year ?year }
  FILTER(!COALESCE(sameTerm(?_jurisdiction, ?_jurisdiction), false) || ?jurisdiction = ?_jurisdiction)
  FILTER(!COALESCE(sameTerm(?_year, ?_year), false) || ?year = ?_year)
  OPTIONAL { ?document eli:id_local ?docNumber }
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document eli:date_document ?date }
}
ORDER BY ?year ?date ?document
""",
    ),
    # Targets are listed in two steps: these queries find the targets (IRIs, which begin with
    # the document's jurisdiction and 文号, so their order groups them; sorted in Python — Oxigraph
    # sorts IRIs by looking each one up, 0.5 s for 6,652 targets), then `_TARGET_DETAILS` reads
    # the page's targets only: one query with every detail would join fifteen OPTIONALs for
    # every target of the graph. Variants picked by the parameters given, so that a given
    # indicator, jurisdiction or year drives the join.
    "targets": (
        (),
        """SELECT ?target WHERE { ?target a pkg:Target }
""",
    ),
    "targets-of-year": (
        (Param('year', 'integer', minimum=1949, maximum=2100, required=True),),
        """SELECT DISTINCT ?_year ?target
WHERE {
  ?document pkg:year ?_year .
  ?target pkg:document ?document ; a pkg:Target .
}
""",
    ),
    "targets-on-indicator": (
        (Param('indicator', 'indicator-id', required=True), Param('jurisdiction', 'adcode'), Param('year', 'integer', minimum=1949, maximum=2100)),
        """SELECT DISTINCT ?_indicator ?_jurisdiction ?_year ?target
WHERE {
  ?target pkg:indicator ?_indicator ; pkg:document ?document .
  OPTIONAL { ?document pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?document pkg:year ?year }
  FILTER(!COALESCE(sameTerm(?_jurisdiction, ?_jurisdiction), false) || ?jurisdiction = ?_jurisdiction)
  FILTER(!COALESCE(sameTerm(?_year, ?_year), false) || ?year = ?_year)
}
""",
    ),
    "targets-in-jurisdiction": (
        (Param('jurisdiction', 'adcode', required=True), Param('year', 'integer', minimum=1949, maximum=2100)),
        """SELECT DISTINCT ?_jurisdiction ?_year ?target
WHERE {
  ?document pkg:jurisdiction ?_jurisdiction .
  ?target pkg:document ?document ; a pkg:Target .
  OPTIONAL { ?document pkg:year ?year }
  FILTER(!COALESCE(sameTerm(?_year, ?_year), false) || ?year = ?_year)
}
""",
    ),
    # Agencies too are listed in two steps (the page by IRI — adcode, then name — then the
    # page's names, functions and counts): an agency is described in every document that names
    # it, so the union default graph repeats it as often.
    "agencies": (
        (),
        """SELECT DISTINCT ?agency WHERE { ?agency a pkg:Agency }
""",
    ),
    "agencies-matching": (
        (Param('function', 'function-id'), Param('jurisdiction', 'adcode'), Param('q', 'string')),
        """SELECT DISTINCT ?_function ?_jurisdiction ?_q ?agency
WHERE {
  ?agency a pkg:Agency .
  FILTER(!COALESCE(sameTerm(?_function, ?_function), false) || EXISTS { ?agency pkg:function ?_function })
  FILTER(!COALESCE(sameTerm(?_jurisdiction, ?_jurisdiction), false) || EXISTS { ?agency pkg:jurisdiction ?_jurisdiction })
  FILTER(!COALESCE(sameTerm(?_q, ?_q), false) || EXISTS { ?agency skos:prefLabel ?label FILTER(CONTAINS(STR(?label), STR(?_q))) })
}
""",
    ),
    "jurisdiction-documents": (
        (Param('jurisdiction', 'adcode', required=True),),
        """SELECT DISTINCT ?_jurisdiction ?document ?docNumber ?title ?date ?year
WHERE {
  ?document pkg:jurisdiction ?_jurisdiction ; a pkg:PolicyDocument .
  OPTIONAL { ?document eli:id_local ?docNumber }
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document eli:date_document ?date }
  OPTIONAL { ?document pkg:year ?year }
}
ORDER BY ?year ?date ?document
""",
    ),
    "jurisdiction-instruments": (
        (Param('jurisdiction', 'adcode', required=True),),
        """SELECT ?_jurisdiction ?instrument ?stage ?firstYear
WHERE { GRAPH <ROLLUP> { ?cell pkg:jurisdiction ?_jurisdiction ; pkg:instrument ?instrument ;
                          pkg:strongestStage ?stage ; pkg:firstYear ?firstYear } }
ORDER BY ?instrument
""",
    ),
    "jurisdiction-adoptions": (
        (Param('jurisdiction', 'adcode', required=True),),
        """SELECT ?_jurisdiction ?measure ?instrument ?agency ?agencyName (MIN(?anyFunction) AS ?agencyFunction)
WHERE {
  ?document pkg:jurisdiction ?_jurisdiction .
  ?adoption pkg:document ?document ; pkg:instrument ?instrument ; pkg:stage ?stage .
  OPTIONAL { ?adoption pkg:measure ?measure .
             OPTIONAL { ?measure pkg:leadAgency ?agency .
                        OPTIONAL { ?agency skos:prefLabel ?agencyName } OPTIONAL { ?agency pkg:function ?anyFunction } } }
}
GROUP BY ?measure ?instrument ?agency ?agencyName ?_jurisdiction
ORDER BY ?instrument ?agency ?measure
""",
    ),
    "jurisdiction-lead-agencies": (
        (Param('jurisdiction', 'adcode', required=True),),
        """SELECT ?_jurisdiction ?agency ?name (GROUP_CONCAT(DISTINCT STRAFTER(STR(?function), "/function/"); separator=" ") AS ?functions)
       (COUNT(DISTINCT ?measure) AS ?measures)
WHERE {
  ?document pkg:jurisdiction ?_jurisdiction .
  ?measure eli:is_part_of ?document ; pkg:leadAgency ?agency .
  OPTIONAL { ?agency skos:prefLabel ?name }
  OPTIONAL { ?agency pkg:function ?function }
}
GROUP BY ?agency ?name ?_jurisdiction
ORDER BY DESC(?measures) ?agency
""",
    ),
    "document-by-number": (
        (Param('doc_number', 'string', required=True),),
        """SELECT DISTINCT ?_doc_number ?document WHERE { ?document eli:id_local ?_doc_number ; a pkg:PolicyDocument }
ORDER BY ?document
""",
    ),
}

# The document's own parts: ?_doc is bound to the document IRI and each query reads that
# document's graph only.
_DOCUMENT_PARTS: dict[str, str] = {
    "meta": """SELECT ?_doc ?docNumber ?title ?date ?year ?jurisdiction ?sha256 ?encoding ?path WHERE {
  GRAPH ?_doc { ?_doc a pkg:PolicyDocument .
    OPTIONAL { ?_doc eli:id_local ?docNumber } OPTIONAL { ?_doc dcterms:title ?title }
    OPTIONAL { ?_doc eli:date_document ?date } OPTIONAL { ?_doc pkg:year ?year }
    OPTIONAL { ?_doc pkg:jurisdiction ?jurisdiction }
    OPTIONAL { ?_doc prov:wasDerivedFrom ?source . OPTIONAL { ?source pkg:sha256 ?sha256 }
               OPTIONAL { ?source pkg:encoding ?encoding } OPTIONAL { ?source pkg:sourcePath ?path } } }
} LIMIT 1""",
    "warnings": "SELECT DISTINCT ?_doc ?warning WHERE { GRAPH ?_doc { ?_doc prov:wasDerivedFrom ?source . ?source pkg:warning ?warning } } ORDER BY ?warning",
    "issuers": """SELECT ?_doc ?agency ?name (GROUP_CONCAT(DISTINCT STRAFTER(STR(?function), "/function/"); separator=" ") AS ?functions)
WHERE { GRAPH ?_doc { ?_doc eli:passed_by ?agency . OPTIONAL { ?agency skos:prefLabel ?name } OPTIONAL { ?agency pkg:function ?function } } }
GROUP BY ?agency ?name ?_doc ORDER BY ?agency""",
    "cites": """SELECT DISTINCT ?_doc ?number ?cited ?citedTitle WHERE {
  GRAPH ?_doc { ?_doc pkg:citesDocNumber ?number }
  OPTIONAL { GRAPH <ROLLUP> { ?_doc eli:cites ?cited } ?cited eli:id_local ?citedNumber FILTER(STR(?citedNumber) = STR(?number))
             OPTIONAL { ?cited dcterms:title ?citedTitle } }
} ORDER BY ?number ?cited""",
    "measures": """SELECT ?_doc ?measure ?number ?section ?heading ?text ?deadline ?jointly ?start ?end ?lead ?leadName WHERE {
  GRAPH ?_doc { ?measure eli:is_part_of ?_doc ; a pkg:Measure .
    OPTIONAL { ?measure eli:id_local ?number } OPTIONAL { ?measure pkg:section ?section }
    OPTIONAL { ?measure pkg:heading ?heading } OPTIONAL { ?measure pkg:text ?text }
    OPTIONAL { ?measure pkg:deadline ?deadline } OPTIONAL { ?measure pkg:jointly ?jointly }
    OPTIONAL { ?measure pkg:evidence ?evidence . ?evidence oa:start ?start ; oa:end ?end }
    OPTIONAL { ?measure pkg:leadAgency ?lead OPTIONAL { ?lead skos:prefLabel ?leadName } } }
} ORDER BY ?start ?measure""",
    "responsible": """SELECT DISTINCT ?_doc ?measure ?agency ?name ?unit ?unitName WHERE {
  GRAPH ?_doc { ?measure eli:is_part_of ?_doc ; pkg:responsibleAgency ?agency . OPTIONAL { ?agency skos:prefLabel ?name }
    OPTIONAL { ?measure pkg:responsibleUnit ?unit . ?unit <http://www.w3.org/ns/org#unitOf> ?agency OPTIONAL { ?unit skos:prefLabel ?unitName } } }
} ORDER BY ?measure ?agency ?unit""",
    # The forms in which a document prints its responsible agencies (rdfs:label in the document
    # graph, e.g. 省人力社保厅 for 浙江省人力资源和社会保障厅).
    "printed": """SELECT DISTINCT ?_doc ?measure ?agency ?name ?printed WHERE {
  GRAPH ?_doc { ?measure eli:is_part_of ?_doc ; pkg:responsibleAgency ?agency . ?agency rdfs:label ?printed .
    OPTIONAL { ?agency skos:prefLabel ?name } }
} ORDER BY ?measure ?agency ?printed""",
    "adoptions": """SELECT DISTINCT ?_doc ?adoption ?measure ?instrument ?stage ?exact ?start ?end WHERE {
  GRAPH ?_doc { ?adoption a pkg:InstrumentAdoption ; pkg:instrument ?instrument ; pkg:stage ?stage .
    OPTIONAL { ?adoption pkg:measure ?measure }
    OPTIONAL { ?adoption pkg:evidence ?evidence . ?evidence oa:start ?start ; oa:end ?end OPTIONAL { ?evidence oa:exact ?exact } } }
} ORDER BY ?start ?instrument ?adoption""",
    "targets": """SELECT DISTINCT ?_doc ?target ?measure ?indicator ?indicatorText ?comparator ?value ?valueMax ?unit ?per ?baseline ?deadline ?scope ?exact ?start ?end WHERE {
  GRAPH ?_doc { ?target a pkg:Target .
    OPTIONAL { ?target pkg:measure ?measure } OPTIONAL { ?target pkg:indicator ?indicator }
    OPTIONAL { ?target pkg:indicatorText ?indicatorText } OPTIONAL { ?target pkg:comparator ?comparator }
    OPTIONAL { ?target pkg:value ?value } OPTIONAL { ?target pkg:valueMax ?valueMax } OPTIONAL { ?target pkg:unit ?unit }
    OPTIONAL { ?target pkg:per ?per } OPTIONAL { ?target pkg:baseline ?baseline } OPTIONAL { ?target pkg:deadline ?deadline }
    OPTIONAL { ?target pkg:scope ?scope }
    OPTIONAL { ?target pkg:evidence ?evidence . ?evidence oa:start ?start ; oa:end ?end OPTIONAL { ?evidence oa:exact ?exact } } }
} ORDER BY ?start ?target""",
    "pilots": """SELECT DISTINCT ?_doc ?designation ?measure ?instrument ?site ?exact ?start ?end WHERE {
  GRAPH ?_doc { ?designation a pkg:PilotDesignation ; pkg:instrument ?instrument ; pkg:site ?site .
    OPTIONAL { ?designation pkg:measure ?measure }
    OPTIONAL { ?designation pkg:evidence ?evidence . ?evidence oa:start ?start ; oa:end ?end OPTIONAL { ?evidence oa:exact ?exact } } }
} ORDER BY ?start ?designation ?site""",
}

_TARGET_DETAILS = """SELECT ?target ?indicator ?indicatorText ?comparator ?value ?valueMax ?unit ?per ?baseline ?deadline ?scope
       ?document ?docNumber ?title ?year ?jurisdiction ?measure ?measureNumber ?exact ?start ?end
WHERE {
  {values}
  ?target pkg:document ?document .
  OPTIONAL { ?target pkg:indicator ?indicator }
  OPTIONAL { ?document pkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?document pkg:year ?year }
  OPTIONAL { ?document eli:id_local ?docNumber }
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?target pkg:indicatorText ?indicatorText }
  OPTIONAL { ?target pkg:comparator ?comparator }
  OPTIONAL { ?target pkg:value ?value }
  OPTIONAL { ?target pkg:valueMax ?valueMax }
  OPTIONAL { ?target pkg:unit ?unit }
  OPTIONAL { ?target pkg:per ?per }
  OPTIONAL { ?target pkg:baseline ?baseline }
  OPTIONAL { ?target pkg:deadline ?deadline }
  OPTIONAL { ?target pkg:scope ?scope }
  OPTIONAL { ?target pkg:measure ?measure . OPTIONAL { ?measure eli:id_local ?measureNumber } }
  OPTIONAL { ?target pkg:evidence ?evidence . ?evidence oa:start ?start ; oa:end ?end . OPTIONAL { ?evidence oa:exact ?exact } }
}
ORDER BY ?target"""

_VOCABULARY_CONCEPTS = f"""SELECT ?concept ?scheme ?zh ?en ?definition ?broader WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{
  ?concept skos:inScheme ?scheme .
  FILTER(?scheme IN (inst:scheme, ind:scheme, pkg:agencyFunctionScheme))
  OPTIONAL {{ ?concept skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }}
  OPTIONAL {{ ?concept skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?concept skos:definition ?definition FILTER(LANGMATCHES(LANG(?definition), "en")) }}
  OPTIONAL {{ ?concept skos:broader ?broader }}
}} }} ORDER BY ?concept ?broader"""

_GAZETTEER = f"""SELECT ?jurisdiction ?adcode ?zh ?en ?level ?parent ?validFrom ?validTo WHERE {{ GRAPH <{GAZETTEER_GRAPH}> {{
  ?jurisdiction a pkg:Jurisdiction ; pkg:adcode ?adcode .
  OPTIONAL {{ ?jurisdiction skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }}
  OPTIONAL {{ ?jurisdiction skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?jurisdiction pkg:level ?level }}
  OPTIONAL {{ ?jurisdiction pkg:parent ?parent }}
  OPTIONAL {{ ?jurisdiction pkg:validFrom ?validFrom }}
  OPTIONAL {{ ?jurisdiction pkg:validTo ?validTo }}
}} }}"""

_ADOPTION_COUNTS = f"""SELECT ?instrument (COUNT(DISTINCT ?jurisdiction) AS ?jurisdictions) (COUNT(DISTINCT ?document) AS ?documents)
WHERE {{ GRAPH <{ROLLUP_GRAPH}> {{ ?cell a pkg:JurisdictionAdoption ; pkg:instrument ?instrument ; pkg:jurisdiction ?jurisdiction .
  OPTIONAL {{ ?cell pkg:document ?document }} }} }} GROUP BY ?instrument"""


# Measured on 500 synthetic documents, each way: these plan far better from a VALUES block
# (documents-adopting 0.02 s vs 0.74 s substituted, targets-on-indicator 0.03 s vs 1.2 s); the
# others from substitutions (targets-in-jurisdiction 0.08 s vs 0.8 s, a document's parts
# milliseconds vs seconds) or either.
_BOUND_BY_VALUES = frozenset({"documents-adopting", "targets-on-indicator", "agencies-matching"})


@lru_cache(maxsize=None)
def _query(name: str) -> NamedQuery:
    params, sparql = _QUERIES[name]
    return NamedQuery(name=name, summary=name, params=params, example=name, sparql=sparql)


def _run(store: Store, name: str, raw: Mapping[str, str | None], *, offset: int = 0, limit: int | None = None) -> Table:
    """A query of this module with raw parameters (absent ones dropped)."""
    query = _query(name)
    bindings = bind_params(query, {k: v for k, v in raw.items() if v is not None})
    text = _PREFIXES + query.sparql.replace("<ROLLUP>", f"<{ROLLUP_GRAPH}>")
    binding = "values" if name in _BOUND_BY_VALUES else "auto"
    return select_table(store, text, bindings=bindings, offset=offset, limit=limit, binding=binding)


def _run_named(store: Store, name: str, raw: Mapping[str, str | None], *, offset: int = 0, limit: int | None = None) -> Table:
    """A named query of ``queries/`` by its documented contract (columns), run the way every
    caller runs it (its binding, its result cache) — for the resources that need the whole
    result (they group it)."""
    return named_query_table(store, name, {k: v for k, v in raw.items() if v is not None}, offset=offset, limit=limit)


def _page_named(store: Store, name: str, raw: Mapping[str, str | None], *, offset: int, limit: int) -> Table:
    """A page of a named query, uncached: every solution is counted, only the page is converted
    (a list of every measure of a large graph would cost seconds to convert and keep whole)."""
    return named_query_table(store, name, {k: v for k, v in raw.items() if v is not None}, offset=offset, limit=limit, cache=None)


def _run_part(store: Store, part: str, document: str) -> list[dict[str, Value]]:
    text = _PREFIXES + _DOCUMENT_PARTS[part].replace("<ROLLUP>", f"<{ROLLUP_GRAPH}>")
    return select_table(store, text, bindings={"_doc": URIRef(document)}).records()


# --------------------------------------------------------------------------------------------
# Labels: the vocabularies and the gazetteer, read once per store version
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concept:
    iri: str
    id: str
    scheme: str
    zh: str | None
    en: str | None
    definition: str | None
    broader: tuple[str, ...]

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "label": {"zh": self.zh, "en": self.en}}


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    iri: str
    adcode: str
    zh: str | None
    en: str | None
    level: str | None
    parent: str | None
    valid_from: str | None
    valid_to: str | None

    def ref(self) -> dict[str, Any]:
        return {"adcode": self.adcode, "name": {"zh": self.zh, "en": self.en}, "level": self.level}


@dataclass(frozen=True, slots=True)
class Labels:
    concepts: dict[str, Concept] = field(default_factory=dict)  # by IRI
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)  # by IRI

    def concept(self, iri: Value) -> dict[str, Any] | None:
        if iri is None:
            return None
        found = self.concepts.get(str(iri))
        if found is not None:
            return found.ref()
        return {"id": _local_id(str(iri)), "label": {"zh": None, "en": None}}

    def jurisdiction(self, iri: Value) -> dict[str, Any] | None:
        if iri is None:
            return None
        found = self.jurisdictions.get(str(iri))
        if found is not None:
            return found.ref()
        return {"adcode": str(iri).rsplit("/", 1)[-1], "name": {"zh": None, "en": None}, "level": None}


_LABELS: weakref.WeakKeyDictionary[Store, tuple[str, Labels]] = weakref.WeakKeyDictionary()


def labels(store: Store) -> Labels:
    """Concept and jurisdiction labels of ``store`` (cached until its content changes)."""
    version = store.dataset_version()
    cached = _LABELS.get(store)
    if cached is not None and cached[0] == version:
        return cached[1]
    concepts: dict[str, Concept] = {}
    broader: dict[str, list[str]] = defaultdict(list)
    for row in select_table(store, _PREFIXES + _VOCABULARY_CONCEPTS).records():
        iri = str(row["concept"])
        if row["broader"] is not None:
            broader[iri].append(_local_id(str(row["broader"])))
        if iri not in concepts:
            concepts[iri] = Concept(iri, _local_id(iri), str(row["scheme"]), _text(row["zh"]), _text(row["en"]), _text(row["definition"]), ())
    for iri, concept in list(concepts.items()):
        concepts[iri] = Concept(concept.iri, concept.id, concept.scheme, concept.zh, concept.en, concept.definition, tuple(sorted(set(broader[iri]))))
    jurisdictions = {
        str(row["jurisdiction"]): Jurisdiction(
            str(row["jurisdiction"]), str(row["adcode"]), _text(row["zh"]), _text(row["en"]), _text(row["level"]),
            _text(row["parent"]), _text(row["validFrom"]), _text(row["validTo"]),
        )
        for row in select_table(store, _PREFIXES + _GAZETTEER).records()
    }
    found = Labels(concepts, jurisdictions)
    _LABELS[store] = (version, found)
    return found


def _text(value: Value) -> str | None:
    return None if value is None else str(value)


def _local_id(iri: str) -> str:
    for namespace in (str(INST), str(IND), str(FN)):
        if iri.startswith(namespace):
            return iri[len(namespace):]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --------------------------------------------------------------------------------------------
# Shared shapes
# --------------------------------------------------------------------------------------------


def document_id(iri: str) -> str:
    """The API id of a document: its IRI after ``…/id/document/`` (``330000/浙政办发-2017-54``)."""
    return iri[len(DOCUMENT_NAMESPACE):] if iri.startswith(DOCUMENT_NAMESPACE) else iri


def _document_ref(row: Mapping[str, Value], *, iri_key: str = "document") -> dict[str, Any] | None:
    iri = row.get(iri_key)
    if iri is None:
        return None
    return {
        "id": document_id(str(iri)),
        "iri": str(iri),
        "doc_number": row.get("docNumber"),
        "title": row.get("title"),
        "year": row.get("year"),
    }


def _evidence(row: Mapping[str, Value]) -> dict[str, Any] | None:
    if row.get("start") is None:
        return None
    return {"exact": row.get("exact"), "start": row.get("start"), "end": row.get("end")}


def _agency_ref(iri: Value, name: Value, functions: Value = None) -> dict[str, Any]:
    out: dict[str, Any] = {"iri": iri, "name": {"zh": name, "en": None}}
    if functions is not None:
        out["functions"] = sorted(str(functions).split()) if functions else []
    return out


def _adcode(jurisdiction: Value) -> str | None:
    return None if jurisdiction is None else str(jurisdiction).rsplit("/", 1)[-1]


def _flatten(value: Any, prefix: str = "") -> dict[str, Value]:
    """A nested item as one CSV row: dicts become ``a_b`` columns, lists of plain values are
    joined with ``; `` (lists of objects are left to the resource's own table)."""
    out: dict[str, Value] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}_{key}" if prefix else key))
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            out[prefix] = "; ".join("" if v is None else str(v) for v in value)
    else:
        out[prefix] = value
    return out


def _table(items: Iterable[dict[str, Any]], columns: tuple[str, ...] | None = None) -> CsvTable:
    flat = [_flatten(item) for item in items]
    if columns is None:
        seen: dict[str, None] = {}
        for row in flat:
            for key in row:
                seen.setdefault(key, None)
        columns = tuple(seen)
    return CsvTable(columns, tuple(tuple(row.get(c) for c in columns) for row in flat))


def _listing(items: list[dict[str, Any]], table: Table, *, columns: tuple[str, ...] | None = None) -> Listing:
    return Listing(items, table.total, table.offset, table.limit or 0, _table(items, columns))


def _natural(value: Value) -> tuple[Any, ...]:
    """Sort key for measure numbers: 2 before 10, 2.3 before 2.10, text after numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", "" if value is None else str(value)) if part)


def _strongest(stages: Iterable[Value]) -> str | None:
    known = [str(s) for s in stages if s is not None and str(s) in _STAGE_RANK]
    return max(known, key=_STAGE_RANK.__getitem__) if known else None


# --------------------------------------------------------------------------------------------
# Jurisdictions
# --------------------------------------------------------------------------------------------


def list_jurisdictions(store: Store, *, level: str | None = None, offset: int = 0, limit: int = 100) -> Listing:
    """Jurisdictions with loaded documents (by adcode), with their document counts and years."""
    names = labels(store)
    table = _run(store, "jurisdictions", {"level": level}, offset=offset, limit=limit)
    items = []
    for row in table.records():
        found = names.jurisdictions.get(str(row["jurisdiction"]))
        parent = names.jurisdictions.get(found.parent) if found and found.parent else None
        items.append({
            **(names.jurisdiction(row["jurisdiction"]) or {}),
            "iri": row["jurisdiction"],
            "parent": parent.ref() if parent else None,
            "documents": row["documents"],
            "first_year": row["firstYear"],
            "last_year": row["lastYear"],
        })
    return _listing(items, table)


def jurisdiction_profile(store: Store, adcode: str, *, max_items: int) -> Resource:
    """One jurisdiction: its documents, the instruments it adopted (stage, first year, parent's
    stage, pilot site), the targets its documents set and the agencies that lead its measures.
    Each list holds at most ``max_items`` entries (``…_total`` says how many there are)."""
    names = labels(store)
    bind_params(_query("jurisdiction-documents"), {"jurisdiction": adcode})  # validates the adcode
    iri = f"{JURISDICTION_NAMESPACE}{adcode}"
    found = names.jurisdictions.get(iri)
    if found is None:
        raise ResourceNotFound("jurisdiction", adcode, f"no jurisdiction with adcode {adcode} in the gazetteer")
    parent = names.jurisdictions.get(found.parent) if found.parent else None
    documents = _run(store, "jurisdiction-documents", {"jurisdiction": adcode}, limit=max_items)
    targets, target_rows = _targets(store, "targets-in-jurisdiction", {"jurisdiction": adcode}, limit=max_items)
    agencies = _run(store, "jurisdiction-lead-agencies", {"jurisdiction": adcode}, limit=max_items)
    profile = _run_named(store, "jurisdiction-profile", {"jurisdiction": adcode})
    instruments = []
    for row in profile.records():
        if row["instrument"] is None:
            continue
        instruments.append({
            "instrument": names.concept(row["instrument"]),
            "stage": row["stage"],
            "first_year": row["firstYear"],
            "documents": row["documents"],
            "pilot_site": bool(row["pilotSite"]),
            "parent": {"stage": row["parentStage"], "first_year": row["parentFirstYear"]},
        })
    instruments.sort(key=lambda item: item["instrument"]["id"])
    data = {
        **found.ref(),
        "iri": iri,
        "parent": parent.ref() if parent else None,
        "valid_from": found.valid_from,
        "valid_to": found.valid_to,
        "documents_total": documents.total,
        "documents": [{**(_document_ref(r) or {}), "issue_date": r["date"]} for r in documents.records()],
        "instruments": instruments,
        "targets_total": targets.total,
        "targets": [_target_item(r, names) for r in target_rows],
        "lead_agencies_total": agencies.total,
        "lead_agencies": [{**_agency_ref(r["agency"], r["name"], r["functions"]), "measures": r["measures"]} for r in agencies.records()],
    }
    table = _table(
        ({"instrument": item["instrument"], "stage": item["stage"], "first_year": item["first_year"],
          "documents": item["documents"], "pilot_site": item["pilot_site"], "parent": item["parent"]} for item in instruments),
        ("instrument_id", "instrument_label_zh", "instrument_label_en", "stage", "first_year", "documents", "pilot_site",
         "parent_stage", "parent_first_year"),
    )
    return Resource(data, table)


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------


def list_documents(
    store: Store, *, jurisdiction: str | None = None, year: str | None = None, instrument: str | None = None,
    offset: int = 0, limit: int = 100,
) -> Listing:
    """Loaded documents in date order, optionally of one jurisdiction, year or instrument."""
    names = labels(store)
    if instrument is None:
        table = _run(store, "documents", {"jurisdiction": jurisdiction, "year": year}, offset=offset, limit=limit)
    else:
        table = _run(store, "documents-adopting", {"instrument": instrument, "jurisdiction": jurisdiction, "year": year},
                     offset=offset, limit=limit)
    items = [
        {**(_document_ref(r) or {}), "issue_date": r["date"], "jurisdiction": names.jurisdiction(r["jurisdiction"])}
        for r in table.records()
    ]
    return _listing(items, table)


def resolve_document(store: Store, key: str) -> str:
    """A document's IRI from its API id (``330000/浙政办发-2017-54``), its full IRI or its 文号."""
    key = key.strip()
    if not key:
        raise ResourceNotFound("document", key, "no document id given")
    iri = key if key.startswith(DOCUMENT_NAMESPACE) else DOCUMENT_NAMESPACE + key
    try:
        ox.NamedNode(iri)
        valid = True
    except ValueError:
        valid = False
    if valid and _run_part(store, "meta", iri):
        return iri
    matches = [str(r["document"]) for r in _run(store, "document-by-number", {"doc_number": key[:500]}).records()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(document_id(m) for m in matches)
        raise ResourceNotFound("document", key, f"several documents have the 文号 {key}: {ids}; ask for one by id")
    raise ResourceNotFound("document", key, f"no loaded document with id or 文号 {key!r}")


def printed_agency_names(store: Store, key: str) -> dict[str, Any]:
    """For each measure of a document (by id, IRI or 文号), the forms in which its responsible
    agencies are printed: ``{"document": iri, "measures": {measure iri: [{"agency", "name",
    "printed": [...]}]}}``. The graph holds no evidence span for an agency mention, so the web
    page highlights these forms where they occur in the measure's text."""
    iri = resolve_document(store, key)
    agencies: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in _run_part(store, "printed", iri):
        measure, agency = str(r["measure"]), str(r["agency"])
        entry = agencies[measure].setdefault(agency, {"agency": agency, "name": r["name"], "printed": []})
        entry["printed"].append(r["printed"])
    return {"document": iri, "measures": {measure: list(by_agency.values()) for measure, by_agency in sorted(agencies.items())}}


def document_detail(store: Store, key: str) -> Resource:
    """One document with its measures — agencies, instruments with stage, targets and pilot
    sites, each with the evidence span (offsets into the original text) it was read from."""
    names = labels(store)
    iri = resolve_document(store, key)
    meta = _run_part(store, "meta", iri)[0]
    warnings = [r["warning"] for r in _run_part(store, "warnings", iri)]
    issuers = [_agency_ref(r["agency"], r["name"], r["functions"]) for r in _run_part(store, "issuers", iri)]
    cites = [
        {"doc_number": r["number"], "document": None if r["cited"] is None else
         {"id": document_id(str(r["cited"])), "iri": r["cited"], "title": r["citedTitle"]}}
        for r in _run_part(store, "cites", iri)
    ]
    responsible: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _run_part(store, "responsible", iri):
        entry = _agency_ref(r["agency"], r["name"])
        entry["unit"] = r["unitName"]
        if entry not in responsible[str(r["measure"])]:
            responsible[str(r["measure"])].append(entry)
    by_measure: dict[str | None, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    rollup: dict[str, dict[str, Any]] = {}
    for r in _run_part(store, "adoptions", iri):
        measure = None if r["measure"] is None else str(r["measure"])
        by_measure[measure]["instruments"].append({
            "instrument": names.concept(r["instrument"]), "stage": r["stage"], "evidence": _evidence(r),
        })
        entry = rollup.setdefault(str(r["instrument"]), {"instrument": names.concept(r["instrument"]), "stages": [], "measures": set(), "mentions": 0})
        entry["stages"].append(r["stage"])
        entry["mentions"] += 1
        if measure is not None:
            entry["measures"].add(measure)
    for r in _run_part(store, "targets", iri):
        measure = None if r["measure"] is None else str(r["measure"])
        by_measure[measure]["targets"].append(_target_fields(r, names))
    pilots: dict[str, dict[str, Any]] = {}
    for r in _run_part(store, "pilots", iri):
        entry = pilots.setdefault(str(r["designation"]), {
            "measure": r["measure"], "instrument": names.concept(r["instrument"]), "sites": [], "evidence": _evidence(r),
        })
        entry["sites"].append(names.jurisdiction(r["site"]))
    for entry in pilots.values():
        measure = entry.pop("measure")
        entry["sites"].sort(key=lambda site: site["adcode"])
        by_measure[None if measure is None else str(measure)]["pilot_sites"].append(entry)
    measures = []
    numbers: dict[str, Value] = {}
    for r in _run_part(store, "measures", iri):
        measure = str(r["measure"])
        numbers[measure] = r["number"]
        parts = by_measure.get(measure, {})
        measures.append({
            "iri": measure,
            "number": r["number"],
            "section": r["section"],
            "heading": r["heading"],
            "text": r["text"],
            "deadline": r["deadline"],
            "jointly": r["jointly"],
            "evidence": None if r["start"] is None else {"start": r["start"], "end": r["end"]},
            "lead_agency": None if r["lead"] is None else _agency_ref(r["lead"], r["leadName"]),
            "agencies": responsible.get(measure, []),
            "instruments": parts.get("instruments", []),
            "targets": parts.get("targets", []),
            "pilot_sites": parts.get("pilot_sites", []),
        })
    instruments = sorted(
        ({"instrument": e["instrument"], "stage": _strongest(e["stages"]), "mentions": e["mentions"],
          "measures": sorted((numbers.get(m) for m in e["measures"]), key=_natural)}
         for e in rollup.values()),
        key=lambda item: item["instrument"]["id"],
    )
    preamble = by_measure.get(None, {})
    data = {
        "id": document_id(iri),
        "iri": iri,
        "doc_number": meta["docNumber"],
        "title": meta["title"],
        "issue_date": meta["date"],
        "year": meta["year"],
        "jurisdiction": names.jurisdiction(meta["jurisdiction"]),
        "issuers": issuers,
        "cites": cites,
        "source": {"sha256": meta["sha256"], "encoding": meta["encoding"], "path": meta["path"], "warnings": warnings},
        "counts": {
            "measures": len(measures),
            "instrument_mentions": sum(e["mentions"] for e in rollup.values()),
            "targets": sum(len(parts.get("targets", [])) for parts in by_measure.values()),
            "pilot_designations": len(pilots),
        },
        "instruments": instruments,
        "measures": measures,
        "preamble": {"instruments": preamble.get("instruments", []), "targets": preamble.get("targets", []),
                     "pilot_sites": preamble.get("pilot_sites", [])},
    }
    table = CsvTable(
        ("number", "section", "heading", "text", "lead_agency", "agencies", "deadline", "instruments", "targets", "start", "end"),
        tuple(
            (m["number"], m["section"], m["heading"], m["text"],
             None if m["lead_agency"] is None else m["lead_agency"]["name"]["zh"],
             "; ".join(str(a["name"]["zh"]) for a in m["agencies"]), m["deadline"],
             "; ".join(f"{i['instrument']['id']}:{i['stage']}" for i in m["instruments"]), len(m["targets"]),
             None if m["evidence"] is None else m["evidence"]["start"], None if m["evidence"] is None else m["evidence"]["end"])
            for m in measures
        ),
    )
    return Resource(data, table)


# --------------------------------------------------------------------------------------------
# Measures, targets, agencies
# --------------------------------------------------------------------------------------------


def list_measures(
    store: Store, *, instrument: str | None = None, jurisdiction: str | None = None, q: str | None = None,
    year: str | None = None, offset: int = 0, limit: int = 100,
) -> Listing:
    """Measures in document order (the named query ``measures``)."""
    names = labels(store)
    table = _page_named(store, "measures", {"instrument": instrument, "jurisdiction": jurisdiction, "q": q, "year": year},
                        offset=offset, limit=limit)
    items = [
        {
            "iri": r["measure"], "number": r["measureNumber"], "heading": r["heading"], "text": r["text"],
            "deadline": r["deadline"], "document": _document_ref(r), "jurisdiction": names.jurisdiction(r["jurisdiction"]),
            "evidence": None if r["start"] is None else {"start": r["start"]},
        }
        for r in table.records()
    ]
    return _listing(items, table)


def _target_fields(row: Mapping[str, Value], names: Labels) -> dict[str, Any]:
    return {
        "iri": row["target"],
        "indicator": names.concept(row["indicator"]),
        "indicator_text": row["indicatorText"],
        "comparator": row["comparator"],
        "value": row["value"],
        "value_max": row["valueMax"],
        "unit": row["unit"],
        "per": row["per"],
        "baseline": row["baseline"],
        "deadline": row["deadline"],
        "scope": row["scope"],
        "evidence": _evidence(row),
    }


def _target_item(row: Mapping[str, Value], names: Labels) -> dict[str, Any]:
    return {
        **_target_fields(row, names),
        "measure_number": row["measureNumber"],
        "document": _document_ref(row),
        "jurisdiction": names.jurisdiction(row["jurisdiction"]),
    }


def _iri_page(store: Store, name: str, raw: Mapping[str, str | None], *, offset: int, limit: int | None) -> Table:
    """The page ``[offset, offset + limit)`` of the IRIs a one-column query finds, sorted here."""
    found = _run(store, name, raw)
    iris = sorted({str(row[0]) for row in found.rows})
    window = iris[offset : None if limit is None else offset + limit]
    return Table(("iri",), tuple((iri,) for iri in window), len(iris), offset, limit)


def _targets(store: Store, name: str, raw: Mapping[str, str | None], *, offset: int = 0, limit: int | None = None) -> tuple[Table, list[dict[str, Value]]]:
    """The page of targets a query finds, and their details (one row per target, in order)."""
    page = _iri_page(store, name, raw, offset=offset, limit=limit)
    iris = [str(row[0]) for row in page.rows]
    if not iris:
        return page, []
    details = select_table(store, _PREFIXES + _TARGET_DETAILS.replace("{values}", values_of("target", iris))).records()
    first: dict[str, dict[str, Value]] = {}
    for row in details:  # a target printed with two evidence spans would repeat: keep one row
        first.setdefault(str(row["target"]), row)
    return page, [first[iri] for iri in iris if iri in first]


def list_targets(
    store: Store, *, indicator: str | None = None, jurisdiction: str | None = None, year: str | None = None,
    offset: int = 0, limit: int = 100,
) -> Listing:
    """Quantitative targets, by jurisdiction and year, with their evidence."""
    names = labels(store)
    if indicator is not None:
        table, rows = _targets(store, "targets-on-indicator", {"indicator": indicator, "jurisdiction": jurisdiction, "year": year},
                               offset=offset, limit=limit)
    elif jurisdiction is not None:
        table, rows = _targets(store, "targets-in-jurisdiction", {"jurisdiction": jurisdiction, "year": year}, offset=offset, limit=limit)
    elif year is not None:
        table, rows = _targets(store, "targets-of-year", {"year": year}, offset=offset, limit=limit)
    else:
        table, rows = _targets(store, "targets", {}, offset=offset, limit=limit)
    items = [_target_item(r, names) for r in rows]
    return _listing(items, table)


def list_agencies(
    store: Store, *, function: str | None = None, jurisdiction: str | None = None, q: str | None = None,
    offset: int = 0, limit: int = 100,
) -> Listing:
    """Agencies named in the loaded documents (by IRI: adcode, then name), with their
    functions and measure counts. The page is chosen first; names, functions and counts are
    then asked for its agencies only (counting every agency's measures reads every measure)."""
    names = labels(store)
    raw = {"function": function, "jurisdiction": jurisdiction, "q": q}
    if any(value is not None for value in raw.values()):
        table = _iri_page(store, "agencies-matching", raw, offset=offset, limit=limit)
    else:
        table = _iri_page(store, "agencies", {}, offset=offset, limit=limit)
    iris = [str(row[0]) for row in table.rows]
    name: dict[str, Value] = {}
    where: dict[str, Value] = {}
    functions: dict[str, set[str]] = defaultdict(set)
    led: dict[str, Value] = {}
    shared: dict[str, Value] = {}
    if iris:
        block = values_of("agency", iris)
        for r in select_table(store, _PREFIXES + f"SELECT DISTINCT ?agency ?name ?jurisdiction ?function WHERE {{ {block} "
                              "OPTIONAL { ?agency skos:prefLabel ?name } OPTIONAL { ?agency pkg:jurisdiction ?jurisdiction } "
                              "OPTIONAL { ?agency pkg:function ?function } }").records():
            iri = str(r["agency"])
            name.setdefault(iri, r["name"])
            where.setdefault(iri, r["jurisdiction"])
            if r["function"] is not None:
                functions[iri].add(_local_id(str(r["function"])))
        for property_name, into in (("leadAgency", led), ("responsibleAgency", shared)):
            counts = select_table(store, _PREFIXES + f"SELECT ?agency (COUNT(DISTINCT ?measure) AS ?n) "
                                  f"WHERE {{ {block} ?measure pkg:{property_name} ?agency }} GROUP BY ?agency")
            into.update((str(r["agency"]), r["n"]) for r in counts.records())
    items = [
        {
            "iri": iri,
            "name": {"zh": name.get(iri), "en": None},
            "jurisdiction": names.jurisdiction(where.get(iri)),
            "functions": [names.concept(str(FN) + f) for f in sorted(functions[iri])],
            "measures_led": led.get(iri) or 0,
            "measures_responsible": shared.get(iri) or 0,
        }
        for iri in iris
    ]
    table_items = [{**item, "functions": [f["id"] for f in item["functions"]]} for item in items]
    return Listing(items, table.total, table.offset, table.limit or 0, _table(table_items))


# --------------------------------------------------------------------------------------------
# Instruments
# --------------------------------------------------------------------------------------------


def instrument_tree(store: Store) -> Resource:
    """The SKOS instrument vocabulary as a tree (children sorted by id), each concept with the
    number of jurisdictions and documents that adopted it directly (roll-up graph)."""
    names = labels(store)
    counts = {str(r["instrument"]): r for r in select_table(store, _PREFIXES + _ADOPTION_COUNTS).records()}
    concepts = {c.id: c for c in names.concepts.values() if c.scheme == str(INST) + "scheme"}
    children: dict[str | None, list[str]] = defaultdict(list)
    for concept in concepts.values():
        parents = [b for b in concept.broader if b in concepts] or [None]
        for parent in parents:
            children[parent].append(concept.id)

    def node(concept_id: str, path: tuple[str, ...]) -> dict[str, Any]:
        concept = concepts[concept_id]
        count = counts.get(concept.iri, {})
        return {
            **concept.ref(),
            "iri": concept.iri,
            "definition": concept.definition,
            "broader": list(concept.broader),
            "adopting_jurisdictions": count.get("jurisdictions", 0),
            "adopting_documents": count.get("documents", 0),
            "narrower": [node(c, path + (c,)) for c in sorted(children.get(concept_id, [])) if c not in path],
        }

    roots = [node(c, (c,)) for c in sorted(children.get(None, []))]
    rows = sorted(
        (c.id, c.zh, c.en, "; ".join(c.broader), counts.get(c.iri, {}).get("jurisdictions", 0), counts.get(c.iri, {}).get("documents", 0))
        for c in concepts.values()
    )
    table = CsvTable(("id", "label_zh", "label_en", "broader", "adopting_jurisdictions", "adopting_documents"), tuple(rows))
    return Resource({"total": len(concepts), "instruments": roots}, table)


def _known_instrument(store: Store, instrument: str) -> Concept:
    names = labels(store)
    iri = str(INST) + instrument
    concept = names.concepts.get(iri)
    if concept is None or concept.scheme != str(INST) + "scheme":
        raise ResourceNotFound("instrument", instrument, f"no instrument {instrument!r} in the vocabulary (see /api/instruments)")
    return concept


def instrument_adopters(
    store: Store, instrument: str, *, min_stage: str | None = None, level: str | None = None,
    offset: int = 0, limit: int = 100,
) -> Listing:
    """The jurisdictions that adopted an instrument or a narrower one (named query ``adopters``),
    one item per jurisdiction: strongest stage, first year and the adopting documents. Ordered
    by first year, then adcode (the diffusion order)."""
    names = labels(store)
    bind_params(load_named_queries()["adopters"], {"instrument": instrument})  # a malformed id is a ParamError
    _known_instrument(store, instrument)
    rows = _run_named(store, "adopters", {"instrument": instrument, "min_stage": min_stage, "level": level}).records()
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = str(r["jurisdiction"])
        entry = grouped.setdefault(key, {
            **(names.jurisdiction(r["jurisdiction"]) or {}), "stage": None, "first_year": None, "instruments": set(), "documents": [],
        })
        entry["stage"] = _strongest([entry["stage"], r["stage"]])
        if r["year"] is not None and (entry["first_year"] is None or r["year"] < entry["first_year"]):
            entry["first_year"] = r["year"]
        entry["instruments"].add(_local_id(str(r["instrument"])))
        entry["documents"].append({**(_document_ref(r) or {}), "stage": r["stage"], "instrument": _local_id(str(r["instrument"])),
                                   "measures": r["measures"], "mentions": r["mentions"]})
    ordered = sorted(grouped.values(), key=lambda e: (e["first_year"] is None, e["first_year"] or 0, e["adcode"]))
    for entry in ordered:
        entry["instruments"] = sorted(entry["instruments"])
        entry["documents"].sort(key=lambda d: (d["year"] is None, d["year"] or 0, d["iri"], d["instrument"]))
    page = ordered[offset : offset + limit]
    table = _table(({k: v for k, v in item.items() if k != "documents"} | {"documents": len(item["documents"])} for item in page),
                   ("adcode", "name_zh", "name_en", "level", "stage", "first_year", "instruments", "documents"))
    return Listing(page, len(ordered), offset, limit, table)


# --------------------------------------------------------------------------------------------
# Comparison and matrix
# --------------------------------------------------------------------------------------------


def compare_jurisdictions(store: Store, jurisdictions: str, *, instrument: str | None = None) -> Resource:
    """Two to eight jurisdictions side by side: every instrument any of them adopted — present or
    absent in each, with strongest stage, first year and the lead agencies of the adopting
    measures; the targets they set on indicators at least two of them share; and who leads
    their reforms. ``instrument`` keeps that instrument and its narrower ones (and the targets
    of measures adopting one of them).

    The same question as the named query ``compare-jurisdictions``, asked one jurisdiction at
    a time: each query then starts from the jurisdiction's own documents and roll-up cells."""
    names = labels(store)
    query = load_named_queries()["compare-jurisdictions"]
    raw = {"jurisdictions": jurisdictions, "instrument": instrument}
    bind_params(query, {k: v for k, v in raw.items() if v is not None})  # the declared rules: 2–8 adcodes, ids
    adcodes = [a.strip() for a in jurisdictions.split(",")]
    for adcode in adcodes:
        if f"{JURISDICTION_NAMESPACE}{adcode}" not in names.jurisdictions:
            raise ResourceNotFound("jurisdiction", adcode, f"no jurisdiction with adcode {adcode} in the gazetteer")
    kept: set[str] | None = None
    if instrument is not None:
        _known_instrument(store, instrument)
        kept = _narrower(names, instrument)
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    leads: dict[str, dict[str, list[dict[str, Any]]]] = {}
    adopting_measures: dict[str, set[str]] = {}
    targets: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for adcode in adcodes:
        cells[adcode] = {
            _local_id(str(r["instrument"])): {"stage": r["stage"], "first_year": r["firstYear"]}
            for r in _run(store, "jurisdiction-instruments", {"jurisdiction": adcode}).records()
            if kept is None or _local_id(str(r["instrument"])) in kept
        }
        leads[adcode] = defaultdict(list)
        adopting_measures[adcode] = set()
        for r in _run(store, "jurisdiction-adoptions", {"jurisdiction": adcode}).records():
            instrument_id = _local_id(str(r["instrument"]))
            if kept is not None and instrument_id not in kept:
                continue
            if r["measure"] is not None:
                adopting_measures[adcode].add(str(r["measure"]))
            if r["agency"] is None:
                continue
            agency = {"iri": r["agency"], "name": {"zh": r["agencyName"], "en": None},
                      "function": None if r["agencyFunction"] is None else _local_id(str(r["agencyFunction"]))}
            if agency not in leads[adcode][instrument_id]:
                leads[adcode][instrument_id].append(agency)
        for r in _targets(store, "targets-in-jurisdiction", {"jurisdiction": adcode})[1]:
            if r["indicator"] is None or (kept is not None and str(r["measure"]) not in adopting_measures[adcode]):
                continue
            targets[str(r["indicator"])][adcode].append({
                "iri": r["target"], "indicator_text": r["indicatorText"], "comparator": r["comparator"], "value": r["value"],
                "value_max": r["valueMax"], "unit": r["unit"], "deadline": r["deadline"], "evidence": _evidence(r),
                "document": {"id": document_id(str(r["document"])), "iri": r["document"], "doc_number": r["docNumber"]},
            })
    instrument_items = []
    for instrument_id in sorted(set().union(*(cells[a] for a in adcodes))):
        by_jurisdiction = []
        for adcode in adcodes:
            cell = cells[adcode].get(instrument_id)
            by_jurisdiction.append({
                "adcode": adcode, "present": cell is not None,
                "stage": None if cell is None else cell["stage"], "first_year": None if cell is None else cell["first_year"],
                "lead_agencies": sorted(leads[adcode].get(instrument_id, []), key=lambda a: str(a["iri"])) if cell is not None else [],
            })
        instrument_items.append({"instrument": names.concept(str(INST) + instrument_id),
                                 "adopted_by": sum(c["present"] for c in by_jurisdiction), "by_jurisdiction": by_jurisdiction})
    instrument_items.sort(key=lambda i: (-i["adopted_by"], i["instrument"]["id"]))
    shared_targets = [
        {"indicator": names.concept(indicator),
         "by_jurisdiction": [{"adcode": a, "targets": sorted(per.get(a, []), key=lambda t: str(t["iri"]))} for a in adcodes]}
        for indicator, per in sorted(targets.items())
        if sum(1 for a in adcodes if per.get(a)) >= 2  # on shared indicators only
    ]
    lead_agencies = []
    for adcode in adcodes:
        agencies: dict[str, dict[str, Any]] = {}
        for instrument_id, entries in leads[adcode].items():
            if instrument_id not in cells[adcode]:
                continue
            for agency in entries:
                entry = agencies.setdefault(str(agency["iri"]), {**agency, "instruments": []})
                entry["instruments"].append(instrument_id)
        lead_agencies.append({"adcode": adcode, "agencies": sorted(
            ({**a, "instruments": sorted(a["instruments"])} for a in agencies.values()),
            key=lambda a: (-len(a["instruments"]), str(a["iri"])))})
    present = {a: set(cells[a]) for a in adcodes}
    data = {
        "jurisdictions": [names.jurisdiction(f"{JURISDICTION_NAMESPACE}{a}") for a in adcodes],
        "summary": {
            "instruments_in_all": sorted(set.intersection(*present.values())),
            "instruments_only_in": {a: sorted(present[a] - set().union(*(present[b] for b in adcodes if b != a))) for a in adcodes},
        },
        "instruments": instrument_items,
        "targets_on_shared_indicators": shared_targets,
        "lead_agencies": lead_agencies,
    }
    columns = ("instrument_id", "instrument_label_zh", "instrument_label_en") + tuple(
        f"{a}_{k}" for a in adcodes for k in ("present", "stage", "first_year", "lead_agencies"))
    rows = []
    for item in instrument_items:
        row: list[Value] = [item["instrument"]["id"], item["instrument"]["label"]["zh"], item["instrument"]["label"]["en"]]
        for cell in item["by_jurisdiction"]:
            row += [cell["present"], cell["stage"], cell["first_year"], "; ".join(str(a["name"]["zh"]) for a in cell["lead_agencies"])]
        rows.append(tuple(row))
    return Resource(data, CsvTable(columns, tuple(rows)))


def _narrower(names: Labels, instrument: str) -> set[str]:
    """The instrument and every instrument below it (skos:broader*), by id."""
    children: dict[str, set[str]] = defaultdict(set)
    for concept in names.concepts.values():
        for parent in concept.broader:
            children[parent].add(concept.id)
    found, todo = {instrument}, [instrument]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def adoption_matrix(
    store: Store, *, level: str | None = None, instrument: str | None = None, min_stage: str | None = None,
    offset: int = 0, limit: int = 100,
) -> Resource:
    """Jurisdictions × instruments (named query ``adoption-matrix``): a page of jurisdictions
    (rows, by adcode), every instrument any jurisdiction adopted (columns, by id), each cell the
    strongest stage, first year and number of documents, or null."""
    names = labels(store)
    rows = _run_named(store, "adoption-matrix", {"level": level, "instrument": instrument, "min_stage": min_stage}).records()
    columns = sorted({_local_id(str(r["instrument"])) for r in rows})
    index = {c: i for i, c in enumerate(columns)}
    by_jurisdiction: dict[str, list[dict[str, Any] | None]] = {}
    for r in rows:
        cells = by_jurisdiction.setdefault(str(r["jurisdiction"]), [None] * len(columns))
        cells[index[_local_id(str(r["instrument"]))]] = {"stage": r["stage"], "first_year": r["firstYear"], "documents": r["documents"]}
    ordered = sorted(by_jurisdiction, key=lambda iri: _adcode(iri) or "")
    page = ordered[offset : offset + limit]
    data = {
        "total": len(ordered),
        "offset": offset,
        "limit": limit,
        "instruments": [names.concept(str(INST) + c) for c in columns],
        "rows": [{"jurisdiction": names.jurisdiction(iri), "cells": by_jurisdiction[iri]} for iri in page],
    }
    csv_rows = []
    for iri in page:
        ref = names.jurisdiction(iri) or {}
        csv_rows.append((ref.get("adcode"), ref.get("name", {}).get("zh"), ref.get("name", {}).get("en"), ref.get("level"),
                         *[None if cell is None else cell["stage"] for cell in by_jurisdiction[iri]]))
    return Resource(data, CsvTable(("adcode", "name_zh", "name_en", "level", *columns), tuple(csv_rows)))

