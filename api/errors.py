"""One error shape for the whole HTTP API, and the mapping from the query layer's exceptions.

Every error answer is ``{"error": {"status", "code", "message", "detail"}}`` with
``Content-Type: application/json`` — SPARQL clients included (they show the message). Stack
traces go to the server log only; a client of a 500 gets the request id to quote.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.responses import Response

from policykg.graph.exports import ExportError
from policykg.graph.named_queries import ParamError
from policykg.graph.resources import ResourceNotFound
from policykg.graph.sparql_guard import RefusedSparql, SparqlSyntaxError
from policykg.graph.sparql_results import GraphNotFound, InvalidGraphName, NotAcceptable, QueryEvaluationError
from policykg.graph.store import InvalidQuery, ReadOnlyStoreError
from policykg.loaders.reading import LoaderError

__all__ = ["ApiError", "error_response", "from_exception"]

log = logging.getLogger("policykg.api")


class ApiError(Exception):
    """An error answer. ``code`` is a stable, lower-case identifier clients may branch on.

    (A plain class, not a frozen dataclass: the interpreter and contextlib set attributes such
    as ``__traceback__`` on exceptions.)"""

    def __init__(self, status: int, code: str, message: str, detail: dict[str, Any] | None = None,
                 *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, message, detail, headers)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail or {}
        self.headers = headers or {}

    def __reduce__(self) -> tuple[Any, ...]:  # sent from the query processes over a pipe
        return (_rebuild, (self.status, self.code, self.message, self.detail, self.headers))

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, Any]:
        return {"error": {"status": self.status, "code": self.code, "message": self.message, "detail": self.detail}}


def _rebuild(status: int, code: str, message: str, detail: dict[str, Any], headers: dict[str, str]) -> ApiError:
    return ApiError(status, code, message, detail, headers=headers)


def error_response(error: ApiError) -> Response:
    return Response(
        json.dumps(error.body(), ensure_ascii=False).encode("utf-8"),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def from_exception(exc: BaseException) -> ApiError | None:
    """The answer for an exception of the query layer, or None if it is a server fault."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, SparqlSyntaxError):
        detail: dict[str, Any] = {}
        if exc.line is not None:
            detail = {"line": exc.line, "column": exc.column}
            if exc.context is not None:
                detail["context"] = exc.context
        return ApiError(400, "malformed-query", f"the query is not valid SPARQL 1.1: {exc}", detail)
    if isinstance(exc, RefusedSparql):
        detail = {"reason": exc.reason}
        if exc.iri is not None:
            detail["iri"] = exc.iri
        return ApiError(400, "refused-query", str(exc), detail)
    if isinstance(exc, NotAcceptable):
        return ApiError(406, "not-acceptable", str(exc), {"offered": list(exc.offered)})
    if isinstance(exc, ParamError):
        return ApiError(400, "invalid-parameter", str(exc), {"parameter": exc.param} if exc.param else {})
    if isinstance(exc, ExportError):
        # An unknown view or format is answered 404 by the route before a query process is
        # asked (api/export_route.py); what reaches here is a parameter, or data that cannot
        # be drawn (a picture with too many nodes names ``limit``).
        if exc.param is not None:
            return ApiError(400, "invalid-parameter", str(exc), {"parameter": exc.param})
        return ApiError(400, "bad-request", str(exc), {k: v for k, v in (("view", exc.view), ("format", exc.format)) if v})
    if isinstance(exc, ResourceNotFound):
        return ApiError(404, "not-found", str(exc), {"kind": exc.kind, "key": exc.key})
    if isinstance(exc, GraphNotFound):
        return ApiError(404, "not-found", str(exc), {"kind": "graph"})
    if isinstance(exc, InvalidGraphName):
        return ApiError(400, "bad-request", f"not a graph of this store: {exc}", {"parameter": "graph"})
    if isinstance(exc, QueryEvaluationError):
        return ApiError(400, "query-failed", str(exc))
    if isinstance(exc, InvalidQuery):
        return ApiError(400, "malformed-query", f"the query or update is not valid: {exc}")
    if isinstance(exc, LoaderError):
        detail = {"reason": exc.reason}
        if exc.position is not None:
            detail["position"] = exc.position
        return ApiError(422, "unreadable-document", f"the document could not be read: {exc.reason}", detail)
    if isinstance(exc, ReadOnlyStoreError):  # pragma: no cover - writes always run on a writable store
        return ApiError(403, "read-only", "the store is read-only")
    return None
