"""Building answers: JSON and CSV bodies, pages with links, the token check."""

from __future__ import annotations

import csv
import hmac
import io
import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from policykg.api.errors import ApiError
from policykg.api.negotiation import choose
from policykg.graph.resources import Listing, Resource
from policykg.graph.tables import Table, Value, text_value

__all__ = [
    "CSV_SCOPE_KEY",
    "example",
    "csv_response",
    "json_response",
    "listing_response",
    "page_bounds",
    "require_token",
    "resource_response",
    "table_response",
    "wants_csv",
]

#: Set by the middleware that strips a ``.csv`` suffix from the path (api/app.py).
CSV_SCOPE_KEY = "policykg.csv"


def example(value: Any) -> dict[str, Any]:
    """Keyword arguments that show ``value`` as the example of a parameter in /docs: at the
    parameter (OpenAPI, what Swagger UI pre-fills) and in its JSON schema."""
    return {"examples": [value], "openapi_examples": {"example": {"summary": "example", "value": value}}}


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def csv_response(columns: Sequence[str], rows: Sequence[Sequence[Value]], *, headers: dict[str, str] | None = None) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([text_value(v) for v in row] for row in rows)
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


def wants_csv(request: Request) -> bool:
    """CSV when the path ended in ``.csv`` or ``Accept`` prefers ``text/csv`` to JSON."""
    if request.scope.get(CSV_SCOPE_KEY):
        return True
    accept = request.headers.get("accept")
    return accept is not None and choose(accept, ["application/json", "text/csv"]) == "text/csv"


def page_bounds(request: Request, limit: int, offset: int) -> tuple[int, int]:
    """Validated ``limit`` (1 … max_rows) and ``offset`` (≥ 0)."""
    most = request.app.state.settings.max_rows
    if not 1 <= limit <= most:
        raise ApiError(400, "invalid-parameter", f"limit: {limit} is not between 1 and {most}", {"parameter": "limit"})
    if offset < 0:
        raise ApiError(400, "invalid-parameter", f"offset: {offset} is negative", {"parameter": "offset"})
    return limit, offset


def _next_link(request: Request, total: int, offset: int, limit: int) -> str | None:
    if offset + limit >= total:
        return None
    return str(request.url.include_query_params(offset=offset + limit, limit=limit))


def listing_response(request: Request, listing: Listing) -> Response:
    """A page: ``{"total", "offset", "limit", "next", "items"}`` or CSV of the page (the totals
    in ``Policykg-Total`` / ``Link: rel=next``)."""
    following = _next_link(request, listing.total, listing.offset, listing.limit)
    if wants_csv(request):
        headers = {"Policykg-Total": str(listing.total)}
        if following:
            headers["Link"] = f'<{following}>; rel="next"'
        return csv_response(listing.table.columns, listing.table.rows, headers=headers)
    return json_response({"total": listing.total, "offset": listing.offset, "limit": listing.limit, "next": following, "items": listing.items})


def resource_response(request: Request, resource: Resource) -> Response:
    if wants_csv(request):
        return csv_response(resource.table.columns, resource.table.rows)
    return json_response(resource.data)


def table_response(request: Request, table: Table, *, extra: dict[str, Any]) -> Response:
    """A named query's page: records in JSON, or the plain table in CSV."""
    following = _next_link(request, table.total, table.offset, table.limit or 0)
    if wants_csv(request):
        headers = {"Policykg-Total": str(table.total)}
        if following:
            headers["Link"] = f'<{following}>; rel="next"'
        return csv_response(table.columns, table.rows, headers=headers)
    return json_response({**extra, "columns": list(table.columns), "total": table.total, "offset": table.offset,
                          "limit": table.limit, "next": following, "items": table.records()})


def require_token(request: Request) -> None:
    """Writes need ``Authorization: Bearer <POLICYKG_TOKEN>``; without a configured token the
    server is read-only and refuses every write (403)."""
    token = request.app.state.settings.token
    if token is None:
        raise ApiError(403, "writes-disabled",
                       "this server is read-only: writes are enabled only when the operator sets POLICYKG_TOKEN")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    challenge = 'Bearer realm="policykg"'
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "unauthorized", "this request needs the header Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": challenge})
    if not hmac.compare_digest(value.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(401, "unauthorized", "the bearer token is not valid",
                       headers={"WWW-Authenticate": challenge + ', error="invalid_token"'})

