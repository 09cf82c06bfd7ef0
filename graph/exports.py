"""Exports: one entry point for every view × format (docs/exports.md).

``export_view(store, view=…, format=…, params={…})`` validates the parameters, builds the
projection or table from SPARQL results (graph/projection_data.py → graph/projections.py, graph/research_tables.py) and
returns an ``ExportResult`` whose ``body`` yields the bytes (graph/formats.py, graph/svg.py).
Everything that can fail — a bad parameter, an unknown instrument or adcode, a picture too
big — fails before the first byte, so a caller writing a file or an HTTP response never
starts one it cannot finish. ``write_atomically`` writes a body to a file through a temporary
file in the same folder (never a truncated or empty file on failure).

Every export carries, in the place its format has for it, ``dataset_version`` — ``sha256:``
over the sorted SHA-256 hashes of the loaded documents' sources (``pkg:sha256`` of each
document's ``prov:wasDerivedFrom`` node), one per line — the number of documents, the
vocabulary version (the same over the reference graphs' ``pkg:contentHash``), the
parameters and ``exported_at`` (UTC). Only ``exported_at`` differs between two exports of the
same store with the same parameters.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.util
import os
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import networkx as nx

from policykg.graph import formats, svg
from policykg.graph.projection_data import (
    LEVELS,
    STAGES,
    CellData,
    Concept,
    ProjectionError,
    Selection,
    fetch_agency_rows,
    fetch_cells,
    fetch_citations,
    fetch_documents,
    fetch_full,
    fetch_gazetteer,
    fetch_vocabulary,
    select_full_documents,
    select_rows,
    selected_documents,
)
from policykg.graph.projections import (
    adoption_graph,
    agency_graph,
    citation_graph,
    full_graph,
    keep_top,
    similarity_graph,
)
from policykg.graph.research_tables import (
    build_matrix,
    matrix_table,
    panel_table,
    responsibilities_table,
    targets_table,
    timeline_rows,
    timeline_table,
)
from policykg.graph.store import Store

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "OPTIONS",
    "VIEWS",
    "VIEW_NAMES",
    "ExportError",
    "ExportResult",
    "Format",
    "Options",
    "View",
    "dataset_version",
    "export_view",
    "parse_options",
    "write_atomically",
]

View = Literal["adoption", "agencies", "citations", "similarity", "full", "matrix", "timeline", "panel", "targets", "responsibilities"]
Format = Literal["graphml", "gexf", "cytoscape", "d3", "pajek", "dot", "csv", "svg"]
VIEW_NAMES: tuple[str, ...] = get_args(View)
FORMATS: tuple[str, ...] = get_args(Format)
GRAPH_VIEWS = ("adoption", "agencies", "citations", "similarity", "full")

MEDIA_TYPES: dict[str, str] = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "cytoscape": "application/json",
    "d3": "application/json",
    "pajek": "text/plain; charset=utf-8",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
}
EXTENSIONS: dict[str, str] = {
    "graphml": "graphml", "gexf": "gexf", "cytoscape": "cyjs", "d3": "json",
    "pajek": "net", "dot": "dot", "csv": "csv", "svg": "svg",
}

#: Rows or nodes a picture shows unless ``limit`` says otherwise (a readable picture).
PICTURE_LIMIT = 60
#: Nodes a network picture may have at most (beyond, unreadable; networkx's dense layout).
PICTURE_MAX_NODES = 499
#: Documents the ``full`` view includes unless ``limit`` says otherwise (3 in a picture).
FULL_LIMIT, FULL_PICTURE_LIMIT, FULL_MAX = 25, 3, 500


class ExportError(ValueError):
    """A request that cannot be exported; the message names the view, format or parameter."""

    def __init__(self, message: str, *, view: str | None = None, format: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.view, self.format, self.param = view, format, param


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------

OptionKind = Literal["instrument", "indicator", "adcode", "adcodes", "level", "stage", "integer", "number", "choice", "text"]


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    kind: OptionKind
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


OPTIONS: dict[str, Option] = {o.name: o for o in (
    Option("instrument", "instrument", "instrument id (ontology/instruments.ttl); the instruments below it count too"),
    Option("level", "level", "only jurisdictions at this level", LEVELS),
    Option("within", "adcode", "only this jurisdiction and those under it (e.g. 330000: Zhejiang, its cities and counties)"),
    Option("jurisdictions", "adcodes", "only these jurisdictions (comma-separated adcodes)"),
    Option("min_stage", "stage", "only adoptions at this stage or stronger", STAGES),
    Option("limit", "integer", "at most this many (view-specific: jurisdictions, agencies, documents, rows)", minimum=1, maximum=100000),
    Option("top", "integer", "similarity: keep each jurisdiction's N most similar partners (0 = every pair; default 10)", minimum=0, maximum=10000),
    Option("min_jaccard", "number", "similarity: only pairs at least this similar (0–1; default 0)", minimum=0.0, maximum=1.0),
    Option("min_weight", "integer", "agencies: only pairs sharing at least this many measures (default 1)", minimum=1, maximum=100000),
    Option("by", "choice", "agencies: one node per agency (default) or per agency function", ("agency", "function")),
    Option("linked", "choice", "citations: all cited 文号 (default) or only loaded documents", ("all", "loaded")),
    Option("document", "text", "full: one document, by 文号 or IRI"),
    Option("year", "integer", "only documents of this year", minimum=1949, maximum=2100),
    Option("year_from", "integer", "panel: first year (default: each jurisdiction's first document)", minimum=1949, maximum=2100),
    Option("year_to", "integer", "panel: last year (default: the latest year loaded)", minimum=1949, maximum=2100),
    Option("indicator", "indicator", "targets: only this indicator (ontology/indicators.ttl)"),
    Option("value", "choice", "matrix CSV: what a cell holds (default stage)", ("stage", "first_year", "documents")),
    Option("table", "choice", "CSV of a network: the edge list (default) or the node list", ("edges", "nodes")),
)}

_SELECTION = ("level", "within", "jurisdictions")


@dataclass(frozen=True, slots=True)
class ViewSpec:
    name: str
    summary: str
    formats: tuple[str, ...]
    options: tuple[str, ...]
    required: tuple[str, ...] = ()


_NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "d3", "pajek", "dot", "csv", "svg")
VIEWS: dict[str, ViewSpec] = {v.name: v for v in (
    ViewSpec("adoption", "bipartite jurisdiction — instrument network from the roll-up (edge: strongest stage, first year, documents)",
             _NETWORK_FORMATS, ("instrument", *_SELECTION, "min_stage", "limit", "table")),
    ViewSpec("agencies", "agency co-responsibility network (edge weight = shared measures; lead/co counts; function)",
             _NETWORK_FORMATS, ("instrument", *_SELECTION, "min_weight", "by", "limit", "table")),
    ViewSpec("citations", "document citation graph across levels, with dates (cited 文号 not loaded included)",
             _NETWORK_FORMATS, (*_SELECTION, "linked", "limit", "table")),
    ViewSpec("similarity", "jurisdiction — jurisdiction network weighted by the Jaccard overlap of instrument sets",
             _NETWORK_FORMATS, ("instrument", *_SELECTION, "min_stage", "top", "min_jaccard", "limit", "table")),
    ViewSpec("full", f"the knowledge graph of some documents: documents, measures, agencies, instruments, targets (default {FULL_LIMIT} documents)",
             _NETWORK_FORMATS, (*_SELECTION, "document", "year", "limit", "table")),
    ViewSpec("matrix", "jurisdictions × instruments, cells = strongest stage (heatmap)", ("csv", "svg"),
             ("instrument", *_SELECTION, "min_stage", "value", "limit")),
    ViewSpec("timeline", "first adoption year per jurisdiction of one instrument (diffusion curve)", ("csv", "svg"),
             ("instrument", *_SELECTION, "min_stage", "limit"), required=("instrument",)),
    ViewSpec("panel", "jurisdiction × instrument × year, long format (event-history panel)", ("csv",),
             ("instrument", *_SELECTION, "min_stage", "year_from", "year_to")),
    ViewSpec("targets", "quantitative targets with document, jurisdiction, year", ("csv",), (*_SELECTION, "indicator", "year")),
    ViewSpec("responsibilities", "(measure, responsible agency) with role lead/co", ("csv",), ("instrument", *_SELECTION, "year")),
)}


@dataclass(frozen=True, slots=True)
class Options:
    """Validated parameters of one export (absent → None or the documented default)."""

    instrument: str | None = None
    level: str | None = None
    within: str | None = None
    jurisdictions: tuple[str, ...] = ()
    min_stage: str | None = None
    limit: int | None = None
    top: int | None = None
    min_jaccard: float | None = None
    min_weight: int | None = None
    by: str | None = None
    linked: str | None = None
    document: str | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    indicator: str | None = None
    value: str | None = None
    table: str | None = None
    given: tuple[tuple[str, str], ...] = field(default=())  # as given (sorted), for the metadata

    @property
    def selection(self) -> Selection:
        return Selection(level=self.level, within=self.within, jurisdictions=self.jurisdictions)  # type: ignore[arg-type]


_ID = re.compile(r"[a-z0-9-]+\Z")
_ADCODE = re.compile(r"[0-9]{6}\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")


def parse_options(view: str, format: str, raw: Mapping[str, str] | None) -> Options:
    """Check the view, the format and each parameter (``ExportError`` naming what is wrong)."""
    spec = VIEWS.get(view)
    if spec is None:
        raise ExportError(f"unknown view {view!r} (views: {', '.join(VIEWS)})", view=view)
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r} (formats: {', '.join(FORMATS)})", view=view, format=format)
    if format not in spec.formats:
        raise ExportError(f"view {view!r} has no {format} export (formats: {', '.join(spec.formats)})", view=view, format=format)
    values: dict[str, object] = {}
    given: list[tuple[str, str]] = []
    for name, text in (raw or {}).items():
        if name not in spec.options:
            raise ExportError(f"view {view!r} has no parameter {name!r} (parameters: {', '.join(spec.options)})", view=view, param=name)
        if not isinstance(text, str):
            raise ExportError(f"parameter {name!r}: expected text, got {type(text).__name__}", view=view, param=name)
        text = text.strip()
        if not text:
            continue
        if name == "table" and format != "csv":
            raise ExportError("parameter 'table' applies to the csv format only", view=view, param=name)
        values[name] = _convert(OPTIONS[name], text, view)
        given.append((name, text))
    for name in spec.required:
        if name not in values:
            raise ExportError(f"view {view!r} needs parameter {name!r} ({OPTIONS[name].description})", view=view, param=name)
    return Options(**values, given=tuple(sorted(given)))  # type: ignore[arg-type]


def _convert(option: Option, text: str, view: str) -> object:
    name = option.name

    def fail(reason: str) -> ExportError:
        return ExportError(f"parameter {name!r}: {reason}", view=view, param=name)

    if option.kind in ("instrument", "indicator"):
        if not _ID.match(text):
            raise fail(f"{text!r} is not a vocabulary id (a-z, 0-9 and '-')")
        return text
    if option.kind == "adcode":
        if not _ADCODE.match(text):
            raise fail(f"{text!r} is not an adcode (6 digits, e.g. 330000)")
        return text
    if option.kind == "adcodes":
        items = [item.strip() for item in text.split(",")]
        bad = [item for item in items if not _ADCODE.match(item)]
        if bad:
            raise fail(f"{bad[0]!r} is not an adcode (6 digits, e.g. 330000)")
        return tuple(dict.fromkeys(items))
    if option.kind in ("level", "stage", "choice"):
        if text not in option.choices:
            raise fail(f"{text!r} is not one of {', '.join(option.choices)}")
        return text
    if option.kind == "integer":
        if not _INTEGER.match(text):
            raise fail(f"{text!r} is not an integer")
        number = int(text)
    elif option.kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise fail(f"{text!r} is not a number") from None
    else:
        if len(text) > 500:
            raise fail("longer than 500 characters")
        return text
    if option.minimum is not None and number < option.minimum:
        raise fail(f"{text} is below the minimum {option.minimum:g}")
    if option.maximum is not None and number > option.maximum:
        raise fail(f"{text} is above the maximum {option.maximum:g}")
    return number


# --------------------------------------------------------------------------------------------
# Dataset version and metadata
# --------------------------------------------------------------------------------------------

_SOURCES = """
SELECT ?hash WHERE { GRAPH ?document { ?document prov:wasDerivedFrom ?source . ?source pkg:sha256 ?hash } }"""
_REFERENCE = """
SELECT ?graph ?hash WHERE { GRAPH ?graph { ?graph pkg:contentHash ?hash } }"""


@dataclass(frozen=True, slots=True)
class DatasetVersion:
    version: str  # "sha256:…" over the sorted source hashes
    documents: int
    vocabulary: str  # "sha256:…" over the reference graphs' content hashes


_versions: dict[tuple[str, str], DatasetVersion] = {}
_versions_lock = threading.Lock()


def dataset_version(store: Store) -> DatasetVersion:
    """What the store was loaded from: a hash of the loaded documents' source files (cached
    per store content: ``Store.dataset_version()`` changes on every write)."""
    key = (repr(store), store.dataset_version())
    with _versions_lock:
        found = _versions.get(key)
    if found is not None:
        return found
    found = _compute_dataset_version(store)
    with _versions_lock:
        if len(_versions) > 16:
            _versions.clear()
        _versions[key] = found
    return found


def _compute_dataset_version(store: Store) -> DatasetVersion:
    hashes = sorted(str(row[0]) for row in select_rows(store, _SOURCES))
    reference = sorted(f"{row[0]} {row[1]}" for row in select_rows(store, _REFERENCE))
    return DatasetVersion(
        "sha256:" + hashlib.sha256("".join(h + "\n" for h in hashes).encode()).hexdigest(),
        len(hashes),
        "sha256:" + hashlib.sha256("".join(r + "\n" for r in reference).encode()).hexdigest(),
    )


def _generator() -> str:
    try:
        from importlib.metadata import version

        return f"policykg {version('policykg')}"
    except Exception:  # noqa: BLE001 — not installed (a source checkout)
        return "policykg"


def _timestamp(moment: _dt.datetime | None) -> str:
    moment = moment or _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportResult:
    view: str
    format: str
    media_type: str
    extension: str
    metadata: Mapping[str, object]
    body: Iterable[bytes]  # iterate once
    nodes: int | None = None
    edges: int | None = None
    rows: int | None = None

    @property
    def filename(self) -> str:
        """A suggested file name, e.g. ``policykg-adoption.gexf``."""
        suffix = "-nodes" if self.format == "csv" and self.metadata.get("table") == "nodes" else ""
        return f"policykg-{self.view}{suffix}.{self.extension}"


def export_view(
    store: Store,
    *,
    view: str,
    format: str,
    params: Mapping[str, str] | None = None,
    exported_at: _dt.datetime | None = None,
) -> ExportResult:
    """Build ``view`` from the store and serialise it as ``format``. Raises ``ExportError``."""
    options = parse_options(view, format, params)
    version = dataset_version(store)
    metadata: dict[str, object] = {
        "generator": _generator(),
        "view": view,
        "format": format,
        "params": dict(options.given),
        "dataset_version": version.version,
        "documents": version.documents,
        "vocabulary_version": version.vocabulary,
        "exported_at": _timestamp(exported_at),
    }
    try:
        if view in GRAPH_VIEWS:
            return _export_graph(store, view, format, options, metadata)
        return _export_table(store, view, format, options, metadata)
    except ProjectionError as exc:
        raise ExportError(f"view {view!r}: {exc}", view=view, format=format, param=exc.param) from None


def _picture_limit(options: Options, format: str, default: int | None) -> int | None:
    if options.limit is not None:
        return options.limit
    return PICTURE_LIMIT if format == "svg" else default


def _build_graph(store: Store, view: str, format: str, options: Options, notes: list[str]) -> tuple[nx.Graph, CellData | None]:
    limit = _picture_limit(options, format, None)
    if view in ("adoption", "similarity"):
        data = fetch_cells(store, selection=options.selection, instrument=options.instrument, min_stage=options.min_stage,
                           with_documents=view == "adoption")
        adopters = len({c.adcode for c in data.cells})
        if limit is not None and adopters > limit:
            notes.append(f"{limit} of {adopters} jurisdictions (those adopting most instruments; -p limit=N)")
        if view == "adoption":
            return adoption_graph(data, limit=limit), data
        top = 10 if options.top is None else (options.top or None)
        return similarity_graph(data, top=top, min_jaccard=options.min_jaccard or 0.0, limit=limit), data
    if view == "agencies":
        rows = fetch_agency_rows(store, selection=options.selection, instrument=options.instrument)
        graph = agency_graph(rows, by=options.by or "agency", min_weight=options.min_weight or 1, limit=limit)  # type: ignore[arg-type]
        units = len({a for _, a in rows.responsible}) if (options.by or "agency") == "agency" else len({rows.agencies[a].function for _, a in rows.responsible})
        if limit is not None and units > limit:
            notes.append(f"{limit} of {units} {'agencies' if (options.by or 'agency') == 'agency' else 'functions'} (responsible for most measures; -p limit=N)")
        return graph, None
    if view == "citations":
        graph = citation_graph(fetch_citations(store, selection=options.selection), linked_only=options.linked == "loaded")
        if limit is not None and graph.number_of_nodes() > limit:
            total = graph.number_of_nodes()
            graph, _ = keep_top(graph, limit=limit)
            notes.append(f"{graph.number_of_nodes()} of {total} documents (most citations; -p limit=N)")
        return graph, None
    default = FULL_PICTURE_LIMIT if format == "svg" else FULL_LIMIT
    count = options.limit if options.limit is not None else default
    if count > FULL_MAX:
        raise ExportError(f"parameter 'limit': the full view takes at most {FULL_MAX} documents; narrow it with within, jurisdictions, year or document",
                          view=view, param="limit")
    chosen = select_full_documents(store, selection=options.selection, document=options.document, year=options.year, limit=count)
    if chosen.total > len(chosen.documents):
        notes.append(f"{len(chosen.documents)} of {chosen.total} documents (most recent first; -p limit=N up to {FULL_MAX}, or within/jurisdictions/year/document)")
    return full_graph(fetch_full(store, chosen.documents)), None


def _export_graph(store: Store, view: str, format: str, options: Options, metadata: dict[str, object]) -> ExportResult:
    notes: list[str] = []
    graph, data = _build_graph(store, view, format, options, notes)
    metadata.update(nodes=graph.number_of_nodes(), edges=graph.number_of_edges(), directed=graph.is_directed())
    if notes:
        metadata["notes"] = notes
    body: Iterable[bytes]
    if format == "graphml":
        body = formats.graphml_chunks(graph, metadata)
    elif format == "gexf":
        body = formats.gexf_chunks(graph, metadata)
    elif format == "cytoscape":
        body = [formats.cytoscape_json(graph, metadata)]
    elif format == "d3":
        body = [formats.d3_json(graph, metadata)]
    elif format == "pajek":
        body = formats.pajek_chunks(graph, metadata)
    elif format == "dot":
        body = formats.dot_chunks(graph, metadata)
    elif format == "csv":
        table = options.table or "edges"
        metadata["table"] = table
        columns, rows = formats.node_table(graph) if table == "nodes" else formats.edge_table(graph)
        body = formats.csv_chunks(columns, rows, metadata)
    else:
        body = [_picture(store, view, graph, data, metadata)]
    return ExportResult(view, format, MEDIA_TYPES[format], EXTENSIONS[format], metadata, body,
                        nodes=graph.number_of_nodes(), edges=graph.number_of_edges())


def _picture(store: Store, view: str, graph: nx.Graph, data: CellData | None, metadata: dict[str, object]) -> bytes:
    vocabulary = data.vocabulary if data is not None else fetch_vocabulary(store)
    if graph.number_of_nodes() > PICTURE_MAX_NODES:
        raise ExportError(f"view {view!r}: a picture of {graph.number_of_nodes()} nodes is unreadable (at most {PICTURE_MAX_NODES}); "
                          "use -p limit=N or narrow the selection", view=view, format="svg", param="limit")
    if view == "adoption":
        return svg.adoption_svg(graph, metadata, stages=vocabulary.stages, instruments_by_id=vocabulary.instruments)
    if view == "citations":
        return svg.citation_svg(graph, metadata)
    if importlib.util.find_spec("numpy") is None:  # networkx's spring layout needs it
        raise ExportError(f"view {view!r}: the {view} picture needs numpy (pip install numpy)", view=view, format="svg")
    if view == "agencies":
        by_function = graph.graph.get("by") == "function"
        names = {f: f"{c.label} {c.label_en}" for f, c in vocabulary.functions.items()}
        return svg.network_svg(graph, metadata, title="部门协同网络 · Agency co-responsibility" + (" (functions)" if by_function else ""),
                               colour_by="function", colour_names=names, size_by="measures")
    if view == "similarity":
        names = {level: svg.LEVEL_NAMES[level] for level in LEVELS}
        return svg.network_svg(graph, metadata, title="政策相似度 · Jurisdictions by shared instruments (Jaccard)",
                               colour_by="level", colour_names=names, size_by="instruments")
    return svg.network_svg(graph, metadata, title="知识图谱 · Documents, measures, agencies, instruments, targets",
                           colour_by="kind", label_kinds=frozenset({"document", "agency", "instrument", "jurisdiction"}))


def _export_table(store: Store, view: str, format: str, options: Options, metadata: dict[str, object]) -> ExportResult:
    selection = options.selection
    if view in ("matrix", "timeline", "panel"):
        data = fetch_cells(store, selection=selection, instrument=options.instrument, min_stage=options.min_stage,
                           with_documents=view != "matrix" or options.value == "documents" or format == "svg",
                           with_dates=view != "matrix")
    if view == "matrix":
        matrix = build_matrix(data, limit=_picture_limit(options, format, None))
        if matrix.total > len(matrix.jurisdictions):
            metadata["notes"] = [f"{len(matrix.jurisdictions)} of {matrix.total} jurisdictions (adopting most instruments; -p limit=N)"]
        if format == "svg":
            metadata.update(rows=len(matrix.jurisdictions), columns=len(matrix.instruments))
            return _result(view, format, metadata, [svg.matrix_svg(matrix, metadata)], rows=len(matrix.jurisdictions))
        table = matrix_table(matrix, value=options.value or "stage")  # type: ignore[arg-type]
        metadata["value"] = options.value or "stage"
    elif view == "timeline":
        rows = timeline_rows(data)
        if format == "svg":
            limit = _picture_limit(options, format, None)
            if limit is not None and len(rows) > limit:
                metadata["notes"] = [f"the first {limit} of {len(rows)} adopting jurisdictions are listed (-p limit=N)"]
            metadata["rows"] = len(rows)
            instrument = data.vocabulary.instruments.get(options.instrument or "") or Concept(options.instrument or "", "")
            picture = svg.timeline_svg(rows, metadata, instrument=instrument, stages=data.vocabulary.stages, limit=limit)
            return _result(view, format, metadata, [picture], rows=len(rows))
        table = timeline_table(rows if options.limit is None else rows[: options.limit])
    elif view == "panel":
        gazetteer = fetch_gazetteer(store)
        chosen = selected_documents(store, selection, gazetteer)
        if chosen is None:
            chosen = sorted({str(r[0]) for r in select_rows(store, "SELECT ?document WHERE { GRAPH ?document { ?document pkg:year ?year } }")})
        table = panel_table(data, fetch_documents(store, chosen), year_from=options.year_from, year_to=options.year_to)
    elif view == "targets":
        table = targets_table(store, selection=selection, indicator=options.indicator, year=options.year)
    else:
        table = responsibilities_table(store, selection=selection, instrument=options.instrument, year=options.year)
    rows_count = len(table.rows) if isinstance(table.rows, (list, tuple)) else None
    if rows_count is not None:
        metadata["rows"] = rows_count
    return _result(view, format, metadata, formats.csv_chunks(table.columns, table.rows, metadata), rows=rows_count)


def _result(view: str, format: str, metadata: Mapping[str, object], body: Iterable[bytes], *, rows: int | None) -> ExportResult:
    return ExportResult(view, format, MEDIA_TYPES[format], EXTENSIONS[format], metadata, body, rows=rows)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def write_atomically(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``path`` through a temporary file in the same folder, then rename:
    the file is either the complete new content or untouched (never half-written or empty
    because of a failure). Returns the number of bytes written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    written = 0
    try:
        with open(temporary, "xb") as handle:  # "x": honours the umask, never clobbers
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return written
