"""Loading documents into a store: extract (in worker processes), map, replace graphs, roll up.

Documents are written in batches; a failure never leaves part of a document in the store; a
file whose bytes are already loaded is skipped ("unchanged"). After the load the roll-up graph
(graph/rollups.py) is brought up to date: written from the workers' facts when the store held no
documents before, else recomputed for the jurisdictions the load touched.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rdflib import Graph, Literal as RdfLiteral, URIRef

from policykg.graph.iris import GAZETTEER_GRAPH, GRAPH_FILES, ROLLUP_GRAPH, document_iri
from policykg.graph.namespaces import ID
from policykg.graph.mapping import record_to_ntriples
from policykg.graph.rollups import DocumentFacts, document_facts, rebuild_rollups, refresh_rollups, replace_rollups
from policykg.graph.namespaces import PKG
from policykg.graph.store import Store
from policykg.loaders.extract import extract_file
from policykg.loaders.reading import LoaderError

Status = Literal["loaded", "replaced", "unchanged", "error"]
DOCUMENT_SUFFIXES = (".txt", ".text")
DOCUMENT_PREFIX = f"{ID}document/"  # document graphs are named by their document IRI


@dataclass(frozen=True, slots=True)
class LoadResult:
    path: str
    status: Status
    document: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Mapped:
    path: str
    document: str | None
    sha256: str | None
    ntriples: str | None
    error: str | None
    facts: DocumentFacts | None = None


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Files as given; folders walked for document files (sorted, so batches are reproducible)."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in DOCUMENT_SUFFIXES)
        else:
            found.append(str(path))
    return found


def _extract_and_map(path: str) -> _Mapped:
    """Worker: file → record → the document's triples (N-Triples text, cheap to pickle)."""
    try:
        record = extract_file(path)
    except LoaderError as exc:
        return _Mapped(path, None, None, None, str(exc))
    document = str(document_iri(record))
    return _Mapped(path, document, record.source.sha256, record_to_ntriples(record), None, document_facts(record, document))


def _mapped(paths: list[str], workers: int) -> Iterator[_Mapped]:
    """Extraction results in input order, with a bounded number of documents in flight so a
    slow store never lets finished results pile up in memory."""
    if workers <= 1 or len(paths) < 4:
        yield from map(_extract_and_map, paths)
        return
    window = workers * 8
    with ProcessPoolExecutor(workers) as pool:
        pending: deque = deque()
        for path in paths:
            pending.append(pool.submit(_extract_and_map, path))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


BATCH_SIZE = 64  # documents written per transaction on a first load (one commit, not 64)


def load_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    progress: Callable[[LoadResult], None] | None = None,
) -> list[LoadResult]:
    """Load files and folders; per-file errors are reported in the results, never raised.

    Documents are written in batches, each batch in one transaction; if a batch is refused,
    its documents are retried one by one so a bad one cannot take good ones down with it.
    Either way no document is ever stored in part."""
    files = expand_paths(paths)
    install_reference_graphs(store)
    results: list[LoadResult] = []
    known = set(store.graphs())
    first_load = not any(g.startswith(DOCUMENT_PREFIX) for g in known)
    facts: dict[str, DocumentFacts] = {}
    batch: list[_Mapped] = []

    def report(result: LoadResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    def flush() -> None:
        by_document = {m.document: m for m in batch}
        for result in _write_batch(store, batch, known):
            if result.status in ("loaded", "replaced") and result.document in by_document:
                facts[result.document] = by_document[result.document].facts
            report(result)
        batch.clear()

    for mapped in _mapped(files, workers if workers is not None else (os.cpu_count() or 1)):
        if mapped.error is not None or mapped.document is None:
            report(LoadResult(mapped.path, "error", error=mapped.error))
            continue
        if mapped.document in known and _unchanged(store, mapped):
            report(LoadResult(mapped.path, "unchanged", document=mapped.document))
            continue
        if any(m.document == mapped.document for m in batch):
            flush()  # the same document twice in one batch: the later file wins
        batch.append(mapped)
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    if facts:
        if first_load:
            replace_rollups(store, facts.values())
        else:
            refresh_rollups(store, facts)
    elif str(ROLLUP_GRAPH) not in known and any(g.startswith(DOCUMENT_PREFIX) for g in known):
        rebuild_rollups(store)  # e.g. a roll-up lost to an interrupted write: documents without one
    return results


def _unchanged(store: Store, mapped: _Mapped) -> bool:
    existing = store.query(
        "ASK { GRAPH ?doc { ?doc <http://www.w3.org/ns/prov#wasDerivedFrom> ?src . ?src ?sha ?hash } }",
        bindings={"doc": URIRef(mapped.document or ""), "sha": PKG.sha256, "hash": RdfLiteral(mapped.sha256)},
        default_graph_union=False,
    )
    return bool(existing.boolean)


def _write_batch(store: Store, batch: list[_Mapped], known: set[str]) -> list[LoadResult]:
    graphs = {str(m.document): str(m.ntriples) for m in batch}
    outcomes: list[tuple[_Mapped, str | None]] = []
    try:
        store.replace_graphs_ntriples(graphs)
        outcomes = [(m, None) for m in batch]
    except Exception:  # noqa: BLE001 — retry one by one to isolate what the store refused
        for m in batch:
            try:
                store.replace_graphs_ntriples({str(m.document): graphs[str(m.document)]})
                outcomes.append((m, None))
            except Exception as exc:  # noqa: BLE001
                outcomes.append((m, f"{m.path}: store refused the document: {exc}"))
    results = []
    for m, error in outcomes:
        if error is not None:
            results.append(LoadResult(m.path, "error", document=m.document, error=error))
            continue
        status: Status = "replaced" if m.document in known else "loaded"
        known.add(str(m.document))
        results.append(LoadResult(m.path, status, document=m.document))
    return results


def _reference_graphs() -> dict[str, tuple[str, Callable[[], Graph]]]:
    """Named graph → (content hash, builder) for the ontology, vocabulary and gazetteer graphs."""
    from policykg.data import gazetteer_file
    from policykg.graph.gazetteer_graph import gazetteer_graph
    from policykg.ontology import load_graph, turtle_text

    def files_graph(names: tuple[str, ...]) -> Callable[[], Graph]:
        def build() -> Graph:
            graph = Graph()
            for name in names:
                for triple in load_graph(name):
                    graph.add(triple)
            return graph

        return build

    graphs: dict[str, tuple[str, Callable[[], Graph]]] = {}
    for iri, names in GRAPH_FILES.items():
        digest = hashlib.sha256("".join(turtle_text(n) for n in names).encode()).hexdigest()
        graphs[str(iri)] = (digest, files_graph(names))
    gazetteer_digest = hashlib.sha256(gazetteer_file().read_bytes()).hexdigest()
    graphs[str(GAZETTEER_GRAPH)] = (gazetteer_digest, gazetteer_graph)
    return graphs


def install_reference_graphs(store: Store) -> list[str]:
    """Put the ontology, vocabularies and gazetteer in their named graphs, unless the store
    already holds these exact versions (each graph carries its content hash). Returns the
    graphs that were (re)written."""
    changed: dict[str, Graph] = {}
    for iri, (digest, build) in _reference_graphs().items():
        current = store.query(
            "ASK { GRAPH ?g { ?g ?p ?hash } }",
            bindings={"g": URIRef(iri), "p": PKG.contentHash, "hash": RdfLiteral(digest)},
            default_graph_union=False,
        )
        if current.boolean:
            continue
        graph = build()
        graph.add((URIRef(iri), PKG.contentHash, RdfLiteral(digest)))
        changed[iri] = graph
    if changed:
        store.replace_graphs(changed)
    return sorted(changed)


def delete_document(store: Store, document: str) -> bool:
    """Remove one document's graph (by IRI); the roll-ups of its jurisdiction are recomputed."""
    removed = store.delete_graph(document)
    if removed:
        refresh_rollups(store, [document])
    return removed


__all__ = ["LoadResult", "delete_document", "expand_paths", "install_reference_graphs", "load_paths", "rebuild_rollups"]
