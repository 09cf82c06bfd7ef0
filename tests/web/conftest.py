"""Fixtures for the web page and the export route: a real uvicorn server on 127.0.0.1 with the
bundled corpus (as tests/api/conftest.py starts one, read-only here, with a time limit that a
loaded two-core machine still meets) and headless Chromium driven by Playwright.

Chromium is the system's (Debian: ``apt-get install chromium``; ``.ci/run`` installs it), so no
browser is downloaded; ``POLICYKG_CHROMIUM`` names another binary. Where Chromium or the
``playwright`` package is missing the browser tests are SKIPPED with the reason — unless
``POLICYKG_REQUIRE_SERVERS=1`` (set by ``.ci/run``), which turns the skip into a failure, as for
the SPARQL servers of tests/graph/conftest.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from policykg.api.app import create_app
from policykg.api.settings import Settings

from ..api.conftest import free_port, loaded_store, serving, store_copy  # noqa: F401 — fixtures shared with tests/api
from ..conftest import ROOT

REQUIRE_SERVERS = os.environ.get("POLICYKG_REQUIRE_SERVERS", "") not in ("", "0", "false", "no")
SCREENSHOTS = ROOT / "tests" / "output" / "web"  # git-ignored
WEB_TIMEOUT = 30.0  # seconds a query may run: generous, the machine may be busy
VIEWPORT = {"width": 1360, "height": 900}


def unavailable(reason: str) -> None:
    if REQUIRE_SERVERS:
        pytest.fail(f"{reason} (POLICYKG_REQUIRE_SERVERS=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def chromium_executable() -> str | None:
    named = os.environ.get("POLICYKG_CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    for name in ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class WebServer:
    url: str
    settings: Settings
    app: Any


@pytest.fixture(scope="session")
def web_server(store_copy) -> Iterator[WebServer]:  # noqa: F811 — the imported fixture
    """The service on the bundled corpus, read-only (no token), in a background thread."""
    settings = Settings(store=str(store_copy("web")), port=free_port(), workers=2, query_timeout=WEB_TIMEOUT,
                        access_log=False)
    app = create_app(settings)
    with serving(app, settings.port, name="uvicorn-web-test") as url:
        yield WebServer(url, settings, app)


@pytest.fixture(scope="session")
def web(web_server: WebServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_executable()
    if executable is None:
        unavailable("Chromium not found: apt-get install -y chromium chromium-driver (.ci/run does), or set POLICYKG_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is missing: pip install -e '.[test]' (make test does)")
    with sync_playwright() as playwright:
        # The system's Chromium: no browser download, and the same binary CI installs.
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Browsing:
    """A page of the test server, with what went wrong on it: console errors, uncaught
    exceptions, and any request for another origin (the page must work offline)."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    api_requests: list[str] = field(default_factory=list)

    def goto(self, fragment: str = "") -> None:
        self.page.goto(self.base + "/" + fragment)
        # A function, not an expression: Playwright evaluates an expression with eval(), which the
        # page's Content-Security-Policy refuses (as it should).
        self.page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 10_000, "an empty screenshot"
        return path

    def assert_clean(self, *, allowed: tuple[str, ...] = ()) -> None:
        errors = [e for e in self.console_errors if not any(a in e for a in allowed)]
        assert not errors, f"console errors: {errors}"
        assert not self.page_errors, f"uncaught exceptions: {self.page_errors}"
        assert not self.foreign_requests, f"requests to other origins: {self.foreign_requests}"


@pytest.fixture
def browsing(browser: Any, web_server: WebServer) -> Iterator[Browsing]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WEB_TIMEOUT * 1000)
    state = Browsing(page, web_server.url)
    own = urlsplit(web_server.url).netloc

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == own:
            if urlsplit(url).path.startswith(("/api/", "/web/", "/sparql")):
                state.api_requests.append(url)
            route.continue_()
        else:  # nothing may come from elsewhere: refuse it and remember it
            state.foreign_requests.append(url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and state.console_errors.append(message.text))
    page.on("pageerror", lambda error: state.page_errors.append(str(error)))
    try:
        yield state
    finally:
        context.close()
