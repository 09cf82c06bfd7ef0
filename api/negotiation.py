"""Content negotiation: the ``Accept`` header and the ``format=`` override.

SPARQL clients ask in different ways: YASGUI and rdflib by ``Accept``; SPARQLWrapper by
``Accept`` *and* ``format``/``output``/``results`` parameters (``format=json&output=json``, or
``format=tsv&format=text/tab-separated-values``). A ``format`` value names a serialisation for
either kind of result: ``json`` is SPARQL JSON for SELECT and JSON-LD for CONSTRUCT, ``xml``
is SPARQL XML or RDF/XML — the query form decides, as SPARQLWrapper expects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from policykg.api.errors import ApiError

__all__ = [
    "GRAPH_OFFERS",
    "RESULT_OFFERS",
    "choose",
    "graph_format_from",
    "result_format_from",
    "sparql_formats",
]

# Media type → format, in the server's order of preference (the first is the default for */*).
RESULT_OFFERS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/javascript": "json",
    "application/javascript": "json",
}
GRAPH_OFFERS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/n3": "turtle",  # Turtle is N3
    "application/n3": "turtle",
    "text/rdf+n3": "turtle",
    "text/plain": "ntriples",
}

_RESULT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
_GRAPH_NAMES = {
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
    "ntriples": "ntriples", "n-triples": "ntriples", "nt": "ntriples",
    "nquads": "nquads", "n-quads": "nquads", "nq": "nquads",
    "trig": "trig",
    "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml", "owl": "rdfxml",
}


def _media_ranges(header: str | None) -> list[tuple[str, float, int]]:
    """``(range, q, position)`` for each entry of an Accept header; malformed q counts as 0."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float, int]]) -> float:
    """The q the header gives ``media_type``: the most specific matching range decides."""
    main, _, _sub = media_type.partition("/")
    best: tuple[int, float] | None = None
    for media, q, _ in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{main}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return 0.0 if best is None else best[1]


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept ``header`` likes best (ties: the earlier offer;
    an explicit type beats a wildcard); None if it accepts none of them."""
    ranges = _media_ranges(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        q = _quality(media_type, ranges)
        if q <= 0:
            continue
        explicit = any(media == media_type for media, _, _ in ranges)
        key = (q, 1 if explicit else 0, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen


def _from_names(values: Iterable[str], names: dict[str, str], offers: dict[str, str]) -> str | None:
    for value in values:
        text = value.strip().lower()
        if text in names:
            return names[text]
        media = text.split(";")[0].strip()
        if media in offers:
            return offers[media]
    return None


def result_format_from(values: Iterable[str]) -> str | None:
    return _from_names(values, _RESULT_NAMES, RESULT_OFFERS)


def graph_format_from(values: Iterable[str]) -> str | None:
    return _from_names(values, _GRAPH_NAMES, GRAPH_OFFERS)


def sparql_formats(format_values: Sequence[str], accept: str | None) -> tuple[str | None, str | None]:
    """(result format for SELECT/ASK, graph format for CONSTRUCT/DESCRIBE); None where the
    client accepts nothing the server offers (answered 406 once the query form is known)."""
    values = [v for v in format_values if v.strip()]
    if values:
        result, graph = result_format_from(values), graph_format_from(values)
        if result is None and graph is None:
            raise ApiError(
                400, "invalid-parameter",
                f"format: {', '.join(repr(v) for v in values)} is no format this endpoint knows "
                "(json, xml, csv, tsv for SELECT/ASK; turtle, ntriples, nquads, trig, jsonld, rdfxml for CONSTRUCT/DESCRIBE)",
                {"parameter": "format"},
            )
        return result, graph
    result_type = choose(accept, list(RESULT_OFFERS))
    graph_type = choose(accept, list(GRAPH_OFFERS))
    return (RESULT_OFFERS[result_type] if result_type else None, GRAPH_OFFERS[graph_type] if graph_type else None)
