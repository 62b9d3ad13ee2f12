"""A run split across the two queues: guard → retrieve in one worker, the LLM step onwards in another, with
the state handed over as JSON; and the lease that keeps two runs off one message."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agent.dispatch import waiting_messages
from agent.models import AgentRun, Draft, Message, ThresholdPolicy
from agent.pipeline import Handoff, MessageBusy, finish_run, run_agent, start_run
from agent.services import start_conversation, store_customer_message
from agent.state import TurnState
from agent.tasks import finish_run_task

pytestmark = pytest.mark.django_db

QUESTION = "How long does a new card take to arrive?"


def over_the_wire(handoff: Handoff) -> Handoff:
    """What the llm worker receives: the handoff through JSON, as the broker carries it."""
    return Handoff.from_json(json.loads(json.dumps(handoff.to_json())))


def test_a_handed_over_run_answers_as_a_run_in_one_process_does(demo_bank, customer, local_llm):
    # drafts wait for review, so the second run is not answered from the first one's cached answer
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)
    whole = run_agent(
        message=store_customer_message(conversation=start_conversation(customer=customer), text=QUESTION)
    )
    message = store_customer_message(conversation=start_conversation(customer=customer), text=QUESTION)
    handoff = start_run(message=message, holder="task-1")
    assert isinstance(handoff, Handoff) and handoff.next_node == "draft"
    assert not Draft.objects.filter(message=message).exists()  # nothing is written until the run ends
    assert QUESTION in handoff.state["text"] and [s["node"] for s in handoff.steps] == [
        "guard",
        "route",
        "recall",
        "retrieve",
    ]
    split = finish_run(over_the_wire(handoff))
    assert split is not None
    assert (split.intent, split.decision) == (whole.intent, "review")
    assert list(split.cited_articles.all()) == list(whole.cited_articles.all())
    steps = list(split.run.steps.order_by("position").values_list("position", "node"))
    assert steps == list(enumerate(["guard", "route", "recall", "retrieve", "draft", "score", "decide"], 1))
    run = split.run
    assert run.prompt_tokens == sum(s.prompt_tokens for s in run.steps.all()) > 0
    assert run.latency_ms >= handoff.elapsed_ms
    message.conversation.refresh_from_db()
    assert split.status == "pending_review" and message.conversation.status == "awaiting_review"


def test_a_handoff_delivered_twice_answers_once(demo_bank, conversation, local_llm):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    message = store_customer_message(conversation=conversation, text=QUESTION)
    handoff = start_run(message=message, holder="task-1")
    first = finish_run(over_the_wire(handoff))
    again = finish_run(over_the_wire(handoff))
    assert first == again
    assert AgentRun.objects.filter(message=message).count() == 1
    assert conversation.messages.filter(role="agent").count() == 1


def test_a_run_ending_before_the_llm_needs_no_handoff(demo_bank, conversation):
    message = store_customer_message(conversation=conversation, text="I want to speak to a real person")
    outcome = start_run(message=message, holder="task-1")
    assert isinstance(outcome, Draft) and outcome.decision == "escalate"


def test_a_message_held_by_one_run_is_not_started_by_another(demo_bank, conversation, local_llm):
    message = store_customer_message(conversation=conversation, text=QUESTION)
    handoff = start_run(message=message, holder="task-1")
    assert isinstance(handoff, Handoff)
    assert start_run(message=message, holder="task-2") is None  # queued twice: the second copy stands aside
    with pytest.raises(MessageBusy):
        run_agent(message=message)
    # the same task redelivered (its worker died) takes its own lease back
    assert isinstance(start_run(message=message, holder="task-1"), Handoff)


def test_a_handoff_whose_lease_a_newer_run_took_is_dropped(demo_bank, conversation, local_llm):
    message = store_customer_message(conversation=conversation, text=QUESTION)
    stale = start_run(message=message, holder="task-1")
    Message.objects.filter(pk=message.pk).update(agent_lease_until=timezone.now() - timedelta(seconds=1))
    fresh = start_run(message=message, holder="task-2")  # the lease ran out; the sweep queued it again
    assert isinstance(stale, Handoff) and isinstance(fresh, Handoff)
    assert finish_run(over_the_wire(stale)) is None
    assert not Draft.objects.filter(message=message).exists()
    assert finish_run(over_the_wire(fresh)) is not None
    assert Draft.objects.filter(message=message).count() == 1


def test_the_sweep_skips_messages_a_run_holds_and_takes_those_whose_lease_ran_out(demo_bank, conversation):
    held = store_customer_message(conversation=conversation, text=QUESTION)
    lost = store_customer_message(conversation=conversation, text="Can I freeze my card?")
    never = store_customer_message(conversation=conversation, text="What is the fee for a transfer?")
    now = timezone.now()
    Message.objects.filter(pk=held.pk).update(
        agent_lease_until=now + timedelta(minutes=1), agent_lease_holder="a"
    )
    Message.objects.filter(pk=lost.pk).update(
        agent_lease_until=now - timedelta(seconds=1), agent_lease_holder="b"
    )
    assert waiting_messages(older_than=timedelta(0)) == [lost.pk, never.pk]


def test_the_state_survives_json(demo_bank, conversation, local_llm):
    handoff = start_run(message=store_customer_message(conversation=conversation, text=QUESTION), holder="t")
    assert isinstance(handoff, Handoff)
    state = TurnState.from_json(json.loads(json.dumps(handoff.state)))
    assert state.to_json() == handoff.state
    assert state.passages and state.policy is not None and isinstance(state.draft_settings.tools, tuple)
    with pytest.raises(ValueError, match="not fields"):
        TurnState.from_json({**handoff.state, "surprise": 1})


def test_a_handoff_whose_message_was_erased_meanwhile_is_dropped(demo_bank, customer, local_llm):
    message = store_customer_message(conversation=start_conversation(customer=customer), text=QUESTION)
    handoff = start_run(message=message, holder="task-1")
    assert isinstance(handoff, Handoff)
    Message.objects.filter(pk=message.pk).delete()  # forget_customer while it waited in the llm queue
    assert finish_run_task(over_the_wire(handoff).to_json()) is None
    assert not AgentRun.objects.exists()
