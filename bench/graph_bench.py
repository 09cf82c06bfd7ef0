"""Graph-store benchmark: loading throughput, named-query latency, serving memory, rdflib baseline.

    .venv/bin/python bench/graph_bench.py --docs N [--store DIR | --memory] [--workers W]
                                          [--rdflib-docs M] [--runs 20] [--markdown FILE]

Steps (each in its own process, so that peak memory is that step's own):

1. corpus — `bench/synthetic_corpus.py` generates N documents (or reuses the folder when it
   already holds N documents for the seed);
2. load — `policykg.graph.loading.load_paths` with W worker processes (default: all cores) into a
   fresh on-disk store (or, with --memory, an in-memory one): wall time, documents/s, quads, size
   on disk, peak RSS of the loading process and of its largest worker;
3. serve — a new process reopens the store as a server would, runs every named query
   (`load_named_queries()`) with its example parameters (compare-jurisdictions: the two
   provinces with the most documents), 2 warm-up runs then R timed runs: median, p90, rows;
   then its peak RSS (VmHWM) — the memory a query server needs;
4. dump — `Store.dump(format="nquads")` of the store handed to rdflib (timed);
5. rdflib — a new process parses that N-Quads dump into `rdflib.Dataset(default_union=True)`
   and runs the same queries with `initBindings` (load time, RSS, latency). When M < N the
   M-document store is loaded and served as well, so the embedded/rdflib ratio compares equal
   data. rdflib gets a time budget (--rdflib-budget, default 300 s); queries it does not reach
   are reported as such.

Prints plain text and markdown tables; --markdown FILE also writes them as a section.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = ".policykg-bench"  # a store folder this script made (and may therefore delete)

# Informational heavier variants (fewer runs): what a UI asking broad questions would send.
STRESS_VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("adoption-matrix", {}),
    ("adopters", {"instrument": "drg-payment"}),
    ("measures", {"q": "医保"}),
    ("co-responsibility", {}),
    ("gaps", {"instrument": "drg-payment", "level": "county"}),
    ("lead-agencies", {"instrument": "tiered-care-system"}),
    ("compare-targets", {"indicator": "drug-share"}),
    ("citations", {}),
    ("pilot-sites", {}),
    ("timeline", {"instrument": "family-doctor-contracting"}),
)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def proc_status() -> dict[str, int]:
    """VmHWM / VmRSS of this process in KiB (Linux), else ru_maxrss."""
    out: dict[str, int] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    except OSError:
        out["VmHWM"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out


def mib(kib: int | float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def corpus_paths(corpus: Path, limit: int | None) -> list[str]:
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    return files[:limit] if limit else files


def fresh_store_dir(path: Path) -> None:
    if path.exists():
        if not (path / MARKER).exists() and any(path.iterdir()):
            raise SystemExit(f"{path} exists and was not made by this benchmark; choose another --store")
        shutil.rmtree(path)


def run_child(args: list[str], *, timeout: float | None = None, idle_timeout: float | None = None,
              first_timeout: float | None = None, stream: bool = False) -> tuple[list[dict], bool]:
    """Run this script as a child phase; its JSON lines (prefixed '@@') are returned.
    Returns (results, finished) — finished is False when a timeout killed it: `timeout` for the
    whole child, `idle_timeout` for the time between two results."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    results: list[dict] = []
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    deadline = None if timeout is None else time.monotonic() + timeout
    finished = True
    assert proc.stdout is not None
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    buffer = ""
    last_result = time.monotonic()
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if idle_timeout is not None:
            allowed = first_timeout if (first_timeout is not None and not results) else idle_timeout
            idle_left = last_result + allowed - time.monotonic()
            remaining = idle_left if remaining is None else min(remaining, idle_left)
        if remaining is not None and remaining <= 0:
            killed_rss = _child_status(proc.pid)  # its memory so far counts too
            if killed_rss:
                results.append({"kind": "killed", "rss": killed_rss})
            proc.kill()
            finished = False
            break
        events = selector.select(timeout=remaining if remaining is not None else 1.0)
        if not events:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536).decode("utf-8", "replace")
        if not chunk:
            break
        buffer += chunk
        while "\n" in buffer:
            line, buffer = buffer.split("\n", 1)
            if line.startswith("@@"):
                results.append(json.loads(line[2:]))
                last_result = time.monotonic()
            elif stream:
                print("    " + line, flush=True)
    proc.wait()
    if finished and proc.returncode != 0:
        raise SystemExit(f"child phase failed ({proc.returncode}): {shlex.join(command)}")
    return results, finished


def run_queries(phase_args: list[str], cap: float, *, open_allowance: float = 600.0) -> list[dict]:
    """Run a query phase ("serve" or "rdflib"); a query still running `cap` seconds after the
    previous result is recorded as timed out, the child is killed and a new one continues
    with the remaining queries (opening the store / parsing the dump again)."""
    results: list[dict] = []
    skip: list[str] = []
    while True:
        batch, finished = run_child(phase_args + ["--skip", json.dumps(skip, ensure_ascii=False)],
                                    idle_timeout=cap, first_timeout=open_allowance)
        results.extend(r for r in batch if r["kind"] != "start" and not (r["kind"] == "open" and any(x["kind"] == "open" for x in results)))
        for r in batch:
            if r["kind"] == "killed" and pending_label(batch):
                r["label"] = pending_label(batch)
        if finished:
            return results
        started = [r["label"] for r in batch if r["kind"] == "start"]
        answered = {r["label"] for r in batch if r["kind"] == "query"}
        pending = [label for label in started if label not in answered]
        if not pending:  # killed while opening: give up
            results.append({"kind": "done", "rss": {"VmHWM": 0, "VmRSS": 0}, "killed": True})
            return results
        label = pending[-1]
        start = next(r for r in batch if r["kind"] == "start" and r["label"] == label)
        killed = next((r for r in batch if r["kind"] == "killed"), None)
        record = {"kind": "query", "label": label, "name": label.split("?")[0].split(" ")[0], "timeout_s": cap,
                  "params": start.get("params", {}), "stress": label not in _plain_names()}
        if killed:
            record["rss"] = killed["rss"]
        results.append(record)
        skip.extend(sorted(answered | {label}))


def pending_label(batch: list[dict]) -> str | None:
    answered = {r["label"] for r in batch if r["kind"] == "query"}
    started = [r["label"] for r in batch if r["kind"] == "start" and r["label"] not in answered]
    return started[-1] if started else None


def _plain_names() -> set[str]:
    from policykg.graph.named_queries import load_named_queries

    return set(load_named_queries())


def _child_status(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def emit(payload: dict) -> None:
    print("@@" + json.dumps(payload, ensure_ascii=False), flush=True)


# --------------------------------------------------------------------------------------------
# phases (run in child processes)
# --------------------------------------------------------------------------------------------


def _load_into(store, paths: list[str], workers: int, profile: bool) -> dict:
    from policykg.graph.loading import load_paths

    statuses: dict[str, int] = {}
    errors: list[str] = []
    last_document = [0.0]
    done = [0]

    def progress(result) -> None:
        statuses[result.status] = statuses.get(result.status, 0) + 1
        if result.error and len(errors) < 5:
            errors.append(result.error)
        done[0] += 1
        last_document[0] = time.perf_counter()
        if done[0] % 1000 == 0:
            print(f"{done[0]} documents, {done[0] / (last_document[0] - t0):.1f} docs/s", flush=True)

    t0 = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    load_paths(store, paths, workers=workers, progress=progress)
    t_end = time.perf_counter()
    if profile:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    return {
        "documents": len(paths),
        "statuses": statuses,
        "errors": errors,
        "wall_s": t_end - t0,
        "documents_s": (last_document[0] or t_end) - t0,
        "rollup_s": t_end - (last_document[0] or t_end),
        "docs_per_s": len(paths) / (t_end - t0),
        "workers": workers,
        "quads": store.count(),
        "graphs": len(store.graphs()),
    }


def phase_load(store_location: str, corpus: Path, limit: int | None, workers: int, profile: bool) -> dict:
    from policykg.graph.store import open_store

    paths = corpus_paths(corpus, limit)
    store_dir = Path(store_location)
    fresh_store_dir(store_dir)
    store_dir.mkdir(parents=True)
    (store_dir / MARKER).write_text("made by bench/graph_bench.py\n")
    store = open_store(store_location)
    result = _load_into(store, paths, workers, profile)
    t_close = time.perf_counter()
    store.close()
    result["close_s"] = time.perf_counter() - t_close
    result["rss"] = proc_status()
    result["worker_max_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["disk_bytes"] = dir_size(store_dir)
    return result


def phase_memory(corpus: Path, limit: int, workers: int, runs: int, warmup: int, stress: bool, stress_runs: int, dump_to: Path) -> None:
    """--memory: load into an in-memory store, then serve and dump from the same process."""
    from policykg.graph.store import open_store

    store = open_store(None)
    result = _load_into(store, corpus_paths(corpus, limit), workers, False)
    result.update(close_s=0.0, rss=proc_status(), worker_max_rss_kib=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    emit({"kind": "load", **result})
    _serve_loop(store, runs, warmup, None, stress, stress_runs, opened_s=0.0, base=result["rss"], skip=[])
    t0 = time.perf_counter()
    data = store.dump(format="nquads")
    dump_to.write_bytes(data)
    emit({"kind": "dump", "dump_s": time.perf_counter() - t0, "bytes": len(data), "lines": data.count(b"\n"), "rss": proc_status()})


def _pick_pair(store) -> list[str]:
    """The two provinces with the most documents (else any two jurisdictions)."""
    rows = store.query(
        """PREFIX pkg: <https://w3id.org/policykg/ontology#>
        SELECT ?j (COUNT(?d) AS ?n) WHERE { ?d a pkg:PolicyDocument ; pkg:jurisdiction ?j .
          OPTIONAL { ?j pkg:level ?level } BIND(IF(?level = "province", 0, 1) AS ?rank) }
        GROUP BY ?j ?rank ORDER BY ?rank DESC(?n) ?j LIMIT 2"""
    ).rows
    return [str(r["j"]).rsplit("/", 1)[-1] for r in rows]


def query_plan(pair: list[str], stress: bool) -> list[tuple[str, str, dict[str, str]]]:
    """(label, query name, raw params) for every named query, then the stress variants."""
    from policykg.graph.named_queries import load_named_queries

    plan = []
    for name, query in sorted(load_named_queries().items()):
        params = query.example_params()
        if name == "compare-jurisdictions" and len(pair) == 2:
            params = {**params, "jurisdictions": ",".join(pair)}
        plan.append((name, name, params))
    if stress:
        for name, params in STRESS_VARIANTS:
            label = name + "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else name + " (no parameters)"
            plan.append((label, name, params))
    return plan


def phase_serve(store_location: str, runs: int, warmup: int, pair: list[str] | None, stress: bool, stress_runs: int,
                read_only: bool, skip: list[str]) -> None:
    from policykg.graph.store import open_store

    base = proc_status()
    t0 = time.perf_counter()
    store = open_store(store_location, read_only=read_only)
    opened = time.perf_counter() - t0
    _serve_loop(store, runs, warmup, pair, stress, stress_runs, opened_s=opened, base=base, skip=skip)
    store.close()


def _timed_runs(run, runs: int, warmup: int, slow: float) -> tuple[list[float], float, int]:
    """Warm-up then timed runs of `run()` (returns rows). A query slower than `slow` seconds
    gets one warm-up and fewer timed runs (at least 3, about a minute in all)."""
    t = time.perf_counter()
    rows = run()
    first = time.perf_counter() - t
    warm = 1
    if first > slow:
        runs = max(3, min(runs, int(60 / first)))
    else:
        for _ in range(warmup - 1):
            run()
            warm += 1
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - t)
    return times, first, rows


def _serve_loop(store, runs: int, warmup: int, pair: list[str] | None, stress: bool, stress_runs: int, *,
                opened_s: float, base: dict, skip: list[str]) -> None:
    from policykg.graph.named_queries import run_named_query

    pair = pair or _pick_pair(store)
    emit({"kind": "open", "open_s": opened_s, "pair": pair, "rss_before_open": base})
    for label, name, params in query_plan(pair, stress):
        if label in skip:
            continue
        emit({"kind": "start", "label": label, "params": params})
        n = runs if label == name else stress_runs
        times, first, rows = _timed_runs(lambda: len(run_named_query(store, name, params).rows), n, warmup, 2.0)
        emit({"kind": "query", "label": label, "name": name, "params": params, "runs": len(times), "rows": rows,
              "first_s": first, "median_s": statistics.median(times), "p90_s": percentile(times, 0.9),
              "min_s": min(times), "stress": label != name, "rss": proc_status()})
    emit({"kind": "done", "rss": proc_status()})


def phase_dump(store_location: str, out: Path) -> dict:
    from policykg.graph.store import open_store

    store = open_store(store_location, read_only=True)
    t0 = time.perf_counter()
    data = store.dump(format="nquads")
    elapsed = time.perf_counter() - t0
    out.write_bytes(data)
    store.close()
    return {"dump_s": elapsed, "bytes": len(data), "lines": data.count(b"\n"), "rss": proc_status()}


def phase_rdflib(nquads: Path, runs: int, warmup: int, pair: list[str], skip: list[str]) -> None:
    import rdflib

    from policykg.graph.named_queries import bind_params, load_named_queries

    base = proc_status()
    t0 = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(nquads), format="nquads")
    load_s = time.perf_counter() - t0
    emit({"kind": "open", "load_s": load_s, "quads": len(dataset), "rss": proc_status(), "rss_before": base})
    queries = load_named_queries()
    for label, name, params in query_plan(pair, stress=False):
        if label in skip:
            continue
        emit({"kind": "start", "label": label})
        query = queries[name]
        bindings = bind_params(query, params)
        times, first, rows = _timed_runs(lambda: len(list(dataset.query(query.sparql, initBindings=bindings))),
                                         runs, warmup, 2.0)
        emit({"kind": "query", "label": label, "name": name, "runs": len(times), "rows": rows, "first_s": first,
              "median_s": statistics.median(times), "p90_s": percentile(times, 0.9), "min_s": min(times)})
    emit({"kind": "done", "rss": proc_status()})


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500, help="number of synthetic documents (N)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, help="on-disk store folder (default /tmp/policykg-bench/store-N)")
    where.add_argument("--memory", action="store_true", help="in-memory store: load and queries in one process")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rdflib-docs", type=int, default=None, help="documents for the rdflib baseline (M, default N)")
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--rdflib-budget", type=float, default=300.0,
                        help="seconds rdflib may take to parse the dump (else the baseline is reported as not loaded)")
    parser.add_argument("--rdflib-cap", type=float, default=120.0, help="per-query cap for rdflib, as --query-cap")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--stress-runs", type=int, default=5)
    parser.add_argument("--no-stress", action="store_true", help="skip the informational broad-query variants")
    parser.add_argument("--read-only", action="store_true", help="serve from a store opened read_only=True")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default /tmp/policykg-bench/corpus-N-sSEED)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/policykg-bench"))
    parser.add_argument("--reuse-store", action="store_true",
                        help="skip loading when the store of a previous run (and its load-N.json) exists")
    parser.add_argument("--profile-load", action="store_true", help="cProfile the loading process (main process only)")
    parser.add_argument("--markdown", type=Path, help="also write the results as a markdown section to this file")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--arg", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--skip", default="[]", help=argparse.SUPPRESS)
    parser.add_argument("--query-cap", type=float, default=120.0,
                        help="seconds one query (warm-up + runs) may take before it is recorded as timed out")
    args = parser.parse_args(argv)

    if args.phase:
        return child(args)

    command = ".venv/bin/python bench/graph_bench.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    n = args.docs
    m = args.rdflib_docs or n
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or workdir / f"corpus-{n}-s{args.seed}"
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    say(f"## Graph store ({n:,} synthetic documents)")
    say()
    say(f"Command: `{command}`")
    say()
    import platform

    say(f"Machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, pyoxigraph {_version('pyoxigraph')}, rdflib {_version('rdflib')}")
    say()

    # 1. corpus
    sys.path.insert(0, str(HERE))
    from synthetic_corpus import generate_corpus

    t0 = time.perf_counter()
    summary = generate_corpus(n, corpus, seed=args.seed)
    gen_s = time.perf_counter() - t0
    say("### Corpus")
    say()
    say(f"{summary['documents']:,} documents, {summary['characters']:,} characters "
        f"(mean {summary['characters'] // max(1, summary['documents']):,}), seed {args.seed}, "
        f"{'reused' if summary.get('reused') else f'generated in {gen_s:.1f} s'}: `{corpus}`")
    say()

    # 2. load (+ serve) of N
    if args.memory:
        store_n = None
    else:
        store_n = str(args.store or workdir / f"store-{n}")
    say(f"### (a) Extraction + loading ({'in-memory store' if args.memory else 'fresh on-disk store'}, workers={args.workers})")
    say()
    if args.memory:
        results, _ = run_child(["--phase", "memory", "--arg", str(corpus), "--arg", str(n), "--arg", str(args.workers),
                                "--arg", str(args.runs), "--arg", str(args.warmup), "--arg", str(int(not args.no_stress)),
                                "--arg", str(args.stress_runs), "--arg", str(workdir / f"dump-{n}.nq")], stream=True)
        load = next(r for r in results if r.get("kind") == "load")
        serve = [r for r in results if r.get("kind") in ("open", "query", "done")]
        memory_dump = next(r for r in results if r.get("kind") == "dump")
    else:
        saved = workdir / f"load-{n}.json"
        if args.reuse_store and saved.exists() and Path(store_n).exists():
            load = json.loads(saved.read_text())
            say(f"(store and loading figures reused from the run of {time.ctime(saved.stat().st_mtime)}: `{saved}`)")
            say()
        else:
            results, _ = run_child(["--phase", "load", "--arg", store_n, "--arg", str(corpus), "--arg", str(n),
                                    "--arg", str(args.workers), "--arg", str(int(args.profile_load))], stream=True)
            load = results[-1]
            saved.write_text(json.dumps(load))
    _report_load(say, load)

    if not args.memory:
        say(f"### (b) Named queries, embedded on-disk store reopened ({n:,} documents; "
            f"{args.warmup} warm-up + {args.runs} timed runs)")
        say()
        serve = run_queries(["--phase", "serve", "--arg", store_n, "--arg", str(args.runs), "--arg", str(args.warmup),
                             "--arg", "", "--arg", str(int(not args.no_stress)), "--arg", str(args.stress_runs),
                             "--arg", str(int(args.read_only))], args.query_cap)
    else:
        say(f"### (b) Named queries, in-memory store ({n:,} documents)")
        say()
    embedded_n = _report_queries(say, serve)
    done = dict(next(r for r in serve if r["kind"] == "done"))
    peaks = [r["rss"]["VmHWM"] for r in serve if r["kind"] in ("query", "done", "killed") and r.get("rss", {}).get("VmHWM")]
    done["rss"] = {**done["rss"], "VmHWM": max(peaks)}  # several processes when a query timed out
    opened = next(r for r in serve if r["kind"] == "open")
    say("### (c) Serving memory")
    say()
    say("| process | peak RSS (VmHWM) | RSS at end | RSS before opening the store |")
    say("|---|---:|---:|---:|")
    before = opened.get("rss_before_open", {}).get("VmRSS")
    serving = "load + open + every query above (one process: --memory)" if args.memory else "serving: open store + every query above"
    serving += " (incl. processes stopped at the query cap)" if any(r["kind"] == "killed" for r in serve) else ""
    say(f"| {serving} | {mib(done['rss']['VmHWM'])} | {mib(done['rss']['VmRSS'])} | "
        f"{mib(before) if before else '—'} |")
    for r in serve:
        if r["kind"] == "killed":
            say(f"| serving process stopped at the cap while running {r.get('label', '?')} | {mib(r['rss'].get('VmHWM', 0))} | "
                f"{mib(r['rss'].get('VmRSS', 0))} | |")
    say(f"| loading (main process, for comparison) | {mib(load['rss']['VmHWM'])} | {mib(load['rss']['VmRSS'])} | |")
    say(f"| loading (largest worker) | {mib(load['worker_max_rss_kib'])} | | |")
    say()

    # 3. rdflib
    if args.no_rdflib:
        return _finish(say, out, args, load, embedded_n, done, None, None, None, n, m)
    pair = opened["pair"]
    embedded_m = embedded_n
    if m != n:
        say(f"### rdflib baseline at M = {m:,} documents (--rdflib-docs; N = {n:,} is out of rdflib's reach, see the estimate below)")
        say()
        if args.memory:
            raise SystemExit("--rdflib-docs < --docs needs an on-disk store")
        store_m = str(workdir / f"store-{m}")
        results, _ = run_child(["--phase", "load", "--arg", store_m, "--arg", str(corpus), "--arg", str(m),
                                "--arg", str(args.workers), "--arg", "0"])
        load_m = results[-1]
        say(f"Embedded store with the first {m:,} documents: {load_m['quads']:,} quads, loaded in {load_m['wall_s']:.1f} s.")
        say()
        serve_m = run_queries(["--phase", "serve", "--arg", store_m, "--arg", str(args.runs), "--arg", str(args.warmup),
                               "--arg", "", "--arg", "0", "--arg", "0", "--arg", str(int(args.read_only))], args.query_cap)
        embedded_m = {r["label"]: r for r in serve_m if r["kind"] == "query"}
        pair = next(r for r in serve_m if r["kind"] == "open")["pair"]
    else:
        store_m = store_n
    dump_file = workdir / f"dump-{m}.nq"
    if not args.memory:
        results, _ = run_child(["--phase", "dump", "--arg", store_m, "--arg", str(dump_file)])
        dump = results[-1]
        say(f"### (d) rdflib `Dataset(default_union=True)` with the same quads ({m:,} documents)")
        say()
        say(f"`Store.dump(format=\"nquads\")` of the {m:,}-document store: {dump['lines']:,} quads, "
            f"{dump['bytes'] / 2**20:,.0f} MiB in {dump['dump_s']:.1f} s (peak RSS of the dumping process "
            f"{mib(dump['rss']['VmHWM'])}).")
        say()
    else:
        dump = memory_dump
        say(f"### (d) rdflib `Dataset(default_union=True)` with the same quads ({m:,} documents)")
        say()
        say(f"`Store.dump(format=\"nquads\")` of the in-memory store: {dump['lines']:,} quads, "
            f"{dump['bytes'] / 2**20:,.0f} MiB in {dump['dump_s']:.1f} s.")
        say()
    rd = run_queries(["--phase", "rdflib", "--arg", str(dump_file), "--arg", str(args.runs),
                      "--arg", str(args.warmup), "--arg", ",".join(pair)], args.rdflib_cap,
                     open_allowance=args.rdflib_budget)
    _report_rdflib(say, rd, embedded_m, m)
    opened_rd = next((r for r in rd if r["kind"] == "open"), None)
    if opened_rd and m != n:
        scale = load["quads"] / max(1, opened_rd["quads"])
        say(f"Extrapolated to the N = {n:,} store ({load['quads']:,} quads, ×{scale:.0f}): rdflib would parse for about "
            f"{opened_rd['load_s'] * scale / 60:,.0f} min and hold about "
            f"{(opened_rd['rss']['VmRSS'] - opened_rd['rss_before']['VmRSS']) * scale / 2**20:,.1f} GiB before answering a query "
            f"(linear in quads), while its queries are already 1–3 orders of magnitude slower at M.")
        say()
    return _finish(say, out, args, load, embedded_n, done, dump, rd, embedded_m, n, m)


def _version(package: str) -> str:
    from importlib.metadata import version

    try:
        return version(package)
    except Exception:  # noqa: BLE001
        return "?"


def _report_load(say, load: dict) -> None:
    say("| measure | value |")
    say("|---|---:|")
    say(f"| documents | {load['documents']:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(load['statuses'].items()))}) |")
    say(f"| wall time (load_paths) | {load['wall_s']:.1f} s |")
    say(f"| throughput | **{load['docs_per_s']:.1f} documents/s** |")
    say(f"| of which documents (extract, map, write) | {load['documents_s']:.1f} s |")
    say(f"| of which roll-up rebuild after the last document | {load['rollup_s']:.1f} s |")
    say(f"| quads in the store | {load['quads']:,} ({load['quads'] / max(1, load['documents']):,.0f} per document incl. reference graphs) |")
    say(f"| named graphs | {load['graphs']:,} |")
    if "disk_bytes" in load:
        say(f"| store size on disk | {load['disk_bytes'] / 2**20:,.0f} MiB |")
    say(f"| peak RSS, loading process / largest worker | {mib(load['rss']['VmHWM'])} / {mib(load['worker_max_rss_kib'])} |")
    say(f"| store close (flush) | {load['close_s']:.1f} s |")
    say()
    if load.get("errors"):
        say("Errors: " + "; ".join(load["errors"]))
        say()


def _cells(r: dict | None) -> tuple[str, str, str, str]:
    """rows, first, median, p90 of a query result (or of a timed-out one)."""
    if r is None:
        return "—", "—", "—", "—"
    if "timeout_s" in r:
        return "—", f"> {r['timeout_s'] * 1000:,.0f}", "timed out", "—"
    return f"{r['rows']:,}", ms(r.get("first_s")), ms(r["median_s"]), ms(r["p90_s"])


def _median(r: dict | None) -> float:
    if r is None:
        return float("nan")
    return float("inf") if "timeout_s" in r else r["median_s"]


def _report_queries(say, serve: list[dict]) -> dict[str, dict]:
    opened = next(r for r in serve if r["kind"] == "open")
    queries = [r for r in serve if r["kind"] == "query"]
    say(f"Store opened in {opened['open_s'] * 1000:.0f} ms; compare-jurisdictions with "
        f"jurisdictions={','.join(opened['pair'])} (the jurisdictions with most documents, provinces first).")
    say()
    say("| query | parameters | rows | runs | first run ms | median ms | p90 ms | < 100 ms |")
    say("|---|---|---:|---:|---:|---:|---:|:---:|")
    for r in queries:
        if r["stress"]:
            continue
        params = "&".join(f"{k}={v}" for k, v in r.get("params", {}).items())
        rows, first, median, p90 = _cells(r)
        say(f"| {r['name']} | {params} | {rows} | {r.get('runs', 0)} | {first} | {median} | {p90} | "
            f"{'yes' if _median(r) < 0.1 else '**no**'} |")
    say()
    stress = [r for r in queries if r["stress"]]
    if stress:
        say("Broader variants (informational, not part of the acceptance target):")
        say()
        say("| query | rows | runs | first run ms | median ms | p90 ms |")
        say("|---|---:|---:|---:|---:|---:|")
        for r in stress:
            rows, first, median, p90 = _cells(r)
            say(f"| {r['label']} | {rows} | {r.get('runs', 0)} | {first} | {median} | {p90} |")
        say()
    return {r["label"]: r for r in queries}


def _report_rdflib(say, rd: list[dict], embedded: dict[str, dict], m: int) -> None:
    opened = next((r for r in rd if r["kind"] == "open"), None)
    if opened is None:
        say("rdflib did not finish parsing the dump within the budget.")
        say()
        return
    say(f"Parse of the dump: {opened['load_s']:.1f} s, {opened['quads']:,} quads; RSS after parsing "
        f"{mib(opened['rss']['VmRSS'])} (RSS before parsing {mib(opened['rss_before']['VmRSS'])}).")
    say()
    say("| query | rows rdflib | rows embedded | runs | rdflib median ms | rdflib p90 ms | embedded median ms | embedded / rdflib |")
    say("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rd:
        if r["kind"] != "query":
            continue
        e = embedded.get(r["label"])
        rows, _, median, p90 = _cells(r)
        e_rows, _, e_median, _ = _cells(e)
        ratio = _median(e) / _median(r) if e else float("nan")
        ratio_text = "—" if ratio != ratio or ratio in (float("inf"), 0.0) and "timeout_s" in r else f"{ratio:.3f}"
        if "timeout_s" in r and e and "timeout_s" not in e:
            ratio_text = f"< {e['median_s'] / r['timeout_s']:.4f}"
        say(f"| {r['label']} | {rows} | {e_rows} | {r.get('runs', 0)} | {median} | {p90} | {e_median} | {ratio_text} |")
    say()
    done = next((r for r in rd if r["kind"] == "done"), None)
    if done and not done.get("killed"):
        say(f"rdflib process peak RSS (parse + queries of the last process): {mib(done['rss']['VmHWM'])}.")
    say()


def _finish(say, out, args, load, embedded_n, done, dump, rd, embedded_m, n, m) -> None:
    say("### Acceptance")
    say()
    queries = [r for r in embedded_n.values() if not r.get("stress")]
    slow = [r for r in queries if _median(r) >= 0.1]
    worst = max(queries, key=_median)
    say("| target | measured | met |")
    say("|---|---:|:---:|")
    say(f"| every named query median < 100 ms at {n:,} documents | slowest: {worst['name']} {_cells(worst)[2] + (' (> ' + format(worst['timeout_s'], '.0f') + ' s)' if 'timeout_s' in worst else ' ms')}"
        f"{'; misses: ' + ', '.join(r['name'] for r in slow) if slow else ''} | {'yes' if not slow else '**no**'} |")
    say(f"| extraction + loading ≥ 100 documents/s | {load['docs_per_s']:.1f} documents/s | "
        f"{'yes' if load['docs_per_s'] >= 100 else '**no**'} |")
    say(f"| serving RSS < 1 GB | {mib(done['rss']['VmHWM'])} | {'yes' if done['rss']['VmHWM'] * 1024 < 1e9 else '**no**'} |")
    say()
    if args.markdown:
        args.markdown.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"(written to {args.markdown})")


def child(args) -> None:
    a = args.arg
    if args.phase == "load":
        emit(phase_load(a[0], Path(a[1]), int(a[2]), int(a[3]), a[4] == "1"))
    elif args.phase == "serve":
        pair = a[3].split(",") if a[3] else None
        phase_serve(a[0], int(a[1]), int(a[2]), pair, a[4] == "1", int(a[5]), a[6] == "1", json.loads(args.skip))
    elif args.phase == "dump":
        emit(phase_dump(a[0], Path(a[1])))
    elif args.phase == "rdflib":
        phase_rdflib(Path(a[0]), int(a[1]), int(a[2]), a[3].split(","), json.loads(args.skip))
    elif args.phase == "memory":
        phase_memory(Path(a[0]), int(a[1]), int(a[2]), int(a[3]), int(a[4]), a[5] == "1", int(a[6]), Path(a[7]))
    else:
        raise SystemExit(f"unknown phase {args.phase}")


if __name__ == "__main__":
    main()
