"""Projections: the knowledge graph seen as networks (networkx), built from what
graph/projection_data.py reads from the store with SPARQL — never from the documents' text.

The builders here are pure (records in, graph out), so an HTTP layer can fetch with filters,
build, aggregate or cut (``keep_top``) on the server and hand a browser only what it shows.
Views (docs/exports.md):

- ``adoption``   bipartite jurisdiction — instrument (edge: strongest stage, first year, documents);
- ``agencies``   agency co-responsibility (edge weight = shared measures; lead/co counts), or the
                 same aggregated to agency functions (``by="function"``);
- ``citations``  document → cited document, across levels, loaded or cited only by 文号;
- ``similarity`` jurisdiction — jurisdiction weighted by the Jaccard overlap of instrument sets;
- ``full``       documents with their measures, agencies, instruments, targets, jurisdictions.

Node ids are compact IRIs with the project prefixes (``id:jurisdiction/330000``,
``inst:drg-payment``, ``id:agency/330000/浙江省财政厅``), stable across loads; a cited 文号 with no
loaded document is ``docnumber:国办发〔2017〕37号``. Every node has ``kind`` and ``label`` (Chinese);
attributes are scalars (str, int, float, bool), absent values are left out and lists are
joined with ``|``. Nodes and edges are inserted in sorted order, so writers that follow the
insertion order are deterministic. A ``start`` attribute (ISO date) is when a node or edge
appears: GEXF makes it the element's start, so Gephi's timeline animates diffusion.

The fetch functions and records of graph/projection_data.py are re-exported here, so
``from policykg.graph.projections import fetch_cells, adoption_graph`` is all a caller needs.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from typing import Literal

import networkx as nx

from policykg.graph.namespaces import FN, IND, INST
from policykg.graph.projection_data import (
    JURISDICTION_NS,
    LEVEL_RANK,
    LEVELS,
    STAGES,
    UNLOADED_PREFIX,
    AgencyRows,
    Cell,
    CellData,
    Citations,
    Concept,
    Document,
    FullRows,
    FullSelection,
    Jurisdiction,
    Level,
    ProjectionError,
    Selection,
    Stage,
    Vocabulary,
    curie,
    fetch_agency_rows,
    fetch_cells,
    fetch_citations,
    fetch_documents,
    fetch_full,
    fetch_gazetteer,
    fetch_vocabulary,
    local_name,
    resolve_document,
    select_full_documents,
)

__all__ = [
    "LEVELS",
    "STAGES",
    "AgencyRows",
    "Cell",
    "CellData",
    "Citations",
    "Concept",
    "Document",
    "FullRows",
    "FullSelection",
    "Jurisdiction",
    "Level",
    "ProjectionError",
    "Selection",
    "Stage",
    "Vocabulary",
    "adoption_graph",
    "agency_graph",
    "citation_graph",
    "curie",
    "fetch_agency_rows",
    "fetch_cells",
    "fetch_citations",
    "fetch_documents",
    "fetch_full",
    "fetch_gazetteer",
    "fetch_vocabulary",
    "full_graph",
    "keep_top",
    "resolve_document",
    "select_full_documents",
    "similarity_graph",
]


def _text(value: object) -> str | None:
    return None if value is None else str(value)



# --------------------------------------------------------------------------------------------
# adoption: bipartite jurisdiction — instrument
# --------------------------------------------------------------------------------------------

def _jurisdiction_attributes(jurisdiction: Jurisdiction, gazetteer: Mapping[str, Jurisdiction]) -> dict[str, object]:
    parent = gazetteer.get(jurisdiction.parent or "")
    return _clean({
        "kind": "jurisdiction",
        "label": jurisdiction.label or jurisdiction.adcode,
        "label_en": jurisdiction.label_en,
        "adcode": jurisdiction.adcode,
        "level": jurisdiction.level,
        "level_rank": LEVEL_RANK.get(jurisdiction.level or "", len(LEVELS)),
        "parent": jurisdiction.parent,
        "parent_label": parent.label if parent else None,
        "iri": jurisdiction.iri,
    })


def _instrument_attributes(instrument: str, vocabulary: Vocabulary) -> dict[str, object]:
    concept = vocabulary.instruments.get(instrument) or Concept(instrument, str(INST) + instrument)
    category = vocabulary.category(instrument)
    broader = vocabulary.instruments.get(concept.broader or "")
    return _clean({
        "kind": "instrument",
        "label": concept.label or instrument,
        "label_en": concept.label_en,
        "instrument": instrument,
        "broader": concept.broader,
        "broader_label": broader.label if broader else None,
        "category": category,
        "iri": concept.iri,
    })


def _clean(attributes: Mapping[str, object]) -> dict[str, object]:
    """Scalars only: drop absent values, join sequences with '|'."""
    out: dict[str, object] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            if not value:
                continue
            value = "|".join(sorted(str(v) for v in value)) if isinstance(value, (set, frozenset)) else "|".join(str(v) for v in value)
        out[key] = value
    return out


def adoption_graph(data: CellData, *, limit: int | None = None) -> nx.Graph:
    """Jurisdictions and instruments, an edge per roll-up cell: ``stage`` (strongest),
    ``stage_rank`` (1–4, also the ``weight``), ``first_year``, ``start`` (first adoption date),
    ``documents`` (count) and ``document_ids``. With ``limit``, only the ``limit`` jurisdictions
    adopting most instruments (then by adcode)."""
    cells = list(data.cells)
    if limit is not None:
        count: dict[str, int] = defaultdict(int)
        for cell in cells:
            count[cell.adcode] += 1
        kept = set(sorted(count, key=lambda a: (-count[a], a))[:limit])
        cells = [c for c in cells if c.adcode in kept]
    graph = nx.Graph(view="adoption")
    start = {(c.adcode, c.instrument): data.first_date(c) for c in cells}
    by_jurisdiction: dict[str, list[Cell]] = defaultdict(list)
    by_instrument: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_jurisdiction[cell.adcode].append(cell)
        by_instrument[cell.instrument].append(cell)
    nodes: list[tuple[str, dict[str, object]]] = []
    for adcode, own in by_jurisdiction.items():
        jurisdiction = data.gazetteer.get(adcode) or Jurisdiction(adcode)
        attributes = _jurisdiction_attributes(jurisdiction, data.gazetteer)
        attributes.update(bipartite=0, instruments=len(own), first_year=min(c.first_year for c in own),
                          start=min(start[(c.adcode, c.instrument)] for c in own))
        nodes.append((curie(jurisdiction.iri), attributes))
    for instrument, own in by_instrument.items():
        attributes = _instrument_attributes(instrument, data.vocabulary)
        attributes.update(bipartite=1, jurisdictions=len(own), first_year=min(c.first_year for c in own),
                          start=min(start[(c.adcode, c.instrument)] for c in own))
        nodes.append((curie(str(INST) + instrument), attributes))
    graph.add_nodes_from(sorted(nodes, key=lambda item: item[0]))
    edges = []
    for cell in cells:
        rank = data.vocabulary.stage_rank(cell.stage)
        edges.append((curie(JURISDICTION_NS + cell.adcode), curie(str(INST) + cell.instrument), _clean({
            "stage": cell.stage,
            "stage_rank": rank,
            "weight": rank,
            "first_year": cell.first_year,
            "start": start[(cell.adcode, cell.instrument)],
            "documents": len(cell.documents),
            "document_ids": tuple(curie(d) for d in cell.documents),
        })))
    graph.add_edges_from(sorted(edges, key=lambda e: (e[0], e[1])))
    return graph


# --------------------------------------------------------------------------------------------
# similarity: jurisdiction — jurisdiction by Jaccard overlap of instrument sets
# --------------------------------------------------------------------------------------------

def similarity_graph(data: CellData, *, top: int | None = 10, min_jaccard: float = 0.0, limit: int | None = None) -> nx.Graph:
    """Jurisdictions linked by the Jaccard index of their instrument sets (|A∩B| / |A∪B|), the
    ``weight``; ``shared`` and ``union`` are the counts. Only pairs sharing an instrument and
    with ``weight >= min_jaccard``; with ``top`` each jurisdiction keeps its ``top`` most
    similar partners (ties by adcode) and an edge stays when either end keeps it; ``top=None``
    keeps every pair. ``limit``: only the ``limit`` jurisdictions adopting most instruments."""
    sets: dict[str, set[str]] = defaultdict(set)
    for cell in data.cells:
        sets[cell.adcode].add(cell.instrument)
    adcodes = sorted(sets, key=lambda a: (-len(sets[a]), a))
    if limit is not None:
        adcodes = adcodes[:limit]
    adcodes.sort()
    graph = nx.Graph(view="similarity")
    for adcode in adcodes:
        jurisdiction = data.gazetteer.get(adcode) or Jurisdiction(adcode)
        attributes = _jurisdiction_attributes(jurisdiction, data.gazetteer)
        attributes["instruments"] = len(sets[adcode])
        graph.add_node(curie(jurisdiction.iri), **attributes)
    index = {i: n for n, i in enumerate(sorted({i for a in adcodes for i in sets[a]}))}
    bits = [sum(1 << index[i] for i in sets[a]) for a in adcodes]
    sizes = [len(sets[a]) for a in adcodes]
    kept: dict[tuple[int, int], tuple[float, int, int]] = {}
    # with ``top``: per jurisdiction a heap of its best (jaccard, -partner, shared, union) —
    # never every pair in memory (2,400 jurisdictions have 2.9 million)
    best: list[list[tuple[float, int, int, int]]] = [[] for _ in adcodes]
    for i in range(len(adcodes)):
        bits_i, size_i = bits[i], sizes[i]
        for j in range(i + 1, len(adcodes)):
            shared = (bits_i & bits[j]).bit_count()
            if not shared:
                continue
            union = size_i + sizes[j] - shared
            jaccard = shared / union
            if jaccard < min_jaccard:
                continue
            if top is None:
                kept[(i, j)] = (jaccard, shared, union)
                continue
            for me, other in ((i, j), (j, i)):
                entry = (jaccard, -other, shared, union)  # the smaller adcode wins a tie
                heap = best[me]
                if len(heap) < top:
                    heapq.heappush(heap, entry)
                elif entry > heap[0]:
                    heapq.heapreplace(heap, entry)
    for me, heap in enumerate(best):
        for jaccard, other, shared, union in heap:
            kept[(min(me, -other), max(me, -other))] = (jaccard, shared, union)
    for i, j in sorted(kept):
        jaccard, shared, union = kept[(i, j)]
        graph.add_edge(curie(JURISDICTION_NS + adcodes[i]), curie(JURISDICTION_NS + adcodes[j]),
                       weight=round(jaccard, 6), shared=shared, union=union)
    return graph


# --------------------------------------------------------------------------------------------
# agencies: co-responsibility network
# --------------------------------------------------------------------------------------------

def agency_graph(rows: AgencyRows, *, by: Literal["agency", "function"] = "agency", min_weight: int = 1, limit: int | None = None) -> nx.Graph:
    """Agencies (or agency functions, ``by="function"``) named responsible for the same
    measures. Nodes: ``measures`` (responsible for), ``lead`` (first named), ``co`` (named, not
    first). Edges: ``weight`` = shared measures; ``lead_source`` / ``lead_target`` = of those,
    the ones the source / target leads. ``min_weight`` drops lighter edges; ``limit`` keeps the
    ``limit`` nodes responsible for most measures."""
    def unit(agency: str) -> str:
        return rows.agencies[agency].function if by == "function" else agency

    members: dict[str, set[str]] = defaultdict(set)
    leaders: dict[str, set[str]] = defaultdict(set)
    for measure, agency in rows.responsible:
        members[measure].add(unit(agency))
    for measure, agency in rows.lead:
        if measure in members:
            leaders[measure].add(unit(agency))
    measures: dict[str, int] = defaultdict(int)
    led: dict[str, int] = defaultdict(int)
    for measure, units in members.items():
        for u in units:
            measures[u] += 1
            if u in leaders[measure]:
                led[u] += 1
    kept_units = sorted(measures, key=lambda u: (-measures[u], u))
    if limit is not None:
        kept_units = kept_units[:limit]
    kept = set(kept_units)
    weight: dict[tuple[str, str], int] = defaultdict(int)
    lead_by: dict[tuple[str, str, str], int] = defaultdict(int)
    for measure, units in members.items():
        ordered = sorted(units & kept)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                weight[(a, b)] += 1
                for leader in leaders[measure] & {a, b}:
                    lead_by[(a, b, leader)] += 1
    graph = nx.Graph(view="agencies", by=by)
    node_ids: dict[str, str] = {}
    nodes = []
    for u in kept:
        if by == "function":
            concept = rows.vocabulary.functions.get(u)
            attributes = _clean({"kind": "function", "label": (concept.label if concept else None) or u,
                                 "label_en": concept.label_en if concept else None, "function": u,
                                 "iri": concept.iri if concept else None,
                                 "agencies": sum(1 for a in rows.agencies.values() if a.function == u)})
            node_id = curie(str(FN) + u) if concept else u
        else:
            agency = rows.agencies[u]
            concept = rows.vocabulary.functions.get(agency.function)
            jurisdiction = rows.gazetteer.get(agency.adcode or "")
            attributes = _clean({"kind": "agency", "label": agency.label or curie(u), "function": agency.function,
                                 "functions": agency.functions, "function_label": concept.label if concept else None,
                                 "function_label_en": concept.label_en if concept else None,
                                 "adcode": agency.adcode, "jurisdiction_label": jurisdiction.label if jurisdiction else None,
                                 "iri": u})
            node_id = curie(u)
        attributes.update(measures=measures[u], lead=led[u], co=measures[u] - led[u])
        node_ids[u] = node_id
        nodes.append((node_id, attributes))
    graph.add_nodes_from(sorted(nodes, key=lambda item: item[0]))
    edges = []
    for (a, b), w in weight.items():
        if w < min_weight:
            continue
        source, target = sorted((node_ids[a], node_ids[b]))
        first, second = (a, b) if node_ids[a] == source else (b, a)
        edges.append((source, target, {"weight": w, "lead_source": lead_by.get((a, b, first), 0),
                                       "lead_target": lead_by.get((a, b, second), 0)}))
    graph.add_edges_from(sorted(edges, key=lambda e: (e[0], e[1])))
    return graph


# --------------------------------------------------------------------------------------------
# citations: document → cited document
# --------------------------------------------------------------------------------------------

def _document_attributes(document: Document, gazetteer: Mapping[str, Jurisdiction]) -> dict[str, object]:
    jurisdiction = gazetteer.get(document.adcode or "")
    level = jurisdiction.level if jurisdiction else None
    return _clean({
        "kind": "document",
        "label": document.display(),
        "doc_number": document.number,
        "title": document.title,
        "date": document.date,
        "year": document.year,
        "start": document.date or (f"{document.year:04d}-01-01" if document.year else None),
        "adcode": document.adcode,
        "jurisdiction_label": jurisdiction.label if jurisdiction else None,
        "jurisdiction_label_en": jurisdiction.label_en if jurisdiction else None,
        "level": level,
        "level_rank": LEVEL_RANK.get(level or "", len(LEVELS)),
        "loaded": True,
        "iri": document.iri,
    })


def citation_graph(data: Citations, *, linked_only: bool = False, limit: int | None = None) -> nx.DiGraph:
    """Citing document → cited document. A cited 文号 that matches a loaded document is an
    edge to it (``linked``), otherwise to a ``docnumber:…`` node (``loaded`` false, level
    unknown). Edges carry the citing document's ``date``/``year`` (also ``start``) and
    ``from_level``/``to_level``. With a selection, the citations made by or to its
    documents; ``limit`` keeps the ``limit`` documents with most citations."""
    numbers_of = {iri: d.number for iri, d in data.documents.items() if d.number}
    linked_numbers: dict[str, set[str]] = defaultdict(set)
    edges: dict[tuple[str, str], bool] = {}
    for citing, cited in data.links:
        edges[(citing, cited)] = True
        if cited in numbers_of:
            linked_numbers[citing].add(numbers_of[cited])
    if not linked_only:
        for citing, number in data.numbers:
            if number not in linked_numbers[citing]:
                edges[(citing, UNLOADED_PREFIX + number)] = False
    if data.selected is not None:
        edges = {e: v for e, v in edges.items() if e[0] in data.selected or e[1] in data.selected}
    if limit is not None:
        degree: dict[str, int] = defaultdict(int)
        for a, b in edges:
            degree[a] += 1
            degree[b] += 1
        kept = set(sorted(degree, key=lambda n: (-degree[n], n))[:limit])
        edges = {e: v for e, v in edges.items() if e[0] in kept and e[1] in kept}
    graph = nx.DiGraph(view="citations")
    nodes: dict[str, dict[str, object]] = {}
    for citing, cited in edges:
        for iri in (citing, cited):
            node_id = iri if iri.startswith(UNLOADED_PREFIX) else curie(iri)
            if node_id in nodes:
                continue
            if iri.startswith(UNLOADED_PREFIX):
                number = iri[len(UNLOADED_PREFIX) :]
                nodes[node_id] = {"kind": "document", "label": number, "doc_number": number, "loaded": False,
                                  "level_rank": len(LEVELS) + 1}
            else:
                nodes[node_id] = _document_attributes(data.documents.get(iri) or Document(iri), data.gazetteer)
    graph.add_nodes_from(sorted(nodes.items()))
    out = []
    for (citing, cited), linked in edges.items():
        source = data.documents.get(citing) or Document(citing)
        source_id = curie(citing)
        target_id = cited if cited.startswith(UNLOADED_PREFIX) else curie(cited)
        out.append((source_id, target_id, _clean({
            "linked": linked,
            "date": source.date,
            "year": source.year,
            "start": nodes[source_id].get("start"),
            "from_level": nodes[source_id].get("level"),
            "to_level": nodes[target_id].get("level"),
        })))
    graph.add_edges_from(sorted(out, key=lambda e: (e[0], e[1])))
    return graph


# --------------------------------------------------------------------------------------------
# full: documents with their measures, agencies, instruments, targets
# --------------------------------------------------------------------------------------------

def full_graph(rows: FullRows) -> nx.DiGraph:
    """The knowledge graph around some documents (``fetch_full``): document → jurisdiction
    (``in``), → issuing agency (``issued_by``); measure → document (``part_of``), → agency
    (``responsible``, ``lead`` true for the first named), → instrument (``adopts``, strongest
    ``stage`` of its mentions; preamble mentions hang on the document); target → measure or
    document (``target_of``); document → document (``cites``, both shown)."""
    vocabulary, gazetteer, meta = rows.vocabulary, rows.gazetteer, rows.meta
    nodes: dict[str, dict[str, object]] = {}
    edges: dict[tuple[str, str], dict[str, object]] = {}

    def edge(source: str, target: str, **attributes: object) -> None:
        edges.setdefault((source, target), {}).update(_clean(attributes))

    for iri in rows.documents:
        document = meta.get(iri) or Document(iri)
        nodes[curie(iri)] = _document_attributes(document, gazetteer)
        if document.adcode:
            jurisdiction = gazetteer.get(document.adcode) or Jurisdiction(document.adcode)
            nodes.setdefault(curie(jurisdiction.iri), _jurisdiction_attributes(jurisdiction, gazetteer))
            edge(curie(iri), curie(jurisdiction.iri), relation="in")
    for document, agency in rows.issuers:
        edge(curie(str(document)), curie(str(agency)), relation="issued_by")
    for document, measure, number, section, heading, text, start in rows.measures:
        key = curie(str(measure))
        doc = meta.get(str(document)) or Document(str(document))
        nodes[key] = _clean({"kind": "measure", "label": f"{doc.display()} {number or ''}".strip(), "number": _text(number),
                             "section": _text(section), "heading": _text(heading), "text": _text(text),
                             "start_offset": start, "iri": str(measure)})
        edge(key, curie(str(document)), relation="part_of")
    for measure, agency in sorted(rows.responsible):
        edge(curie(measure), curie(agency), relation="responsible", lead=(measure, agency) in rows.lead)
    strongest: dict[tuple[str, str], tuple[int, str, int]] = {}
    for document, _adoption, instrument, stage, measure in rows.adoptions:
        owner = curie(str(measure)) if measure else curie(str(document))
        key = (owner, curie(str(instrument)))
        rank = vocabulary.stage_rank(str(stage))
        previous = strongest.get(key)
        mentions = (previous[2] if previous else 0) + 1
        if previous is None or rank > previous[0]:
            strongest[key] = (rank, str(stage), mentions)
        else:
            strongest[key] = (previous[0], previous[1], mentions)
        nodes.setdefault(curie(str(instrument)), _instrument_attributes(local_name(str(instrument), str(INST)), vocabulary))
    for (owner, instrument), (rank, stage, mentions) in strongest.items():
        edge(owner, instrument, relation="adopts", stage=stage, stage_rank=rank, mentions=mentions)
    for document, target, measure, text, indicator, comparator, value, value_max, unit, deadline in rows.targets:
        key = curie(str(target))
        nodes[key] = _clean({"kind": "target", "label": _text(text),
                             "indicator": local_name(str(indicator), str(IND)) if indicator else None,
                             "comparator": _text(comparator), "value": value, "value_max": value_max,
                             "unit": _text(unit), "deadline": _text(deadline), "iri": str(target)})
        edge(key, curie(str(measure)) if measure else curie(str(document)), relation="target_of")
    for iri, agency in rows.agencies.items():
        concept = vocabulary.functions.get(agency.function)
        nodes[curie(iri)] = _clean({"kind": "agency", "label": agency.label or curie(iri), "function": agency.function,
                                    "functions": agency.functions, "function_label": concept.label if concept else None,
                                    "adcode": agency.adcode, "iri": iri})
    for citing, cited in rows.cites:
        edge(curie(citing), curie(cited), relation="cites")
    graph = nx.DiGraph(view="full")
    graph.add_nodes_from(sorted(nodes.items()))
    graph.add_edges_from(sorted(((s, t, a) for (s, t), a in edges.items() if s in nodes and t in nodes), key=lambda e: (e[0], e[1])))
    return graph


# --------------------------------------------------------------------------------------------
# Pictures and web views: the biggest nodes only
# --------------------------------------------------------------------------------------------

def keep_top(graph: nx.Graph, *, limit: int, key: str | None = None, kind: str | None = None) -> tuple[nx.Graph, int]:
    """The subgraph of the ``limit`` nodes (of ``kind``, when given; other nodes are kept when
    linked to a kept one) with the largest ``key`` attribute (degree when None), ties by id;
    returns it and the number of candidates there were."""
    candidates = [n for n, a in graph.nodes(data=True) if kind is None or a.get("kind") == kind]
    if len(candidates) <= limit:
        return graph, len(candidates)

    def size(node: str) -> float:
        value = graph.nodes[node].get(key) if key else graph.degree(node)
        return float(value or 0)

    chosen = set(sorted(candidates, key=lambda n: (-size(n), n))[:limit])
    if kind is not None:
        chosen |= {n for n, a in graph.nodes(data=True) if a.get("kind") != kind and any(m in chosen for m in nx.all_neighbors(graph, n))}
    return graph.subgraph(sorted(chosen)).copy(), len(candidates)
