"""Each pipeline node alone, on a hand-built state."""

import dataclasses

import pytest

from agent import nodes
from agent.graph import StepContext
from agent.models import KnowledgeArticle, ThresholdPolicy
from agent.state import DraftSettings, Passage, TurnState

SETTINGS = DraftSettings(model="smollm2-135m-instruct", temperature=0.2, max_tokens=96)


def state(text: str, **fields) -> TurnState:
    return dataclasses.replace(TurnState(text=text, draft_settings=SETTINGS), **fields)


def passage_for(intent: str) -> Passage:
    article = KnowledgeArticle.objects.get(intent=intent)
    return Passage(article.pk, article.title, article.intent, article.body, 2.0, article.version)


def test_guard_passes_a_banking_question():
    update = nodes.guard(state("I want to top up my account by bank transfer"), StepContext())
    assert update["in_scope"] is True and update["scope_score"] > 0.5 and update["wants_human"] is False


def test_guard_stops_a_question_outside_the_bank():
    update = nodes.guard(state("Can you recommend a good recipe for lasagne?"), StepContext())
    assert update["in_scope"] is False and update["scope_score"] < 0.5


@pytest.mark.parametrize(
    "text", ["Can I talk to a human please", "connect me with a real person", "I need to speak to an agent"]
)
def test_guard_notices_a_request_for_a_human(text):
    assert nodes.guard(state(text), StepContext())["wants_human"] is True


def test_guard_does_not_mistake_a_mention_of_people_for_a_request():
    assert nodes.guard(state("Can other people send me money?"), StepContext())["wants_human"] is False


@pytest.mark.django_db
def test_route_gives_an_intent_and_its_probability():
    update = nodes.route(state("I forgot my passcode and can't log in"), StepContext())
    assert update["intent"] == "passcode_forgotten" and 0.5 < update["intent_confidence"] <= 1.0
    assert update["policy"].auto_send_threshold == 0.95 and not update["policy"].always_escalate


@pytest.mark.django_db
def test_retrieve_puts_the_routed_intents_article_first(demo_bank):
    update = nodes.retrieve(
        state("how much is it to top up by card", intent="top_up_by_card_charge"), StepContext()
    )
    assert update["passages"][0].intent == "top_up_by_card_charge"
    assert len(update["passages"]) == nodes.RETRIEVE_K


@pytest.mark.django_db
def test_draft_calls_the_llm_records_usage_and_cites_the_article(demo_bank, local_llm):
    source = passage_for("change_pin")
    ctx = StepContext()
    update = nodes.draft(state("How do I change my PIN?", passages=(source,)), ctx)
    assert update["draft"].endswith(f"\n\nSource: {source.title}")
    assert update["cited_article_ids"] == (source.article_id,)
    assert update["signals"]["draft_origin"] in {"llm", "article_extract"}
    assert ctx.usages[0].prompt_tokens > 0 and ctx.usages[0].completion_tokens > 0


@pytest.mark.django_db
def test_score_is_high_for_a_grounded_draft_on_the_routed_intents_article(demo_bank):
    source = passage_for("change_pin")
    draft = f"{source.text}\n\nSource: {source.title}"
    update = nodes.score(
        state(
            "How do I change my PIN?",
            intent="change_pin",
            intent_confidence=0.97,
            passages=(source,),
            draft=draft,
        ),
        StepContext(),
    )
    assert update["confidence"] == pytest.approx(0.97)
    assert update["signals"]["grounded_share"] == 1.0


@pytest.mark.django_db
def test_decide_uses_the_intents_threshold(demo_bank):
    ThresholdPolicy.objects.filter(intent="change_pin").update(auto_send_threshold=0.8)
    sent = nodes.decide(state("q", intent="change_pin", confidence=0.85, draft="answer"), StepContext())
    held = nodes.decide(state("q", intent="change_pin", confidence=0.75, draft="answer"), StepContext())
    assert sent["decision"] == "auto_send" and held["decision"] == "review"


@pytest.mark.django_db
def test_decide_uses_the_default_threshold_for_an_intent_without_policy(settings):
    settings.DEFAULT_AUTO_SEND_THRESHOLD = 0.6
    assert nodes.decide(state("q", intent="card_arrival", confidence=0.61, draft="a"), StepContext())[
        "decision"
    ] == ("auto_send")
