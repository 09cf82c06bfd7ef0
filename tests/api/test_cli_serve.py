"""`policykg serve` as a user runs it: starts, answers, stops on Ctrl-C with its query
processes, and refuses to start where it cannot serve safely."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from policykg.graph.store import open_store

from .conftest import free_port

POLICYKG = Path(sys.executable).with_name("policykg")


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc), e.g. the forkserver and the query processes."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_starts_answers_and_stops_cleanly(store_copy) -> None:
    store = store_copy("cli")
    port = free_port()
    env = {**os.environ, "POLICYKG_ACCESS_LOG": "0"}
    env.pop("POLICYKG_TOKEN", None)
    process = subprocess.Popen([str(POLICYKG), "serve", "--store", str(store), "--port", str(port), "--workers", "2",
                                "--query-timeout", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "policykg serve did not answer within 60 s"
            time.sleep(0.1)
        assert health.json()["workers"]["running"] == 2 and health.json()["writes"] == "disabled"
        assert health.json()["limits"]["query_seconds"] == 3
        adopters = httpx.get(f"http://127.0.0.1:{port}/api/instruments/drg-payment/adopters", timeout=30).json()
        assert {item["adcode"] for item in adopters["items"]} == {"140000", "330000", "530100"}
        helpers = _descendants(process.pid)
        assert len(helpers) >= 2  # the query processes (and the forkserver they fork from)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in helpers), "query processes outlived the server"
        log = process.stderr.read().decode()  # type: ignore[union-attr]
        assert "Application startup complete" in log and "Application shutdown complete" in log and "Traceback" not in log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_refuses_a_store_another_process_is_writing(store_copy) -> None:
    store = store_copy("locked")
    writer = open_store(store)  # as `policykg load` would hold it
    try:
        result = subprocess.run([str(POLICYKG), "serve", "--store", str(store), "--port", str(free_port()), "--workers", "1"],
                                capture_output=True, text=True, timeout=120)
    finally:
        writer.close()
    assert result.returncode == 3
    assert result.stderr.startswith("policykg: error: another process has the store") and "open for writing" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_reports_bad_settings() -> None:
    env = {**os.environ, "POLICYKG_TOKEN": "short"}
    result = subprocess.run([str(POLICYKG), "serve", "--store", ":memory:"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("policykg: error: token") and "16" in result.stderr
    remote = subprocess.run([str(POLICYKG), "serve", "--store", "http://localhost:7878/query"], capture_output=True, text=True, timeout=60)
    assert remote.returncode == 2 and "embedded store" in remote.stderr
