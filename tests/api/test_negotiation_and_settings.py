"""Content negotiation (Accept, format=) and the settings (environment, validation)."""

from __future__ import annotations

import pytest

from policykg.api.errors import ApiError
from policykg.api.negotiation import GRAPH_OFFERS, RESULT_OFFERS, choose, sparql_formats
from policykg.api.settings import ENVIRONMENT, Settings, SettingsError


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.1, */*;q=0.9", "application/json"),  # the explicit q=0.1 loses to */*
    ("text/*", "text/xml"),
    ("image/png", None),
    ("application/json, text/javascript, */*; q=0.01", "application/json"),
    ("text/csv;q=0", None),
    ("text/csv; q=banana, application/json", "application/json"),
])
def test_choose(accept: str | None, expected: str | None) -> None:
    assert choose(accept, list(RESULT_OFFERS)) == expected


def test_sparql_formats_from_accept_and_parameters() -> None:
    assert sparql_formats([], None) == ("json", "turtle")
    assert sparql_formats([], "application/rdf+xml") == (None, "rdfxml")
    assert sparql_formats([], "text/csv") == ("csv", None)
    assert sparql_formats(["json"], "text/csv") == ("json", "jsonld")  # SPARQLWrapper's json fits both kinds
    assert sparql_formats(["xml"], None) == ("xml", "rdfxml")
    assert sparql_formats(["tsv", "text/tab-separated-values"], None) == ("tsv", None)
    assert sparql_formats(["rdf+xml", "application/rdf+xml"], None) == (None, "rdfxml")
    assert sparql_formats(["application/n-triples"], None) == (None, "ntriples")
    assert sparql_formats(["", "turtle"], None) == (None, "turtle")
    with pytest.raises(ApiError) as error:
        sparql_formats(["yaml"], None)
    assert error.value.status == 400 and error.value.detail == {"parameter": "format"}
    assert set(GRAPH_OFFERS.values()) == {"turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"}


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env({
        "POLICYKG_STORE": "/srv/store", "POLICYKG_PORT": "9000", "POLICYKG_WORKERS": "3", "POLICYKG_QUERY_TIMEOUT": "2.5",
        "POLICYKG_MAX_ROWS": "50", "POLICYKG_TOKEN": "x" * 20, "POLICYKG_CORS_ORIGINS": "https://b.org, https://a.org",
        "POLICYKG_ACCESS_LOG": "off", "POLICYKG_LOG_LEVEL": "warning", "POLICYKG_MAX_REQUEST_BYTES": "1000",
        "POLICYKG_MAX_GRAPH_TRIPLES": "99", "POLICYKG_WRITE_TIMEOUT": "30", "POLICYKG_HOST": "0.0.0.0",
        "POLICYKG_RESULT_CACHE": "no",
    })
    assert settings == Settings(store="/srv/store", host="0.0.0.0", port=9000, workers=3, query_timeout=2.5, write_timeout=30,
                                max_rows=50, max_graph_triples=99, max_request_bytes=1000, token="x" * 20,
                                cors_origins=("https://a.org", "https://b.org"), result_cache=False, access_log=False,
                                log_level="warning")
    assert settings.writes_enabled and "x" * 20 not in repr(settings)  # the token is never printed
    assert set(ENVIRONMENT) == {f for f in Settings.__dataclass_fields__}  # every setting has its variable


def test_command_line_overrides_the_environment() -> None:
    settings = Settings.from_env({"POLICYKG_PORT": "9000", "POLICYKG_CORS_ORIGINS": "*"}, store="/s", port=8001, cors_origins=())
    assert settings.port == 8001 and settings.cors_origins == () and settings.store == "/s"
    assert Settings.from_env({"POLICYKG_CORS_ORIGINS": ""}, store="/s").cors_origins == ()
    assert Settings.from_env({}, store="/s").cors_origins == ("*",) and Settings.from_env({}, store="/s").token is None


@pytest.mark.parametrize(("environ", "message"), [
    ({"POLICYKG_TOKEN": "short"}, "at least 16"),
    ({"POLICYKG_PORT": "eighty"}, "POLICYKG_PORT"),
    ({"POLICYKG_PORT": "70000"}, "port"),
    ({"POLICYKG_QUERY_TIMEOUT": "0"}, "query_timeout"),
    ({"POLICYKG_QUERY_TIMEOUT": "nan"}, "query_timeout"),
    ({"POLICYKG_WORKERS": "0"}, "workers"),
    ({"POLICYKG_MAX_ROWS": "0"}, "max_rows"),
    ({"POLICYKG_ACCESS_LOG": "maybe"}, "POLICYKG_ACCESS_LOG"),
    ({"POLICYKG_LOG_LEVEL": "loud"}, "log_level"),
    ({"POLICYKG_STORE": "http://localhost:7878/query"}, "embedded store"),
])
def test_bad_settings_are_refused_with_the_setting_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"POLICYKG_STORE": "/s", **environ})
