"""``GET /api/export/{view}.{format}`` over real HTTP: the bytes are the exports' own, errors
have the API's one shape, the work happens in a query process under the time limit, and the
route is documented in OpenAPI with examples."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.graph.exports import FORMATS, MEDIA_TYPES, VIEWS, export_view
from policykg.graph.store import open_store

from ..api.conftest import error_of

_TIMESTAMP = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# What each view needs to be drawn at all (timeline: one instrument).
_REQUIRED = {"timeline": {"instrument": "drg-payment"}}


def _without_time(body: bytes) -> bytes:
    return _TIMESTAMP.sub(b"<exported_at>", body)


@pytest.fixture(scope="module")
def direct_store(loaded_store: Path) -> Iterator[object]:
    """The corpus store the server's copy was made from, opened read-only here."""
    store = open_store(loaded_store, read_only=True)
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize(("path", "params"), [
    ("matrix.svg", {"instrument": "drg-payment", "limit": "40"}),
    ("timeline.csv", {"instrument": "family-doctor-contracting"}),
    ("adoption.gexf", {"within": "330000"}),
    ("similarity.d3", {"limit": "40"}),
    ("citations.graphml", {}),
    ("agencies.csv", {"by": "function", "table": "nodes"}),
    ("panel.csv", {"instrument": "drg-payment"}),
])
def test_the_route_answers_the_exports_bytes_with_a_file_name(web: httpx.Client, direct_store, path: str, params: dict) -> None:
    view, _, format = path.partition(".")
    response = web.get(f"/api/export/{path}", params=params)
    assert response.status_code == 200, response.text
    expected = export_view(direct_store, view=view, format=format, params=params)
    assert response.headers["content-type"] == expected.media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{expected.filename}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["policykg-dataset-version"] == expected.metadata["dataset_version"]
    # Byte for byte what export_view writes, but for the moment of export.
    assert _without_time(response.content) == _without_time(b"".join(expected.body))


def test_the_formats_parse_as_what_they_claim(web: httpx.Client) -> None:
    gexf = web.get("/api/export/adoption.gexf", params={"limit": "3"})
    assert ET.fromstring(gexf.content).tag.endswith("gexf")
    graphml = web.get("/api/export/agencies.graphml")
    assert ET.fromstring(graphml.content).tag.endswith("graphml")
    d3 = web.get("/api/export/adoption.d3", params={"limit": "2"}).json()
    assert d3["metadata"]["nodes"] == len(d3["nodes"]) and d3["metadata"]["params"] == {"limit": "2"}
    table = web.get("/api/export/matrix.csv", params={"level": "province"})
    lines = table.text.splitlines()
    assert lines[0].startswith("# policykg-metadata: ")
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == 1 + 3  # the header and the three provinces of the corpus
    svg = web.get("/api/export/timeline.svg", params={"instrument": "drg-payment"})
    assert ET.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_answers_in_every_format_it_offers(web: httpx.Client, view: str) -> None:
    for format in VIEWS[view].formats:
        params = {**_REQUIRED.get(view, {}), **({"limit": "2"} if view == "full" else {})}
        response = web.get(f"/api/export/{view}.{format}", params=params)
        assert response.status_code == 200, (format, response.text)
        assert response.headers["content-type"] == MEDIA_TYPES[format]
        assert re.fullmatch(r'attachment; filename="policykg-[a-z-]+\.[a-z]+"', response.headers["content-disposition"])
        assert response.content


def test_a_csv_suffix_is_the_format_not_the_csv_switch_of_the_rest_resources(web: httpx.Client) -> None:
    # /api/measures.csv means "the measures as CSV"; /api/export/matrix.csv names the file.
    response = web.get("/api/export/matrix.csv")
    assert response.status_code == 200 and response.headers["content-disposition"].endswith('policykg-matrix.csv"')


def test_a_cut_export_says_so(web: httpx.Client) -> None:
    cut = web.get("/api/export/adoption.csv", params={"limit": "1"})
    assert cut.headers.get("policykg-truncated") == "true"
    whole = web.get("/api/export/adoption.csv")
    assert "policykg-truncated" not in whole.headers


@pytest.mark.parametrize(("path", "status", "code", "detail"), [
    ("/api/export/nope.svg", 404, "not-found", {"kind": "export", "key": "nope.svg"}),
    ("/api/export/matrix.gexf", 404, "not-found", {"kind": "export", "key": "matrix.gexf", "formats": ["csv", "svg"]}),
    ("/api/export/matrix.pdf", 404, "not-found", {"kind": "export", "key": "matrix.pdf", "formats": ["csv", "svg"]}),
    ("/api/export/matrix.svg?colour=red", 400, "invalid-parameter", {"parameter": "colour"}),
    ("/api/export/matrix.svg?limit=many", 400, "invalid-parameter", {"parameter": "limit"}),
    ("/api/export/matrix.svg?limit=1&limit=2", 400, "invalid-parameter", {"parameter": "limit"}),
    ("/api/export/timeline.svg", 400, "invalid-parameter", {"parameter": "instrument"}),
    ("/api/export/timeline.svg?instrument=no-such-instrument", 400, "invalid-parameter", {"parameter": "instrument"}),
    ("/api/export/matrix.svg?within=999999", 400, "invalid-parameter", {"parameter": "within"}),
    ("/api/export/adoption.svg?table=nodes", 400, "invalid-parameter", {"parameter": "table"}),
])
def test_errors_have_the_one_shape(web: httpx.Client, path: str, status: int, code: str, detail: dict) -> None:
    response = web.get(path)
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["code"] == code and error["detail"] == detail
    assert "content-disposition" not in response.headers


def test_a_list_parameter_may_be_repeated(web: httpx.Client) -> None:
    repeated = web.get("/api/export/adoption.d3?jurisdictions=330000&jurisdictions=530100")
    joined = web.get("/api/export/adoption.d3", params={"jurisdictions": "330000,530100"})
    assert repeated.status_code == joined.status_code == 200
    adcodes = sorted(n["adcode"] for n in repeated.json()["nodes"] if n["kind"] == "jurisdiction")
    assert adcodes == ["330000", "530100"]
    assert repeated.json()["nodes"] == joined.json()["nodes"]


def test_the_listing_names_every_view_with_its_formats(web: httpx.Client) -> None:
    listing = web.get("/api/export").json()
    assert [v["name"] for v in listing["views"]] == list(VIEWS)
    assert {v["name"]: v["formats"] for v in listing["views"]} == {name: list(spec.formats) for name, spec in VIEWS.items()}
    assert set(listing["formats"]) == set(FORMATS)
    for example in listing["examples"]:
        assert web.get(example["href"]).status_code == 200, example
    assert error_of(web.get("/api/export?view=matrix"))["detail"] == {"parameter": "view"}


def test_openapi_documents_the_route_with_examples(web: httpx.Client) -> None:
    schema = web.get("/openapi.json").json()
    operation = schema["paths"]["/api/export/{view}.{format}"]["get"]
    assert operation["tags"] == ["Exports"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["view"]["in"] == "path" and parameters["view"]["schema"]["enum"] == list(VIEWS)
    assert parameters["format"]["schema"]["enum"] == list(FORMATS)
    for name in ("instrument", "level", "within", "jurisdictions", "limit", "table"):
        assert parameters[name]["in"] == "query" and not parameters[name]["required"]
        assert parameters[name]["examples"], name
    assert "/api/export/timeline.svg?instrument=" in operation["description"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    assert "/api/export" in schema["paths"]


def test_an_export_runs_in_a_query_process_under_the_time_limit(store_copy) -> None:
    """An export that takes longer than the limit is stopped (its process killed and replaced)
    while the service answers on: it ran in the pool, not in the HTTP process."""
    settings = Settings(store=str(store_copy("export-timeout")), workers=1, query_timeout=0.1, access_log=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        pool = client.app.state.pool
        before = pool.replaced
        response = client.get("/api/export/full.graphml", params={"limit": "5"})  # ~1 s of work
        assert response.status_code == 503, response.text[:300]
        assert error_of(response)["code"] == "query-timeout"
        assert pool.replaced == before + 1
        quick = client.get("/api/export", headers={"Accept": "application/json"})
        assert quick.status_code == 200
        assert json.loads(quick.content)["views"]
