"""Running the service: uvicorn on ``create_app(settings)`` (what ``policykg serve`` calls)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import uvicorn

from policykg.api.app import create_app
from policykg.api.pool import written_by_another_process
from policykg.api.settings import Settings

__all__ = ["configure_logging", "serve"]


def configure_logging(level: str) -> None:
    """Server messages with time and source on stderr; the access log as bare JSON lines (one
    object per request, for log shippers)."""
    root = logging.getLogger()
    root.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    access = logging.getLogger("policykg.access")
    access.handlers.clear()
    access_handler = logging.StreamHandler(sys.stderr)
    access_handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(access_handler)
    access.propagate = False
    access.setLevel(logging.INFO)


def serve(settings: Settings) -> int:
    """Serve until interrupted; returns the exit status (3 when the service cannot start)."""
    location = str(Path(settings.store).expanduser())
    if settings.store != ":memory:" and written_by_another_process(location):
        print(f"policykg: error: another process has the store {location} open for writing "
              "(a policykg load?); serve it when that has finished", file=sys.stderr)
        return 3
    configure_logging(settings.log_level)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # ours (configure_logging)
        log_level=settings.log_level,
        access_log=False,  # the app writes a structured one
        server_header=False,
        timeout_graceful_shutdown=int(settings.query_timeout) + 5,
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    except KeyboardInterrupt:
        # uvicorn shut down gracefully (the log says so), then re-raised Ctrl-C: the normal way
        # to stop a server in the foreground, not an error.
        pass
    return 0 if server.started else 3
