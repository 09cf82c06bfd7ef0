"""Exports over HTTP: ``GET /api/export/{view}.{format}?param=…`` (docs/exports.md).

The view and format name the resource, so an unknown one is 404; the query string is handed to
``policykg.graph.exports.export_view`` as ``params`` — that module is the one place that knows
which view takes which parameter. It is checked here first (``parse_options`` is pure), so a
misspelt parameter is refused without occupying a query process; the export itself runs in a
query process like every other store access, under the same time limit (api/pool.py), which
builds the whole body there. The answer carries ``Content-Disposition`` with the export's
suggested file name. ``GET /api/export`` lists the views, their formats and parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from policykg.api.errors import ApiError, from_exception
from policykg.api.responses import example as example_of
from policykg.api.responses import json_response
from policykg.api.worker import ExportedFile, ExportRun
from policykg.graph.exports import FORMATS, MEDIA_TYPES, OPTIONS, VIEWS, ExportError, parse_options

__all__ = ["PREFIX", "build_router"]

PREFIX = "/api/export"

#: Parameters that may be repeated instead of comma-separated (as for named queries).
_LIST_PARAMETERS = frozenset(name for name, option in OPTIONS.items() if option.kind == "adcodes")

#: One example value per parameter, for /docs (Swagger UI pre-fills them only when asked to).
_PARAMETER_EXAMPLES: dict[str, str] = {
    "instrument": "drg-payment", "level": "province", "within": "330000", "jurisdictions": "330000,530100",
    "min_stage": "pilot", "limit": "40", "top": "5", "min_jaccard": "0.3", "min_weight": "2", "by": "function",
    "linked": "loaded", "document": "浙政办发〔2017〕54号", "year": "2017", "year_from": "2012", "year_to": "2019",
    "indicator": "drug-share", "value": "first_year", "table": "nodes",
}

EXAMPLES = (
    ("Heatmap of the provinces", "/api/export/matrix.svg?level=province"),
    ("Diffusion timeline of one instrument", "/api/export/timeline.svg?instrument=family-doctor-contracting"),
    ("Adoption network of Zhejiang and what is under it, for Gephi", "/api/export/adoption.gexf?within=330000"),
    ("Similarity network for D3", "/api/export/similarity.d3?limit=40"),
    ("Event-history panel", "/api/export/panel.csv?instrument=drg-payment"),
    ("Agency network by function, node list", "/api/export/agencies.csv?by=function&table=nodes"),
)


def _view_table() -> str:
    lines = ["| view | formats | parameters | what |", "|---|---|---|---|"]
    for spec in VIEWS.values():
        parameters = ", ".join(f"**{p}**" if p in spec.required else p for p in spec.options)
        lines.append(f"| `{spec.name}` | {', '.join(spec.formats)} | {parameters} | {spec.summary} |")
    return "\n".join(lines)


DESCRIPTION = f"""One view of the graph in one format: networks (GraphML, GEXF, Cytoscape.js JSON, D3
node-link JSON, Pajek, DOT, CSV edge or node list, SVG) and research tables (CSV; heatmap and
timeline also SVG). Query parameters filter and bound the view server-side (a parameter a view
does not take is refused: 400 naming it); every file carries the dataset version and its
parameters. Suggested file name in `Content-Disposition`; `Policykg-Truncated: true` when a
limit left something out (the file's metadata says what).

{_view_table()}

Bold parameters are required. Examples:

""" + "\n".join(f"* {title}: [{url}]({url})" for title, url in EXAMPLES)


def _parameter_doc(name: str) -> str:
    option = OPTIONS[name]
    users = [view for view, spec in VIEWS.items() if name in spec.options]
    text = option.description[:1].upper() + option.description[1:] + "."
    if option.choices:
        text += " One of: " + ", ".join(option.choices) + "."
    return text + " Views: " + ", ".join(users) + "."


def _raw_params(request: Request) -> dict[str, str]:
    """The query string as ``export_view`` takes it; a list parameter may be repeated."""
    raw: dict[str, str] = {}
    for name in request.query_params:
        values = request.query_params.getlist(name)
        if len(values) > 1 and name not in _LIST_PARAMETERS:
            raise ApiError(400, "invalid-parameter", f"parameter {name!r} is given {len(values)} times", {"parameter": name})
        raw[name] = ",".join(values)
    return raw


def _check_resource(view: str, format: str) -> None:
    spec = VIEWS.get(view)
    key = f"{view}.{format}"
    if spec is None:
        raise ApiError(404, "not-found", f"no export view {view!r} (views: {', '.join(VIEWS)}; see {PREFIX})",
                       {"kind": "export", "key": key})
    if format not in spec.formats:
        known = "" if format in FORMATS else f"no format {format!r}; "
        raise ApiError(404, "not-found", f"{known}view {view!r} is exported as {', '.join(spec.formats)} (see {PREFIX})",
                       {"kind": "export", "key": key, "formats": list(spec.formats)})


def _content_disposition(filename: str) -> str:
    # The export names its files (policykg-matrix.svg); keep the header plain ASCII whatever it says.
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "policykg-export"
    return f'attachment; filename="{safe}"'


def _endpoint() -> Callable[..., Coroutine[Any, Any, Response]]:
    async def export(request: Request, view: str, format: str, **_: Any) -> Response:
        _check_resource(view, format)
        params = _raw_params(request)
        try:
            parse_options(view, format, params)
        except ExportError as exc:
            raise from_exception(exc) from None  # type: ignore[misc]
        exported: ExportedFile = await request.app.state.pool.run(ExportRun(view, format, tuple(sorted(params.items()))))
        headers = {
            "Content-Disposition": _content_disposition(exported.filename),
            "X-Content-Type-Options": "nosniff",
        }
        if exported.dataset_version.isascii():
            headers["Policykg-Dataset-Version"] = exported.dataset_version
        if exported.notes:
            headers["Policykg-Truncated"] = "true"
        return Response(exported.body, media_type=exported.media_type, headers=headers)

    # FastAPI reads the signature to document the parameters; the values are read from the
    # query string itself (_raw_params), so that repeated and unknown names are seen.
    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("view", inspect.Parameter.KEYWORD_ONLY, annotation=str, default=Path(
            description="The view: " + ", ".join(VIEWS) + f" (see {PREFIX})",
            json_schema_extra={"enum": list(VIEWS)},
            examples=["matrix"],
            openapi_examples={v: {"summary": VIEWS[v].summary, "value": v} for v in ("matrix", "timeline", "adoption", "similarity", "panel")},
        )),
        inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, annotation=str, default=Path(
            description="The format: " + ", ".join(FORMATS) + " (the view's table says which it offers; `d3` is D3 node-link JSON, "
                        "`cytoscape` Cytoscape.js JSON)",
            json_schema_extra={"enum": list(FORMATS)},
            examples=["svg"],
            openapi_examples={f: {"summary": MEDIA_TYPES[f], "value": f} for f in ("svg", "csv", "gexf", "graphml", "d3")},
        )),
    ]
    for name in OPTIONS:
        parameters.append(inspect.Parameter(
            f"option_{name}", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
            default=Query(None, alias=name, description=_parameter_doc(name), **example_of(_PARAMETER_EXAMPLES.get(name, ""))),
        ))
    export.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return export


def describe_views() -> dict[str, Any]:
    """What ``GET /api/export`` answers (no store needed)."""
    views = []
    for spec in VIEWS.values():
        views.append({
            "name": spec.name,
            "summary": spec.summary,
            "formats": list(spec.formats),
            "parameters": list(spec.options),
            "required": list(spec.required),
            "href": f"{PREFIX}/{spec.name}.{{format}}",
        })
    parameters = {
        name: {"description": option.description, "kind": option.kind, "choices": list(option.choices) or None,
               "minimum": option.minimum, "maximum": option.maximum}
        for name, option in OPTIONS.items()
    }
    return {"views": views, "formats": {f: MEDIA_TYPES[f] for f in FORMATS}, "parameters": parameters,
            "examples": [{"title": title, "href": url} for title, url in EXAMPLES]}


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["Exports"])

    @router.get("", summary="Export views, formats and parameters",
                description="Every export view with its formats and parameters, the media type of each format, and example links.")
    async def list_exports(request: Request) -> Response:
        if request.query_params:
            name = next(iter(request.query_params))
            raise ApiError(400, "invalid-parameter", f"unknown parameter {name!r} (parameters: none)", {"parameter": name})
        return json_response(describe_views())

    media_types = sorted({MEDIA_TYPES[f] for f in FORMATS})
    router.add_api_route(
        "/{view}.{format}",
        _endpoint(),
        methods=["GET"],
        summary="Export a view (network or research table)",
        description=DESCRIPTION,
        name="export-view",
        responses={
            200: {"description": "The file (media type by format); `Content-Disposition: attachment; filename=…`",
                  "content": {media_type: {"schema": {"type": "string"}} for media_type in media_types}},
            400: {"description": "A parameter the view does not take, or a bad value (`invalid-parameter`, `detail.parameter`)"},
            404: {"description": "No such view, or a format the view is not offered in (`detail.formats`)"},
            503: {"description": "Stopped at the time limit (`query-timeout`): narrow it with the filters or `limit`"},
        },
    )
    return router
