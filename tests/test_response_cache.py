"""The response cache: answers already sent are found again, and forgotten when an article they used changes.

Each test runs against the database store and, when REDIS_URL is set, against the Redis store (under a key
prefix of its own, removed afterwards). Articles are the demo bank's real rows.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from agent.cache import ResponseCache, get_response_cache
from agent.cache.database_store import DatabaseResponseCache
from agent.cache.keys import normalise_question
from agent.cache.redis_store import RedisResponseCache
from agent.models import KnowledgeArticle

pytestmark = pytest.mark.django_db

STORES = [
    pytest.param("database", id="database"),
    pytest.param(
        "redis",
        id="redis",
        marks=pytest.mark.skipif(
            not os.environ.get("REDIS_URL"), reason="set REDIS_URL to run the Redis response-cache tests"
        ),
    ),
]

PIN_QUESTION = "How do I change my PIN?"
PIN_ANSWER = "You can change your PIN in the app under Cards > PIN."


@pytest.fixture(params=STORES)
def cache(request: pytest.FixtureRequest, settings, demo_bank) -> Iterator[ResponseCache]:  # type: ignore[no-untyped-def]
    """The store under test, also the one `get_response_cache()` returns (so article signals reach it)."""
    if request.param == "redis":
        settings.REDIS_URL = os.environ["REDIS_URL"]
        settings.RESPONSE_CACHE_REDIS_PREFIX = f"supportagent:test-answers:{uuid.uuid4().hex}:"
    else:
        settings.REDIS_URL = ""
    store = get_response_cache()
    yield store
    store.clear()


def article(intent: str) -> KnowledgeArticle:
    return KnowledgeArticle.objects.get(intent=intent)


def versions(*articles: KnowledgeArticle) -> dict[int, int]:
    return {a.pk: a.version for a in articles}


def store_pin_answer(cache: ResponseCache, question: str = PIN_QUESTION, **overrides: object) -> None:
    fields: dict = {
        "intent": "change_pin",
        "text": PIN_ANSWER,
        "article_versions": versions(article("change_pin")),
        "source_draft_id": 41,
    }
    cache.store(question=question, **(fields | overrides))


def edit(knowledge_article: KnowledgeArticle) -> int:
    """Edit the article as an editor would (a new version); returns the old version."""
    old_version = knowledge_article.version
    knowledge_article.body += " You can also change it at any cash machine."
    knowledge_article.version += 1
    knowledge_article.save()
    return old_version


def test_normalising_ignores_case_punctuation_and_spacing_but_keeps_digits():
    assert normalise_question("  How do I change my PIN?!  ") == "how do i change my pin"
    assert normalise_question("Can't I send £1,000 (or 5%)?") == "cant i send £1 000 or 5%"
    assert normalise_question("Send 500") != normalise_question("Send 5000")


def test_it_finds_a_stored_answer_asked_again_with_other_case_and_punctuation(cache):
    store_pin_answer(cache)
    found = cache.lookup(question="how do i change my pin", intent="change_pin")
    assert found is not None
    assert (found.kind, found.similarity, found.text) == ("exact", 1.0, PIN_ANSWER)
    assert (found.intent, found.article_versions, found.source_draft_id) == (
        "change_pin",
        versions(article("change_pin")),
        41,
    )


def test_the_same_question_under_another_intent_misses(cache):
    store_pin_answer(cache)
    assert cache.lookup(question=PIN_QUESTION, intent="pin_blocked") is None


def test_a_close_paraphrase_is_a_semantic_hit(cache):
    store_pin_answer(cache)
    found = cache.lookup(question="How can I change my PIN?", intent="change_pin")
    assert found is not None and found.kind == "semantic"
    assert 0.92 <= found.similarity < 1.0 and found.text == PIN_ANSWER


def test_an_unrelated_question_misses(cache):
    store_pin_answer(cache)
    assert cache.lookup(question="When will my new card arrive?", intent="change_pin") is None


def test_a_paraphrase_below_the_configured_bound_misses(cache, settings):
    settings.RESPONSE_CACHE_SIMILARITY = 0.99
    store_pin_answer(cache)
    assert cache.lookup(question="How can I change my PIN?", intent="change_pin") is None


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("Can I withdraw 500 pounds?", "Can I withdraw 5000 pounds?"),
        (
            "I ordered a new card two weeks ago and it has arrived",
            "I ordered a new card two weeks ago and it hasn't arrived",
        ),
    ],
    ids=["another-number", "a-negation"],
)
def test_a_near_paraphrase_with_other_numbers_or_negations_misses(cache, stored, asked):
    # both pairs are above the bound (cosine 0.96 and 0.97) but need another answer
    store_pin_answer(cache, question=stored)
    assert cache.lookup(question=asked, intent="change_pin") is None


def test_a_question_with_no_known_word_misses(cache):
    store_pin_answer(cache)
    assert cache.lookup(question="?!", intent="change_pin") is None


def test_an_edited_article_makes_its_entries_miss_and_removes_them(cache):
    pin = article("change_pin")
    store_pin_answer(cache)
    old_version = edit(pin)
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None
    KnowledgeArticle.objects.filter(pk=pin.pk).update(version=old_version)  # as stored, but gone for good
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None


def test_an_edited_article_makes_a_semantic_match_miss_too(cache):
    store_pin_answer(cache)
    edit(article("change_pin"))
    assert cache.lookup(question="How can I change my PIN?", intent="change_pin") is None


def test_an_unpublished_article_makes_its_entries_miss(cache):
    store_pin_answer(cache)
    KnowledgeArticle.objects.filter(intent="change_pin").update(is_published=False)
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None


def test_invalidating_an_article_removes_only_the_entries_that_used_it(cache):
    pin, blocked = article("change_pin"), article("pin_blocked")
    store_pin_answer(cache, question="How do I change my PIN?", article_versions=versions(pin))
    store_pin_answer(cache, question="My PIN is blocked", article_versions=versions(blocked))
    store_pin_answer(cache, question="Blocked PIN, can I change it?", article_versions=versions(pin, blocked))

    assert cache.invalidate_article(pin.pk) == 2

    assert cache.lookup(question="How do I change my PIN?", intent="change_pin") is None
    assert cache.lookup(question="Blocked PIN, can I change it?", intent="change_pin") is None
    assert cache.lookup(question="My PIN is blocked", intent="change_pin") is not None
    assert cache.invalidate_article(pin.pk) == 0


def test_storing_the_same_question_again_replaces_the_answer_and_the_articles_it_used(cache):
    pin, blocked = article("change_pin"), article("pin_blocked")
    store_pin_answer(cache, article_versions=versions(pin))
    store_pin_answer(
        cache, text="Go to Cards > PIN.", article_versions=versions(blocked), source_draft_id=None
    )

    assert cache.invalidate_article(pin.pk) == 0
    found = cache.lookup(question=PIN_QUESTION, intent="change_pin")
    assert found is not None and (found.text, found.source_draft_id) == ("Go to Cards > PIN.", None)


def test_an_answer_that_used_no_article_lasts_until_it_expires(cache):
    store_pin_answer(cache, article_versions={})
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is not None


def test_entries_expire_each_after_its_own_time_to_live(cache, settings):
    settings.RESPONSE_CACHE_TTL_SECONDS = 0.3
    store_pin_answer(cache)
    settings.RESPONSE_CACHE_TTL_SECONDS = 60
    store_pin_answer(cache, question="My PIN is blocked")
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is not None
    time.sleep(0.5)
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None
    assert cache.lookup(question="How can I change my PIN?", intent="change_pin") is None
    assert cache.lookup(question="My PIN is blocked", intent="change_pin") is not None


def test_clear_removes_every_entry(cache):
    store_pin_answer(cache)
    store_pin_answer(cache, question="My PIN is blocked", intent="pin_blocked")
    cache.clear()
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None
    assert cache.lookup(question="My PIN is blocked", intent="pin_blocked") is None


def test_editing_or_deleting_an_article_forgets_its_answers_once_committed(
    cache, django_capture_on_commit_callbacks
):
    from agent.cache import signals  # noqa: F401  (connects the receivers, as AgentConfig.ready will)

    pin, blocked = article("change_pin"), article("pin_blocked")
    blocked_id = blocked.pk
    store_pin_answer(cache, article_versions=versions(pin))
    store_pin_answer(cache, question="My PIN is blocked", article_versions=versions(blocked))
    with django_capture_on_commit_callbacks(execute=True):
        old_version = edit(pin)
        blocked.delete()

    # back at the stored version: only a removed entry still misses
    KnowledgeArticle.objects.filter(pk=pin.pk).update(version=old_version)
    assert cache.lookup(question=PIN_QUESTION, intent="change_pin") is None
    assert cache.invalidate_article(blocked_id) == 0


def test_the_store_follows_the_settings(settings):
    settings.REDIS_URL = ""
    assert isinstance(get_response_cache(), DatabaseResponseCache)
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert isinstance(get_response_cache(), RedisResponseCache)


def test_a_redis_outage_makes_lookups_miss_and_stores_skip(demo_bank):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    unreachable = RedisResponseCache(redis.Redis(port=port, socket_connect_timeout=0.2), prefix="outage:")
    store_pin_answer(unreachable)
    assert unreachable.lookup(question=PIN_QUESTION, intent="change_pin") is None
