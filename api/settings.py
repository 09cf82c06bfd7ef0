"""The service's settings: one frozen object, read from the environment and the command line.

Every setting has an environment variable (``POLICYKG_…``) and, where it makes sense, a
``policykg serve`` option; the option wins. docs/api.md lists them all in one table — keep the
two in step (`ENVIRONMENT` below is what that table documents).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from policykg.graph.store import default_store_location

__all__ = ["ENVIRONMENT", "MIN_TOKEN_LENGTH", "Settings", "SettingsError"]

MIN_TOKEN_LENGTH = 16


class SettingsError(ValueError):
    """A setting has a value the service cannot run with; the message names it."""


#: Setting name → environment variable.
ENVIRONMENT: dict[str, str] = {
    "store": "POLICYKG_STORE",
    "host": "POLICYKG_HOST",
    "port": "POLICYKG_PORT",
    "workers": "POLICYKG_WORKERS",
    "query_timeout": "POLICYKG_QUERY_TIMEOUT",
    "write_timeout": "POLICYKG_WRITE_TIMEOUT",
    "max_rows": "POLICYKG_MAX_ROWS",
    "max_graph_triples": "POLICYKG_MAX_GRAPH_TRIPLES",
    "max_request_bytes": "POLICYKG_MAX_REQUEST_BYTES",
    "token": "POLICYKG_TOKEN",
    "cors_origins": "POLICYKG_CORS_ORIGINS",
    "result_cache": "POLICYKG_RESULT_CACHE",
    "access_log": "POLICYKG_ACCESS_LOG",
    "log_level": "POLICYKG_LOG_LEVEL",
}

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _default_workers() -> int:
    # Two at least: one query process may be busy with a runaway query until its time limit
    # while another keeps answering. Eight at most by default: each holds the store open.
    return max(2, min(8, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``create_app`` and ``policykg serve`` run with (docs/api.md, "Settings")."""

    store: str = field(default_factory=default_store_location)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=_default_workers)
    query_timeout: float = 5.0
    write_timeout: float = 300.0
    max_rows: int = 10_000
    max_graph_triples: int = 500_000
    max_request_bytes: int = 4 * 1024 * 1024
    token: str | None = field(default=None, repr=False)
    cors_origins: tuple[str, ...] = ("*",)
    result_cache: bool = True
    access_log: bool = True
    log_level: str = "info"

    def __post_init__(self) -> None:
        if not self.store:
            raise SettingsError("store: give a directory or :memory:")
        if self.store.startswith(("http://", "https://")):
            raise SettingsError(
                "store: the HTTP service serves an embedded store (a directory or :memory:); "
                "a SPARQL server already has its own endpoint"
            )
        if not 0 < self.port < 65536:
            raise SettingsError(f"port: {self.port} is not a TCP port")
        if not 1 <= self.workers <= 64:
            raise SettingsError(f"workers: {self.workers} query processes (1 to 64)")
        for name in ("query_timeout", "write_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 < value <= 3600):
                raise SettingsError(f"{name}: {value} seconds (more than 0, at most 3600)")
        for name in ("max_rows", "max_graph_triples", "max_request_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name}: must be positive")
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise SettingsError(f"token ({ENVIRONMENT['token']}): use at least {MIN_TOKEN_LENGTH} characters")
        if self.log_level not in _LOG_LEVELS:
            raise SettingsError(f"log_level: one of {', '.join(_LOG_LEVELS)}")

    @property
    def writes_enabled(self) -> bool:
        return self.token is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``POLICYKG_*`` variables, then ``overrides`` (None = not given)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, variable in ENVIRONMENT.items():
            raw = env.get(variable)
            if raw is None or (raw.strip() == "" and name not in ("cors_origins", "token")):
                continue
            values[name] = _parse(name, variable, raw, str(types[name]))
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except TypeError as exc:  # pragma: no cover - a programming error in a caller
            raise SettingsError(str(exc)) from None

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _parse(name: str, variable: str, raw: str, kind: str) -> Any:
    text = raw.strip()
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r}: not a number") from None
    if kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{variable}={raw!r}: use 1/0, true/false, yes/no or on/off")
    if name == "cors_origins":
        return parse_origins(text)
    if name == "token":
        return text or None
    return text


def parse_origins(text: str) -> tuple[str, ...]:
    """``*``, or comma-separated origins (``https://a.org,https://b.org``); empty: CORS off."""
    return tuple(sorted({part.strip() for part in text.split(",") if part.strip()}))
