"""Safety on the real server: no query makes the server connect anywhere, a runaway query is
killed at the time limit while other requests keep being answered, and when every query
process is busy the next request is told so instead of waiting forever."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from .conftest import AUTH, LIVE_TIMEOUT, LiveServer, error_of

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^14 solutions


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    try:
        yield found
    finally:
        found.close()


def test_the_listener_would_see_a_query_engine_that_fetches(listener: Listener) -> None:
    # The control experiment: without the guard, pyoxigraph connects for SERVICE (measured),
    # so the tests below would catch a guard that let it through.
    with pytest.raises(OSError):
        list(pyoxigraph.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert len(listener.connections) == 1


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }} LIMIT 1",
    "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{url}> AS ?endpoint) SERVICE ?endpoint {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ GRAPH ?g {{ MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
])
def test_service_is_refused_without_a_connection(http: httpx.Client, listener: Listener, template: str) -> None:
    response = http.get("/sparql", params={"query": template.format(url=listener.url)})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "refused-query" and error["detail"]["reason"] == "service"
    assert "never sends requests" in error["message"]
    assert listener.connections == []


def test_remote_from_and_protocol_datasets_are_refused(http: httpx.Client, listener: Listener) -> None:
    for query, params in (
        (f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": listener.url}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", {"named-graph-uri": listener.url}),
    ):
        response = http.get("/sparql", params={"query": query, **params})
        assert response.status_code == 400, query
        error = error_of(response)
        assert error["detail"]["reason"] == "unknown-graph" and error["detail"]["iri"] == listener.url
        assert "never fetches remote data" in error["message"]
    assert listener.connections == []


def test_service_inside_text_is_just_text(http: httpx.Client, listener: Listener) -> None:
    # "SERVICE <…>" in a string or a comment is no federated query: not refused, not fetched.
    query = f'SELECT ?x WHERE {{ BIND("SERVICE <{listener.url}> {{ }}" AS ?x) }} # SERVICE <{listener.url}>'
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")
    assert listener.connections == []


def test_load_and_service_in_updates_are_refused(http: httpx.Client, listener: Listener) -> None:
    for update in (f"LOAD <{listener.url}>", f"LOAD SILENT <{listener.url}> INTO GRAPH <http://example.org/g>",
                   f"INSERT {{ GRAPH <http://example.org/g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"):
        response = http.post("/sparql/update", content=update.encode(), headers={**AUTH, "Content-Type": "application/sparql-update"})
        assert response.status_code == 400, update
        assert error_of(response)["detail"]["reason"] in ("load", "service")
    assert listener.connections == []


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (Linux /proc)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stopped_soon(pids: set[int], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while any(_running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _wait_for_full_pool(http: httpx.Client, size: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = http.get("/health").json()["workers"]
        if workers["running"] == size and workers["idle"] == size and workers["starting"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the pool did not get its workers back")


def test_runaway_query_is_killed_at_the_limit_and_others_stay_fast(live_server: LiveServer, http: httpx.Client) -> None:
    _wait_for_full_pool(http, 2)
    before = set(live_server.pool.pids())
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=live_server.url, timeout=30) as own:
            outcome["response"] = own.get("/sparql", params={"query": CARTESIAN})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # the runaway has a worker now
    quick: list[float] = []
    while thread.is_alive() and len(quick) < 6:
        started = time.monotonic()
        response = http.get("/api/instruments/drg-payment/adopters")
        quick.append(time.monotonic() - started)
        assert response.status_code == 200
        sparql = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert sparql.json()["boolean"] is True
    assert len(quick) >= 3 and thread.is_alive(), "the quick requests must be answered while the runaway runs"
    assert max(quick) < 1.0, quick
    thread.join(timeout=30)
    response = outcome["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 503
    error = error_of(response)
    assert error["code"] == "query-timeout" and error["detail"]["limit_seconds"] == LIVE_TIMEOUT
    assert LIVE_TIMEOUT <= float(outcome["seconds"]) < LIVE_TIMEOUT + 2  # type: ignore[arg-type]
    killed = before - set(live_server.pool.pids())
    assert len(killed) == 1 and _stopped_soon(killed)  # really stopped, not abandoned to finish
    _wait_for_full_pool(http, 2)
    assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_every_worker_busy_means_overloaded_not_waiting_forever(live_server: LiveServer, http: httpx.Client) -> None:
    _wait_for_full_pool(http, 2)
    responses: list[httpx.Response] = []

    def ask(delay: float) -> None:
        time.sleep(delay)
        with httpx.Client(base_url=live_server.url, timeout=30) as own:
            responses.append(own.get("/sparql", params={"query": CARTESIAN}))

    threads = [threading.Thread(target=ask, args=(delay,)) for delay in (0, 0, 0.1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    codes = sorted(error_of(r)["code"] for r in responses)
    assert codes == ["overloaded", "query-timeout", "query-timeout"]
    overloaded = next(r for r in responses if r.json()["error"]["code"] == "overloaded")
    assert overloaded.status_code == 503 and int(overloaded.headers["retry-after"]) >= 1
    _wait_for_full_pool(http, 2)
