"""Browser tests: the real ASGI app under daphne on a free port, Debian's Chromium driven by Playwright.

Run them on their own: `.venv/bin/pytest -m browser tests/browser`. The server is a separate process that
reads the test database, so every test is `django_db(transaction=True)`: its rows must be committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import database_url_for_subprocess, free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A slow 2-core machine: generous waits for anything live; the LLM's draft gets its own, longer one.
LIVE_UPDATE_MS = 20_000
SERVER_START_SECONDS = 90


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"daphne exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"daphne did not answer {url} in {SERVER_START_SECONDS}s:\n{log.read_text()[-4000:]}")


class HostSites:
    """Two other websites on loopback (other ports are other origins) whose pages embed the widget with its
    one script tag: one the app allows to embed it, one it does not."""

    def __init__(self) -> None:
        self.endpoint = ""  # the app's URL, once it serves
        self.servers = [self._serve() for _ in range(2)]
        self.allowed, self.refused = (f"http://127.0.0.1:{s.server_address[1]}" for s in self.servers)

    def _serve(self) -> ThreadingHTTPServer:
        sites = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                script = f'<script src="{sites.endpoint}/static/widget/widget.js" defer></script>'
                body = f"<!doctype html><title>A partner site</title><h1>Partner site</h1>{script}".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def host_sites() -> Iterator[HostSites]:
    sites = HostSites()
    yield sites
    sites.close()


# Low enough that a test reaches it in a few messages; every other test sends at most 2 per conversation.
WIDGET_MESSAGES_PER_MINUTE = 2


@pytest.fixture(scope="session")
def server_url(django_db_setup, llm_endpoint: str, artifacts: Path, host_sites: HostSites) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under daphne, as `run_demo` serves it, on the test database and the session's LLM."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DATABASE_URL": database_url_for_subprocess(),
            "OPENAI_BASE_URL": llm_endpoint,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LLM_TIMEOUT_SECONDS": "120",
            "DEBUG": "true",
            "ROUTER_MODEL_DIR": str(settings.ROUTER_MODEL_DIR),
            "PYTHONUNBUFFERED": "1",
            "WIDGET_ALLOWED_ORIGINS": host_sites.allowed,
            # tests change thresholds in their own process: the server must read them afresh every run
            "AGENT_CONFIG_TTL_SECONDS": "0",
            "WIDGET_MESSAGES_PER_MINUTE": str(WIDGET_MESSAGES_PER_MINUTE),
        }
    )
    log = artifacts / "daphne.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "supportagent.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        host_sites.endpoint = url
        try:
            _wait_until_serving(f"{url}/chat/", server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in the test thread, and Django's ORM refuses to run where a
    # loop runs: allow it for as long as the browser is up (tests, and pytest-django's flushes between
    # them), and only then, so the default test run and the server process keep Django's check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    expect.set_options(timeout=LIVE_UPDATE_MS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember whether the test body failed, so `new_context` can photograph every page it left open."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_context(
    browser: Browser, server_url: str, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], BrowserContext]]:
    """A fresh browser context (own cookies, own session) per person; closed after the test, which fails if
    any page broke the Content-Security-Policy (the pages must work without inline script or eval)."""
    contexts: dict[str, BrowserContext] = {}
    refused: list[str] = []

    def make(person: str) -> BrowserContext:
        context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
        context.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(90_000)
        contexts[person] = context
        return context

    yield make
    failed = request.node.stash.get(FAILED, False)
    for person, context in contexts.items():
        if failed:
            for number, page in enumerate(context.pages):
                page.screenshot(
                    path=artifacts / f"{request.node.name}-FAILED-{person}-{number}.png", full_page=True
                )
        context.close()
    assert refused == [], f"pages broke the Content-Security-Policy: {refused}"


@pytest.fixture
def snap(artifacts: Path, request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """Save a screenshot of `page` as artifacts/browser/<test>-<step>.png."""

    def save(page: Page, step: str) -> None:
        page.screenshot(path=artifacts / f"{request.node.name}-{step}.png", full_page=True)

    return save
