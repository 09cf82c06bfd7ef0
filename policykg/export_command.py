"""``policykg export --view VIEW --format FORMAT [-p key=value …] [-o FILE]``.

Networks, tables and pictures of the store (graph/exports.py, docs/exports.md). Hooked into
the ``export`` sub-command of ``policykg/cli.py`` by ``add_view_export``: without ``--view``
the command still serialises the whole store as RDF (``--format turtle|trig|nquads|jsonld``,
default trig), exactly as before.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial

from policykg.graph.exports import FORMATS, VIEW_NAMES, VIEWS, ExportError, export_view, write_atomically

RDF_FORMATS: tuple[str, ...] = ("turtle", "trig", "nquads", "jsonld")

_EPILOG = "views: " + "; ".join(f"{name} ({', '.join(spec.formats)})" for name, spec in VIEWS.items())


def add_view_export(export: argparse.ArgumentParser, *, rdf_handler: Callable[[argparse.Namespace], int]) -> None:
    """Give the ``export`` sub-parser ``--view`` and ``-p``, widen ``--format`` to the view
    formats, and route to ``rdf_handler`` (the whole-store RDF export) when ``--view`` is absent."""
    fmt = export._option_string_actions["--format"]  # argparse has no public way to amend an option
    fmt.choices = RDF_FORMATS + FORMATS
    fmt.default = None
    fmt.help = ("without --view: turtle | trig (default) | nquads | jsonld, the whole store as RDF; "
                "with --view: " + " | ".join(FORMATS))
    export.add_argument("--view", choices=VIEW_NAMES, help="export a network, table or picture instead of RDF (docs/exports.md)")
    export.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a view parameter, e.g. -p instrument=drg-payment -p level=province (repeatable)")
    if export.epilog is None:
        export.epilog = _EPILOG
    export.set_defaults(handler=partial(run_export, rdf_handler=rdf_handler))


def _error(message: str) -> int:
    print(f"policykg: error: {message}", file=sys.stderr)
    return 2


def _params(pairs: list[str]) -> dict[str, str] | str:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            return f"-p expects key=value, got {pair!r}"
        if key in params:
            return f"parameter {key!r} given twice"
        params[key] = value
    return params


def _holds_documents(store) -> bool:
    found = store.query("ASK { GRAPH ?d { ?d <http://www.w3.org/ns/prov#wasDerivedFrom> ?source } }", default_graph_union=False)
    return bool(found.boolean)


def run_export(args: argparse.Namespace, *, rdf_handler: Callable[[argparse.Namespace], int]) -> int:
    view = getattr(args, "view", None)
    if view is None:
        if args.param:
            return _error("-p is a view parameter: give --view VIEW too")
        if args.format is None:
            args.format = "trig"
        if args.format not in RDF_FORMATS:
            return _error(f"--format {args.format} needs --view VIEW ({', '.join(VIEWS)}); "
                          f"without --view the store is exported as RDF ({', '.join(RDF_FORMATS)})")
        return rdf_handler(args)
    if args.format is None or args.format in RDF_FORMATS:
        given = f"--format {args.format} is RDF; " if args.format else ""
        return _error(f"{given}--view {view} needs --format, one of {', '.join(VIEWS[view].formats)}")
    params = _params(args.param)
    if isinstance(params, str):
        return _error(params)

    from policykg.graph.store import StoreError, default_store_location, open_store

    location = args.store or default_store_location()
    try:
        store = open_store(location, read_only=True)
    except (OSError, ValueError, StoreError) as exc:
        return _error(f"cannot open the store {location}: {exc}")
    output = args.output
    try:
        if not _holds_documents(store):
            return _error(f"the store {location} holds no documents: load some first (policykg load DIR)")
        try:
            result = export_view(store, view=view, format=args.format, params=params)
        except ExportError as exc:
            return _error(str(exc))
        if output in (None, "-"):
            for chunk in result.body:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return 0
        try:
            size = write_atomically(output, result.body)
        except (OSError, StoreError, ExportError) as exc:
            return _error(f"{output}: not written: {exc}")
    finally:
        store.close()
    counts = (f"{result.nodes} nodes, {result.edges} edges" if result.nodes is not None
              else f"{result.rows} rows" if result.rows is not None else "streamed rows")
    print(f"wrote {output} ({size:,} bytes): view {view} as {args.format}, {counts}; "
          f"dataset {result.metadata['dataset_version']} ({result.metadata['documents']} documents)", file=sys.stderr)
    return 0
