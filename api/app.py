"""The FastAPI application: ``create_app(settings)`` (docs/api.md).

Layers, outermost first: the guard (request id, structured access log, size limit, a JSON 500
for anything unexpected — no stack trace ever reaches a client), CORS, gzip, the ``.csv``
suffix, then the routes. Every store access goes through the worker pool (api/pool.py).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policykg import __version__
from policykg.api import export_route, rest, sparql, web
from policykg.api import queries as named_routes
from policykg.api.errors import ApiError, error_response
from policykg.api.pool import WorkerPool
from policykg.api.responses import CSV_SCOPE_KEY, json_response
from policykg.api.settings import Settings
from policykg.graph.named_queries import load_named_queries

__all__ = ["create_app"]

access_log = logging.getLogger("policykg.access")
log = logging.getLogger("policykg.api")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

DESCRIPTION = """\
A knowledge graph of Chinese health-reform policy documents.

* **SPARQL 1.1 Protocol** at `/sparql` (GET, POST form, POST `application/sparql-query`) with
  content negotiation; SPARQL Update at `/sparql/update` with a bearer token;
  **Graph Store Protocol** (read) at `/rdf-graphs/service`.
* **REST resources** under `/api/…`: JSON by default, CSV with a `.csv` suffix or
  `Accept: text/csv`; lists are paginated (`limit`, `offset`, `total`, `next`); labels in
  Chinese and English.
* **Named queries** under `/api/queries/…`, parameters validated and bound as typed RDF terms.
* **Exports** under `/api/export/{view}.{format}`: networks (GraphML, GEXF, Cytoscape, D3, Pajek,
  DOT, CSV, SVG) and research tables (CSV, SVG).
* **A web page** at `/`: SPARQL editor, adoption heatmap and timeline, comparison, documents with
  highlighted evidence, network views.

Safe by default: read-only unless the server has a token; every query runs in a separate
process under a time limit and a row limit; a query can never make the server fetch anything
(SERVICE, LOAD and remote FROM are refused). Errors always look like
`{"error": {"status", "code", "message", "detail"}}`.
"""


class _TooLarge(Exception):
    pass


class Guard:
    """Request id, size limit, structured access log, and the last line of defence: any
    exception that got this far is logged with its traceback and answered with a JSON 500."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, log_access: bool) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.log_access = log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        outcome: dict[str, Any] = {"status": None, "bytes": 0}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_request_bytes:
                    raise _TooLarge
            return message

        try:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_request_bytes:
                raise _TooLarge
            await self.app(scope, receive_limited, send_logged)
        except _TooLarge:
            if outcome["status"] is None:
                error = ApiError(413, "payload-too-large", f"the request body is larger than {self.max_request_bytes} bytes",
                                 {"limit_bytes": self.max_request_bytes})
                await error_response(error)(scope, receive, send_logged)
        except Exception:  # noqa: BLE001 — never a traceback to the client
            log.exception("unhandled error in %s %s (request %s)", scope.get("method"), scope.get("path"), request_id)
            if outcome["status"] is None:
                error = ApiError(500, "internal-error", "the server failed to answer; quote the request id to its operator",
                                 {"request_id": request_id})
                await error_response(error)(scope, receive, send_logged)
        finally:
            if self.log_access:
                query = scope.get("query_string", b"").decode("latin-1")
                access_log.info(json.dumps({
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "request_id": request_id,
                    "client": (scope.get("client") or ("", 0))[0],
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "query": query[:300] + ("…" if len(query) > 300 else ""),
                    "status": outcome["status"],
                    "bytes": outcome["bytes"],
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_agent": headers.get("user-agent", "")[:200],
                }, ensure_ascii=False))


class CsvSuffix:
    """``/api/measures.csv`` → ``/api/measures`` answered as CSV (docs/api.md). Not under
    ``/api/export/``, where the suffix is the export's format (``matrix.csv`` vs ``matrix.svg``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] == "http" and path.startswith("/api/") and not path.startswith(export_route.PREFIX + "/")
                and path.endswith(".csv") and len(path) > len("/api/.csv")):
            scope = dict(scope)
            scope["path"] = path[: -len(".csv")]
            raw = scope.get("raw_path")
            if isinstance(raw, bytes) and raw.endswith(b".csv"):
                scope["raw_path"] = raw[: -len(".csv")]
            scope[CSV_SCOPE_KEY] = True
        await self.app(scope, receive, send)


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    codes = {404: "not-found", 405: "method-not-allowed", 400: "bad-request", 413: "payload-too-large"}
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such resource: {request.url.path} (see /docs)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}" + (
            f" (allowed: {exc.headers.get('Allow')})" if exc.headers and exc.headers.get("Allow") else "")
    return error_response(ApiError(exc.status_code, codes.get(exc.status_code, "http-error"), message, headers=dict(exc.headers or {})))


def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body")]
    name = location[-1] if location else "request"
    if first.get("type") == "missing":
        message = f"parameter {name!r} is required"
    else:
        message = f"{name}: {first.get('msg', 'invalid value')}"
    return error_response(ApiError(400, "invalid-parameter", message, {"parameter": name}))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP service for ``settings`` (default: ``Settings.from_env()``). The worker pool
    starts with the application (its lifespan) and stops with it."""
    settings = settings or Settings.from_env()
    queries = load_named_queries()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scratch: str | None = None
        location = settings.store
        if location == ":memory:":
            # The query processes must open the store themselves, so "in memory" is a
            # throw-away directory, removed at shutdown.
            scratch = tempfile.mkdtemp(prefix="policykg-serve-")
            location = str(Path(scratch) / "store")
        pool = WorkerPool(store_path=str(Path(location).expanduser()), size=settings.workers,
                          query_timeout=settings.query_timeout, write_timeout=settings.write_timeout,
                          log_level=settings.log_level, result_cache=settings.result_cache)
        try:
            await pool.start()
            app.state.pool = pool
            yield
        finally:
            await pool.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    app = FastAPI(
        title="policykg",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "SPARQL 1.1 Protocol", "description": "Standard SPARQL endpoint for SPARQL clients."},
            {"name": "Graph Store Protocol", "description": "Read graphs as RDF."},
            {"name": "Jurisdictions"}, {"name": "Documents"}, {"name": "Measures"}, {"name": "Instruments"},
            {"name": "Targets"}, {"name": "Agencies"}, {"name": "Comparison"},
            {"name": "Exports", "description": "Networks and research tables as files (GraphML, GEXF, CSV, SVG…)."},
            {"name": "Named queries", "description": "The comparison queries of queries/*.rq."},
            {"name": "Service"},
        ],
    )
    app.state.settings = settings
    app.add_exception_handler(ApiError, lambda request, exc: error_response(exc))  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]

    app.include_router(sparql.router)
    app.include_router(named_routes.build_router(queries))
    app.include_router(rest.router)
    app.include_router(export_route.build_router())
    app.include_router(web.router)  # the web page at / (api/static/)

    @app.get("/health", tags=["Service"], summary="Liveness and worker status")
    async def health(request: Request) -> Response:
        pool: WorkerPool = request.app.state.pool
        status = pool.status()
        healthy = status["running"] > 0
        return json_response({
            "status": "ok" if healthy else "degraded",
            "version": __version__,
            "dataset_version": pool.version,
            "workers": status,
            "limits": {"query_seconds": settings.query_timeout, "rows": settings.max_rows,
                       "graph_triples": settings.max_graph_triples, "request_bytes": settings.max_request_bytes},
            "writes": "enabled" if settings.writes_enabled else "disabled",
        }, status=200 if healthy else 503)

    # Added innermost first: the last one added runs first.
    app.add_middleware(CsvSuffix)
    # zlib's default level: half the CPU of Starlette's 9 (33 → 17 ms for a 2.7 MB answer), 5% larger
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-Id"],
            expose_headers=["X-Request-Id", "Policykg-Truncated", "Policykg-Total", "Link", "Location", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(Guard, max_request_bytes=settings.max_request_bytes, log_access=settings.access_log)
    return app
