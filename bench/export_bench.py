"""Export benchmark: every view in its formats from a large store (docs/exports.md).

    .venv/bin/python bench/export_bench.py [--store /tmp/policykg-bench/store-10000]
                                           [--only VIEW[,VIEW…]] [--cap 180] [--markdown FILE]

Each export runs in its own process, as ``policykg export`` would: open the store read-only,
``export_view`` (parameters checked, SPARQL, projection), then ``write_atomically`` into a
temporary folder (deleted afterwards). Reported per export: wall time from opening the store
to the renamed file, of which building (everything before the first byte), bytes written,
nodes/edges or rows, and the process's peak RSS (VmHWM). An export still running after
``--cap`` seconds is stopped (by its own process handle) and reported as such. The issue's
target: every export of 10,000 documents under a minute.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_STORE = "/tmp/policykg-bench/store-10000"
TARGET_SECONDS = 60.0

#: (view, format, parameters): every view, its formats, and the filtered requests a web view sends.
CASES: tuple[tuple[str, str, dict[str, str]], ...] = (
    *(("adoption", fmt, {}) for fmt in ("graphml", "gexf", "cytoscape", "d3", "pajek", "dot", "csv", "svg")),
    ("adoption", "d3", {"within": "330000"}),
    ("agencies", "gexf", {}),
    ("agencies", "csv", {"table": "nodes"}),
    ("agencies", "gexf", {"by": "function"}),
    ("agencies", "svg", {}),
    ("agencies", "d3", {"jurisdictions": "330000"}),
    ("citations", "gexf", {}),
    ("citations", "svg", {}),
    ("similarity", "gexf", {}),
    ("similarity", "svg", {"level": "province"}),
    ("full", "gexf", {}),
    ("full", "svg", {}),
    ("full", "graphml", {"limit": "500"}),
    ("matrix", "csv", {}),
    ("matrix", "svg", {}),
    ("matrix", "svg", {"level": "province"}),
    ("timeline", "csv", {"instrument": "universal-insurance"}),
    ("timeline", "svg", {"instrument": "drg-payment"}),
    ("panel", "csv", {}),
    ("panel", "csv", {"instrument": "drg-payment", "level": "province"}),
    ("targets", "csv", {}),
    ("responsibilities", "csv", {}),
)


def peak_rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_one(store_dir: str, view: str, fmt: str, params: dict[str, str], out_dir: str) -> dict[str, object]:
    """One export in this process; returns its measurements."""
    from policykg.graph.exports import export_view, write_atomically
    from policykg.graph.store import open_store

    started = time.perf_counter()
    store = open_store(store_dir, read_only=True)
    try:
        result = export_view(store, view=view, format=fmt, params=params)
        built = time.perf_counter()
        size = write_atomically(Path(out_dir) / result.filename, result.body)
    finally:
        store.close()
    done = time.perf_counter()
    return {
        "view": view, "format": fmt, "params": params, "seconds": round(done - started, 2),
        "build_seconds": round(built - started, 2), "bytes": size, "nodes": result.nodes, "edges": result.edges,
        "rows": result.rows, "documents": result.metadata.get("documents"), "notes": result.metadata.get("notes"),
        "peak_rss_mib": round(peak_rss_kib() / 1024),
    }


def describe(case: dict[str, object]) -> str:
    params = " ".join(f"-p {k}={v}" for k, v in dict(case["params"]).items())  # type: ignore[arg-type]
    return f"{case['view']} {case['format']} {params}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default=DEFAULT_STORE, help=f"on-disk store, opened read-only (default {DEFAULT_STORE})")
    parser.add_argument("--only", help="comma-separated views to run (default: all)")
    parser.add_argument("--cap", type=float, default=180.0, help="seconds before an export is stopped (default 180)")
    parser.add_argument("--markdown", help="also write the results as a markdown section to this file")
    parser.add_argument("--run-one", nargs="+", metavar="ARG", help=argparse.SUPPRESS)  # VIEW FORMAT OUTDIR [k=v …]
    args = parser.parse_args(argv)
    if args.run_one:
        view, fmt, out_dir, *pairs = args.run_one
        print(json.dumps(run_one(args.store, view, fmt, dict(p.split("=", 1) for p in pairs), out_dir), ensure_ascii=False))
        return 0
    if not Path(args.store).is_dir():
        print(f"export_bench: no store at {args.store} (bench/graph_bench.py --docs 10000 builds one)", file=sys.stderr)
        return 2
    only = set(args.only.split(",")) if args.only else None
    cases = [c for c in CASES if only is None or c[0] in only]
    out_dir = tempfile.mkdtemp(prefix="policykg-export-bench-")
    results: list[dict[str, object]] = []
    try:
        for view, fmt, params in cases:
            command = [sys.executable, __file__, "--store", args.store, "--run-one", view, fmt, out_dir,
                       *(f"{k}={v}" for k, v in params.items())]
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                stdout, stderr = process.communicate(timeout=args.cap)
            except subprocess.TimeoutExpired:
                process.kill()  # our own child, by its handle
                process.communicate()
                result: dict[str, object] = {"view": view, "format": fmt, "params": params, "seconds": None,
                                             "error": f"stopped after {args.cap:.0f} s"}
            else:
                if process.returncode != 0:
                    result = {"view": view, "format": fmt, "params": params, "seconds": None,
                              "error": (stderr.strip().splitlines() or ["failed"])[-1]}
                else:
                    result = json.loads(stdout.strip().splitlines()[-1])
            result["process_seconds"] = round(time.perf_counter() - started, 2)
            results.append(result)
            print(format_line(result), flush=True)
            for leftover in Path(out_dir).iterdir():
                leftover.unlink()
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    table = markdown(results, args.store)
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table, encoding="utf-8")
    slow = [r for r in results if r.get("seconds") is None or float(r["seconds"]) >= TARGET_SECONDS]  # type: ignore[arg-type]
    return 1 if slow else 0


def format_line(result: dict[str, object]) -> str:
    if result.get("seconds") is None:
        return f"{describe(result):60} {result.get('error')}"
    counts = f"{result['nodes']} nodes / {result['edges']} edges" if result.get("nodes") is not None else f"{result.get('rows')} rows"
    return (f"{describe(result):60} {result['seconds']:7.1f} s (build {result['build_seconds']:.1f} s)  "
            f"{int(result['bytes']):>13,} bytes  {counts}  {result['peak_rss_mib']} MiB")  # type: ignore[arg-type]


def markdown(results: list[dict[str, object]], store: str) -> str:
    documents = next((r.get("documents") for r in results if r.get("documents")), "?")
    lines = [
        f"### Exports ({documents} documents, `{store}`, each export in a fresh process)",
        "",
        "| export | wall s | of which build s | bytes | nodes / edges or rows | peak RSS | < 60 s |",
        "|---|---:|---:|---:|---|---:|:---:|",
    ]
    for r in results:
        if r.get("seconds") is None:
            lines.append(f"| `{describe(r)}` | — | — | — | {r.get('error')} | — | **no** |")
            continue
        counts = f"{r['nodes']:,} / {r['edges']:,}" if r.get("nodes") is not None else (f"{r['rows']:,} rows" if r.get("rows") is not None else "streamed")  # type: ignore[str-format]
        ok = "yes" if float(r["seconds"]) < TARGET_SECONDS else "**no**"  # type: ignore[arg-type]
        lines.append(f"| `{describe(r)}` | {r['seconds']} | {r['build_seconds']} | {int(r['bytes']):,} | {counts} | {r['peak_rss_mib']} MiB | {ok} |")  # type: ignore[arg-type]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
