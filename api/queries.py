"""Named queries (`queries/*.rq`) as endpoints, one route each so that OpenAPI documents them.

``GET /api/queries`` lists them with their parameters; ``GET /api/queries/{name}?…`` runs one.
Parameters are checked against the ``#+`` declarations and bound as typed RDF terms by
``policykg.graph.named_queries.bind_params`` in the query process — the only validation, so
the HTTP layer declares every parameter as text and documents its type, allowed values and
default. A list parameter takes ``a,b`` or the parameter repeated.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from policykg.api.errors import ApiError
from policykg.api.responses import example as example_of
from policykg.api.responses import json_response, page_bounds, table_response
from policykg.api.worker import NamedQueryRun
from policykg.graph.named_queries import NamedQuery, Param

__all__ = ["RESERVED", "build_router", "describe"]

#: Query-string names the endpoints use themselves; no named query may declare them.
RESERVED = frozenset({"limit", "offset"})

PREFIX = "/api/queries"


def _param_info(param: Param) -> dict[str, Any]:
    return {
        "name": param.name,
        "type": param.type,
        "required": param.required,
        "default": param.default,
        "allowed": list(param.allowed) if param.allowed is not None else None,
        "minimum": param.minimum,
        "maximum": param.maximum,
        "list": None if param.list_range is None else {"min": param.list_range[0], "max": param.list_range[1]},
        "description": param.description,
    }


def describe(query: NamedQuery) -> dict[str, Any]:
    """What ``GET /api/queries`` says about one query."""
    example = query.example_params()
    return {
        "name": query.name,
        "summary": query.summary,
        "href": f"{PREFIX}/{query.name}",
        "example": f"{PREFIX}/{query.name}" + (f"?{urlencode(example)}" if example else ""),
        "parameters": [_param_info(p) for p in query.params],
    }


_TYPE_EXAMPLES = {
    "instrument-id": "drg-payment", "iri-of-instrument": "drg-payment", "adcode": "330000", "iri-of-jurisdiction": "330000",
    "indicator-id": "drug-share", "iri-of-indicator": "drug-share", "function-id": "health", "integer": "2017",
    "date": "2017-06-21", "stage": "pilot", "level": "province", "string": "医保",
}


def _example(param: Param, example: dict[str, str]) -> str:
    """An example value for the documentation: the header's example, else the default, an
    allowed value or a value of the type."""
    if param.name in example:
        return example[param.name]
    if param.default is not None:
        return param.default
    if param.allowed:
        return param.allowed[0]
    value = _TYPE_EXAMPLES.get(param.type, "")
    if param.type == "integer" and param.minimum is not None and param.maximum is not None and not param.minimum <= int(value) <= param.maximum:
        value = str(param.minimum)
    if param.list_range is not None:
        value = ",".join([value, "320000" if param.type == "adcode" else value][: max(1, param.list_range[0])])
    return value


def _param_doc(param: Param) -> str:
    parts = [param.description or param.name, f"Type: {param.type}."]
    if param.allowed is not None:
        parts.append("One of: " + ", ".join(param.allowed) + ".")
    if param.list_range is not None:
        parts.append(f"{param.list_range[0]} to {param.list_range[1]} values, comma-separated.")
    if param.minimum is not None or param.maximum is not None:
        parts.append(f"Range: {param.minimum if param.minimum is not None else '…'} to {param.maximum if param.maximum is not None else '…'}.")
    if param.default is not None:
        parts.append(f"Default: {param.default}.")
    return " ".join(parts)


def _raw_params(request: Request, query: NamedQuery) -> dict[str, str]:
    """The query string minus paging; a repeated list parameter is joined with commas."""
    raw: dict[str, str] = {}
    declared = {p.name: p for p in query.params}
    for name in request.query_params:
        if name in RESERVED:
            continue
        values = request.query_params.getlist(name)
        param = declared.get(name)
        if len(values) > 1:
            if param is None or param.list_range is None:
                raise ApiError(400, "invalid-parameter", f"parameter {name!r} is given {len(values)} times", {"parameter": name})
            raw[name] = ",".join(values)
        else:
            raw[name] = values[0]
    return raw


def _endpoint(query: NamedQuery) -> Callable[..., Coroutine[Any, Any, Response]]:
    async def run_named_query(request: Request, **_: Any) -> Response:
        limit, offset = page_bounds(request, *_paging(request))
        raw = _raw_params(request, query)
        table = await request.app.state.pool.run(NamedQueryRun(query.name, tuple(sorted(raw.items())), offset, limit))
        return table_response(request, table, extra={"query": query.name, "parameters": raw})

    # FastAPI reads the signature to document the parameters (and checks required ones).
    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    sample = query.example_params()
    for index, param in enumerate(query.params):
        options: dict[str, Any] = {"alias": param.name, "description": _param_doc(param), **example_of(_example(param, sample))}
        if param.allowed is not None:
            options["json_schema_extra"] = {"enum": list(param.allowed)}
        default = Query(..., **options) if param.required else Query(param.default, **options)
        parameters.append(inspect.Parameter(f"p{index}", inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=str if param.required else str | None))
    parameters.append(inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                                        default=Query(100, ge=1, description="Page size (at most the row limit)", **example_of(100))))
    parameters.append(inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                                        default=Query(0, ge=0, description="Rows to skip", **example_of(0))))
    run_named_query.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run_named_query.__name__ = f"query_{query.name.replace('-', '_')}"
    return run_named_query


def _paging(request: Request) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        text = request.query_params.get(name)
        if text is None:
            return default
        try:
            return int(text)
        except ValueError:
            raise ApiError(400, "invalid-parameter", f"{name}: {text!r} is not an integer", {"parameter": name}) from None

    return number("limit", 100), number("offset", 0)


def build_router(queries: dict[str, NamedQuery]) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["Named queries"])
    for name, query in queries.items():
        clash = RESERVED & {p.name for p in query.params}
        if clash:
            raise ValueError(f"queries/{name}.rq: parameter names {sorted(clash)} are reserved by the HTTP API")

    @router.get("", summary="List the named queries",
                description="Every named query with its summary, its parameters (type, default, allowed values) and an example link.")
    async def list_queries(request: Request) -> Response:
        return json_response({"queries": [describe(queries[name]) for name in sorted(queries)]})

    for name in sorted(queries):
        query = queries[name]
        example = describe(query)["example"]
        router.add_api_route(
            f"/{name}",
            _endpoint(query),
            methods=["GET"],
            summary=name,
            description=f"{query.summary}\n\nExample: [{example}]({example}). JSON rows, or CSV with `.csv` or `Accept: text/csv`.",
            name=f"query-{name}",
        )

    @router.get("/{name}", include_in_schema=False)
    async def unknown_query(request: Request, name: str = Path()) -> Response:
        raise ApiError(404, "not-found", f"no named query {name!r} (see {PREFIX})", {"kind": "query", "key": name})

    return router
