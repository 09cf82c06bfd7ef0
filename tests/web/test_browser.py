"""End to end in headless Chromium: the page at ``/`` on a real server with the bundled corpus.

Each test drives one panel the way a researcher would, checks what is on screen against what
the API answers, and saves a screenshot under tests/output/web/. Every test also checks that
the page logged no error, threw nothing, and asked nothing of another origin (it must work
offline), and that network views asked the server for bounded projections only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from .conftest import Browsing

ZJ_DOC_ID = "330000/浙政办发-2017-54"


def test_sparql_editor_runs_a_named_query_and_downloads_the_answer(browsing: Browsing, web: httpx.Client, tmp_path) -> None:
    page = browsing.page
    browsing.goto()
    assert page.title() == "policykg · 医改政策知识图谱"
    assert page.locator("#dataset").inner_text() == "5 documents · 4 jurisdictions"
    assert page.locator(".tabs a[aria-selected=true]").inner_text() == "SPARQL"

    # The starter query lists the documents.
    page.click("#query-run")
    page.wait_for_selector("#query-table tbody tr")
    assert page.locator("#query-table tbody tr").count() == 5
    assert "浙江省人民政府办公厅关于印发" in page.locator("#query-table").inner_text()

    # A named query as the example: its text, with the example's value bound, runs here.
    page.select_option("#query-example", "adopters")
    editor = page.locator("#query-text").input_value()
    assert "VALUES (?_instrument) { (<https://w3id.org/policykg/instrument/universal-insurance>) }" in editor
    assert page.locator("#query-about a").get_attribute("href") == "/api/queries/adopters?instrument=universal-insurance"
    page.locator("#query-text").press("Control+Enter")
    page.wait_for_function("() => document.querySelector('#query-status').textContent.includes('rows in')")
    expected = web.get("/api/queries/adopters", params={"instrument": "universal-insurance", "limit": 1000}).json()
    rows = page.locator("#query-table tbody tr")
    assert rows.count() == expected["total"] > 10
    headers = page.locator("#query-table thead th").all_inner_texts()
    assert headers == expected["columns"]
    names = set(page.locator("#query-table tbody td:nth-child(3)").all_inner_texts())
    assert names == {row["jurisdictionName"] for row in expected["items"]}
    browsing.screenshot("query")

    # Downloads: the server's CSV and the SPARQL JSON of the answer shown.
    with page.expect_download() as pending:
        page.click("#query-csv")
    download = pending.value
    assert download.suggested_filename == "policykg-query.csv"
    saved = tmp_path / "answer.csv"
    download.save_as(saved)
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert table[0] == expected["columns"] and len(table) == 1 + expected["total"]
    with page.expect_download() as pending:
        page.click("#query-json")
    saved = tmp_path / "answer.json"
    pending.value.save_as(saved)
    answer = json.loads(saved.read_text(encoding="utf-8"))
    assert answer["head"]["vars"] == expected["columns"] and len(answer["results"]["bindings"]) == expected["total"]
    browsing.assert_clean()


def test_query_results_are_shown_as_text_and_errors_as_messages(browsing: Browsing) -> None:
    page = browsing.page
    browsing.goto("#query")
    hostile = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>'
    page.fill("#query-text", 'SELECT ?x WHERE { BIND("%s" AS ?x) }' % hostile.replace('"', '\\"'))
    page.click("#query-run")
    page.wait_for_selector("#query-table tbody td")
    assert page.locator("#query-table tbody td").inner_text() == hostile
    assert page.locator("#query-table img, #query-table b").count() == 0
    assert page.title() != "pwned"

    page.fill("#query-text", "SELECT ?x WHERE { ?x ?y }")
    page.click("#query-run")
    page.wait_for_selector("#query-status .error")
    message = page.locator("#query-status").inner_text()
    assert "not valid SPARQL" in message and "400 malformed-query" in message and "line 1" in message
    assert page.locator("#query-csv").is_disabled()
    # The browser itself logs the 400 answer; nothing else may go wrong.
    browsing.assert_clean(allowed=("status of 400",))


def test_instrument_picker_shows_adopters_heatmap_and_timeline(browsing: Browsing, web: httpx.Client) -> None:
    page = browsing.page
    browsing.goto("#instruments")
    page.wait_for_selector("#instrument-tree a.instrument")
    page.fill("#instrument-filter", "DRG")
    page.wait_for_selector("#instrument-tree li[hidden]", state="attached")  # the filter has run
    visible = page.locator("#instrument-tree a.instrument:visible")
    assert "按疾病诊断相关分组付费" in " ".join(visible.all_inner_texts())
    assert page.locator("#instrument-tree a.instrument:visible").count() < page.locator("#instrument-tree a.instrument").count()
    page.click("#instrument-tree a[data-id=drg-payment]")
    page.wait_for_selector("#adopters-table tbody tr")
    assert page.locator("#instrument-title").inner_text() == "按疾病诊断相关分组付费 · Diagnosis-related-group (DRG) payment"

    adopters = web.get("/api/instruments/drg-payment/adopters").json()["items"]
    shown = page.locator("#adopters-table tbody td:first-child").all_inner_texts()
    assert shown == [f"{a['name']['zh']} · {a['name']['en']}" for a in adopters]  # diffusion order

    for picture in ("#instrument-heatmap", "#instrument-timeline"):
        page.wait_for_function(f"() => {{ const i = document.querySelector('{picture}'); return i.complete && i.naturalWidth > 100; }}")
        source = urlsplit(page.locator(picture).get_attribute("src"))
        query = parse_qs(source.query)
        assert query["instrument"] == ["drg-payment"] and query["limit"] == ["40"], source
    assert urlsplit(page.locator("#instrument-heatmap").get_attribute("src")).path == "/api/export/matrix.svg"
    assert urlsplit(page.locator("#instrument-timeline").get_attribute("src")).path == "/api/export/timeline.svg"
    browsing.screenshot("instruments", full_page=True)

    # A filter narrows the adopters and the pictures alike.
    page.select_option("#instrument-level", "province")
    page.wait_for_function("() => document.querySelectorAll('#adopters-table tbody tr').length === 2")
    assert "level=province" in page.locator("#instrument-heatmap").get_attribute("src")
    browsing.assert_clean()


def test_comparison_puts_jurisdictions_side_by_side(browsing: Browsing, web: httpx.Client) -> None:
    page = browsing.page
    browsing.goto("#compare")
    assert page.locator("#compare-run").is_disabled()
    page.check("#compare-list input[value='330000']")
    assert page.locator("#compare-run").is_disabled()  # two at least
    page.check("#compare-list input[value='530100']")
    page.click("#compare-run")
    page.wait_for_selector("#compare-table tbody tr")
    assert page.url.endswith("#compare=330000,530100")
    assert page.locator("#compare-table thead th").all_inner_texts() == ["Instrument", "浙江省 · Zhejiang", "昆明市 · Kunming"]

    expected = web.get("/api/compare", params={"jurisdictions": "330000,530100"}).json()
    rows = page.locator("#compare-table tbody tr")
    assert rows.count() == len(expected["instruments"])
    # A row: the instrument, then per jurisdiction its stage and first year, or a dash.
    first = expected["instruments"][0]
    cells = rows.first.locator("td").all_inner_texts()
    for cell, truth in zip(cells, first["by_jurisdiction"], strict=True):
        assert (truth["stage"] in cell and str(truth["first_year"]) in cell) if truth["present"] else cell == "—"
    only = sum(1 for row in expected["instruments"] if row["adopted_by"] < 2)
    assert f"{len(expected['summary']['instruments_in_all'])} by all" in page.locator("#compare-summary").inner_text()
    page.check("#compare-differences")
    assert page.locator("#compare-table tbody tr").count() == only
    assert page.locator("#compare-targets table tbody tr").count() == len(expected["targets_on_shared_indicators"])
    browsing.screenshot("compare")
    browsing.assert_clean()


def test_document_view_marks_agencies_targets_and_instruments_in_the_text(browsing: Browsing, web: httpx.Client) -> None:
    page = browsing.page
    browsing.goto("#document=" + quote(ZJ_DOC_ID))
    page.wait_for_selector(".measure[data-number='14'] .hl")
    assert page.locator("#document-title").inner_text() == "浙江省人民政府办公厅关于印发浙江省深化医药卫生体制改革2017年重点工作任务的通知"
    document = web.get(f"/api/documents/{quote(ZJ_DOC_ID)}").json()
    assert page.locator(".measure").count() == document["counts"]["measures"]

    measure = next(m for m in document["measures"] if m["number"] == "14")
    shown = page.locator(".measure[data-number='14'] .measure-text")
    assert shown.inner_text() == measure["text"]  # marked, not changed: every character once, in order
    marks = lambda kind: shown.locator(f".hl-{kind}").all_inner_texts()  # noqa: E731
    assert {"省人力社保厅", "省财政厅", "省卫生计生委", "省物价局"} <= set(marks("agency"))
    assert "所有城市实行按病种收费的病种不少于100个" in marks("target")
    assert "选择1—2个设区市全面实施医保支付方式改革" in marks("target")
    instrument_text = "".join(marks("instrument"))
    for mention in measure["instruments"]:
        assert mention["evidence"]["exact"].replace("，", "") in instrument_text.replace("，", "") or mention["evidence"]["exact"] in measure["text"]
    title = shown.locator(".hl-target").first.get_attribute("title")
    assert "按病种付费病种数" in title and ">= 100个" in title

    # Every measure's text is shown whole, marks or not.
    texts = page.locator(".measure .measure-text").all_inner_texts()
    assert texts == [m["text"] or "" for m in document["measures"]]
    assert page.locator(".measure .hl-agency").count() >= 60
    assert page.locator(".measure .hl-target").count() >= document["counts"]["targets"] - len(document["preamble"]["targets"])
    browsing.screenshot("document")

    page.uncheck("#document-legend input[data-kind=agency]")
    assert "hide-agency" in page.locator("#document-measures").get_attribute("class")
    browsing.assert_clean()


def test_network_view_pans_zooms_and_shows_details(browsing: Browsing, web: httpx.Client) -> None:
    page = browsing.page
    browsing.goto("#network=adoption")
    page.wait_for_selector("#network-canvas circle.node")
    expected = web.get("/api/export/adoption.d3", params={"limit": "40"}).json()
    assert page.locator("#network-canvas circle.node").count() == len(expected["nodes"])
    assert page.locator("#network-canvas line.edge").count() == len(expected["links"])
    assert re.search(rf"{len(expected['nodes'])} nodes, {len(expected['links'])} edges", page.locator("#network-status").inner_text())

    # Every node is inside the drawing area once fitted.
    box = page.locator("#network-canvas").bounding_box()
    for circle in page.locator("#network-canvas circle.node").all()[:20]:
        b = circle.bounding_box()
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1

    viewport = page.locator("#network-canvas g.viewport")
    scale = lambda: float(re.search(r"scale\(([0-9.]+)\)", viewport.get_attribute("transform")).group(1))  # noqa: E731
    shift = lambda: tuple(map(float, re.search(r"translate\(([-0-9.]+) ([-0-9.]+)\)", viewport.get_attribute("transform")).groups()))  # noqa: E731
    before = scale()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => !document.querySelector('#network-canvas g.viewport').getAttribute('transform').includes('scale({before:.4f})')")
    assert scale() > before
    start = shift()
    page.mouse.move(box["x"] + 20, box["y"] + 20)  # a corner: background, not a node
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 70, steps=5)
    page.mouse.up()
    moved = shift()
    assert moved[0] - start[0] == pytest.approx(100, abs=2) and moved[1] - start[1] == pytest.approx(50, abs=2)
    page.click("#network-fit")

    page.locator("#network-canvas circle.node[data-id='id:jurisdiction/330000']").click()
    assert page.locator("#network-selected").inner_text() == "浙江省"
    degree = sum(1 for link in expected["links"] if "id:jurisdiction/330000" in (link["source"], link["target"]))
    assert page.locator("#network-details h4").inner_text() == f"{degree} neighbours"
    assert "adcode330000" in page.locator("#network-details dl").inner_text().replace("\n", "").replace("\t", "")
    assert page.locator("#network-canvas circle.node.dim").count() == len(expected["nodes"]) - degree - 1
    browsing.screenshot("network")

    # Another projection, filtered server-side.
    page.select_option("#network-view", "similarity")
    page.select_option("#network-form select[name=level]", "province")
    page.click("#network-form button[type=submit]")
    page.wait_for_function("() => location.hash === '#network=similarity'")
    page.wait_for_function("() => document.querySelectorAll('#network-canvas circle.node').length === 3")
    assert page.locator("#network-form input[name=instrument]").is_enabled()

    # The page asked for bounded projections only.
    exports = [url for url in browsing.api_requests if "/api/export/" in url and url.split("?")[0].endswith(".d3")]
    assert exports and all(parse_qs(urlsplit(url).query).get("limit") for url in exports), exports
    browsing.assert_clean()


def test_marks_count_code_points_as_the_api_does(browsing: Browsing) -> None:
    """Offsets from the API are Python's (code points); a character outside the Basic
    Multilingual Plane is two UTF-16 units in JavaScript and must not shift the marks."""
    browsing.goto("#query")
    pieces = browsing.page.evaluate("""async () => {
        const { locate, segments } = await import("/static/highlight.js");
        const text = "𠀀甲省财政厅负责乙";  // U+20000 first: one code point, two UTF-16 units
        const spans = locate(text, 100, [
            { kind: "agency", note: "finance", find: "省财政厅" },
            { kind: "target", note: "t", start: 102, end: 108, exact: "省财政厅负责" },
            { kind: "instrument", note: "moved", start: 0, end: 2, exact: "乙" },  // offsets off: found by its text
            { kind: "instrument", note: "gone", start: 50, end: 60, exact: "丙" },   // nowhere: dropped
        ]);
        return segments(text, spans).map((p) => [p.text, [...p.kinds].sort().join("+"), p.notes.join("|")]);
    }""")
    assert pieces == [
        ["𠀀甲", "", ""],
        ["省财政厅", "agency+target", "finance|t"],
        ["负责", "target", "t"],
        ["乙", "instrument", "moved"],
    ]
    browsing.assert_clean()
