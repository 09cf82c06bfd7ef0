"""Check SPARQL from the outside world before anything runs it.

Measured on this project: rdflib and pyoxigraph both evaluate ``SERVICE`` and ``LOAD`` as
outbound HTTP requests, rdflib also fetches ``FROM <url>``, pyoxigraph has no switch to turn
that off, and Python audit hooks do not see its requests (they are made in Rust). So a query a
stranger sends must be refused *before* evaluation whenever it could make the server fetch
anything. A regular expression over the text cannot know what is a keyword and what sits in a
string, an IRI or a comment; this module parses the text with rdflib's SPARQL 1.1 parser and
walks the parse tree instead:

- ``SERVICE`` anywhere (also inside ``EXISTS``, sub-selects, ``OPTIONAL``, updates) → refused;
- ``LOAD`` in an update → refused;
- ``FROM`` / ``FROM NAMED`` / ``USING`` / ``USING NAMED`` are returned to the caller, who must
  accept only graphs its store holds (`check_dataset`): the store never fetches them, but a
  reader may expect it to, and the answer should say so rather than come back empty.

Nothing is evaluated here and no term of the text is ever pasted elsewhere: the caller runs
the very text that was checked.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urljoin

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

__all__ = [
    "CheckedQuery",
    "CheckedUpdate",
    "QueryForm",
    "RefusedSparql",
    "SparqlSyntaxError",
    "check_dataset",
    "check_query",
    "check_update",
]

QueryForm = Literal["select", "ask", "construct", "describe"]

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}

RefusalReason = Literal["service", "load", "update-as-query", "query-as-update", "unknown-graph"]


class SparqlSyntaxError(ValueError):
    """The text is not SPARQL 1.1; ``line`` / ``column`` (1-based) locate the parser's complaint."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None, context: str | None = None) -> None:
        where = f" (line {line}, column {column})" if line is not None and column is not None else ""
        super().__init__(message + where)
        self.reason = message
        self.line = line
        self.column = column
        self.context = context


class RefusedSparql(ValueError):
    """Valid SPARQL that this server will not run, and why (``reason``; ``iri`` when one is at fault)."""

    def __init__(self, reason: RefusalReason, message: str, *, iri: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.iri = iri


@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A query that passed the guard: its form and the dataset its text asks for."""

    form: QueryForm
    from_graphs: tuple[str, ...]  # FROM <g>: the default graph is their merge
    from_named_graphs: tuple[str, ...]  # FROM NAMED <g>

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


@dataclass(frozen=True, slots=True)
class CheckedUpdate:
    """An update that passed the guard, with the graphs its ``USING`` clauses read."""

    using_graphs: tuple[str, ...]


def _walk(node: object) -> Iterator[CompValue]:
    """Every parse-tree node below ``node`` (rdflib's CompValue is a dict; ParseResults are lists)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def _field(node: CompValue, key: str) -> object | None:
    # CompValue.get(key) returns the key itself when it is missing; read the dict instead.
    return dict.get(node, key)


def _syntax_error(exc: Exception) -> SparqlSyntaxError:
    if isinstance(exc, ParseBaseException):
        return SparqlSyntaxError(str(exc.msg), line=exc.lineno, column=exc.col, context=exc.line)
    # rdflib raises plain exceptions for some well-formed-looking errors (an undeclared prefix…)
    return SparqlSyntaxError(str(exc) or type(exc).__name__)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class _Prologue:
    """BASE and PREFIX declarations, to turn ``ex:g`` and ``<g>`` into the IRIs Oxigraph sees
    (rdflib's parser leaves both as written; its algebra step resolves them)."""

    def __init__(self, declarations: object) -> None:
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        for node in _in_order(declarations):
            if node.name == "Base":
                self.base = self._absolute(str(_field(node, "iri")))
            elif node.name == "PrefixDecl":
                self.prefixes[str(_field(node, "prefix") or "")] = self._absolute(str(_field(node, "iri")))

    def _absolute(self, iri: str) -> str:
        return iri if self.base is None or _ABSOLUTE.match(iri) else urljoin(self.base, iri)

    def iri(self, term: object) -> str | None:
        if isinstance(term, URIRef):
            return self._absolute(str(term))
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = str(_field(term, "prefix") or "")
            if prefix not in self.prefixes:
                raise SparqlSyntaxError(f"the prefix {prefix}: is not declared")
            return self.prefixes[prefix] + str(_field(term, "localname") or "")
        return None


def _in_order(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
    elif isinstance(node, (list, tuple, ParseResults)):
        for item in node:
            yield from _in_order(item)


def _refuse_fetching(tree: object, prologue: _Prologue) -> None:
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            target = _field(node, "term")
            iri = prologue.iri(target)
            shown = f"<{iri}>" if iri is not None else f"?{target}" if target is not None else ""
            raise RefusedSparql(
                "service",
                f"SERVICE {shown} is refused: this endpoint never sends requests to other servers "
                "(federated queries would let a query make the server fetch any URL). "
                "Query the other endpoint yourself and combine the results.",
                iri=iri,
            )
        if node.name == "Load":
            source = prologue.iri(_field(node, "iri"))
            raise RefusedSparql(
                "load",
                f"LOAD <{source}> is refused: this server never fetches documents from URLs. "
                "Send the data with an INSERT DATA update, or load documents with POST /api/documents.",
                iri=source,
            )


def _iris(nodes: list[CompValue], key: str, prologue: _Prologue) -> tuple[str, ...]:
    found: list[str] = []
    for node in nodes:
        value = prologue.iri(_field(node, key))
        if value is not None and value not in found:
            found.append(value)
    return tuple(found)


@lru_cache(maxsize=512)
def check_query(text: str) -> CheckedQuery:
    """Parse a SPARQL 1.1 query and refuse what would make the server fetch anything.

    Raises ``SparqlSyntaxError`` (with the parser's message and position) or ``RefusedSparql``.
    The outcome depends on the text alone, so it is cached (a dashboard repeats its queries).
    """
    try:
        tree = parseQuery(text)
    except Exception as exc:  # noqa: BLE001 — every parser failure is the client's syntax error
        error = _syntax_error(exc)
        if _is_update(text):
            raise RefusedSparql(
                "update-as-query", "this is a SPARQL Update, not a query: send it to the update endpoint (/sparql/update)"
            ) from None
        raise error from None
    prologue = _Prologue(tree[0])
    _refuse_fetching(tree, prologue)
    body = tree[1]
    form = _FORMS.get(getattr(body, "name", ""))
    if form is None:  # pragma: no cover — the grammar only produces the four forms
        raise SparqlSyntaxError(f"unsupported query form {getattr(body, 'name', body)!r}")
    clauses = [c for c in (_field(body, "datasetClause") or []) if isinstance(c, CompValue)]
    return CheckedQuery(
        form=form,
        from_graphs=_iris(clauses, "default", prologue),
        from_named_graphs=_iris(clauses, "named", prologue),
    )


def _is_update(text: str) -> bool:
    """Whether the text is an update with at least one operation (an empty text parses as one)."""
    try:
        tree = parseUpdate(text)
    except Exception:  # noqa: BLE001
        return False
    return bool(_field(tree, "request"))


def check_update(text: str) -> CheckedUpdate:
    """Parse a SPARQL 1.1 Update and refuse ``LOAD`` and ``SERVICE`` (see ``check_query``)."""
    try:
        tree = parseUpdate(text)
    except Exception as exc:  # noqa: BLE001
        error = _syntax_error(exc)
        try:
            parseQuery(text)
        except Exception:  # noqa: BLE001
            raise error from None
        raise RefusedSparql("query-as-update", "this is a SPARQL query, not an update: send it to the query endpoint (/sparql)") from None
    prologue = _Prologue(_field(tree, "prologue"))
    _refuse_fetching(tree, prologue)
    using = [node for node in _walk(tree) if node.name == "UsingClause"]
    return CheckedUpdate(using_graphs=tuple(sorted(set(_iris(using, "default", prologue)) | set(_iris(using, "named", prologue)))))


def check_dataset(graphs: Collection[str], available: Collection[str], *, clause: str) -> None:
    """Refuse a dataset that names a graph the store does not hold (``clause`` names where it
    came from in the message: ``FROM``, ``default-graph-uri`` …). The store would never fetch
    it, but the person asking may expect that, so say so instead of answering with nothing."""
    for graph in graphs:
        if graph not in available:
            raise RefusedSparql(
                "unknown-graph",
                f"{clause} <{graph}> names no graph of this store; this endpoint never fetches "
                "remote data. The graphs it holds are listed by SELECT DISTINCT ?g { GRAPH ?g {} }.",
                iri=graph,
            )
