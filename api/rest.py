"""The researcher-friendly side: REST resources over the graph, JSON by default, CSV on request.

Each list is a page (``limit`` / ``offset``, ``total``, a ``next`` link); labels come in Chinese
and English (``{"zh", "en"}``); CSV by a ``.csv`` suffix on the path
(``/api/measures.csv?q=DRG``) or ``Accept: text/csv``. The answers are computed by
``policykg.graph.resources`` in the query processes; this module only speaks HTTP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from policykg.api.errors import ApiError
from policykg.api.responses import example, json_response, listing_response, page_bounds, require_token, resource_response
from policykg.api.worker import DeleteDocument, IngestDocument, ResourceCall
from policykg.graph.ingest import upload_name
from policykg.graph.resources import document_id

router = APIRouter(prefix="/api")

_PAGE = {"limit", "offset"}
_CSV_NOTE = " Add `.csv` to the path (or send `Accept: text/csv`) for CSV."

Limit = Query(100, ge=1, description="Page size (at most the server's row limit, 10,000 by default).", **example(20))
Offset = Query(0, ge=0, description="Items to skip.", **example(0))
Level = Query(None, description="national, province, city or county", **example("province"))
Adcode = Query(None, description="Adcode of a jurisdiction (6 digits)", **example("330000"))
Year = Query(None, description="Year of the document (1949–2100)", **example("2017"))
InstrumentId = Query(None, description="Instrument id (narrower instruments count too), see /api/instruments", **example("drg-payment"))
Stage = Query(None, description="explore < pilot < promote < implement", **example("pilot"))


def _only(request: Request, allowed: set[str]) -> None:
    """A misspelt filter would otherwise be ignored silently and return everything."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise ApiError(400, "invalid-parameter", f"unknown parameter {unknown[0]!r} (parameters: {known})", {"parameter": unknown[0]})


async def _call(request: Request, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """Run ``policykg.graph.resources.<name>`` in a query process (keyword arguments pass
    through, ``function=`` included — hence the positional-only ``name``)."""
    return await request.app.state.pool.run(ResourceCall(name, args, tuple(kwargs.items())))


@router.get("/jurisdictions", tags=["Jurisdictions"], summary="Jurisdictions with documents",
            description="Every jurisdiction with at least one loaded document, by adcode, with names in Chinese and "
                        "English, level, parent, number of documents and their years." + _CSV_NOTE)
async def jurisdictions(request: Request, level: str | None = Level, limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"level"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    return listing_response(request, await _call(request, "list_jurisdictions", level=level, offset=offset, limit=limit))


@router.get("/jurisdictions/{adcode}", tags=["Jurisdictions"], summary="A jurisdiction's profile",
            description="Its documents, the instruments it adopted (strongest stage, first year, the parent's stage, "
                        "pilot site), the targets its documents set and the agencies that lead its measures. CSV: the "
                        "instruments." + _CSV_NOTE)
async def jurisdiction(request: Request, adcode: str = Path(description="6-digit adcode", **example("330000"))) -> Response:
    _only(request, set())
    resource = await _call(request, "jurisdiction_profile", adcode, max_items=request.app.state.settings.max_rows)
    return resource_response(request, resource)


@router.get("/documents", tags=["Documents"], summary="Loaded documents",
            description="Documents in date order with 文号, title, date and jurisdiction; `id` is what "
                        "/api/documents/{id} takes." + _CSV_NOTE)
async def documents(request: Request, jurisdiction: str | None = Adcode, year: str | None = Year,
                    instrument: str | None = InstrumentId, limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"jurisdiction", "year", "instrument"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    listing = await _call(request, "list_documents", jurisdiction=jurisdiction, year=year, instrument=instrument,
                          offset=offset, limit=limit)
    return listing_response(request, listing)


@router.get("/documents/{document:path}", tags=["Documents"], summary="One document with its measures and evidence",
            description="`{document}` is the id from /api/documents (`330000/浙政办发-2017-54`), the full IRI or the "
                        "文号. Measures in document order with their agencies, instruments (stage), targets and pilot "
                        "sites, each with the evidence span (`start`/`end`: character offsets in the original text). "
                        "CSV: the measures." + _CSV_NOTE)
async def document(request: Request, document: str = Path(description="Document id, IRI or 文号", **example("330000/浙政办发-2017-54"))) -> Response:
    _only(request, set())
    return resource_response(request, await _call(request, "document_detail", document))


@router.post("/documents", tags=["Documents"], status_code=201, summary="Load a document (bearer token)",
             description="Upload one policy document — `multipart/form-data` with a `file` (UTF-8, GB18030, Big5 or "
                         "UTF-16) or a `text` field, or the raw text as `text/plain` / `application/octet-stream` — "
                         "extract it and load it. Answers its record (docs/record.md) and id; 201 when new, 200 when it "
                         "replaced a document or was unchanged. Needs `Authorization: Bearer <POLICYKG_TOKEN>`.",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}, "text": {"type": "string"}}}},
                 "text/plain": {"schema": {"type": "string"}},
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
             }}},
             responses={200: {"description": "Replaced or unchanged"}, 401: {"description": "Missing or wrong token"},
                        403: {"description": "Writes disabled"}, 413: {"description": "Too large"},
                        422: {"description": "Not a readable policy document"}})
async def upload(request: Request, name: str | None = Query(None, description="File name to record (raw bodies)", **example("zhejiang-2017.txt"))) -> Response:
    require_token(request)
    _only(request, {"name"})
    settings = request.app.state.settings
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename = name
    if media_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=4, max_part_size=settings.max_request_bytes)
        part = form.get("file")
        if isinstance(part, UploadFile):
            data = await part.read()
            filename = filename or part.filename
        elif isinstance(form.get("text"), str):
            data = str(form.get("text")).encode("utf-8")
        else:
            raise ApiError(400, "bad-request", "send the document as a 'file' part or a 'text' field")
    elif media_type in ("text/plain", "application/octet-stream"):
        data = await request.body()
    else:
        raise ApiError(415, "unsupported-media-type", "send multipart/form-data (file or text), text/plain or application/octet-stream")
    outcome = await request.app.state.pool.run(IngestDocument(data=data, name=upload_name(filename)))
    identifier = document_id(outcome["document"])
    location = "/api/documents/" + quote(identifier, safe="/")
    body = {"status": outcome["status"], "id": identifier, "iri": outcome["document"], "href": location, "record": outcome["record"]}
    return json_response(body, status=201 if outcome["status"] == "loaded" else 200, headers={"Location": location})


@router.delete("/documents/{document:path}", tags=["Documents"], summary="Remove a document (bearer token)",
               description="Removes the document's graph and rebuilds the roll-ups. Needs `Authorization: Bearer <POLICYKG_TOKEN>`.")
async def delete(request: Request, document: str = Path(description="Document id, IRI or 文号", **example("330000/浙政办发-2017-54"))) -> Response:
    require_token(request)
    _only(request, set())
    iri = await request.app.state.pool.run(DeleteDocument(document))
    return json_response({"status": "deleted", "id": document_id(iri), "iri": iri})


@router.get("/measures", tags=["Measures"], summary="Search measures",
            description="Measures in document order (named query `measures`): text search `q` (matched as text, "
                        "never as query syntax), instrument, jurisdiction and year filters." + _CSV_NOTE)
async def measures(request: Request, q: str | None = Query(None, description="Text the measure contains", **example("DRG")),
                   instrument: str | None = InstrumentId, jurisdiction: str | None = Adcode, year: str | None = Year,
                   limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"q", "instrument", "jurisdiction", "year"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    listing = await _call(request, "list_measures", q=q, instrument=instrument, jurisdiction=jurisdiction, year=year,
                          offset=offset, limit=limit)
    return listing_response(request, listing)


@router.get("/instruments", tags=["Instruments"], summary="The instrument vocabulary (SKOS tree)",
            description="Every policy instrument as a tree (skos:broader), with labels, definition and the number of "
                        "jurisdictions and documents adopting it. CSV: one row per instrument." + _CSV_NOTE)
async def instruments(request: Request) -> Response:
    _only(request, set())
    return resource_response(request, await _call(request, "instrument_tree"))


@router.get("/instruments/{instrument}/adopters", tags=["Instruments"], summary="Who adopted an instrument",
            description="Jurisdictions that adopted the instrument or a narrower one (named query `adopters`), in "
                        "diffusion order: strongest stage, first year and the adopting documents." + _CSV_NOTE)
async def adopters(request: Request, instrument: str = Path(description="Instrument id", **example("drg-payment")),
                   min_stage: str | None = Stage, level: str | None = Level, limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"min_stage", "level"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    listing = await _call(request, "instrument_adopters", instrument, min_stage=min_stage, level=level, offset=offset, limit=limit)
    return listing_response(request, listing)


@router.get("/targets", tags=["Targets"], summary="Quantitative targets",
            description="Targets with indicator, comparator, value, unit, deadline and evidence." + _CSV_NOTE)
async def targets(request: Request, indicator: str | None = Query(None, description="Indicator id (ontology/indicators.ttl)", **example("drug-share")),
                  jurisdiction: str | None = Adcode, year: str | None = Year, limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"indicator", "jurisdiction", "year"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    listing = await _call(request, "list_targets", indicator=indicator, jurisdiction=jurisdiction, year=year, offset=offset, limit=limit)
    return listing_response(request, listing)


@router.get("/agencies", tags=["Agencies"], summary="Agencies",
            description="Agencies named in the documents, with their functions and the number of measures they lead "
                        "or share." + _CSV_NOTE)
async def agencies(request: Request, function: str | None = Query(None, description="Agency function id (ontology/agencies.ttl)", **example("health")),
                   jurisdiction: str | None = Adcode, q: str | None = Query(None, description="Text in the agency's name", **example("卫生")),
                   limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"function", "jurisdiction", "q"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    listing = await _call(request, "list_agencies", function=function, jurisdiction=jurisdiction, q=q, offset=offset, limit=limit)
    return listing_response(request, listing)


@router.get("/compare", tags=["Comparison"], summary="Jurisdictions side by side",
            description="Two to eight jurisdictions (named query `compare-jurisdictions`): every instrument any of "
                        "them adopted — present or absent in each, with stage, first year and lead agencies; the "
                        "targets on indicators at least two of them share; the agencies that lead. CSV: the "
                        "instruments, one column group per jurisdiction." + _CSV_NOTE)
async def compare(request: Request, jurisdictions: str = Query(description="Comma-separated adcodes (2 to 8)", **example("330000,530100")),
                  instrument: str | None = InstrumentId) -> Response:
    _only(request, {"jurisdictions", "instrument"})
    return resource_response(request, await _call(request, "compare_jurisdictions", jurisdictions, instrument=instrument))


@router.get("/matrix", tags=["Comparison"], summary="Jurisdictions × instruments",
            description="The adoption matrix (named query `adoption-matrix`): a page of jurisdictions (rows), every "
                        "instrument adopted (columns), each cell the strongest stage, first year and number of "
                        "documents, or null. CSV: one stage column per instrument." + _CSV_NOTE)
async def matrix(request: Request, level: str | None = Level, instrument: str | None = InstrumentId, min_stage: str | None = Stage,
                 limit: int = Limit, offset: int = Offset) -> Response:
    _only(request, {"level", "instrument", "min_stage"} | _PAGE)
    limit, offset = page_bounds(request, limit, offset)
    resource = await _call(request, "adoption_matrix", level=level, instrument=instrument, min_stage=min_stage, offset=offset, limit=limit)
    return resource_response(request, resource)
