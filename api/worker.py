"""The query process: every store access of the service happens in one of these.

A worker holds the embedded store open read-only and answers one task at a time, sent by the
pool (api/pool.py) over a pipe. Because the work happens here and not in the HTTP process, the
pool can end a runaway query by ending the process — pyoxigraph cannot cancel a query — while
the other workers go on answering.

Writes (a SPARQL update, an upload, a deletion) run in a worker too, under the pool's
exclusive gate: pyoxigraph documents that opening a store read-only while another process
writes it is undefined behaviour, so every worker first closes its read-only store, one opens
the store writable, writes and closes it, and all reopen read-only (RocksDB read-only opens are
snapshots: reopening is also how readers see the write).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, ClassVar

from policykg.api.errors import ApiError, from_exception
from policykg.graph import named_queries, resources
from policykg.graph.exports import export_view
from policykg.graph.ingest import ingest_bytes
from policykg.graph.loading import delete_document, install_reference_graphs, rebuild_rollups
from policykg.graph.named_queries import named_query_table
from policykg.graph.sparql_guard import check_dataset, check_update
from policykg.graph.sparql_results import ProtocolDataset, answer_query, dump_graph
from policykg.graph.store import Store, open_store
from policykg.loaders.record import to_json_dict

__all__ = [
    "CheckUpdate",
    "Close",
    "DeleteDocument",
    "ExportRun",
    "ExportedFile",
    "GraphRead",
    "IngestDocument",
    "NamedQueryRun",
    "Open",
    "Prepare",
    "ResourceCall",
    "SparqlQuery",
    "SparqlUpdate",
    "Task",
    "WorkerConfig",
    "worker_main",
]

log = logging.getLogger("policykg.worker")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    store: str  # a directory holding an Oxigraph store
    log_level: str = "info"
    result_cache: bool = True  # named-query results kept per store version (graph/named_queries.py)


class Task:
    """A unit of work for a worker; ``writes`` tasks run alone, on a writable store."""

    writes: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Open(Task):
    """Open the store read-only (and warm the label cache)."""


@dataclass(frozen=True, slots=True)
class Close(Task):
    """Close the store (before another process writes it)."""


@dataclass(frozen=True, slots=True)
class Prepare(Task):
    """Create the store if it does not exist and install the reference graphs."""

    writes: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class SparqlQuery(Task):
    text: str
    result_format: str | None
    graph_format: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int


@dataclass(frozen=True, slots=True)
class GraphRead(Task):
    graph: str | None  # None: the default graph (the union)
    format: str
    max_triples: int


@dataclass(frozen=True, slots=True)
class NamedQueryRun(Task):
    name: str
    params: tuple[tuple[str, str], ...]
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class ResourceCall(Task):
    """One of the REST functions of ``policykg.graph.resources`` (by name, from `RESOURCES`)."""

    function: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportRun(Task):
    """One export (``policykg.graph.exports.export_view``); answered as an ``ExportedFile``."""

    view: str
    format: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """An export's whole body, built here so that the time limit covers the serialisation
    too and the HTTP process only moves bytes."""

    media_type: str
    filename: str
    body: bytes
    dataset_version: str
    notes: tuple[str, ...]  # what the export left out ("60 of 300 jurisdictions …"), if anything


@dataclass(frozen=True, slots=True)
class CheckUpdate(Task):
    """Parse and check an update without the write gate (a malformed or refused update should
    not make every worker close and reopen its store)."""

    text: str


@dataclass(frozen=True, slots=True)
class SparqlUpdate(Task):
    text: str
    writes: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class IngestDocument(Task):
    data: bytes
    name: str
    writes: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class DeleteDocument(Task):
    key: str
    writes: ClassVar[bool] = True


RESOURCES = frozenset({
    "list_jurisdictions", "jurisdiction_profile", "list_documents", "document_detail", "list_measures",
    "instrument_tree", "instrument_adopters", "list_targets", "list_agencies", "compare_jurisdictions",
    "adoption_matrix", "printed_agency_names",
})


class _State:
    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.store: Store | None = None
        self.writable = False
        self._graphs: frozenset[str] | None = None

    def close(self) -> None:
        store, self.store = self.store, None
        self._graphs = None
        if store is not None:
            store.close()

    def reader(self) -> Store:
        if self.store is None or self.writable:
            self.close()
            self.store = open_store(self.config.store, read_only=True)
            self.writable = False
            resources.labels(self.store)  # warm: the first REST request should not pay for it
        return self.store

    def writer(self) -> Store:
        self.close()
        Path(self.config.store).mkdir(parents=True, exist_ok=True)
        self.store = open_store(self.config.store)
        self.writable = True
        return self.store

    def graphs(self) -> frozenset[str]:
        # A read-only open is a snapshot, so the graph list holds until the next reopen.
        if self._graphs is None:
            self._graphs = frozenset(self.reader().graphs())
        return self._graphs


def _run(state: _State, task: Task) -> Any:
    if isinstance(task, Open):
        state.reader()
        return None
    if isinstance(task, Close):
        state.close()
        return None
    if task.writes:
        store = state.writer()
        try:
            return _write(store, task)
        finally:
            state.close()  # release the write lock at once; readers reopen afterwards
    return _read(state, task)


def _read(state: _State, task: Task) -> Any:
    store = state.reader()
    if isinstance(task, SparqlQuery):
        dataset = ProtocolDataset(task.default_graphs, task.named_graphs)
        return answer_query(
            store, task.text, result_format=task.result_format, graph_format=task.graph_format,  # type: ignore[arg-type]
            available_graphs=state.graphs(), dataset=dataset, max_rows=task.max_rows,
        )
    if isinstance(task, GraphRead):
        return dump_graph(store, task.graph, format=task.format, max_triples=task.max_triples)  # type: ignore[arg-type]
    if isinstance(task, NamedQueryRun):
        # Plain values straight from the store (no rdflib terms): the page crosses the process
        # boundary as tuples of str/int, cheap to pickle and to encode as JSON.
        return named_query_table(store, task.name, dict(task.params), offset=task.offset, limit=task.limit)
    if isinstance(task, CheckUpdate):
        checked = check_update(task.text)
        check_dataset(checked.using_graphs, state.graphs(), clause="USING")
        return None
    if isinstance(task, ResourceCall):
        if task.function not in RESOURCES:
            raise ValueError(f"unknown resource function {task.function!r}")
        return getattr(resources, task.function)(store, *task.args, **dict(task.kwargs))
    if isinstance(task, ExportRun):
        exported = export_view(store, view=task.view, format=task.format, params=dict(task.params))
        body = b"".join(exported.body)
        notes = exported.metadata.get("notes") or ()
        return ExportedFile(exported.media_type, exported.filename, body, str(exported.metadata.get("dataset_version", "")),
                            tuple(str(note) for note in notes))  # type: ignore[union-attr]
    raise TypeError(f"not a read task: {task!r}")


def _write(store: Store, task: Task) -> Any:
    if isinstance(task, Prepare):
        return install_reference_graphs(store)
    if isinstance(task, SparqlUpdate):
        checked = check_update(task.text)
        check_dataset(checked.using_graphs, frozenset(store.graphs()), clause="USING")
        store.update(task.text)
        rebuild_rollups(store)  # the roll-ups summarise the document graphs an update may change
        return None
    if isinstance(task, IngestDocument):
        ingested = ingest_bytes(store, task.data, name=task.name)
        return {"document": ingested.document, "status": ingested.status, "record": to_json_dict(ingested.record)}
    if isinstance(task, DeleteDocument):
        iri = resources.resolve_document(store, task.key)
        delete_document(store, iri)
        return iri
    raise TypeError(f"not a write task: {task!r}")


def _configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level.upper(), format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """The process body: answer tasks until the pipe closes or ``None`` arrives."""
    # Ctrl-C reaches every process of the terminal's group; the server stops its workers
    # itself, in order, so the workers ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _configure_logging(config.log_level)
    if not config.result_cache:
        named_queries.DEFAULT_CACHE.max_entries = 0  # every entry is evicted as it is put: no caching
    state = _State(config)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        try:
            reply: tuple[str, Any] = ("ok", _run(state, task))
        except Exception as exc:  # noqa: BLE001 — every failure becomes an error answer
            error = from_exception(exc)
            if error is None:
                log.error("task %s failed:\n%s", type(task).__name__, traceback.format_exc())
                if isinstance(task, (Open, Close, Prepare)):  # for the pool and the operator, never a client
                    error = ApiError(500, "internal-error", f"{type(exc).__name__}: {exc}")
                else:
                    error = ApiError(500, "internal-error", "the server failed to answer; the error is in its log")
            reply = ("error", error)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            break
        except Exception:  # noqa: BLE001 — an answer that cannot be pickled is a server fault
            log.error("task %s: cannot send the answer:\n%s", type(task).__name__, traceback.format_exc())
            conn.send(("error", ApiError(500, "internal-error", "the server failed to answer; the error is in its log")))
    state.close()

