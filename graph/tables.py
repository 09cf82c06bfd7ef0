"""SELECT results as tables of plain Python values, a page at a time.

The REST resources and the named-query endpoints return JSON and CSV, so they want JSON-ready
values (int, float, bool, str, None), not RDF terms, and they want a page plus the total. On
the embedded store the solutions are read straight from pyoxigraph: every solution is counted
but only the page is converted, which keeps a page of a large result cheap (converting a term
to rdflib costs microseconds, times columns, times rows). Other stores go through
``Store.query`` and are sliced afterwards.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Node, URIRef

from policykg.graph.store import InvalidQuery, QueryResult, Store, bind_with_values, check_bindings, to_ox

__all__ = ["Binding", "Table", "Value", "pyoxigraph_handle", "python_value", "select_table", "text_value", "values_of"]

Value = int | float | bool | str | None
Binding = Literal["auto", "values"]

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = frozenset(
    _XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)
_DECIMAL = _XSD + "decimal"
_FLOATS = frozenset({_XSD + "double", _XSD + "float"})
_BOOLEAN = _XSD + "boolean"


@dataclass(frozen=True, slots=True)
class Table:
    """One page of a SELECT result: ``rows`` hold ``columns`` in order; ``total`` counts every
    solution of the query, before ``offset`` and ``limit``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    total: int
    offset: int = 0
    limit: int | None = None

    def records(self) -> list[dict[str, Value]]:
        """The rows as dicts keyed by column (column order kept)."""
        return [dict(zip(self.columns, row)) for row in self.rows]


def pyoxigraph_handle(store: Store) -> ox.Store | None:
    """The pyoxigraph store behind an embedded ``Store``, or None for other backends.

    The SPARQL endpoint and the tables need what the ``Store`` interface does not offer —
    reading solutions lazily (a row cap that stops the work, counting without converting), a
    protocol dataset (default-graph-uri / named-graph-uri) — and only pyoxigraph has them.
    """
    from policykg.graph.oxigraph_store import OxigraphStore

    if not isinstance(store, OxigraphStore):
        return None
    return store.pyoxigraph  # raises StoreError when closed


def _literal_value(lexical: str, datatype: str | None) -> Value:
    if datatype is None:
        return lexical
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype == _DECIMAL:
            number = Decimal(lexical)
            # as the record's JSON does (loaders.record.to_json_dict): 100.0 → 100, 2.5 → 2.5
            return int(number) if number == number.to_integral_value() else float(number)
        if datatype in _FLOATS:
            number = float(lexical)
            return number if math.isfinite(number) else lexical  # JSON has no NaN / INF
        if datatype == _BOOLEAN:
            return lexical in ("true", "1")
    except (ValueError, InvalidOperation):
        return lexical  # an ill-typed literal stays text
    return lexical  # dates, strings, language-tagged text: their lexical form


def python_value(term: object) -> Value:
    """A pyoxigraph or rdflib term as a JSON-ready value: IRIs as strings, blank nodes as
    ``_:label``, numbers and booleans as such, everything else (text, dates) as its lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.language is None else None
        return _literal_value(term.value, datatype)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype is not None and not term.language else None
        return _literal_value(str(term), datatype)
    return str(term)


def values_of(variable: str, iris: Iterable[str]) -> str:
    """``VALUES ?variable { <a> <b> … }`` for IRIs a query returned (the page of a listing whose
    details a second query fetches). Oxigraph validates and writes each IRI, so whatever the
    strings hold, they can only ever be IRIs in the query."""
    if not _VARIABLE.fullmatch(variable):
        raise ValueError(f"not a SPARQL variable name: {variable!r}")
    return f"VALUES ?{variable} {{ " + " ".join(str(ox.NamedNode(iri)) for iri in iris) + " }"


def text_value(value: Value) -> str:
    """A table value as CSV text: booleans as true/false, absent as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def select_table(
    store: Store,
    sparql: str,
    *,
    bindings: Mapping[str, Node] | None = None,
    offset: int = 0,
    limit: int | None = None,
    binding: Binding = "auto",
) -> Table:
    """Run a SELECT (``bindings`` pre-bind variables to typed terms, as ``Store.query`` does) and
    return the page ``[offset, offset + limit)`` with the total number of solutions. Columns
    named ``_…`` are parameters (graph/named_queries.py) and are left out.

    ``binding="auto"`` binds as ``OxigraphStore.query`` does: pyoxigraph substitutions for
    projected variables, else a VALUES block; ``"values"`` always uses the VALUES block — Oxigraph
    plans some queries far better from one than from the other (graph/resources.py measures)."""
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit must not be negative")
    bound = check_bindings(bindings)
    handle = pyoxigraph_handle(store)
    if handle is None:
        result = store.query(sparql, bindings=bound)
        if result.kind != "select":
            raise ValueError("select_table runs SELECT queries only")
        return _table_of(result, offset=offset, limit=limit)
    # As OxigraphStore.query binds: pyoxigraph substitutes projected variables (as constants,
    # from which it plans); a query that does not project them gets a VALUES block at the start
    # of its outermost WHERE group instead.
    substitutions = {ox.Variable(name): to_ox(value) for name, value in bound.items()} if binding == "auto" else {}
    if binding == "values" and bound:
        sparql = bind_with_values(sparql, bound)
    try:
        try:
            solutions = handle.query(sparql, use_default_graph_as_union=True, substitutions=substitutions or None)
        except RuntimeError as exc:
            if not substitutions or "projection" not in str(exc):
                raise
            solutions = handle.query(bind_with_values(sparql, bound), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InvalidQuery(str(exc)) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise ValueError("select_table runs SELECT queries only")
    columns = tuple(name for name in (variable.value for variable in solutions.variables) if not name.startswith("_"))
    rows, total = _page(solutions, columns, offset, limit)
    return Table(columns, rows, total, offset, limit)


def _table_of(result: QueryResult, *, offset: int = 0, limit: int | None = None) -> Table:
    """A ``QueryResult`` of a SELECT (another store than the embedded one) as a page of plain values."""
    columns = tuple(name for name in result.variables if not name.startswith("_"))
    window = result.rows[offset : None if limit is None else offset + limit]
    rows = tuple(tuple(python_value(row.get(name)) for name in columns) for row in window)
    return Table(columns, rows, len(result.rows), offset, limit)


def _page(solutions: Iterator[ox.QuerySolution], columns: tuple[str, ...], offset: int, limit: int | None) -> tuple[tuple[tuple[Value, ...], ...], int]:
    end = None if limit is None else offset + limit
    rows: list[tuple[Value, ...]] = []
    total = 0
    for solution in solutions:
        if total >= offset and (end is None or total < end):
            rows.append(tuple(python_value(solution[name]) for name in columns))
        total += 1
    return tuple(rows), total
