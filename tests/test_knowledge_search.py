import pytest

from agent.models import KnowledgeArticle
from agent.search import get_search_backend

pytestmark = pytest.mark.django_db


def test_it_finds_the_article_that_answers_the_question(demo_bank):
    hits = get_search_backend().search("how do I top up with apple pay or google pay", k=3)
    assert hits[0].intent == "apple_pay_or_google_pay"
    assert len(hits) == 3 and hits[0].score >= hits[1].score >= hits[2].score


def test_the_routed_intents_article_comes_first(demo_bank):
    hits = get_search_backend().search("it still hasn't come", k=3, intent="card_arrival")
    assert hits[0].intent == "card_arrival"


def test_unpublished_articles_are_not_found(demo_bank):
    KnowledgeArticle.objects.filter(intent="apple_pay_or_google_pay").update(is_published=False)
    hits = get_search_backend().search("apple pay google pay", k=5)
    assert "apple_pay_or_google_pay" not in {h.intent for h in hits}


def test_an_edited_article_is_searchable_at_once(demo_bank):
    search = get_search_backend()
    assert not search.search("zorblax", k=1)
    article = KnowledgeArticle.objects.get(intent="card_arrival")
    article.body += " Zorblax couriers deliver in the Highlands."
    article.save()
    assert search.search("zorblax", k=1)[0].article_id == article.pk


def test_an_empty_knowledge_base_finds_nothing(db):
    assert get_search_backend().search("anything at all", k=3) == []


def test_a_question_with_no_known_words_finds_nothing(demo_bank):
    assert get_search_backend().search("???", k=3) == []
