"""The `policykg` command line."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path


def _extract(args: argparse.Namespace) -> int:
    from policykg.loaders.extract import extract_file
    from policykg.loaders.record import to_json_dict

    record = extract_file(args.file)
    indent = 2 if args.pretty else None
    json.dump(to_json_dict(record), sys.stdout, ensure_ascii=False, indent=indent)
    sys.stdout.write("\n")
    return 0


def _summary(args: argparse.Namespace) -> int:
    """One line per document: what the loaders read out of it."""
    from policykg.data import corpus_files
    from policykg.loaders.extract import extract_file

    paths = args.files or [str(f) for f in corpus_files()]
    for path in paths:
        record = extract_file(path)
        where = record.jurisdiction.name if record.jurisdiction else "?"
        leads = sum(1 for m in record.measures if m.lead_agency)
        print(
            f"{path.rsplit('/', 1)[-1]}  {where}  {record.issue_date or '?'}  {record.doc_number or '-'}\n"
            f"    {record.title or '(no title)'}\n"
            f"    measures {len(record.measures)} (with lead agency {leads}), targets {len(record.targets)}, "
            f"instruments {len(record.instruments)}, pilot designations {len(record.pilot_sites)}, "
            f"citations {len(record.cites)}, warnings {len(record.warnings)}"
        )
    return 0


# --- graph commands -------------------------------------------------------------------------


def _store(args: argparse.Namespace):
    from policykg.graph.store import default_store_location, open_store

    return open_store(args.store or default_store_location())


def _load(args: argparse.Namespace) -> int:
    from policykg.graph.loading import expand_paths, load_paths

    files = expand_paths(args.paths)
    if not files:
        print("policykg: error: no document files under the given paths", file=sys.stderr)
        return 2
    on_terminal = sys.stderr.isatty()
    done = {"n": 0}

    def progress(result) -> None:
        done["n"] += 1
        if result.status == "error":
            if on_terminal:
                sys.stderr.write("\r\033[K")
            print(f"policykg: error: {result.error}", file=sys.stderr)
        if on_terminal:
            width = 30
            filled = width * done["n"] // len(files)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done['n']}/{len(files)}")
            sys.stderr.flush()

    store = _store(args)
    try:
        results = load_paths(store, files, workers=args.workers, progress=progress)
    finally:
        store.close()
    if on_terminal:
        sys.stderr.write("\n")
    counts = {status: sum(1 for r in results if r.status == status) for status in ("loaded", "replaced", "unchanged", "error")}
    print(", ".join(f"{n} {status}" for status, n in counts.items()))
    return 2 if counts["error"] else 0


def _query(args: argparse.Namespace) -> int:
    from policykg.graph.named_queries import ParamError, run_named_query

    store = _store(args)
    try:
        if args.named:
            params = dict(_key_value(p) for p in args.param)
            try:
                result = run_named_query(store, args.named, params)
            except (ParamError, KeyError) as exc:
                print(f"policykg: error: {exc}", file=sys.stderr)
                return 2
        else:
            if args.expression:
                sparql = args.expression
            elif args.file:
                sparql = Path(args.file).read_text(encoding="utf-8")
            else:
                print("policykg: error: give -e SPARQL, a .rq file or --named NAME", file=sys.stderr)
                return 2
            try:
                result = store.query(sparql)
            except Exception as exc:  # a parser or evaluation error, reported in one line
                print(f"policykg: error: query failed: {exc}", file=sys.stderr)
                return 2
    finally:
        store.close()
    fmt = args.format or ("table" if sys.stdout.isatty() else "tsv")
    sys.stdout.write(format_result(result, fmt))
    return 0


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"policykg: error: -p expects key=value, got {text!r}")
    return key, value


def _cell(term) -> str:
    if term is None:
        return ""
    return str(term)


def format_result(result, fmt: str) -> str:
    """A query result as table / json / csv / tsv (SELECT and ASK) or Turtle (CONSTRUCT)."""
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "graph":
        return result.graph.serialize(format="turtle")
    variables = list(result.variables)
    rows = [[_cell(row.get(v)) for v in variables] for row in result.rows]
    if fmt == "table":  # readable on a terminal: well-known namespaces as prefixes
        rows = [[_abbreviate(c) for c in r] for r in rows]
    if fmt == "json":
        return json.dumps([dict(zip(variables, r)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(rows)
        return out.getvalue()
    widths = [max([_width(v)] + [_width(r[i]) for r in rows]) for i, v in enumerate(variables)]
    lines = ["  ".join(_pad(v, w) for v, w in zip(variables, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows)
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines) + "\n"


_TABLE_PREFIXES = (
    ("https://w3id.org/policykg/id/", "id:"),
    ("https://w3id.org/policykg/instrument/", "inst:"),
    ("https://w3id.org/policykg/indicator/", "ind:"),
    ("https://w3id.org/policykg/function/", "fn:"),
    ("https://w3id.org/policykg/ontology#", "pkg:"),
)


def _abbreviate(text: str) -> str:
    for namespace, prefix in _TABLE_PREFIXES:
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]
    return text


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _stats(args: argparse.Namespace) -> int:
    from policykg.graph.stats import graph_stats

    store = _store(args)
    try:
        stats = graph_stats(store)
    finally:
        store.close()
    for key, value in stats.items():
        print(f"{key:32} {value}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from rdflib import Dataset

    from policykg.graph.validate import validate

    store = _store(args)
    try:
        dataset = Dataset()
        dataset.parse(data=store.dump(format="nquads"), format="nquads")
    finally:
        store.close()
    report = validate(dataset)
    if report.conforms:
        print(f"conforms: {len(dataset)} quads checked against ontology/shapes.ttl")
        return 0
    print(report.text)
    print(f"does not conform: {report.results} results", file=sys.stderr)
    return 1


def _delete(args: argparse.Namespace) -> int:
    from rdflib import Literal

    from policykg.graph.loading import delete_document

    store = _store(args)
    try:
        document = args.document
        if not document.startswith(("http://", "https://")):
            found = store.query(
                "SELECT ?d WHERE { GRAPH ?d { ?d <http://data.europa.eu/eli/ontology#id_local> ?n } }",
                bindings={"n": Literal(document)},
                default_graph_union=False,
            )
            if not found.rows:
                print(f"policykg: error: no loaded document with 文号 or IRI {document!r}", file=sys.stderr)
                return 2
            document = str(found.rows[0]["d"])
        if not delete_document(store, document):
            print(f"policykg: error: no loaded document {document}", file=sys.stderr)
            return 2
    finally:
        store.close()
    print(f"deleted {document}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from policykg.api.server import serve
    from policykg.api.settings import Settings, SettingsError, parse_origins

    try:
        settings = Settings.from_env(
            store=args.store,
            host=args.host,
            port=args.port,
            workers=args.workers,
            query_timeout=args.query_timeout,
            write_timeout=args.write_timeout,
            max_rows=args.max_rows,
            cors_origins=None if args.cors_origins is None else parse_origins(args.cors_origins),
            access_log=False if args.no_access_log else None,
            result_cache=False if args.no_result_cache else None,
            log_level=args.log_level,
        )
    except SettingsError as exc:
        print(f"policykg: error: {exc}", file=sys.stderr)
        return 2
    return serve(settings)


_EXPORT_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "jsonld"}


def _export(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        data = store.dump(format=_EXPORT_FORMATS[args.format])
    finally:
        store.close()
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
        return 0
    write_atomically(Path(args.output), data)
    return 0


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policykg", description="Policy documents → knowledge graph.")
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="print one document's record as JSON")
    extract.add_argument("file", help="a policy document (text; UTF-8, GB18030, Big5 or UTF-16)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON")
    extract.set_defaults(handler=_extract)

    summary = sub.add_parser("summary", help="extract documents (default: the bundled corpus) and summarise")
    summary.add_argument("files", nargs="*", help="documents to read (default: the bundled sample corpus)")
    summary.set_defaults(handler=_summary)

    def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--store",
            help="store directory, ':memory:' or an http(s):// SPARQL endpoint (default: $POLICYKG_STORE, see docs/stores.md)",
        )
        return p

    load = with_store(sub.add_parser("load", help="extract documents and load them into the store"))
    load.add_argument("paths", nargs="+", help="files and folders")
    load.add_argument("--workers", type=int, default=None, help="extraction processes (default: all cores)")
    load.set_defaults(handler=_load)

    query = with_store(sub.add_parser("query", help="run SPARQL or a named query"))
    query.add_argument("file", nargs="?", help="a .rq file")
    query.add_argument("-e", "--expression", help="SPARQL text")
    query.add_argument("--named", help="a named query (see queries/)")
    query.add_argument("-p", "--param", action="append", default=[], help="key=value for --named")
    query.add_argument("--format", choices=("table", "json", "csv", "tsv"), help="default: table on a terminal, else tsv")
    query.set_defaults(handler=_query)

    stats = with_store(sub.add_parser("stats", help="counts of what the store holds"))
    stats.set_defaults(handler=_stats)

    validate = with_store(sub.add_parser("validate", help="check the store against the SHACL shapes"))
    validate.set_defaults(handler=_validate)

    delete = with_store(sub.add_parser("delete", help="remove one document (IRI or 文号)"))
    delete.add_argument("document")
    delete.set_defaults(handler=_delete)

    serve = with_store(sub.add_parser(
        "serve", help="serve the store over HTTP: SPARQL endpoint, REST API, docs at /docs (docs/api.md)",
        description="Every option also has a POLICYKG_* environment variable; see docs/api.md for the full list."))
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; $POLICYKG_HOST)")
    serve.add_argument("--port", type=int, help="TCP port (default 8000; $POLICYKG_PORT)")
    serve.add_argument("--workers", type=int, help="query processes (default: the number of cores, 2 to 8; $POLICYKG_WORKERS)")
    serve.add_argument("--query-timeout", type=float, help="seconds a query may run before it is stopped (default 5; $POLICYKG_QUERY_TIMEOUT)")
    serve.add_argument("--write-timeout", type=float, help="seconds an update or upload may run (default 300; $POLICYKG_WRITE_TIMEOUT)")
    serve.add_argument("--max-rows", type=int, help="rows per answer (default 10000; $POLICYKG_MAX_ROWS)")
    serve.add_argument("--cors-origins", help="'*' or comma-separated origins; '' turns CORS off (default '*'; $POLICYKG_CORS_ORIGINS)")
    serve.add_argument("--no-access-log", action="store_true", help="no access log ($POLICYKG_ACCESS_LOG=0)")
    serve.add_argument("--no-result-cache", action="store_true",
                       help="run every named query afresh instead of reusing results per store version ($POLICYKG_RESULT_CACHE=0)")
    serve.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), help="default info ($POLICYKG_LOG_LEVEL)")
    serve.set_defaults(handler=_serve)

    export = with_store(sub.add_parser("export", help="serialise the store as RDF, or a view (--view) for Gephi, Cytoscape, R/pandas, SVG"))
    export.add_argument("--format", choices=tuple(_EXPORT_FORMATS), default="trig")
    export.add_argument("-o", "--output", help="file (written atomically); default stdout")
    export.set_defaults(handler=_export)
    from policykg.export_command import add_view_export

    add_view_export(export, rdf_handler=_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from policykg.loaders.reading import LoaderError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except LoaderError as exc:
        print(f"policykg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
