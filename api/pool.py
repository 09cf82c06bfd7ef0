"""The query processes of the service, and the time limit that really stops a query.

pyoxigraph's Python API cannot cancel a query, and a thread cannot be stopped: a runaway query
in the HTTP process would burn a core until it finished on its own. So the HTTP process never
touches the store. Every task goes to one of ``size`` worker processes (api/worker.py) over a
pipe; the HTTP process waits for the answer *without blocking its event loop* (the pipe is
read in a helper thread) and, at the time limit, kills the worker (SIGKILL: immediate, and the
OS releases everything it held), answers 503, and starts a replacement in the background. The
other workers keep answering meanwhile.

Reads and writes are separated by a gate (a readers–writer lock with writer preference):
reads share it; a write takes it alone, once every running read has finished. During a write
all workers close their read-only stores (pyoxigraph: a read-only open while another process
writes is undefined behaviour), one worker writes, and all reopen — which is also how they see
the new data, read-only opens being snapshots.

A request that finds every worker busy waits at most the query time limit for one, then gets
503 ``overloaded`` with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policykg.api.errors import ApiError
from policykg.api.worker import Close, Open, Prepare, Task, WorkerConfig, worker_main

__all__ = ["PoolStartError", "WorkerPool", "written_by_another_process"]

log = logging.getLogger("policykg.pool")

STARTUP_SECONDS = 120.0  # importing, opening a large store and reading the vocabularies
CONTROL_SECONDS = 30.0  # closing or reopening a store around a write


class _WriterBlock:
    """A shared lock on the store's RocksDB ``LOCK`` file, held by the HTTP process while no
    write of its own is running. RocksDB takes that file's fcntl lock exclusively to open a
    store for writing, so while this is held another process (``policykg load``) cannot open
    the store for writing — pyoxigraph documents a writer beside read-only openers as
    undefined behaviour — and gets "is another process using it?" instead."""

    def __init__(self, store_path: str) -> None:
        self.path = Path(store_path) / "LOCK"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Hold the lock; False if another process has the store open for writing."""
        if self._fd is not None:
            return True
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no guard
            return True
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return True  # no store yet, or not a RocksDB directory: nothing to guard
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock


def written_by_another_process(store_path: str) -> bool:
    """Whether another process has the store at ``store_path`` open for writing (RocksDB's lock)."""
    block = _WriterBlock(store_path)
    if not (Path(store_path) / "CURRENT").exists():
        return False
    held = block.acquire()
    block.release()
    return not held


class PoolStartError(RuntimeError):
    """The workers could not start (the message says why: a missing or locked store…)."""


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    pid: int | None = None
    busy: bool = False
    started: float = field(default_factory=time.monotonic)

    def call(self, task: Task | None) -> tuple[str, Any]:
        """Send a task and wait for the answer (runs in a helper thread)."""
        self.conn.send(task)
        return self.conn.recv()

    def receive(self) -> tuple[str, Any]:
        return self.conn.recv()


class _Gate:
    """Readers–writer lock for asyncio; a waiting writer stops new readers from entering."""

    def __init__(self) -> None:
        self._condition = asyncio.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.asynccontextmanager
    async def shared(self, *, wait: float) -> AsyncIterator[None]:
        async with self._condition:
            await asyncio.wait_for(self._condition.wait_for(lambda: not self._writing and not self._writers_waiting), wait)
            self._readers += 1
        try:
            yield
        finally:
            async with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextlib.asynccontextmanager
    async def exclusive(self, *, wait: float) -> AsyncIterator[None]:
        async with self._condition:
            self._writers_waiting += 1
            try:
                await asyncio.wait_for(self._condition.wait_for(lambda: not self._writing and self._readers == 0), wait)
            finally:
                self._writers_waiting -= 1
                self._condition.notify_all()
            self._writing = True
        try:
            yield
        finally:
            async with self._condition:
                self._writing = False
                self._condition.notify_all()

    @property
    def writing(self) -> bool:
        return self._writing or self._writers_waiting > 0


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers fork from a clean process that has already imported the query layer,
    # so a replacement is ready in milliseconds, and nothing of the HTTP process (threads, the
    # event loop, sockets) is inherited. spawn where forkserver does not exist.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["policykg.api.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a shielded job's outcome as seen (its requester may have gone away)."""
    if not future.cancelled():
        future.exception()


class WorkerPool:
    """``size`` query processes on the store at ``store_path`` (a directory)."""

    def __init__(self, *, store_path: str, size: int, query_timeout: float, write_timeout: float, log_level: str = "info",
                 result_cache: bool = True) -> None:
        self.store_path = store_path
        self.size = size
        self.query_timeout = query_timeout
        self.write_timeout = write_timeout
        self._config = WorkerConfig(store=store_path, log_level=log_level, result_cache=result_cache)
        self._context = _context()
        self._workers: set[_Worker] = set()
        self._idle: asyncio.Queue[_Worker] | None = None
        self._gate: _Gate | None = None
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 4, thread_name_prefix="policykg-pipe")
        self._replacing: set[asyncio.Task[None]] = set()
        self._closed = False
        self._writer_block = _WriterBlock(store_path)
        self.version = 0  # bumped after every write: a cache key
        self.replaced = 0  # workers ended at a time limit or found dead, and replaced

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        self._gate = _Gate()
        if (Path(self.store_path) / "CURRENT").exists() and not self._writer_block.acquire():
            raise PoolStartError(f"another process has the store {self.store_path} open for writing "
                                 "(a policykg load?); serve it when that has finished")
        try:
            workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
            if not (Path(self.store_path) / "CURRENT").exists():
                # A new store: one worker creates it with the reference graphs (vocabularies,
                # gazetteer) before anyone opens it read-only.
                await self._exchange(workers[0], Prepare(), timeout=self.write_timeout, requeue=False, replace=False)
                self._writer_block.acquire()
            for worker in workers:
                await self._exchange(worker, Open(), timeout=STARTUP_SECONDS, requeue=False, replace=False)
                self._idle.put_nowait(worker)
        except ApiError as error:
            await self.close()
            raise PoolStartError(f"cannot open the store {self.store_path}: {error.message}") from None
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        self._closed = True
        self._writer_block.release()
        for task in list(self._replacing):
            task.cancel()
        loop = asyncio.get_running_loop()
        for worker in list(self._workers):
            await loop.run_in_executor(self._threads, self._stop, worker)
        self._workers.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _stop(self, worker: _Worker) -> None:
        """Ask a worker to finish (it closes its store), then make sure it is gone."""
        if not worker.busy:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.conn.close()

    async def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=worker_main, args=(child, self._config), name="policykg-query", daemon=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, process.start)
        child.close()
        worker = _Worker(process, parent)
        self._workers.add(worker)
        future = loop.run_in_executor(self._threads, worker.receive)
        try:
            done, _ = await asyncio.wait({future}, timeout=STARTUP_SECONDS)
        except asyncio.CancelledError:
            future.add_done_callback(_retrieve)
            self._kill(worker)
            raise
        if not done:
            future.add_done_callback(_retrieve)
            self._kill(worker)
            raise PoolStartError(f"a query process did not start within {STARTUP_SECONDS:.0f} s")
        try:
            kind, pid = future.result()
        except (EOFError, OSError):
            self._kill(worker)
            raise PoolStartError("a query process exited while starting (see the log above)") from None
        worker.pid = pid if kind == "ready" else process.pid
        return worker

    def _kill(self, worker: _Worker) -> None:
        """End a worker now (SIGKILL: a query in Rust code does not look at signals it could
        handle, and the kernel releases its memory, files and the store's lock). It is reaped
        by a helper thread: the event loop does not wait for a large process to go."""
        self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        asyncio.get_running_loop().run_in_executor(self._threads, self._reap, worker).add_done_callback(_retrieve)

    @staticmethod
    def _reap(worker: _Worker) -> None:
        worker.process.join(timeout=60)
        worker.conn.close()

    def _replace_later(self, worker: _Worker) -> None:
        self._kill(worker)
        self.replaced += 1
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._replace())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        delay = 0.5
        while not self._closed:
            try:
                worker = await self._spawn()
                assert self._gate is not None and self._idle is not None
                # Open under the shared gate, so that no write happens while this worker opens
                # the store; it joins the idle queue before the gate is released.
                async with self._gate.shared(wait=self.write_timeout + STARTUP_SECONDS):
                    await self._exchange(worker, Open(), timeout=STARTUP_SECONDS, requeue=False, replace=False)
                    self._idle.put_nowait(worker)
                return
            except Exception as exc:  # noqa: BLE001 — keep trying: the pool must heal
                log.error("could not start a replacement query process: %s (retrying in %.1f s)", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    # ------------------------------------------------------------------ running tasks

    async def run(self, task: Task) -> Any:
        """Run a task on a worker and return its answer; raises ``ApiError`` (the worker's
        error answer, 503 at the time limit or when no worker is free, 500 if one crashed)."""
        if self._closed or self._gate is None:
            raise ApiError(503, "unavailable", "the service is shutting down")
        # Shielded: if the client goes away the task still finishes (or is killed at its
        # limit) before its worker and the gate are given back.
        job = asyncio.ensure_future(self._run_write(task) if task.writes else self._run_read(task))
        job.add_done_callback(_retrieve)
        return await asyncio.shield(job)

    async def _run_read(self, task: Task) -> Any:
        assert self._gate is not None and self._idle is not None
        started = time.monotonic()
        try:
            async with self._gate.shared(wait=self.query_timeout):
                remaining = max(0.05, self.query_timeout - (time.monotonic() - started))
                try:
                    worker = await asyncio.wait_for(self._idle.get(), remaining)
                except TimeoutError:
                    raise self._overloaded() from None
                return await self._exchange(worker, task, timeout=self.query_timeout)
        except TimeoutError:
            raise self._overloaded("the store is being written") from None

    async def _run_write(self, task: Task) -> Any:
        assert self._gate is not None and self._idle is not None
        try:
            async with self._gate.exclusive(wait=self.write_timeout):
                workers: list[_Worker] = []
                while not self._idle.empty():
                    workers.append(self._idle.get_nowait())
                if not workers:
                    raise ApiError(503, "unavailable", "no query process is running; try again shortly", headers={"Retry-After": "5"})
                try:
                    for worker in workers:
                        await self._exchange(worker, Close(), timeout=CONTROL_SECONDS, requeue=False)
                    self._writer_block.release()  # our own writer needs the store's lock
                    writer = workers[0]
                    return await self._exchange(writer, task, timeout=self.write_timeout, requeue=False)
                finally:
                    if not self._writer_block.acquire():
                        log.warning("another process opened the store for writing during a write of this server")
                    self.version += 1
                    for worker in workers:
                        if worker in self._workers:
                            with contextlib.suppress(ApiError):
                                await self._exchange(worker, Open(), timeout=STARTUP_SECONDS, requeue=False)
                            if worker in self._workers:
                                self._idle.put_nowait(worker)
        except TimeoutError:
            raise ApiError(503, "busy", "another write is in progress; try again later", headers={"Retry-After": "10"}) from None

    def _overloaded(self, why: str = "every query process is busy") -> ApiError:
        seconds = max(1, round(self.query_timeout))
        return ApiError(503, "overloaded", f"{why}; try again in a few seconds", {"wait_seconds": self.query_timeout},
                        headers={"Retry-After": str(seconds)})

    async def _exchange(self, worker: _Worker, task: Task, *, timeout: float, requeue: bool = True, replace: bool = True) -> Any:
        """Send ``task`` to ``worker`` and wait at most ``timeout`` seconds for the answer. On
        time-out or death the worker is killed (and replaced unless ``replace`` is False)."""
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        worker.busy = True
        future = loop.run_in_executor(self._threads, worker.call, task)
        try:
            done, _ = await asyncio.wait({future}, timeout=timeout)
        except asyncio.CancelledError:  # the pool is closing: the worker is being stopped
            future.add_done_callback(_retrieve)
            raise
        worker.busy = False
        if not done:
            future.add_done_callback(_retrieve)  # the pipe read ends with EOFError once killed
            self._retire(worker, replace)
            name = type(task).__name__
            log.warning("%s stopped at the %g s time limit: query process %s killed", name, timeout, worker.pid)
            what = "write" if task.writes else "query"
            raise ApiError(
                503, f"{what}-timeout",
                f"the {what} did not finish within the time limit of {timeout:g} s and was stopped; "
                "narrow it (filters, LIMIT) or ask the operator for a higher limit",
                {"limit_seconds": timeout},
            )
        try:
            kind, payload = future.result()
        except (EOFError, OSError):
            self._retire(worker, replace)
            log.error("query process %s died during %s", worker.pid, type(task).__name__)
            raise ApiError(500, "worker-crashed", "the query process answering this request ended unexpectedly") from None
        if requeue:
            self._idle.put_nowait(worker)
        if kind == "error":
            raise payload
        return payload

    def _retire(self, worker: _Worker, replace: bool) -> None:
        if replace:
            self._replace_later(worker)
        else:
            self._kill(worker)

    # ------------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        idle = self._idle.qsize() if self._idle is not None else 0
        alive = len(self._workers)
        return {
            "size": self.size,
            "running": alive,
            "idle": idle,
            "busy": sum(1 for w in self._workers if w.busy),
            "starting": len(self._replacing),
            "replaced": self.replaced,
            "writing": bool(self._gate and self._gate.writing),
        }

    def pids(self) -> list[int]:
        """Process ids of the running workers (for tests and operators)."""
        return sorted(w.pid for w in self._workers if w.pid is not None)
