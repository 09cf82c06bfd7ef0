"""Store backends for the contract suite, including real SPARQL servers.

The servers are started once per session on free ports with throw-away directories:
``oxigraph serve`` (from the venv) and Virtuoso (``virtuoso-t`` from the Debian package
``virtuoso-opensource``). Where a server binary is absent its tests are SKIPPED with the
reason — unless ``POLICYKG_REQUIRE_SERVERS=1`` (set by ``.ci/run``), which turns the skip
into a failure so that CI never passes without having exercised them.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from policykg.graph.remote_store import VIRTUOSO_SYSTEM_GRAPHS
from policykg.graph.store import Store, open_store

REQUIRE_SERVERS = os.environ.get("POLICYKG_REQUIRE_SERVERS", "") not in ("", "0", "false", "no")
BACKENDS = ["memory", "disk", "remote-oxigraph", "remote-virtuoso"]


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVERS:
        pytest.fail(f"{reason} (POLICYKG_REQUIRE_SERVERS=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


#: One client for the fixtures' own requests (a new client per request re-reads the CA bundle).
HTTP = httpx.Client(timeout=60)


def _wait_for_sparql(url: str, process: subprocess.Popen, log: Path, *, seconds: float) -> float:
    """Poll ``ASK {}`` until the endpoint answers; returns the start-up time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} while starting:\n{_log_tail(log)}")
        try:
            response = HTTP.post(url, data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}, timeout=2)
            if response.status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s:\n{_log_tail(log)}")


def _stop(process: subprocess.Popen, *, grace: float) -> None:
    """Stop a server this fixture started (by its own Popen handle, never by name)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    query_url: str
    update_url: str
    startup_seconds: float
    extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- Oxigraph server


def _oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = _oxigraph_binary()
    if binary is None:
        _unavailable("oxigraph server not installed: pip install 'oxigraph>=0.5,<0.6' (in the [test] extra)")
    directory = tmp_path_factory.mktemp("oxigraph-server")
    port = _free_port()
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory / "data"), "--bind", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        startup = _wait_for_sparql(f"{base}/query", process, log, seconds=30)
        yield Server("oxigraph", f"{base}/query", f"{base}/update", startup)
    finally:
        _stop(process, grace=10)


# --------------------------------------------------------------------------- Virtuoso

_VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 200M
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/www
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
; the Debian default; the store refuses results Virtuoso truncated at this limit
ResultSetMaxRows           = 10000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 400
"""


def _virtuoso_isql(virtuoso: str) -> str | None:
    """Virtuoso's own isql (Debian renames it isql-vt; plain ``isql`` may be unixODBC's)."""
    beside = Path(virtuoso).parent
    for name in ("isql-vt", "isql-v"):
        candidate = beside / name
        if candidate.exists():
            return str(candidate)
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        _unavailable("virtuoso-t not installed: apt-get install -y virtuoso-opensource (.ci/run does)")
    isql = _virtuoso_isql(binary)
    if isql is None:
        _unavailable("virtuoso-t found but not its isql-vt (package virtuoso-opensource-7-bin)")
    directory = tmp_path_factory.mktemp("virtuoso")
    (directory / "www").mkdir()
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    log = directory / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        startup = _wait_for_sparql(f"{base}/sparql", process, log, seconds=120)
        # Anonymous SPARQL (user "SPARQL") may read only; the store needs updates and PUT.
        grant = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                               capture_output=True, text=True, timeout=60)
        if grant.returncode != 0:
            raise RuntimeError(f"GRANT SPARQL_UPDATE failed: {grant.stdout}\n{grant.stderr}")
        yield Server("virtuoso", f"{base}/sparql", f"{base}/sparql", startup,
                     extra={"auth_url": f"{base}/sparql-auth", "graph_store_url": f"{base}/sparql-graph-crud",
                            "user": "dba", "password": "dba"})
    finally:
        # A clean Virtuoso shutdown checkpoints for ~8 s; this database is thrown away.
        _stop(process, grace=1)


# --------------------------------------------------------------------------- wiping a server


def _graph_names(server: Server) -> list[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = HTTP.post(server.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return [b["g"]["value"] for b in response.json()["results"]["bindings"]]


def wipe(server: Server) -> None:
    """Empty a server between tests. Never DROP ALL on Virtuoso: it holds its own schema graphs."""
    if server.name == "oxigraph":
        operations = ["DROP ALL"]
    else:
        keep = set(VIRTUOSO_SYSTEM_GRAPHS)
        operations = [f"DROP SILENT GRAPH <{g}>" for g in _graph_names(server)
                      if g not in keep and not g.endswith("/sparql")]
    if operations:
        response = HTTP.post(server.update_url, content=" ;\n".join(operations).encode(),
                             headers={"Content-Type": "application/sparql-update"})
        response.raise_for_status()


# --------------------------------------------------------------------------- the backends


@dataclass
class Backend:
    """How to open (and re-open) the store under test."""

    name: str
    opener: Callable[[bool], Store]
    persistent: bool
    server: Server | None = None
    opened: list[Store] = field(default_factory=list)

    def open(self, *, read_only: bool = False) -> Store:
        store = self.opener(read_only)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name = request.param
    if name == "memory":
        chosen = Backend(name, lambda read_only: open_store(None, read_only=read_only), persistent=False)
    elif name == "disk":
        directory = tmp_path / "store"
        chosen = Backend(name, lambda read_only: open_store(directory, read_only=read_only), persistent=True)
    else:
        server: Server = request.getfixturevalue("oxigraph_server" if name == "remote-oxigraph" else "virtuoso_server")
        wipe(server)
        chosen = Backend(name, lambda read_only: open_store(server.query_url, read_only=read_only),
                         persistent=True, server=server)
    try:
        yield chosen
    finally:
        chosen.close_all()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open()


@pytest.fixture
def clean_virtuoso(virtuoso_server: Server) -> Iterator[Server]:
    """The Virtuoso server, emptied before and after the test."""
    wipe(virtuoso_server)
    yield virtuoso_server
    wipe(virtuoso_server)
