"""Shared fixtures: the real local LLM server (one per test session), demo data, customers."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from agent.local_llm import LocalLLMServer
from agent.models import Conversation, Customer
from tests.fake_zendesk import FakeZendesk, fake_zendesk


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session_cookie(user: User | None = None, **session: str) -> tuple[bytes, bytes]:
    """The Cookie header of a browser signed in as `user` (if given) with `session` in its session."""
    client = Client()
    if user is not None:
        client.force_login(user)
    if session:
        stored = client.session
        stored.update(session)
        stored.save()
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


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
    server = LocalLLMServer.from_settings(port=free_port())
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
    # A slow shared CI machine must not turn into a flaky test; production keeps its own timeout.
    settings.LLM_TIMEOUT_SECONDS = 120
    return llm_endpoint


SHOP = "https://shop.lumenbank.example"  # the one site the widget tests embed the widget on


@pytest.fixture
def shop_may_embed(settings):  # type: ignore[no-untyped-def]
    """Only SHOP may embed the widget, and its rate limits start from nothing (they live in the cache) and
    leave nothing behind, in the cache they were counted in even if the test pointed CACHES elsewhere."""
    from django.core.cache import caches

    shared = caches["default"]
    shared.clear()
    settings.WIDGET_ALLOWED_ORIGINS = [SHOP]
    yield
    shared.clear()


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
def celery_runs_in_process(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tasks run in the test's own process, inline, unless a test starts a real worker (see
    test_worker_end_to_end); the web process's background thread is for the product and browser tests."""
    from supportagent.celery import app

    settings.AGENT_EAGER_IN_THREAD = False
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def make_reviewer(db):  # type: ignore[no-untyped-def]
    """Staff users in the reviewers' group."""
    from django.contrib.auth.models import Group, User

    def make(username: str) -> User:
        user = User.objects.create_user(username, password="review-pass-123", is_staff=True)
        user.groups.add(Group.objects.get_or_create(name="Support reviewers")[0])
        return user

    return make


@pytest.fixture
def rita(make_reviewer):  # type: ignore[no-untyped-def]
    return make_reviewer("rita")


@pytest.fixture
def sam(make_reviewer):  # type: ignore[no-untyped-def]
    return make_reviewer("sam")


@pytest.fixture
def make_pending_draft(db, customer):  # type: ignore[no-untyped-def]
    """Drafts waiting for review, built the way the pipeline stores them (without running the LLM)."""
    from agent.models import AgentRun, Draft
    from agent.services import start_conversation, store_customer_message

    def make(
        question: str = "How do I change my PIN?",
        text: str = "You can change your PIN in the app.\n\nSource: How do I change my PIN?",
        intent: str = "change_pin",
        raw_confidence: float = 0.6,
        conversation: Conversation | None = None,
    ) -> Draft:
        conversation = conversation or start_conversation(customer=customer)
        message = store_customer_message(conversation=conversation, text=question)
        passage = {
            "article_id": 1,
            "title": "How do I change my PIN?",
            "intent": intent,
            "text": "...",
            "score": 2.0,
            "version": 1,
        }
        run = AgentRun.objects.create(
            message=message,
            status=AgentRun.Status.COMPLETED,
            final_state={"in_scope": True, "passages": [passage]},
        )
        conversation.status = "awaiting_review"
        conversation.save()
        return Draft.objects.create(
            run=run,
            conversation=conversation,
            message=message,
            intent=intent,
            text=text,
            confidence=raw_confidence,
            raw_confidence=raw_confidence,
            decision="review",
            status=Draft.Status.PENDING_REVIEW,
        )

    return make


@pytest.fixture(autouse=True)
def embedded_search(settings):  # type: ignore[no-untyped-def]
    """Tests search the embedded backend, its passage vectors built from each test's own articles; the
    contract suite alone also runs Elasticsearch."""
    from agent.search.embedded import EmbeddedSearch

    settings.SEARCH_BACKEND = "embedded"
    EmbeddedSearch.shared().words.clear()
    EmbeddedSearch.shared().vectors.clear()


@pytest.fixture(autouse=True)
def closed_circuits() -> Iterator[None]:
    """Every test starts with every tool's circuit closed: one test's outage is not the next one's."""
    from agent.tools.support import support_runner

    support_runner.breakers.clear()
    yield
    support_runner.breakers.clear()


ZENDESK_EMAIL = "bot@lumenbank.example"
ZENDESK_TOKEN = "zd-token-123"


@pytest.fixture
def zendesk(settings) -> Iterator[FakeZendesk]:  # type: ignore[no-untyped-def]
    """A fake Zendesk on loopback, with the settings pointing the connector at it."""
    with fake_zendesk(email=ZENDESK_EMAIL, api_token=ZENDESK_TOKEN) as server:
        settings.TICKETING_BACKEND = "zendesk"
        settings.ZENDESK_URL = server.url
        settings.ZENDESK_EMAIL = ZENDESK_EMAIL
        settings.ZENDESK_API_TOKEN = ZENDESK_TOKEN
        settings.EXTERNAL_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture(autouse=True)
def fresh_config() -> Iterator[None]:
    """Policies, prices and calibrations are read from each test's own rows, not a previous test's."""
    from agent.config import config

    config.clear()
    yield
    config.clear()
