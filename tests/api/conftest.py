"""Fixtures for the HTTP API: the bundled corpus in an on-disk store, a real uvicorn server on
127.0.0.1 (started in a thread on a free port, stopped at the end of the session), and
FastAPI TestClients for the rest.

Each app gets its own copy of the store: a server that writes must never share a directory
with query processes of another app (pyoxigraph: read-only openers beside a writer is
undefined behaviour).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.graph.loading import load_paths
from policykg.graph.store import open_store

from ..conftest import CORPUS

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIVE_TIMEOUT = 2.0  # seconds a query may run on the live server
LIVE_MAX_ROWS = 1000
LIVE_MAX_REQUEST = 256 * 1024


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five bundled documents loaded into an on-disk store (closed again)."""
    folder = tmp_path_factory.mktemp("api-store") / "store"
    store = open_store(folder)
    try:
        results = load_paths(store, [CORPUS], workers=1)
    finally:
        store.close()
    assert [r.status for r in results] == ["loaded"] * 5
    return folder


@pytest.fixture(scope="session")
def store_copy(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """A factory of private copies of the loaded store (one per app)."""

    def copy(name: str) -> Path:
        target = tmp_path_factory.mktemp(name) / "store"
        shutil.copytree(loaded_store, target)
        return target

    return copy


@contextmanager
def serving(app: FastAPI, port: int, *, name: str = "uvicorn-test") -> Iterator[str]:
    """A real uvicorn on 127.0.0.1:`port` in a background thread, for as long as the block runs;
    yields its base URL. Shared with tests/web/conftest.py."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), "the test server did not stop"


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings

    @property
    def pool(self):
        return self.app.state.pool


@pytest.fixture(scope="session")
def live_server(store_copy) -> Iterator[LiveServer]:
    """uvicorn on 127.0.0.1 in a background thread, with a token (writes enabled) and small
    limits so that the time limit, the row cap and the size limit can be reached quickly."""
    settings = Settings(
        store=str(store_copy("live")), port=free_port(), workers=2, token=TOKEN,
        query_timeout=LIVE_TIMEOUT, write_timeout=60, max_rows=LIVE_MAX_ROWS, max_request_bytes=LIVE_MAX_REQUEST,
    )
    app = create_app(settings)
    with serving(app, settings.port) as url:
        yield LiveServer(url, app, settings)


@pytest.fixture(scope="session")
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def client(store_copy) -> Iterator[TestClient]:
    """A read-only app (no token) on its own copy of the store."""
    # a generous time limit: the named queries are being tuned elsewhere; time limits are tested on the live server
    settings = Settings(store=str(store_copy("read")), workers=2, query_timeout=60, max_rows=500)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def error_of(response: httpx.Response) -> dict:
    """The one error shape of the API, checked, and its inner object."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"status", "code", "message", "detail"}, error
    assert error["status"] == response.status_code
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.text
    return error
