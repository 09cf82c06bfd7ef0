"""The gazetteer (`policykg.loaders.gazetteer`) as RDF: one pkg:Jurisdiction per adcode.

A GB/T 2260 code can carry several rows over time (a rename, or a code reused after a gap), but
the graph has one node per code, `id:jurisdiction/{adcode}` (docs/graph-model.md). The node
shows the code's LATEST row — skos:prefLabel @zh/@en, pkg:level, pkg:parent — and its span of
validity: pkg:validFrom = the first row's first day, pkg:validTo = the last row's end
(exclusive; absent while the code is valid). Names of earlier rows are skos:altLabel; the short
names documents use (浙江, 甬, 海南州) are skos:hiddenLabel. With `on=<day>` only the codes
valid that day are given, named as they were that day.

About 6,700 codes, ~57,000 triples: the terms are built once per process (cached) and each call
fills a fresh Graph, so callers may change what they get.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from policykg.graph.iris import jurisdiction_iri
from policykg.graph.namespaces import PKG, RDF, SKOS, XSD, bind_prefixes
from policykg.loaders.gazetteer import NATIONAL, Division, load_gazetteer

Triple = tuple[URIRef, URIRef, object]


def gazetteer_graph(*, on: date | None = None) -> Graph:
    """Jurisdictions as RDF: all codes ever valid (on=None) or those valid on `on`."""
    # SimpleMemory: a plain triple store without context indexes, about twice as fast to fill
    # as the default Memory store; the graph behaves the same (iterate, query, serialise).
    graph = Graph(store="SimpleMemory")
    bind_prefixes(graph)
    add = graph.store.add  # Graph.add re-checks every term: too slow for ~57k triples
    for triple in _triples(on):
        add(triple, graph)
    return graph


@lru_cache(maxsize=8)
def _triples(on: date | None) -> tuple[Triple, ...]:
    gazetteer = load_gazetteer()
    rows_by_code: dict[str, list[Division]] = defaultdict(list)
    for row in (NATIONAL, *gazetteer):
        if on is None or row.valid_on(on):
            rows_by_code[row.adcode].append(row)

    dates: dict[date, Literal] = {}
    levels: dict[str, Literal] = {}

    def date_literal(day: date) -> Literal:
        found = dates.get(day)
        if found is None:
            found = dates[day] = Literal(day.isoformat(), datatype=XSD.date)
        return found

    def level_literal(level: str) -> Literal:
        found = levels.get(level)
        if found is None:
            found = levels[level] = Literal(level)
        return found

    iris = {code: jurisdiction_iri(code) for code in rows_by_code}
    a, jurisdiction = RDF.type, PKG.Jurisdiction
    pref, alt, hidden = SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel
    triples: list[Triple] = []
    for code in sorted(rows_by_code):
        rows = sorted(rows_by_code[code], key=lambda r: r.valid_from or date.min)
        latest = rows[-1]
        node = iris[code]
        triples.append((node, a, jurisdiction))
        triples.append((node, PKG.adcode, Literal(code)))
        triples.append((node, pref, Literal(latest.name, lang="zh")))
        if latest.name_en:
            triples.append((node, pref, Literal(latest.name_en, lang="en")))
        triples.append((node, PKG.level, level_literal(latest.level)))
        if latest.parent_adcode is not None:
            parent = iris.get(latest.parent_adcode) or jurisdiction_iri(latest.parent_adcode)
            triples.append((node, PKG.parent, parent))
        if rows[0].valid_from is not None:
            triples.append((node, PKG.validFrom, date_literal(rows[0].valid_from)))
        if latest.valid_to is not None:
            triples.append((node, PKG.validTo, date_literal(latest.valid_to)))
        names_zh = {latest.name}
        names_en = {latest.name_en}
        for row in rows[:-1]:
            if row.name not in names_zh:
                names_zh.add(row.name)
                triples.append((node, alt, Literal(row.name, lang="zh")))
            if row.name_en and row.name_en not in names_en:
                names_en.add(row.name_en)
                triples.append((node, alt, Literal(row.name_en, lang="en")))
        shorts = {short for row in rows for short in row.short_names} - names_zh
        for short in sorted(shorts):
            triples.append((node, hidden, Literal(short, lang="zh")))
    return tuple(triples)
