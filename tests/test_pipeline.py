"""The whole graph on real rows, with the real routing model and the real local LLM."""

import pytest

from agent.models import AgentRun, Conversation, Draft, Message, ThresholdPolicy, Ticket
from agent.pipeline import build_graph, run_agent
from agent.services import store_customer_message
from tests.conftest import free_port
from tests.fake_openai import completion_body, scripted_llm

pytestmark = pytest.mark.django_db


def ask(conversation, text):
    return run_agent(message=store_customer_message(conversation=conversation, text=text))


def test_the_graph_has_the_six_steps_with_recall_and_cascade():
    graph = build_graph()
    assert list(graph.nodes) == [
        "guard",
        "route",
        "recall",
        "retrieve",
        "draft",
        "score",
        "decide",
        "cascade",
    ]


def test_a_routine_question_is_routed_grounded_and_traced(demo_bank, conversation, local_llm):
    draft = ask(conversation, "My new card still hasn't arrived, when will it come?")
    assert draft.intent in {"card_arrival", "card_delivery_estimate"}
    assert draft.text.endswith(f"Source: {draft.cited_articles.get().title}")
    assert 0.0 <= draft.confidence <= 1.0
    assert set(draft.signals) >= {"intent_confidence", "grounded_share", "retrieval_agreement"}
    steps = list(draft.run.steps.values_list("node", flat=True))
    assert steps == ["guard", "route", "recall", "retrieve", "draft", "score", "decide"]
    llm_step = draft.run.steps.get(node="draft")
    assert llm_step.prompt_tokens > 0 and llm_step.completion_tokens > 0
    assert draft.run.prompt_tokens == llm_step.prompt_tokens
    assert draft.run.status == AgentRun.Status.COMPLETED


def test_a_confident_draft_is_sent_to_the_customer(demo_bank, conversation, local_llm):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    draft = ask(conversation, "How long does a card take to arrive?")
    assert draft.decision == "auto_send" and draft.status == Draft.Status.SENT
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ANSWERED
    assert conversation.messages.filter(role=Message.Role.AGENT, text=draft.text).exists()


def test_a_draft_below_threshold_waits_for_review_and_is_not_sent(demo_bank, conversation, local_llm):
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)
    draft = ask(conversation, "How long does a card take to arrive?")
    assert draft.decision == "review" and draft.status == Draft.Status.PENDING_REVIEW
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.AWAITING_REVIEW
    assert not conversation.messages.filter(role=Message.Role.AGENT).exists()


def test_a_stolen_card_escalates_with_a_ticket_and_no_llm_call(demo_bank, conversation, settings):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens: any LLM call would fail the run
    draft = ask(conversation, "Someone stole my card yesterday")
    assert draft.decision == "escalate" and draft.intent == "lost_or_stolen_card"
    ticket = Ticket.objects.get()
    assert draft.ticket == ticket and ticket.customer == conversation.customer
    notice = conversation.messages.get(role=Message.Role.SYSTEM)
    assert ticket.reference in notice.text
    assert "draft" not in draft.run.steps.values_list("node", flat=True)


def test_an_out_of_scope_question_is_refused_and_handed_over(demo_bank, conversation):
    draft = ask(conversation, "What's the weather going to be like in Paris this weekend?")
    assert draft.decision == "escalate" and "scope" in draft.reason
    assert list(draft.run.steps.values_list("node", flat=True)) == ["guard", "decide"]
    assert "only help with questions about your Lumen Bank" in conversation.messages.get(role="system").text


def test_asking_for_a_human_escalates(demo_bank, conversation):
    draft = ask(conversation, "I want to speak to a real person about my transfer")
    assert draft.decision == "escalate" and draft.reason == "the customer asked for a human"


def test_running_twice_for_one_message_gives_the_same_single_draft(demo_bank, conversation, local_llm):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    message = store_customer_message(conversation=conversation, text="How long does a card take to arrive?")
    first = run_agent(message=message)
    second = run_agent(message=message)
    assert first == second
    assert Draft.objects.count() == 1 and conversation.messages.filter(role="agent").count() == 1


def test_an_llm_that_keeps_failing_leaves_the_conversation_needing_a_human(demo_bank, conversation, settings):
    with scripted_llm([(500, {"error": {"message": "boom"}})]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert len(llm.requests) == 3
    assert draft.run.status == AgentRun.Status.FAILED and "draft" in draft.run.error
    step = draft.run.steps.get(node="draft")
    assert step.attempts == 3 and "InternalServerError" in step.error
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.NEEDS_HUMAN
    assert conversation.messages.filter(role="customer").count() == 1
    assert Ticket.objects.filter(conversation=conversation).exists()


def test_an_llm_that_fails_once_is_retried_and_the_run_completes(demo_bank, conversation, settings):
    script = [
        (500, {"error": {"message": "boom"}}),
        (200, completion_body("Your card arrives in 3–5 working days.")),
    ]
    with scripted_llm(script) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert len(llm.requests) == 2
    assert draft.run.status == AgentRun.Status.COMPLETED
    assert draft.run.steps.get(node="draft").attempts == 2
    assert llm.requests[1]["temperature"] == pytest.approx(0.2)


def test_an_empty_llm_answer_gets_one_repair_request_then_escalates(demo_bank, conversation, settings):
    with scripted_llm([(200, completion_body(""))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert len(llm.requests) == 2
    assert "Your reply was empty" in llm.requests[1]["messages"][-1]["content"]
    assert draft.decision == "escalate"
    assert not conversation.messages.filter(role="agent").exists()


def test_a_repaired_answer_is_used(demo_bank, conversation, settings):
    script = [
        (200, completion_body("")),
        (200, completion_body("Your card usually arrives within 3–5 working days.")),
    ]
    with scripted_llm(script) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert len(llm.requests) == 2 and draft.run.status == "completed" and draft.text


def test_each_step_is_costed_at_the_models_price(demo_bank, conversation, settings):
    from decimal import Decimal

    from agent.models import LanguageModel

    LanguageModel.objects.create(
        name="fake-model", input_price_per_million=Decimal("1.50"), output_price_per_million=Decimal("6")
    )
    with scripted_llm([(200, completion_body("Your card arrives in 3–5 working days."))]) as (url, _):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    expected = (Decimal("1.50") * 11 + Decimal(6) * 7) / Decimal(1_000_000)
    assert draft.run.steps.get(node="draft").cost == expected
    assert draft.run.cost == expected


def test_a_run_over_its_cost_budget_is_handed_to_a_human(demo_bank, conversation, settings):
    from decimal import Decimal

    from agent.models import LanguageModel

    LanguageModel.objects.create(name="fake-model", input_price_per_million=Decimal(1000))
    settings.AGENT_MAX_RUN_COST = Decimal("0.001")
    with scripted_llm([(200, completion_body("Your card usually arrives within 3–5 working days."))]) as (
        url,
        _,
    ):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert draft.decision == "escalate" and "over its budget" in draft.reason
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.NEEDS_HUMAN


def test_a_run_over_its_step_budget_is_handed_to_a_human(demo_bank, conversation, settings):
    settings.AGENT_MAX_STEPS = 2
    draft = ask(conversation, "How long does a card take to arrive?")
    assert draft.run.status == AgentRun.Status.FAILED and "more than 2 steps" in draft.run.error
    assert draft.run.steps.count() == 2 and Ticket.objects.filter(conversation=conversation).exists()


GROUNDED = "Your card usually arrives within 3–5 working days."


def cascading_version():
    from agent.models import AgentVersion

    AgentVersion.objects.update(is_default=False)
    return AgentVersion.objects.create(
        name="cascade", draft_model="small-model", large_model="large-model", is_default=True
    )


def test_a_low_confidence_small_draft_is_redone_by_the_large_model(demo_bank, conversation, settings):
    cascading_version()
    ThresholdPolicy.objects.update(cascade_threshold=1.0)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert [r["model"] for r in llm.requests] == ["small-model", "large-model"]
    nodes = list(draft.run.steps.values_list("node", flat=True))
    assert nodes == [
        "guard",
        "route",
        "recall",
        "retrieve",
        "draft",
        "score",
        "cascade",
        "draft",
        "score",
        "decide",
    ]
    assert (
        draft.signals["cascaded_from"] == "small-model"
        and draft.run.final_state["draft_model"] == "large-model"
    )


def test_a_critical_intent_is_drafted_by_the_large_model_from_the_start(demo_bank, conversation, settings):
    cascading_version()
    ThresholdPolicy.objects.update(is_critical=True)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        ask(conversation, "How long does a card take to arrive?")
    assert [r["model"] for r in llm.requests] == ["large-model"]


def test_there_is_no_cascade_without_a_distinct_large_model(demo_bank, conversation, settings):
    ThresholdPolicy.objects.update(cascade_threshold=1.0)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert len(llm.requests) == 1 and "cascade" not in draft.run.steps.values_list("node", flat=True)


def test_an_llm_endpoint_answering_garbage_hands_the_customer_to_a_human(demo_bank, conversation, settings):
    with scripted_llm([(200, "<html>502 Bad Gateway</html>")]) as (url, _):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "How long does a card take to arrive?")
    assert draft.decision == "escalate" and draft.run.status == AgentRun.Status.FAILED
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.NEEDS_HUMAN
    assert draft.ticket.reference in conversation.messages.get(role=Message.Role.SYSTEM).text


def test_an_llm_endpoint_that_is_down_is_tried_three_times_then_a_human_takes_over(
    demo_bank, conversation, settings
):
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    draft = ask(conversation, "How long does a card take to arrive?")
    step = draft.run.steps.get(node="draft")
    assert step.attempts == 3 and "APIConnectionError" in step.error
    assert draft.decision == "escalate"


def ask_and_commit(conversation, text, capture):
    with capture(execute=True):
        return ask(conversation, text)


def test_a_sent_answer_is_cached_and_answers_the_same_question_without_the_llm(
    demo_bank, customer, settings, django_capture_on_commit_callbacks
):
    from agent.services import start_conversation

    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        first = ask_and_commit(
            start_conversation(customer=customer),
            "How long does a card take to arrive?",
            django_capture_on_commit_callbacks,
        )
        second = ask_and_commit(
            start_conversation(customer=customer),
            "how long does a card take to arrive",
            django_capture_on_commit_callbacks,
        )
    assert len(llm.requests) == 1
    assert second.text == first.text and second.decision == "auto_send"
    assert second.signals["cache"] == "exact" and first.signals["cache"] == "miss"
    # a hit is scored against the articles it cites, as they are now: no search, no draft
    steps = list(second.run.steps.values_list("node", flat=True))
    assert steps == ["guard", "route", "recall", "score", "decide"]
    assert list(second.cited_articles.all()) == list(first.cited_articles.all())


def test_a_cached_answer_still_has_to_clear_the_threshold(
    demo_bank, customer, settings, django_capture_on_commit_callbacks
):
    from agent.services import start_conversation

    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, _):
        settings.OPENAI_BASE_URL = url
        ask_and_commit(
            start_conversation(customer=customer),
            "How long does a card take to arrive?",
            django_capture_on_commit_callbacks,
        )
        for policy in ThresholdPolicy.objects.all():  # saved one by one, as the admin saves them
            policy.auto_send_threshold = 1.0
            policy.save()
        again = ask_and_commit(
            start_conversation(customer=customer),
            "How long does a card take to arrive?",
            django_capture_on_commit_callbacks,
        )
    assert again.signals["cache"] == "exact" and again.decision == "review"


def test_editing_the_article_retires_the_cached_answer(
    demo_bank, customer, settings, django_capture_on_commit_callbacks
):
    from agent.models import KnowledgeArticle
    from agent.services import start_conversation

    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    with scripted_llm([(200, completion_body(GROUNDED))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        first = ask_and_commit(
            start_conversation(customer=customer),
            "How long does a card take to arrive?",
            django_capture_on_commit_callbacks,
        )
        article = KnowledgeArticle.objects.get(pk=first.cited_articles.get().pk)
        article.version += 1
        with django_capture_on_commit_callbacks(execute=True):
            article.save()
        again = ask_and_commit(
            start_conversation(customer=customer),
            "How long does a card take to arrive?",
            django_capture_on_commit_callbacks,
        )
    assert len(llm.requests) == 2 and again.signals["cache"] == "miss"
