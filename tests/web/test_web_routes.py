"""The page's own routes over real HTTP: ``/``, ``/static/…``, ``/web/examples`` and
``/web/agency-names`` — without a browser (tests/web/test_browser.py drives one)."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest

from policykg.api.web import STATIC

from ..api.conftest import error_of
from ..conftest import ROOT

ZJ_DOC_ID = "330000/浙政办发-2017-54"


def test_the_page_is_served_to_browsers_with_a_strict_policy(web: httpx.Client) -> None:
    response = web.get("/", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert '<script type="module" src="/static/app.js"></script>' in html
    # Nothing from another origin, and no inline script the policy would refuse.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), "an inline event handler"


def test_json_clients_get_the_service_index(web: httpx.Client) -> None:
    index = web.get("/", headers={"Accept": "application/json"}).json()
    assert index["web"] == "/" and index["exports"] == "/api/export" and index["sparql"] == "/sparql"


def test_static_files_come_from_the_allow_list_only(web: httpx.Client) -> None:
    shipped = {path.name for path in (ROOT / "api" / "static").iterdir()}
    assert set(STATIC) == shipped and {"index.html", "app.js", "style.css"} <= shipped
    script = web.get("/static/app.js")
    assert script.status_code == 200 and script.headers["content-type"] == "text/javascript; charset=utf-8"
    again = web.get("/static/app.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304 and not again.content
    for path in ("/static/nope.js", "/static/..%2Fweb.py", "/static/%2e%2e/web.py", "/static/../api/web.py"):
        response = web.get(path)
        assert response.status_code == 404, path
        error_of(response)


def test_the_scripts_never_put_server_data_into_markup() -> None:
    # The house rule, checked where it is kept: no innerHTML/outerHTML/insertAdjacentHTML,
    # document.write or eval anywhere in the page's code.
    for path in (ROOT / "api" / "static").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert forbidden not in text, f"{path.name}: {forbidden}"


def test_every_example_runs_at_the_sparql_endpoint_as_the_named_query_does(web: httpx.Client) -> None:
    examples = web.get("/web/examples").json()["examples"]
    assert len(examples) >= 10
    for example in examples:
        assert not example["sparql"].startswith("#+"), "the header is left out of the editor"
        answer = web.post("/sparql", data={"query": example["sparql"]}, headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, (example["name"], answer.text[:300])
        rows = answer.json()["results"]["bindings"]
        named = web.get(example["api"], params={**example["parameters"], "limit": 1})
        assert named.status_code == 200, named.text
        assert len(rows) == named.json()["total"], example["name"]
        assert rows, f"{example['name']}: its example finds nothing in the bundled corpus"


def test_agency_names_are_the_forms_printed_in_the_measures(web: httpx.Client) -> None:
    document = web.get(f"/api/documents/{quote(ZJ_DOC_ID)}").json()
    names = web.get("/web/agency-names", params={"document": ZJ_DOC_ID}).json()
    assert names["document"] == document["iri"]
    texts = {m["iri"]: m["text"] for m in document["measures"]}
    assert set(names["measures"]) <= set(texts)
    found = missing = 0
    for measure, agencies in names["measures"].items():
        responsible = {a["iri"] for m in document["measures"] if m["iri"] == measure for a in m["agencies"]}
        assert {a["agency"] for a in agencies} <= responsible
        for agency in agencies:
            if any(form in texts[measure] for form in agency["printed"]):
                found += 1
            else:
                missing += 1
    # The page can mark what it finds; nearly every agency is printed in its measure's text.
    assert found >= 50 and missing <= found // 10, (found, missing)
    measure_14 = names["measures"][document["iri"] + "/measure/14"]
    assert {"省人力社保厅", "省财政厅"} <= {form for a in measure_14 for form in a["printed"]}


@pytest.mark.parametrize(("params", "status", "detail"), [
    ({"document": "no-such-document"}, 404, {"kind": "document", "key": "no-such-document"}),
    ({}, 400, {"parameter": "document"}),
    ({"document": ZJ_DOC_ID, "extra": "1"}, 400, {"parameter": "extra"}),
])
def test_agency_names_errors(web: httpx.Client, params: dict, status: int, detail: dict) -> None:
    response = web.get("/web/agency-names", params=params)
    assert response.status_code == status
    assert error_of(response)["detail"] == detail
