"""HTTP benchmark: requests/s and p50/p99 latency of the service on loopback, beside the same
query run on the store directly.

    .venv/bin/python bench/http_bench.py --docs N [--store DIR] [--concurrency 1,4,16] [--duration 20]
                                         [--named 'adopters?instrument=drg-payment'] [--sparql QUERY]
                                         [--workers 2] [--markdown FILE]

Steps:

1. store — ``--store DIR`` as given, or the bundled corpus (``--docs 0``), or N synthetic documents
   (``bench/synthetic_corpus.py``, reused when present) loaded into ``WORKDIR/http-store-N`` (a
   folder this script made; reused when it already holds them);
2. server — ``policykg serve`` on 127.0.0.1 with ``--workers`` query processes, no access log and
   no result cache (every request is evaluated);
3. latency, paired — a child process opens the store read-only, as a query process of the
   server does, and runs each query on it directly: the named query with
   ``named_query_table(cache=None)`` (the plain-value rows the endpoint serves) and the SPARQL
   with ``Store.query``. Direct runs and HTTP requests (one connection) alternate,
   ``--direct-runs`` of each, so that both sides see the same machine (this VM's page cache is
   reclaimed in the background and a drift between two separate phases was larger than the
   overhead measured). The HTTP overhead is (HTTP p50 − direct p50) / direct p50;
4. load — wrk (Debian package ``wrk``; ``--generator auto`` uses it when it is on PATH) or, without
   it, the built-in closed-loop generator (asyncio streams, HTTP/1.1 keep-alive, one request in
   flight per connection, as wrk does) runs each endpoint for ``--duration`` seconds at each
   ``--concurrency`` after a warm-up: requests/s, p50, p99, errors.

The load generator shares the machine with the server (2 cores here): at high concurrency it
takes CPU from the server, so requests/s is a lower bound; concurrency 1 measures latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: the sibling bench modules
from graph_bench import percentile  # noqa: E402 — one percentile for every benchmark

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARKER = ".policykg-http-bench"

DEFAULT_NAMED = "adopters?instrument=drg-payment"
DEFAULT_SPARQL = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX inst: <https://w3id.org/policykg/instrument/>
SELECT ?jurisdiction ?year (COUNT(DISTINCT ?document) AS ?documents) WHERE {
  ?instrument skos:broader* inst:drg-payment .
  ?adoption pkg:instrument ?instrument ; pkg:document ?document .
  ?document pkg:jurisdiction ?jurisdiction ; pkg:year ?year .
} GROUP BY ?jurisdiction ?year ORDER BY ?year ?jurisdiction"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# 1. the store
# --------------------------------------------------------------------------------------------


def prepare_store(args: argparse.Namespace) -> Path:
    if args.store is not None:
        if not (args.store / "CURRENT").exists():
            raise SystemExit(f"{args.store} holds no Oxigraph store")
        return args.store
    if args.docs == 0:
        corpus = ROOT / "data" / "corpus"
    else:
        corpus = args.workdir / f"corpus-{args.docs}-s{args.seed}"
        subprocess.run([sys.executable, str(HERE / "synthetic_corpus.py"), str(args.docs), str(corpus), "--seed", str(args.seed)],
                       check=True)
    store = args.workdir / f"http-store-{args.docs}"
    if store.exists() and not (store / MARKER).exists():
        raise SystemExit(f"{store} exists and was not made by this benchmark")
    store.mkdir(parents=True, exist_ok=True)
    (store / MARKER).touch()
    started = time.monotonic()
    policykg = Path(sys.executable).with_name("policykg")
    subprocess.run([str(policykg), "load", str(corpus), "--store", str(store)], check=True)
    print(f"store {store}: loaded or checked in {time.monotonic() - started:.1f} s", flush=True)
    return store


# --------------------------------------------------------------------------------------------
# 2. the same queries on the store directly (a child process, like a query process)
# --------------------------------------------------------------------------------------------


def direct_phase(store: str, named: str, sparql: str) -> None:
    """The child: answers each line "named" or "sparql" on stdin with ``@@seconds rows``."""
    from policykg.graph.named_queries import named_query_table
    from policykg.graph.store import open_store

    handle = open_store(store, read_only=True)
    name, _, query_string = named.partition("?")
    params = dict(parse_qsl(query_string))
    calls = {"named": lambda: named_query_table(handle, name, params, cache=None), "sparql": lambda: handle.query(sparql)}
    print("@@ready", flush=True)
    for line in sys.stdin:
        call = calls[line.strip()]
        started = time.perf_counter()
        result = call()
        print(f"@@{time.perf_counter() - started} {len(result.rows)}", flush=True)
    handle.close()


class DirectRunner:
    """The child process of step 3, kept open between runs."""

    def __init__(self, store: Path, args: argparse.Namespace) -> None:
        self.child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--phase", "direct", "--store", str(store),
                                       "--named", args.named, "--sparql", args.sparql],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._answer()

    def _answer(self) -> str:
        assert self.child.stdout is not None
        for line in self.child.stdout:
            if line.startswith("@@"):
                return line[2:].strip()
        raise SystemExit("the direct child ended early")

    def run(self, label: str) -> tuple[float, int]:
        assert self.child.stdin is not None
        self.child.stdin.write(label + "\n")
        self.child.stdin.flush()
        seconds, rows = self._answer().split()
        return float(seconds), int(rows)

    def close(self) -> None:
        if self.child.stdin is not None:
            self.child.stdin.close()
        self.child.wait(timeout=60)


async def paired(base: str, requests: dict[str, dict], direct: DirectRunner, runs: int, warmup: int) -> dict[str, dict]:
    """Direct run, HTTP request, direct run, … for each query: the latencies of both sides."""
    from urllib.parse import urlsplit

    location = urlsplit(base)
    out = {}
    for label, key in (("named", "named query"), ("sparql", "/sparql SELECT")):
        raw = raw_request(base, requests[key])
        connection = Connection(location.hostname or "127.0.0.1", location.port or 80)
        for _ in range(warmup):
            direct.run(label)
            status, body = await connection.send(raw)
            if status != 200:
                raise SystemExit(f"{key}: HTTP {status}: {body[:300]!r}")
        direct_times, http_times, rows = [], [], 0
        for _ in range(runs):
            seconds, rows = direct.run(label)
            direct_times.append(seconds)
            started = time.perf_counter()
            status, _ = await connection.send(raw)
            http_times.append(time.perf_counter() - started)
            if status != 200:
                raise SystemExit(f"{key}: HTTP {status}")
        await connection.close()
        out[label] = {
            "rows": rows, "runs": runs,
            "p50": statistics.median(direct_times), "p99": percentile(direct_times, 0.99),
            "http_p50": statistics.median(http_times), "http_p99": percentile(http_times, 0.99),
        }
        print(f"paired {key}: direct p50 {ms(out[label]['p50'])} ms, HTTP p50 {ms(out[label]['http_p50'])} ms ({rows} rows)", flush=True)
    return out


# --------------------------------------------------------------------------------------------
# 3. the server and 4. the load generator
# --------------------------------------------------------------------------------------------


def start_server(store: Path, args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    port = free_port()
    policykg = Path(sys.executable).with_name("policykg")
    env = {k: v for k, v in os.environ.items() if k != "POLICYKG_TOKEN"}
    process = subprocess.Popen(
        [str(policykg), "serve", "--store", str(store), "--port", str(port), "--workers", str(args.workers),
         "--query-timeout", str(args.query_timeout), "--no-access-log", "--no-result-cache", "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("policykg serve exited while starting")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("policykg serve did not answer within 300 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: a load generator's client, as lean
    as wrk's, so that the latency measured is the server's rather than a client library's."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def raw_request(base: str, request: dict) -> bytes:
    """The bytes of one HTTP/1.1 request (GET with a query string, or a form POST)."""
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(base).netloc
    headers = {"Host": host, "Connection": "keep-alive", **request.get("headers", {})}
    target = request["url"]
    body = b""
    if request.get("params"):
        target += "?" + urlencode(request["params"])
    if request.get("data"):
        body = urlencode(request["data"]).encode()
        headers |= {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))}
    head = f"{request['method']} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


async def load(base: str, request: dict, *, concurrency: int, duration: float, warmup: int) -> dict:
    """``concurrency`` keep-alive connections, each sending the request again as soon as the
    answer is in, for ``duration`` seconds."""
    from urllib.parse import urlsplit

    location = urlsplit(base)
    raw = raw_request(base, request)
    connections = [Connection(location.hostname or "127.0.0.1", location.port or 80) for _ in range(concurrency)]
    for _ in range(warmup):
        status, body = await connections[0].send(raw)
        if status != 200:
            raise SystemExit(f"{request}: HTTP {status}: {body[:300]!r}")
    latencies: list[float] = []
    errors: dict[int, int] = {}
    stop = time.perf_counter() + duration

    async def run(connection: Connection) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _ = await connection.send(raw)
            elapsed = time.perf_counter() - started
            if status == 200:
                latencies.append(elapsed)
            else:
                errors[status] = errors.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(run(c) for c in connections))
    wall = time.perf_counter() - began
    for connection in connections:
        await connection.close()
    return {
        "concurrency": concurrency, "requests": len(latencies), "errors": errors, "seconds": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": statistics.median(latencies) if latencies else float("nan"), "p99": percentile(latencies, 0.99),
    }


_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _wrk_seconds(text: str) -> float:
    number = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if number is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(number[1]) * _WRK_UNITS[number[2]]


def wrk_load(base: str, request: dict, *, concurrency: int, duration: float, warmup: int, timeout: float) -> dict:
    """The same point measured by wrk (``--latency`` percentiles; a Lua script sets the method,
    body and headers). Warm-up requests go through the built-in client first."""
    import tempfile
    from urllib.parse import urlencode

    asyncio.run(load(base, request, concurrency=1, duration=0, warmup=warmup))
    url = base + request["url"] + ("?" + urlencode(request["params"]) if request.get("params") else "")
    lines = [f'wrk.method = "{request["method"]}"']
    for name, value in request.get("headers", {}).items():
        lines.append(f'wrk.headers["{name}"] = [==[{value}]==]')
    if request.get("data"):
        lines.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
        lines.append(f"wrk.body = [==[{urlencode(request['data'])}]==]")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write("\n".join(lines) + "\n")
        script.flush()
        command = ["wrk", f"-t{min(concurrency, os.cpu_count() or 1)}", f"-c{concurrency}", f"-d{duration:g}s", "--latency",
                   f"--timeout={timeout:g}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))  # wrk pads with a space
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    seconds = _wrk_seconds(re.search(r"requests in ([0-9.]+\w+),", output)[1])  # type: ignore[index]
    errors: dict[str, int] = {}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        errors["non-2xx"] = int(bad[1])
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors |= {k: int(v) for k, v in zip(("connect", "read", "write", "timeout"), socket_errors.groups()) if int(v)}
    return {
        "concurrency": concurrency, "requests": requests, "errors": errors, "seconds": seconds,
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", output)[1]),  # type: ignore[index]
        "p50": _wrk_seconds(percentiles["50"]), "p99": _wrk_seconds(percentiles["99"]),
    }


GENERATORS = {"wrk": "wrk 4 (`--latency`, keep-alive)", "builtin": "the built-in asyncio HTTP/1.1 keep-alive client"}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def report(store: Path, args: argparse.Namespace, direct: dict, runs: dict[str, list[dict]]) -> str:
    lines = [
        f"Command: `.venv/bin/python bench/http_bench.py {' '.join(sys.argv[1:])}`",
        "",
        f"Store: `{store}`; server: `policykg serve --workers {args.workers} --no-result-cache` on 127.0.0.1; "
        f"load generator: {GENERATORS[args.generator]}, {args.duration:g} s per point.",
        "",
        "| endpoint | concurrency | requests | requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, points in runs.items():
        for point in points:
            lines.append(f"| {label} | {point['concurrency']} | {point['requests']} | {point['rps']:,.1f} | {ms(point['p50'])} | "
                         f"{ms(point['p99'])} | {point['errors'] or '—'} |")
    lines += ["", f"Latency, direct and HTTP alternating ({args.direct_runs} of each, one connection):", "",
              "| query | rows | direct p50 ms | direct p99 ms | HTTP p50 ms | HTTP p99 ms | overhead at p50 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for label, key in (("named", "named query"), ("sparql", "/sparql SELECT")):
        pair = direct[label]
        overhead = (pair["http_p50"] - pair["p50"]) / pair["p50"] if pair["p50"] else float("nan")
        lines.append(f"| {key} | {pair['rows']:,} | {ms(pair['p50'])} | {ms(pair['p99'])} | {ms(pair['http_p50'])} | "
                     f"{ms(pair['http_p99'])} | {overhead:+.0%} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="synthetic documents (0: the bundled corpus)")
    parser.add_argument("--store", type=Path, help="serve this existing store instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/policykg-bench"))
    parser.add_argument("--workers", type=int, default=2, help="query processes of the server")
    parser.add_argument("--query-timeout", type=float, default=60.0)
    parser.add_argument("--concurrency", default="1,4,16", help="comma-separated connection counts")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint and concurrency")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--generator", choices=("auto", "wrk", "builtin"), default="auto",
                        help="load generator: wrk (apt-get install wrk), the built-in asyncio client, or wrk when found")
    parser.add_argument("--direct-runs", type=int, default=30)
    parser.add_argument("--named", default=DEFAULT_NAMED, help="named query with parameters, as in /api/queries/NAME?…")
    parser.add_argument("--sparql", default=DEFAULT_SPARQL, help="a SELECT for /sparql")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "direct":
        direct_phase(str(args.store), args.named, args.sparql)
        return
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "builtin"
        if args.generator == "builtin":
            print("wrk not found (apt-get install wrk): the built-in load generator measures the load points", flush=True)
    elif args.generator == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--generator wrk: wrk is not installed (apt-get install wrk)")
    store = prepare_store(args)
    name, _, query_string = args.named.partition("?")
    requests = {
        "named query": {"method": "GET", "url": f"/api/queries/{name}", "params": dict(parse_qsl(query_string)) | {"limit": 10000}},
        "/sparql SELECT": {"method": "POST", "url": "/sparql", "data": {"query": args.sparql},
                           "headers": {"Accept": "application/sparql-results+json"}},
    }
    process, base = start_server(store, args)
    runs: dict[str, list[dict]] = {label: [] for label in requests}
    try:
        runner = DirectRunner(store, args)
        try:
            direct = asyncio.run(paired(base, requests, runner, args.direct_runs, args.warmup))
        finally:
            runner.close()
        for label, request in requests.items():
            for concurrency in (int(c) for c in args.concurrency.split(",")):
                if args.generator == "wrk":
                    point = wrk_load(base, request, concurrency=concurrency, duration=args.duration, warmup=args.warmup,
                                     timeout=args.query_timeout)
                else:
                    point = asyncio.run(load(base, request, concurrency=concurrency, duration=args.duration, warmup=args.warmup))
                runs[label].append(point)
                print(f"{label} c={concurrency}: {point['rps']:.1f} req/s, p50 {ms(point['p50'])} ms, p99 {ms(point['p99'])} ms, "
                      f"errors {point['errors'] or 0}", flush=True)
    finally:
        stop_server(process)
    text = report(store, args, direct, runs)
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
