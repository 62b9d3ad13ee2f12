"""Shared fixtures: the real local LLM server (one per test session), demo data, customers."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from agent.local_llm import LocalLLMServer
from agent.models import Conversation, Customer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_for_subprocess() -> str:
    """DATABASE_URL for a second process (a worker, a server) that must see this test's database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def llm_endpoint() -> Iterator[str]:
    """The OpenAI-compatible endpoint the tests use: OPENAI_BASE_URL if set, else a local server we start."""
    if os.environ.get("OPENAI_BASE_URL"):
        yield settings.OPENAI_BASE_URL
        return
    server = LocalLLMServer("127.0.0.1", free_port(), settings.LLM_SMALL_MODEL)
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    server.start(log_path=settings.VAR_DIR / "test-llm-server.log")
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture
def local_llm(llm_endpoint: str, settings) -> str:  # type: ignore[no-untyped-def]
    """Point the agent at the session's LLM endpoint for one test."""
    settings.OPENAI_BASE_URL = llm_endpoint
    return llm_endpoint


@pytest.fixture
def demo_bank(db) -> None:  # type: ignore[no-untyped-def]
    from agent.demo.loader import load_demo_bank

    load_demo_bank()


@pytest.fixture
def customer(db) -> Customer:  # type: ignore[no-untyped-def]
    return Customer.objects.create(external_id="c-100", name="Sam Carter")


@pytest.fixture
def conversation(customer: Customer) -> Conversation:
    return Conversation.objects.create(customer=customer)


@pytest.fixture(autouse=True)
def celery_runs_in_process() -> Iterator[None]:
    """Tasks run in the test's own process unless a test starts a real worker (see test_worker_end_to_end)."""
    from supportagent.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True
