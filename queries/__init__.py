"""The named SPARQL queries (`queries/*.rq`), shipped as package data.

This module only reads the files; `policykg.graph.named_queries` parses their `#+` headers,
validates parameters and runs them.
"""

from __future__ import annotations

from importlib import resources

_SUFFIX = ".rq"


def names() -> list[str]:
    """The names of all named queries (file names without `.rq`), sorted."""
    return sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in resources.files(__name__).iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIX)
    )


def read(name: str) -> str:
    """The text of `queries/<name>.rq`; `KeyError` for an unknown name."""
    if name not in names():
        raise KeyError(f"no named query {name!r} (known: {', '.join(names())})")
    return resources.files(__name__).joinpath(name + _SUFFIX).read_text(encoding="utf-8")
