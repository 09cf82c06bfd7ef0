"""Loading one document given as bytes (an upload), not as a file on disk.

`graph.loading.load_paths` reads files; an upload has no path worth recording, and writing it
to a temporary file would put that temporary path into the graph (``pkg:sourcePath``). So
the bytes are extracted here under the name the client gave, mapped and written with the same
public steps `load_paths` uses: reference graphs, one transaction for the document, roll-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

from rdflib import Literal as RdfLiteral, URIRef

from policykg.graph.iris import document_iri
from policykg.graph.loading import install_reference_graphs
from policykg.graph.mapping import record_to_ntriples
from policykg.graph.namespaces import PKG, PROV
from policykg.graph.rollups import refresh_rollups
from policykg.graph.store import Store
from policykg.loaders.extract import extract_record
from policykg.loaders.reading import source_from_bytes
from policykg.loaders.record import Record

__all__ = ["IngestStatus", "Ingested", "ingest_bytes", "upload_name"]

IngestStatus = Literal["loaded", "replaced", "unchanged"]

_MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class Ingested:
    """What became of an uploaded document: its record, its IRI and whether the store changed."""

    record: Record
    document: str
    status: IngestStatus


def upload_name(filename: str | None) -> str:
    """The name an upload is recorded under (``pkg:sourcePath``): ``upload:`` and the file's
    base name as the client gave it (directories dropped, at most 120 characters)."""
    if not filename or not filename.strip():
        return "upload:document.txt"
    base = PureWindowsPath(PurePosixPath(filename.strip()).name).name  # a\\b.txt and a/b.txt → b.txt
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "document.txt"
    return "upload:" + cleaned[-_MAX_NAME:]


def ingest_bytes(store: Store, data: bytes, *, name: str) -> Ingested:
    """Extract one document from ``data`` and load it (replacing an earlier version of the same
    document); the roll-ups are rebuilt when the store changed. Bad input raises the loaders'
    ``LoaderError`` before anything is written."""
    record = extract_record(source_from_bytes(data, path=name))
    document = str(document_iri(record))
    ntriples = record_to_ntriples(record)
    install_reference_graphs(store)
    existed = document in store.graphs()
    if existed and _same_source(store, document, record.source.sha256):
        return Ingested(record, document, "unchanged")
    store.replace_graphs_ntriples({document: ntriples})
    refresh_rollups(store, [document])  # the roll-ups of its jurisdiction and its citations
    return Ingested(record, document, "replaced" if existed else "loaded")


def _same_source(store: Store, document: str, sha256: str) -> bool:
    found = store.query(
        "ASK { GRAPH ?doc { ?doc ?derived ?source . ?source ?sha ?hash } }",
        bindings={"doc": URIRef(document), "derived": PROV.wasDerivedFrom, "sha": PKG.sha256, "hash": RdfLiteral(sha256)},
        default_graph_union=False,
    )
    return bool(found.boolean)
