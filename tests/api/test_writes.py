"""Writes with the bearer token: uploads, deletions, SPARQL Update — on an app of their own
(its own copy of the store), with a short write time limit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from policykg.api.app import create_app
from policykg.api.settings import Settings

from ..conftest import CORPUS
from .conftest import AUTH, TOKEN, error_of

ZHEJIANG = (CORPUS / "000_113ca028d25bd718.txt").read_text(encoding="utf-8")
# The same notice as if issued a year later: a new document (its own 文号), not a copy.
NEXT_YEAR = ZHEJIANG.replace("浙政办发〔2017〕54号", "浙政办发〔2018〕99号").replace("2017年6月21日", "2018年5月8日")
NEXT_YEAR_ID = "330000/浙政办发-2018-99"
SCRATCH = "http://example.org/scratch"


@pytest.fixture(scope="module")
def writer(store_copy) -> Iterator[TestClient]:
    settings = Settings(store=str(store_copy("writes")), workers=2, token=TOKEN, query_timeout=60, write_timeout=5,
                        max_request_bytes=512 * 1024)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def count_documents(client: TestClient) -> int:
    return client.get("/api/documents", params={"limit": 1}).json()["total"]


def update(client: TestClient, text: str, *, headers: dict[str, str] | None = None):
    return client.post("/sparql/update", content=text.encode(), headers={"Content-Type": "application/sparql-update", **(AUTH if headers is None else headers)})


def test_writes_need_the_right_token(writer: TestClient) -> None:
    before = count_documents(writer)
    for headers in ({}, {"Authorization": "Bearer nope-nope-nope-nope"}, {"Authorization": f"Basic {TOKEN}"}):
        for response in (
            writer.post("/api/documents", content=NEXT_YEAR.encode(), headers={"Content-Type": "text/plain", **headers}),
            writer.delete(f"/api/documents/{quote('330000/浙政办发-2017-54')}", headers=headers),
            update(writer, f"DROP SILENT GRAPH <{SCRATCH}>", headers=headers),
        ):
            assert response.status_code == 401, response.text
            assert error_of(response)["code"] == "unauthorized"
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert count_documents(writer) == before


def test_upload_a_file_then_the_same_then_a_new_version(writer: TestClient) -> None:
    before = count_documents(writer)
    response = writer.post("/api/documents", files={"file": ("zhejiang-2018.txt", NEXT_YEAR.encode("utf-8"), "text/plain")}, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "loaded" and body["id"] == NEXT_YEAR_ID
    assert body["record"]["doc_number"] == "浙政办发〔2018〕99号" and body["record"]["issue_date"] == "2018-05-08"
    assert body["record"]["source"]["path"] == "upload:zhejiang-2018.txt"
    assert response.headers["location"] == "/api/documents/" + quote(NEXT_YEAR_ID)
    assert count_documents(writer) == before + 1  # the query processes see it
    detail = writer.get(response.headers["location"]).json()
    assert detail["issue_date"] == "2018-05-08" and detail["source"]["path"] == "upload:zhejiang-2018.txt"
    profile = writer.get("/api/jurisdictions/330000").json()
    assert NEXT_YEAR_ID in {d["id"] for d in profile["documents"]}  # roll-ups and lists follow
    again = writer.post("/api/documents", files={"file": ("again.txt", NEXT_YEAR.encode("utf-8"))}, headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    revised = NEXT_YEAR + "\n（本通知自印发之日起施行）\n"
    replaced = writer.post("/api/documents", content=revised.encode("utf-8"), headers={**AUTH, "Content-Type": "text/plain"})
    assert replaced.status_code == 200 and replaced.json()["status"] == "replaced"
    assert count_documents(writer) == before + 1


def test_upload_as_text_field_and_in_gb18030(writer: TestClient) -> None:
    text = NEXT_YEAR.replace("浙政办发〔2018〕99号", "浙政办发〔2018〕100号")
    as_field = writer.post("/api/documents", data={"text": text}, files={"unused": ("", b"")}, headers=AUTH)
    assert as_field.status_code == 201, as_field.text
    assert as_field.json()["record"]["source"]["path"] == "upload:document.txt"
    gb = NEXT_YEAR.replace("浙政办发〔2018〕99号", "浙政办发〔2018〕101号").encode("gb18030")
    raw = writer.post("/api/documents", params={"name": "dir/notice-gb.txt"}, content=gb,
                      headers={**AUTH, "Content-Type": "application/octet-stream"})
    assert raw.status_code == 201, raw.text
    record = raw.json()["record"]
    assert record["source"]["encoding"] == "gb18030" and record["source"]["path"] == "upload:notice-gb.txt"
    assert record["doc_number"] == "浙政办发〔2018〕101号"


def test_bad_uploads(writer: TestClient) -> None:
    before = count_documents(writer)
    binary = writer.post("/api/documents", content=bytes(range(256)) * 16, headers={**AUTH, "Content-Type": "application/octet-stream"})
    assert binary.status_code == 422 and error_of(binary)["code"] == "unreadable-document"
    english = writer.post("/api/documents", content=b"hello world, nothing Chinese at all\n" * 10, headers={**AUTH, "Content-Type": "text/plain"})
    assert english.status_code == 422 and "no recognisable structure" in error_of(english)["message"]
    huge = writer.post("/api/documents", content=b"x" * (600 * 1024), headers={**AUTH, "Content-Type": "text/plain"})
    assert huge.status_code == 413 and error_of(huge)["code"] == "payload-too-large"
    json_body = writer.post("/api/documents", json={"text": ZHEJIANG}, headers=AUTH)
    assert json_body.status_code == 415
    no_file = writer.post("/api/documents", data={"other": "x"}, files={"unused": ("", b"")}, headers=AUTH)
    assert no_file.status_code == 400
    assert count_documents(writer) == before


def test_delete_a_document(writer: TestClient) -> None:
    text = NEXT_YEAR.replace("浙政办发〔2018〕99号", "浙政办发〔2018〕102号")
    loaded = writer.post("/api/documents", content=text.encode(), headers={**AUTH, "Content-Type": "text/plain"})
    assert loaded.status_code == 201
    identifier = loaded.json()["id"]
    before = count_documents(writer)
    deleted = writer.delete(f"/api/documents/{quote(identifier)}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json() == {"status": "deleted", "id": identifier, "iri": loaded.json()["iri"]}
    assert count_documents(writer) == before - 1
    assert writer.get(f"/api/documents/{quote(identifier)}").status_code == 404
    again = writer.delete(f"/api/documents/{quote(identifier)}", headers=AUTH)
    assert again.status_code == 404 and error_of(again)["detail"]["kind"] == "document"


def test_sparql_update_with_the_token(writer: TestClient) -> None:
    version = writer.get("/health").json()["dataset_version"]
    done = update(writer, f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}')
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert writer.get("/health").json()["dataset_version"] > version
    graph = writer.get("/rdf-graphs/service", params={"graph": SCRATCH, "format": "ntriples"})
    assert graph.text == '<http://example.org/a> <http://example.org/b> "c" .\n'
    as_form = writer.post("/sparql/update", data={"update": f"DROP GRAPH <{SCRATCH}>"}, headers=AUTH)
    assert as_form.status_code == 200
    assert writer.get("/rdf-graphs/service", params={"graph": SCRATCH}).status_code == 404


def test_bad_updates(writer: TestClient) -> None:
    malformed = update(writer, "INSERT DATA {\n  <http://example.org/a> <http://example.org/b> \n}")
    assert malformed.status_code == 400
    error = error_of(malformed)
    assert error["code"] == "malformed-query" and error["detail"]["line"] >= 1
    load = update(writer, "LOAD <http://example.org/data.ttl>")
    assert load.status_code == 400 and error_of(load)["detail"]["reason"] == "load"
    using = update(writer, "DELETE { ?s ?p ?o } USING <http://example.org/elsewhere> WHERE { ?s ?p ?o }")
    assert using.status_code == 400 and error_of(using)["detail"]["reason"] == "unknown-graph"
    protocol = writer.post("/sparql/update", params={"using-graph-uri": "http://example.org/g"}, data={"update": "CLEAR DEFAULT"}, headers=AUTH)
    assert protocol.status_code == 400
    two = writer.post("/sparql/update", content=b"update=CLEAR+DEFAULT&update=CLEAR+DEFAULT",
                      headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert two.status_code == 400
    media = writer.post("/sparql/update", content=b"CLEAR DEFAULT", headers={**AUTH, "Content-Type": "text/plain"})
    assert media.status_code == 415
    assert writer.get("/sparql/update").status_code == 405


def test_a_runaway_update_is_stopped_and_the_store_stays_whole(writer: TestClient) -> None:
    before = count_documents(writer)
    # (an update's WHERE reads the store's real default graph, which is empty: hence GRAPH)
    runaway = update(writer, f"INSERT {{ GRAPH <{SCRATCH}> {{ ?a <http://example.org/x> ?d }} }} "
                             "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }")
    assert runaway.status_code == 503 and error_of(runaway)["code"] == "write-timeout"
    assert writer.get("/rdf-graphs/service", params={"graph": SCRATCH}).status_code == 404  # nothing half-written
    assert count_documents(writer) == before
    # the killed writer released the store: the next write works
    assert update(writer, f"DROP SILENT GRAPH <{SCRATCH}>").status_code == 200


def test_the_server_keeps_other_writers_out_of_its_store(writer: TestClient) -> None:
    # pyoxigraph: a writer beside read-only openers is undefined behaviour; `policykg load` on
    # a served store must fail cleanly instead (another process: fcntl locks are per process).
    location = writer.app.state.settings.store  # type: ignore[attr-defined]
    result = subprocess.run([sys.executable, "-c", "import sys\nfrom policykg.graph.store import open_store\nopen_store(sys.argv[1])", location],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "another process" in result.stderr
    assert update(writer, f"DROP SILENT GRAPH <{SCRATCH}>").status_code == 200  # and its own writes still work
    again = subprocess.run([sys.executable, "-c", "import sys\nfrom policykg.graph.store import open_store\nopen_store(sys.argv[1])", location],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0  # the guard is back after the write


def test_an_in_memory_server_starts_empty_and_takes_uploads() -> None:
    settings = Settings(store=":memory:", workers=1, token=TOKEN, query_timeout=60, write_timeout=60)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert count_documents(client) == 0
        assert client.get("/api/instruments").json()["total"] > 50  # the vocabularies are installed
        loaded = client.post("/api/documents", content=ZHEJIANG.encode(), headers={**AUTH, "Content-Type": "text/plain"})
        assert loaded.status_code == 201 and count_documents(client) == 1
        adopters = client.get("/api/instruments/drg-payment/adopters").json()
        assert [item["adcode"] for item in adopters["items"]] == ["330000"]  # roll-ups follow the upload
        scratch = client.app.state.pool.store_path  # type: ignore[attr-defined]
    assert not Path(scratch).exists()  # the throw-away directory is gone with the server
