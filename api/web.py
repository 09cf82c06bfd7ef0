"""The web page: ``/`` and its files under ``/static/``, plus two small JSON answers it needs.

The page (api/static/) is plain HTML, CSS and JavaScript modules written for this project: no
framework, nothing fetched from another origin, so it works offline. It only reads — through
the same endpoints any client uses (/sparql, /api/…, /api/export/…) — and puts every value
into the page as text (``textContent``), never as markup. The Content-Security-Policy below
holds it to that: scripts and styles from this origin only, no inline script, no ``eval``.

``/`` answers the page to browsers and the service index (JSON) to clients that prefer JSON.
Static files are an allow-list read once at import (whatever is in api/static/), so no request
path ever reaches the file system.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from policykg import __version__
from policykg.api.errors import ApiError
from policykg.api.negotiation import choose
from policykg.api.responses import json_response
from policykg.api.web_data import example_queries
from policykg.api.worker import ResourceCall

__all__ = ["CONTENT_SECURITY_POLICY", "STATIC", "router"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


def _read_static() -> dict[str, StaticFile]:
    files: dict[str, StaticFile] = {}
    for path in sorted(STATIC_DIR.iterdir()) if STATIC_DIR.is_dir() else ():
        if path.is_file() and path.suffix in _MEDIA_TYPES:
            body = path.read_bytes()
            files[path.name] = StaticFile(body, _MEDIA_TYPES[path.suffix], '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return files


STATIC = _read_static()

router = APIRouter(include_in_schema=False)


def _static_response(request: Request, name: str) -> Response:
    found = STATIC.get(name)
    if found is None:
        raise ApiError(404, "not-found", f"no such file: /static/{name}", {"kind": "static", "key": name})
    headers = {
        "ETag": found.etag,
        # Revalidate every time (a 304 is cheap): a new version of the page is never mixed
        # with cached scripts of the old one.
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Referrer-Policy": "no-referrer",
    }
    if found.etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def service_index() -> dict[str, str]:
    return {"name": "policykg", "version": __version__, "web": "/", "docs": "/docs", "openapi": "/openapi.json",
            "sparql": "/sparql", "graph_store": "/rdf-graphs/service", "queries": "/api/queries", "exports": "/api/export",
            "health": "/health"}


@router.get("/")
async def page(request: Request) -> Response:
    if choose(request.headers.get("accept"), ["text/html", "application/json"]) == "application/json":
        return json_response(service_index())
    return _static_response(request, "index.html")


@router.get("/static/{name}")
async def static_file(request: Request, name: str) -> Response:
    return _static_response(request, name)


@router.get("/web/examples")
async def examples(request: Request) -> Response:
    """The named queries as runnable SPARQL, for the page's editor."""
    return json_response({"examples": example_queries()})


@router.get("/web/agency-names")
async def agency_names(request: Request, document: str = Query(description="Document id, IRI or 文号")) -> Response:
    """How each measure of a document prints its responsible agencies (for highlighting)."""
    unknown = sorted(set(request.query_params) - {"document"})
    if unknown:
        raise ApiError(400, "invalid-parameter", f"unknown parameter {unknown[0]!r} (parameters: document)", {"parameter": unknown[0]})
    return json_response(await request.app.state.pool.run(ResourceCall("printed_agency_names", (document,))))
