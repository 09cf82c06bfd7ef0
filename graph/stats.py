"""What a store holds, in counts (`policykg stats`)."""

from __future__ import annotations

from policykg.graph.store import Store

_COUNT = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ {pattern} }} }}
"""

_PATTERNS: dict[str, str] = {
    "documents": "?x a pkg:PolicyDocument",
    "measures": "?x a pkg:Measure",
    "instrument adoptions": "?x a pkg:InstrumentAdoption",
    "pilot designations": "?x a pkg:PilotDesignation",
    "targets": "?x a pkg:Target",
    "targets linked to an indicator": "?x a pkg:Target ; pkg:indicator ?i",
    "targets without indicator": "?x a pkg:Target FILTER NOT EXISTS { ?x pkg:indicator ?i }",
    "agencies": "?x a pkg:Agency",
    "jurisdictions with documents": "?d a pkg:PolicyDocument ; pkg:jurisdiction ?x",
    "instruments adopted": "?a a pkg:InstrumentAdoption ; pkg:instrument ?x",
}


def graph_stats(store: Store) -> dict[str, int]:
    """Counts of documents, measures, targets (matched and unmatched indicators), adoptions…"""
    stats: dict[str, int] = {}
    for label, pattern in _PATTERNS.items():
        result = store.query(_COUNT.format(pattern=pattern), default_graph_union=False)
        stats[label] = int(result.rows[0]["n"]) if result.rows else 0
    stats["named graphs"] = len(store.graphs())
    stats["triples"] = store.count()
    return stats
