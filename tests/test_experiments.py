"""A/B tests of agent versions: sticky assignment, split and ramp proportions, the ramp's people-only
conversations, versions' own settings in the pipeline, and the per-arm report."""

import uuid

import pytest
from scipy import stats

from agent.experiment_report import Mean, Rate, experiment_report, two_proportion_p_value, welch_p_value
from agent.experiments import assign
from agent.models import (
    AgentVersion,
    Conversation,
    ConversationRating,
    Customer,
    Draft,
    Experiment,
    ExperimentArm,
    Ticket,
)
from agent.pipeline import run_agent
from agent.services import start_conversation, store_customer_message
from tests.fake_openai import completion_body, scripted_llm

pytestmark = pytest.mark.django_db
NOTHING_LISTENS = "http://127.0.0.1:9/v1"


@pytest.fixture
def versions(demo_bank):  # type: ignore[no-untyped-def]
    control = AgentVersion.objects.get(is_default=True)
    challenger = AgentVersion.objects.create(name="v2-warmer", temperature="0.3")
    return control, challenger


def experiment(versions, weights=(70, 30), agent_share=1.0):  # type: ignore[no-untyped-def]
    running = Experiment.objects.create(name="warmer-tone", is_active=True, agent_share=agent_share)
    for version, weight, control in zip(versions, weights, (True, False), strict=True):
        ExperimentArm.objects.create(
            experiment=running, agent_version=version, weight=weight, is_control=control
        )
    return running


def assigned(count: int) -> list[Conversation]:
    customer = Customer.objects.create(external_id="split-test")
    conversations = [Conversation(customer=customer, public_id=uuid.uuid4()) for _ in range(count)]
    for conversation in conversations:
        assign(conversation)
    return conversations


def test_new_conversations_split_by_weight(versions):
    experiment(versions, weights=(70, 30))
    conversations = assigned(4000)
    counts = [sum(c.agent_version == v for c in conversations) for v in versions]
    assert sum(counts) == 4000 and all(c.experiment is not None for c in conversations)
    # a split that drifted from 70/30 would be rejected at p < 0.001
    assert stats.chisquare(counts, [2800, 1200]).pvalue > 0.001


def test_the_ramp_sends_only_its_share_to_the_agent(versions):
    experiment(versions, agent_share=0.25)
    conversations = assigned(4000)
    to_agent = sum(not c.human_only for c in conversations)
    assert stats.binomtest(to_agent, 4000, 0.25).pvalue > 0.001
    assert all(c.agent_version is None for c in conversations if c.human_only)


def test_assignment_is_sticky(versions):
    running = experiment(versions, weights=(50, 50))
    conversation = start_conversation(customer=Customer.objects.create(external_id="sticky"))
    first = conversation.agent_version
    for _ in range(5):
        again = Conversation(customer=conversation.customer, public_id=conversation.public_id)
        assign(again)
        assert again.agent_version == first
    ExperimentArm.objects.filter(experiment=running).update(weight=0)
    conversation.refresh_from_db()
    assert conversation.agent_version == first and conversation.experiment == running


def test_no_experiment_leaves_conversations_on_the_default_version(demo_bank):
    conversation = start_conversation(customer=Customer.objects.create(external_id="plain"))
    assert (
        conversation.experiment is None and conversation.agent_version is None and not conversation.human_only
    )


def test_a_conversation_outside_the_ramp_goes_straight_to_people(versions, settings):
    settings.OPENAI_BASE_URL = NOTHING_LISTENS
    experiment(versions, agent_share=0.0)
    conversation = start_conversation(customer=Customer.objects.create(external_id="people"))
    assert conversation.human_only
    draft = run_agent(
        message=store_customer_message(conversation=conversation, text="How do I change my PIN?")
    )
    assert draft.decision == "escalate" and "served by people" in draft.reason
    assert draft.run.steps.count() == 0 and draft.ticket == Ticket.objects.get()
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ESCALATED


def test_a_versions_instructions_tools_and_threshold_are_used(versions, settings):
    _, challenger = versions
    challenger.system_prompt = "You are Lumen Bank's assistant. Be brief and warm."
    challenger.tools = ["escalate_to_human"]
    challenger.auto_send_threshold = 0.0
    challenger.save()
    conversation = start_conversation(customer=Customer.objects.create(external_id="v2"))
    conversation.agent_version = challenger
    conversation.save()
    grounded = "You can change your card PIN in the app under Cards > Manage card > Change PIN."
    with scripted_llm([(200, completion_body(grounded))]) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = run_agent(
            message=store_customer_message(conversation=conversation, text="How do I change my PIN?")
        )
    request = llm.requests[0]
    assert request["messages"][0]["content"].startswith("You are Lumen Bank's assistant. Be brief and warm.")
    assert [tool["function"]["name"] for tool in request["tools"]] == ["escalate_to_human"]
    assert draft.decision == "auto_send" and "0.00" in draft.reason


def test_rates_have_wilson_intervals_and_the_tests_known_answers():
    rate = Rate(8, 10)
    low, high = rate.interval
    assert (
        rate.value == 0.8
        and low == pytest.approx(0.4902, abs=1e-4)
        and high == pytest.approx(0.9433, abs=1e-4)
    )
    assert Rate(0, 0).interval is None and Rate(0, 0).value is None
    # 50/100 against 65/100: z = -2.14, two-sided p = 0.032
    assert two_proportion_p_value(Rate(50, 100), Rate(65, 100)) == pytest.approx(0.0320, abs=5e-4)
    assert two_proportion_p_value(Rate(1, 10), Rate(0, 0)) is None
    # t = 2 / sqrt(1/6) = 4.90 on 6 degrees of freedom: p = 0.0027
    high_scores, low_scores = Mean((4.0, 5.0, 4.0, 5.0)), Mean((2.0, 3.0, 2.0, 3.0))
    assert welch_p_value(high_scores, low_scores) == pytest.approx(0.0027, abs=1e-4)
    assert welch_p_value(Mean((5.0,)), Mean((1.0, 2.0))) is None


def test_the_report_counts_each_arm_from_its_conversations(versions, make_pending_draft):
    running = experiment(versions)
    control, challenger = versions

    def conversation_with(version, decisions, score=None):  # type: ignore[no-untyped-def]
        conversation = Conversation.objects.create(
            customer=Customer.objects.create(external_id=f"c-{uuid.uuid4().hex[:8]}"),
            experiment=running,
            agent_version=version,
        )
        for decision in decisions:
            draft = make_pending_draft(conversation=conversation)
            Draft.objects.filter(pk=draft.pk).update(decision=decision)
        if score:
            ConversationRating.objects.create(conversation=conversation, agent_version=version, score=score)
        return conversation

    conversation_with(control, ["auto_send"], 5)
    conversation_with(control, ["auto_send", "escalate"], 2)
    conversation_with(control, ["review"])
    conversation_with(challenger, ["auto_send"], 4)
    Conversation.objects.create(
        customer=Customer.objects.create(external_id="ramp"), experiment=running, human_only=True
    )

    first, second = experiment_report(running)
    assert (first.version, first.is_control, first.conversations) == (control.name, True, 3)
    assert (first.resolution.hits, first.resolution.trials) == (1, 3)
    assert (first.escalation.hits, first.escalation.trials) == (1, 3)
    assert first.csat.value == 3.5 and first.resolution_p_value is None
    assert (second.resolution.hits, second.resolution.trials) == (1, 1)
    assert second.resolution_p_value == pytest.approx(two_proportion_p_value(Rate(1, 1), Rate(1, 3)))


def test_the_experiment_page_in_admin_shows_each_arms_results(versions, admin_client):
    running = experiment(versions)
    page = admin_client.get(f"/admin/agent/experiment/{running.pk}/change/").content.decode()
    assert "Results so far" in page and "v1 (control)" in page and "v2-warmer" in page
    assert "Wilson 95% intervals" in page


def test_a_version_offering_an_unknown_tool_is_refused(versions):
    from django.core.exceptions import ValidationError

    _, challenger = versions
    challenger.tools = ["search_knowledge_base", "transfer_money"]
    with pytest.raises(ValidationError, match="Unknown tools: transfer_money"):
        challenger.full_clean()
