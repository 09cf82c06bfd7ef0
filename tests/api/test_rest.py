"""The REST resources and the named-query endpoints (FastAPI TestClient, read-only app)."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from .conftest import error_of

ZJ_DOC_ID = "330000/浙政办发-2017-54"
ROLLUP = "https://w3id.org/policykg/graph/rollup"


def sparql_rows(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- jurisdictions


def test_jurisdictions_list_with_bilingual_names_and_paging(client: TestClient) -> None:
    response = client.get("/api/jurisdictions")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4 and body["offset"] == 0 and body["next"] is None
    assert [item["adcode"] for item in body["items"]] == ["140000", "320000", "330000", "530100"]
    zhejiang = body["items"][2]
    assert zhejiang["name"] == {"zh": "浙江省", "en": "Zhejiang"} and zhejiang["level"] == "province"
    assert zhejiang["documents"] == 2 and zhejiang["parent"]["adcode"] == "100000"
    page = client.get("/api/jurisdictions", params={"limit": 2, "offset": 1}).json()
    assert [item["adcode"] for item in page["items"]] == ["320000", "330000"]
    assert page["total"] == 4 and "offset=3" in page["next"] and "limit=2" in page["next"]
    provinces = client.get("/api/jurisdictions", params={"level": "province"}).json()
    assert [item["adcode"] for item in provinces["items"]] == ["140000", "320000", "330000"]


def test_jurisdictions_as_csv_by_suffix_and_by_accept(client: TestClient) -> None:
    by_suffix = client.get("/api/jurisdictions.csv", params={"limit": 2})
    assert by_suffix.status_code == 200 and by_suffix.headers["content-type"].startswith("text/csv")
    rows = csv_rows(by_suffix.text)
    assert [r["adcode"] for r in rows] == ["140000", "320000"]
    assert rows[0]["name_zh"] == "山西省" and rows[0]["name_en"] == "Shanxi"
    assert by_suffix.headers["policykg-total"] == "4" and 'rel="next"' in by_suffix.headers["link"]
    by_accept = client.get("/api/jurisdictions", params={"limit": 2}, headers={"Accept": "text/csv"})
    assert by_accept.text == by_suffix.text


def test_jurisdiction_profile(client: TestClient) -> None:
    body = client.get("/api/jurisdictions/330000").json()
    assert body["name"] == {"zh": "浙江省", "en": "Zhejiang"}
    assert {d["id"] for d in body["documents"]} == {ZJ_DOC_ID, "330000/浙医改办-2017-7"} and body["documents_total"] == 2
    instruments = {i["instrument"]["id"]: i for i in body["instruments"]}
    expected = {r["i"].rsplit("/", 1)[-1]: r for r in sparql_rows(client, f"""
        SELECT ?i ?stage ?year WHERE {{ GRAPH <{ROLLUP}> {{ ?c <https://w3id.org/policykg/ontology#jurisdiction>
          <https://w3id.org/policykg/id/jurisdiction/330000> ; <https://w3id.org/policykg/ontology#instrument> ?i ;
          <https://w3id.org/policykg/ontology#strongestStage> ?stage ; <https://w3id.org/policykg/ontology#firstYear> ?year }} }}""")}
    adopted = {k: v for k, v in instruments.items() if v["stage"] is not None}
    assert set(adopted) == set(expected)
    assert all(adopted[k]["stage"] == expected[k]["stage"] and adopted[k]["first_year"] == int(expected[k]["year"]) for k in expected)
    assert instruments["drg-payment"]["instrument"]["label"]["en"].startswith("Diagnosis-related-group")
    assert body["targets_total"] == len(body["targets"]) > 0
    assert all(t["jurisdiction"]["adcode"] == "330000" and t["evidence"]["start"] < t["evidence"]["end"] for t in body["targets"])
    leads = {a["name"]["zh"]: a for a in body["lead_agencies"]}
    assert leads["浙江省卫生健康委员会"]["functions"] == ["health"] and leads["浙江省卫生健康委员会"]["measures"] > 0
    as_csv = csv_rows(client.get("/api/jurisdictions/330000.csv").text)
    assert {r["instrument_id"] for r in as_csv} == set(instruments)


def test_jurisdiction_errors(client: TestClient) -> None:
    missing = client.get("/api/jurisdictions/999999")
    assert missing.status_code == 404 and error_of(missing)["detail"] == {"kind": "jurisdiction", "key": "999999"}
    malformed = client.get("/api/jurisdictions/zhejiang")
    assert malformed.status_code == 400 and error_of(malformed)["detail"]["parameter"] == "jurisdiction"
    level = client.get("/api/jurisdictions", params={"level": "planet"})
    assert level.status_code == 400 and "planet" in error_of(level)["message"]
    typo = client.get("/api/jurisdictions", params={"levle": "province"})
    assert typo.status_code == 400 and error_of(typo)["detail"]["parameter"] == "levle"
    too_many = client.get("/api/jurisdictions", params={"limit": 501})  # this app's row limit is 500
    assert too_many.status_code == 400 and error_of(too_many)["detail"]["parameter"] == "limit"
    not_a_number = client.get("/api/jurisdictions", params={"limit": "ten"})
    assert not_a_number.status_code == 400 and error_of(not_a_number)["detail"]["parameter"] == "limit"
    negative = client.get("/api/jurisdictions", params={"offset": -1})
    assert negative.status_code == 400


# --------------------------------------------------------------------------- documents


def test_documents_list_and_filters(client: TestClient) -> None:
    body = client.get("/api/documents").json()
    assert body["total"] == 5
    assert [d["year"] for d in body["items"]] == sorted(d["year"] for d in body["items"])
    zhejiang = client.get("/api/documents", params={"jurisdiction": "330000"}).json()
    assert {d["id"] for d in zhejiang["items"]} == {ZJ_DOC_ID, "330000/浙医改办-2017-7"}
    assert all(d["jurisdiction"]["name"]["en"] == "Zhejiang" for d in zhejiang["items"])
    assert client.get("/api/documents", params={"year": "2017"}).json()["total"] == 2
    drg = client.get("/api/documents", params={"instrument": "drg-payment"}).json()
    assert {d["jurisdiction"]["adcode"] for d in drg["items"]} == {"140000", "330000", "530100"}
    bad_year = client.get("/api/documents", params={"year": "1800"})
    assert bad_year.status_code == 400 and error_of(bad_year)["detail"]["parameter"] == "year"


def test_document_detail_with_measures_and_evidence(client: TestClient) -> None:
    response = client.get(f"/api/documents/{quote(ZJ_DOC_ID)}")
    assert response.status_code == 200
    body = response.json()
    assert body["doc_number"] == "浙政办发〔2017〕54号" and body["issue_date"] == "2017-06-21"
    assert body["jurisdiction"]["name"]["en"] == "Zhejiang"
    assert body["source"]["sha256"] == "4de927a21c0986b70203cce83f771f773f0fc81fba1a168427e198087dc40a46"
    assert {c["doc_number"] for c in body["cites"]} >= {"国办发〔2017〕37号"}
    starts = [m["evidence"]["start"] for m in body["measures"]]
    assert starts == sorted(starts) and len(body["measures"]) == body["counts"]["measures"]
    measure = next(m for m in body["measures"] if m["number"] == "14")
    assert measure["lead_agency"]["name"]["zh"] == "浙江省人力资源和社会保障厅"
    assert {a["name"]["zh"] for a in measure["agencies"]} >= {"浙江省财政厅", "浙江省人力资源和社会保障厅"}
    drg = next(i for i in measure["instruments"] if i["instrument"]["id"] == "drg-payment")
    assert drg["stage"] == "pilot" and drg["evidence"]["start"] == 2837 and drg["evidence"]["end"] == 2887
    assert drg["evidence"]["exact"].startswith("全面推进以按病种付费为主")
    target = next(t for t in measure["targets"] if t["indicator_text"] == "实行按病种收费的病种")
    assert target["comparator"] == ">=" and target["value"] == 100 and target["unit"] == "个"
    assert (target["evidence"]["start"], target["evidence"]["end"]) == (2888, 2909)
    pilots = [p for m in body["measures"] for p in m["pilot_sites"]]
    assert any(p["instrument"]["id"] == "salary-reform" and {s["adcode"] for s in p["sites"]} == {"330200", "330300", "330500"} for p in pilots)
    rollup = {i["instrument"]["id"]: i for i in body["instruments"]}
    assert rollup["case-based-payment"]["stage"] == "implement" and rollup["case-based-payment"]["measures"] == ["14"]
    by_number = client.get("/api/documents/" + quote("浙政办发〔2017〕54号")).json()
    assert by_number == body
    by_iri = client.get("/api/documents/" + quote("https://w3id.org/policykg/id/document/" + ZJ_DOC_ID, safe="")).json()
    assert by_iri["id"] == ZJ_DOC_ID
    as_csv = csv_rows(client.get(f"/api/documents/{quote(ZJ_DOC_ID)}.csv").text)
    assert [r["number"] for r in as_csv][:3] == ["1", "2", "3"] and len(as_csv) == body["counts"]["measures"]


def test_document_not_found(client: TestClient) -> None:
    for key in ("330000/no-such-document", "国办发〔1999〕1号", "<bad iri>"):
        response = client.get("/api/documents/" + quote(key))
        assert response.status_code == 404 and error_of(response)["detail"]["kind"] == "document"


# --------------------------------------------------------------------------- measures, targets, agencies


def test_measures_search(client: TestClient) -> None:
    body = client.get("/api/measures", params={"q": "DRG"}).json()
    assert body["total"] == 3
    assert all("DRG" in m["text"] for m in body["items"])
    assert body["items"][0]["jurisdiction"]["name"] == {"zh": "浙江省", "en": "Zhejiang"}
    assert body["items"][0]["document"]["id"] == ZJ_DOC_ID
    zhejiang = client.get("/api/measures", params={"q": "DRG", "jurisdiction": "330000"}).json()
    assert zhejiang["total"] == 2
    injection = client.get("/api/measures", params={"q": '") } ; DROP ALL ; #'}).json()
    assert injection["total"] == 0  # text, never query syntax
    assert client.get("/api/measures", params={"limit": 1}).json()["total"] > 100
    rows = csv_rows(client.get("/api/measures.csv", params={"q": "DRG"}).text)
    assert len(rows) == 3 and rows[0]["document_id"] == ZJ_DOC_ID


def test_targets_and_agencies(client: TestClient) -> None:
    everything = client.get("/api/targets", params={"limit": 500}).json()
    drug_share = client.get("/api/targets", params={"indicator": "drug-share"}).json()
    assert 0 < drug_share["total"] < everything["total"] == len(everything["items"])
    assert all(t["indicator"]["id"] == "drug-share" and t["indicator"]["label"]["en"] for t in drug_share["items"])
    zhejiang = client.get("/api/targets", params={"jurisdiction": "330000"}).json()
    assert zhejiang["total"] == sum(1 for t in everything["items"] if t["jurisdiction"]["adcode"] == "330000")
    unknown = client.get("/api/targets", params={"indicator": "Drug Share"})
    assert unknown.status_code == 400
    health = client.get("/api/agencies", params={"function": "health"}).json()
    assert {a["name"]["zh"] for a in health["items"]} >= {"浙江省卫生健康委员会", "江苏省卫生健康委员会"}
    assert all(any(f["id"] == "health" for f in a["functions"]) for a in health["items"])
    assert all(a["measures_led"] <= a["measures_responsible"] for a in health["items"])
    zhejiang_agencies = client.get("/api/agencies", params={"jurisdiction": "330000", "q": "卫生健康"}).json()
    assert {a["name"]["zh"] for a in zhejiang_agencies["items"]} == {"浙江省卫生健康委员会"}
    rows = csv_rows(client.get("/api/agencies.csv", params={"function": "health"}).text)
    assert {r["functions"] for r in rows} >= {"health"}


# --------------------------------------------------------------------------- instruments


def test_instrument_tree(client: TestClient) -> None:
    body = client.get("/api/instruments").json()
    assert body["total"] > 50

    def walk(nodes, parent=None):
        for node in nodes:
            yield node, parent
            yield from walk(node["narrower"], node["id"])

    nodes = list(walk(body["instruments"]))
    drg, parent = next((n, p) for n, p in nodes if n["id"] == "drg-payment")
    assert parent == "universal-insurance" and drg["broader"] == ["universal-insurance"]
    assert drg["label"] == {"zh": "按疾病诊断相关分组付费", "en": "Diagnosis-related-group (DRG) payment"}
    assert drg["adopting_jurisdictions"] == 3
    assert [n["id"] for n in body["instruments"]] == sorted(n["id"] for n in body["instruments"])
    rows = csv_rows(client.get("/api/instruments.csv").text)
    assert len(rows) == body["total"] and {"id", "label_zh", "label_en", "broader"} <= set(rows[0])


def test_instrument_adopters(client: TestClient) -> None:
    body = client.get("/api/instruments/drg-payment/adopters").json()
    assert [item["adcode"] for item in body["items"]] == ["330000", "530100", "140000"]  # by first year
    assert [item["first_year"] for item in body["items"]] == [2017, 2018, 2019]
    assert body["items"][0]["documents"][0]["id"] == ZJ_DOC_ID
    pilot_or_more = client.get("/api/instruments/drg-payment/adopters", params={"min_stage": "pilot"}).json()
    assert {i["adcode"] for i in pilot_or_more["items"]} == {"330000", "140000"}
    cities = client.get("/api/instruments/drg-payment/adopters", params={"level": "city"}).json()
    assert [i["adcode"] for i in cities["items"]] == ["530100"]
    unknown = client.get("/api/instruments/no-such-instrument/adopters")
    assert unknown.status_code == 404 and error_of(unknown)["detail"]["kind"] == "instrument"
    malformed = client.get("/api/instruments/DRG!/adopters")
    assert malformed.status_code == 400
    rows = csv_rows(client.get("/api/instruments/drg-payment/adopters.csv").text)
    assert [r["adcode"] for r in rows] == ["330000", "530100", "140000"]


# --------------------------------------------------------------------------- comparison


def test_compare_side_by_side_is_correct(client: TestClient) -> None:
    response = client.get("/api/compare", params={"jurisdictions": "330000,530100"})
    assert response.status_code == 200
    body = response.json()
    assert [j["adcode"] for j in body["jurisdictions"]] == ["330000", "530100"]
    assert body["jurisdictions"][1]["name"] == {"zh": "昆明市", "en": "Kunming"}
    truth: dict[str, dict[str, str]] = {"330000": {}, "530100": {}}
    for row in sparql_rows(client, f"""
        SELECT ?j ?i ?stage WHERE {{ GRAPH <{ROLLUP}> {{ ?c <https://w3id.org/policykg/ontology#jurisdiction> ?j ;
          <https://w3id.org/policykg/ontology#instrument> ?i ; <https://w3id.org/policykg/ontology#strongestStage> ?stage }}
          VALUES ?j {{ <https://w3id.org/policykg/id/jurisdiction/330000> <https://w3id.org/policykg/id/jurisdiction/530100> }} }}"""):
        truth[row["j"].rsplit("/", 1)[-1]][row["i"].rsplit("/", 1)[-1]] = row["stage"]
    listed = {item["instrument"]["id"]: item for item in body["instruments"]}
    assert set(listed) == set(truth["330000"]) | set(truth["530100"])  # present in at least one
    for instrument, item in listed.items():
        for cell in item["by_jurisdiction"]:
            assert cell["present"] == (instrument in truth[cell["adcode"]])
            assert cell["stage"] == truth[cell["adcode"]].get(instrument)
        assert item["adopted_by"] == sum(c["present"] for c in item["by_jurisdiction"])
    assert body["summary"]["instruments_in_all"] == sorted(set(truth["330000"]) & set(truth["530100"]))
    assert body["summary"]["instruments_only_in"]["530100"] == sorted(set(truth["530100"]) - set(truth["330000"]))
    case = listed["case-based-payment"]["by_jurisdiction"][0]
    assert case["lead_agencies"][0]["name"]["zh"] == "浙江省人力资源和社会保障厅"
    for shared in body["targets_on_shared_indicators"]:
        assert all(cell["targets"] for cell in shared["by_jurisdiction"])  # every side has one
    assert {entry["adcode"] for entry in body["lead_agencies"]} == {"330000", "530100"}
    rows = csv_rows(client.get("/api/compare.csv", params={"jurisdictions": "330000,530100"}).text)
    assert {"instrument_id", "330000_stage", "530100_stage"} <= set(rows[0]) and len(rows) == len(listed)


def test_compare_errors(client: TestClient) -> None:
    one = client.get("/api/compare", params={"jurisdictions": "330000"})
    assert one.status_code == 400 and error_of(one)["detail"]["parameter"] == "jurisdictions"
    missing = client.get("/api/compare")
    assert missing.status_code == 400 and error_of(missing)["message"] == "parameter 'jurisdictions' is required"
    unknown = client.get("/api/compare", params={"jurisdictions": "330000,999999"})
    assert unknown.status_code == 404


def test_matrix(client: TestClient) -> None:
    body = client.get("/api/matrix").json()
    assert body["total"] == 4 and len(body["rows"]) == 4
    columns = [i["id"] for i in body["instruments"]]
    assert columns == sorted(columns)
    zhejiang = next(r for r in body["rows"] if r["jurisdiction"]["adcode"] == "330000")
    drg = zhejiang["cells"][columns.index("drg-payment")]
    assert drg["stage"] == "promote" and drg["first_year"] == 2017
    assert all(len(r["cells"]) == len(columns) for r in body["rows"])
    page = client.get("/api/matrix", params={"limit": 1, "offset": 1}).json()
    assert [r["jurisdiction"]["adcode"] for r in page["rows"]] == ["320000"]
    cities = client.get("/api/matrix", params={"level": "city"}).json()
    assert [r["jurisdiction"]["adcode"] for r in cities["rows"]] == ["530100"]
    rows = csv_rows(client.get("/api/matrix.csv").text)
    assert rows[2]["adcode"] == "330000" and rows[2]["drg-payment"] == "promote"


# --------------------------------------------------------------------------- named queries


def test_named_query_listing(client: TestClient) -> None:
    body = client.get("/api/queries").json()
    names = [q["name"] for q in body["queries"]]
    assert names == sorted(names) and {"adopters", "compare-jurisdictions", "measures", "gaps"} <= set(names)
    adopters = next(q for q in body["queries"] if q["name"] == "adopters")
    assert adopters["example"] == "/api/queries/adopters?instrument=universal-insurance"
    params = {p["name"]: p for p in adopters["parameters"]}
    assert params["instrument"]["required"] is True and params["instrument"]["type"] == "instrument-id"
    assert params["min_stage"]["allowed"] == ["explore", "pilot", "promote", "implement"]
    compare = next(q for q in body["queries"] if q["name"] == "compare-jurisdictions")
    assert next(p for p in compare["parameters"] if p["name"] == "jurisdictions")["list"] == {"min": 2, "max": 8}
    for query in body["queries"]:  # every example link works
        assert client.get(query["example"]).status_code == 200, query["example"]


def test_run_named_query_json_and_csv(client: TestClient) -> None:
    body = client.get("/api/queries/adopters", params={"instrument": "drg-payment"}).json()
    assert body["query"] == "adopters" and body["parameters"] == {"instrument": "drg-payment"}
    assert "adcode" in body["columns"] and not any(c.startswith("_") for c in body["columns"])
    assert {row["adcode"] for row in body["items"]} == {"140000", "330000", "530100"}
    assert isinstance(body["items"][0]["year"], int)
    rows = csv_rows(client.get("/api/queries/adopters.csv", params={"instrument": "drg-payment"}).text)
    assert {r["adcode"] for r in rows} == {"140000", "330000", "530100"} and list(rows[0]) == body["columns"]
    repeated = client.get("/api/queries/compare-jurisdictions", params=[("jurisdictions", "330000"), ("jurisdictions", "530100")])
    joined = client.get("/api/queries/compare-jurisdictions", params={"jurisdictions": "330000,530100"})
    assert repeated.status_code == 200 and repeated.json()["total"] == joined.json()["total"] > 0
    first = client.get("/api/queries/measures", params={"limit": 2}).json()
    second = client.get("/api/queries/measures", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] and first["items"][1] != second["items"][0] and "offset=2" in first["next"]


def test_named_query_parameter_errors(client: TestClient) -> None:
    missing = client.get("/api/queries/adopters")
    assert missing.status_code == 400 and error_of(missing)["detail"]["parameter"] == "instrument"
    injection = client.get("/api/queries/adopters", params={"instrument": "drg-payment> } ; DROP ALL ; #"})
    assert injection.status_code == 400 and error_of(injection)["code"] == "invalid-parameter"
    stage = client.get("/api/queries/adopters", params={"instrument": "drg-payment", "min_stage": "done"})
    assert stage.status_code == 400 and "done" in error_of(stage)["message"]
    unknown = client.get("/api/queries/adopters", params={"instrument": "drg-payment", "colour": "red"})
    assert unknown.status_code == 400 and error_of(unknown)["detail"]["parameter"] == "colour"
    twice = client.get("/api/queries/adopters", params=[("instrument", "drg-payment"), ("instrument", "capitation")])
    assert twice.status_code == 400 and "2 times" in error_of(twice)["message"]
    too_many = client.get("/api/queries/compare-jurisdictions", params={"jurisdictions": ",".join(str(110000 + i * 10000) for i in range(9))})
    assert too_many.status_code == 400
    no_such = client.get("/api/queries/no-such-query")
    assert no_such.status_code == 404 and error_of(no_such)["detail"]["kind"] == "query"


def test_read_only_app_refuses_every_write(client: TestClient) -> None:
    for response in (
        client.post("/sparql/update", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
        client.post("/api/documents", content="文件".encode(), headers={"Content-Type": "text/plain"}),
        client.delete(f"/api/documents/{quote(ZJ_DOC_ID)}"),
    ):
        assert response.status_code == 403 and error_of(response)["code"] == "writes-disabled"
    assert client.get("/health").json()["writes"] == "disabled"
    assert client.get(f"/api/documents/{quote(ZJ_DOC_ID)}").status_code == 200


@pytest.mark.parametrize("path", ["/", "/health", "/openapi.json"])
def test_service_pages(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
