"""Build the agent's state graph and run it for one customer message, storing the trace and the draft."""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import transaction

from agent import nodes
from agent.config import config
from agent.graph import CompiledGraph, NodeFailed, RetryPolicy, StateGraph, StepBudgetExceeded, StepRecord
from agent.llm import RETRYABLE_ERRORS
from agent.models import AgentRun, AgentStep, AgentVersion, Conversation, Draft, LanguageModel, Message
from agent.models.drafts import Decision
from agent.outcomes import (
    STATUS_AFTER_DECISION,
    apply_decision,
    attach_ticket,
    hand_over_without_answer,
    open_handover_ticket,
)
from agent.state import DraftSettings, TurnState
from agent.telemetry import span

logger = logging.getLogger(__name__)

LLM_RETRY = RetryPolicy(max_attempts=3, initial_interval=0.5, backoff_factor=2.0, retry_on=RETRYABLE_ERRORS)


@lru_cache(maxsize=1)
def build_graph() -> CompiledGraph[TurnState]:
    """guard → route → retrieve → draft → score → decide, with the short cuts to decide. Before searching,
    recall looks for an answer already sent for this question: a hit (whose articles have not changed) skips
    the search and the draft and is scored like any draft. The large model redrafts once when the small
    one's draft scores below the cascade threshold."""
    graph = StateGraph(TurnState)
    graph.add_node("guard", nodes.guard, reads=("text",))
    graph.add_node("route", nodes.route, reads=("text",))
    graph.add_node("recall", nodes.recall, reads=("text", "intent"))
    graph.add_node("retrieve", nodes.retrieve, reads=("text", "intent"))
    graph.add_node("draft", nodes.draft, retry=LLM_RETRY, reads=("text", "passages"))
    graph.add_node("score", nodes.score, reads=("draft", "intent_confidence"))
    graph.add_node("decide", nodes.decide, reads=("intent", "confidence", "in_scope", "wants_human"))
    graph.add_node("cascade", nodes.cascade, reads=("confidence", "draft_model"))
    graph.set_entry_point("guard")
    graph.add_conditional_edges("guard", nodes.after_guard, ("route", "decide"))
    graph.add_conditional_edges("route", nodes.after_route, ("recall", "decide"))
    graph.add_conditional_edges("recall", nodes.after_recall, ("retrieve", "score"))
    graph.add_conditional_edges("retrieve", nodes.after_retrieve, ("draft", "decide"))
    graph.add_conditional_edges("draft", nodes.after_draft, ("score", "decide"))
    graph.add_conditional_edges("score", nodes.after_score, ("cascade", "decide"))
    graph.add_edge("cascade", "draft")
    graph.add_edge("decide", "__end__")
    return graph.compile()


def default_agent_version() -> AgentVersion:
    """The version marked default, created with the settings' defaults on first use."""
    return config.get("default_agent_version", _default_agent_version)


def _default_agent_version() -> AgentVersion:
    version = AgentVersion.objects.filter(is_default=True).order_by("pk").first()
    if version is None:
        version, _ = AgentVersion.objects.get_or_create(name="v1", defaults={"is_default": True})
    return version


class CostBudgetExceeded(Exception):
    """A run spent more than AGENT_MAX_RUN_COST."""


class _StepWriter:
    """Collects each step as it finishes, keeps the run's totals, and stops a run that overspends. The steps
    are written in one statement with the run's outcome: a commit per step cost more than the steps did."""

    def __init__(self, run: AgentRun) -> None:
        self.run = run
        self.budget = Decimal(settings.AGENT_MAX_RUN_COST)
        self.position = 0
        self.steps: list[AgentStep] = []
        self._prices = config.get("prices", lambda: {m.name: m for m in LanguageModel.objects.all()})

    def flush(self) -> None:
        """Write the run (first, for its id) and its steps."""
        self.run.save()
        for step in self.steps:
            step.run = self.run
        AgentStep.objects.bulk_create(self.steps)
        self.steps = []

    def __call__(self, record: StepRecord) -> None:
        self.position += 1
        prompt = sum(u.prompt_tokens for u in record.usages)
        completion = sum(u.completion_tokens for u in record.usages)
        cost = sum(
            (self._cost(u.model, u.prompt_tokens, u.completion_tokens) for u in record.usages), Decimal(0)
        )
        step = AgentStep(
            run=self.run,
            position=self.position,
            node=record.node,
            latency_ms=record.latency_ms,
            attempts=record.attempts,
            input_summary=record.input_summary,
            output_summary=record.output_summary,
            model=", ".join(sorted({u.model for u in record.usages})),
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost=cost,
            error=record.error,
            tool_calls=record.tool_calls,
        )
        self.steps.append(step)
        self.run.prompt_tokens += prompt
        self.run.completion_tokens += completion
        self.run.cost += cost
        if self.run.cost > self.budget:
            raise CostBudgetExceeded(f"the run cost {self.run.cost:.6f}, over its budget of {self.budget}")

    def _cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> Decimal:
        price = self._prices.get(model)
        if price is None:
            return Decimal(0)
        return price.cost(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def _fail(
    run: AgentRun, writer: _StepWriter, started: float, state: TurnState, *, error: str, reason: str
) -> Draft:
    """Store the failed run and hand the conversation to a human; the customer's message is kept."""
    logger.warning("agent run for message %s failed: %s", run.message_id, error)
    run.status = AgentRun.Status.FAILED
    run.error = error
    return _hand_over(run, writer, started, state, reason=reason, status=Conversation.Status.NEEDS_HUMAN)


def _hand_over(
    run: AgentRun, writer: _StepWriter, started: float, state: TurnState, *, reason: str, status: str
) -> Draft:
    """Store the run and give the message to people, with a ticket, without an answer from the agent."""
    run.latency_ms = (time.perf_counter() - started) * 1000
    if run.status == AgentRun.Status.RUNNING:
        run.status = AgentRun.Status.COMPLETED
    run.final_state = state.to_json()
    ticket = open_handover_ticket(message=run.message, intent=state.intent, reason=reason)
    with transaction.atomic():
        writer.flush()
        return hand_over_without_answer(
            run=run, state=state, reason=reason[:200], ticket=ticket, status=status
        )


def run_agent(*, message: Message) -> Draft:
    """Answer one stored customer message: run the graph, store run, steps and draft, and act on the decision.

    Idempotent per message: a message that already has a draft gets that draft back, so a redelivered task
    never answers twice. The run, its steps and the draft are written together when the run ends (one
    commit): a run cut off by a dying worker leaves nothing behind, and its redelivered task starts afresh.
    """
    existing = list(Draft.objects.filter(message_id=message.pk).order_by()[:1])
    if existing:
        return existing[0]
    conversation = message.conversation
    version = conversation.agent_version or default_agent_version()
    run = AgentRun(message=message, agent_version=version)
    state = TurnState(
        text=message.masked_text,  # the LLM, the trace and the cache key never see the customer's data
        customer_id=conversation.customer_id,
        conversation_id=conversation.pk,
        draft_settings=DraftSettings(
            model=version.model_name,
            temperature=float(version.temperature),
            max_tokens=version.max_tokens,
            large_model=version.large_model_name,
            instructions=version.system_prompt,
            context_chars=version.context_chars,
            tools=tuple(version.tools or ()),
            auto_send_threshold=version.auto_send_threshold,
        ),
    )
    writer = _StepWriter(run)
    started = time.perf_counter()
    if conversation.human_only:
        reason = "served by people: this conversation is outside the agent's share of traffic"
        return _hand_over(run, writer, started, state, reason=reason, status=Conversation.Status.ESCALATED)
    try:
        with span("agent.run", message_id=message.pk, agent_version=version.name):
            final = build_graph().invoke(state, record=writer, max_steps=settings.AGENT_MAX_STEPS)
    except NodeFailed as failure:
        reason = f"the {failure.node} step failed"
        return _fail(run, writer, started, failure.state, error=str(failure), reason=reason)
    except (StepBudgetExceeded, CostBudgetExceeded) as over:
        return _fail(run, writer, started, state, error=str(over), reason=str(over))
    run.latency_ms = (time.perf_counter() - started) * 1000
    run.status = AgentRun.Status.COMPLETED
    run.final_state = final.to_json()
    decision = Decision(final.decision)
    ticket = final.handover_ticket
    if decision == Decision.ESCALATE and not ticket:
        ticket = open_handover_ticket(message=message, intent=final.intent, reason=final.reason)
    with transaction.atomic():
        writer.flush()
        draft = Draft(
            run=run,
            conversation=conversation,
            message=message,
            intent=final.intent,
            text=final.draft,
            confidence=final.confidence,
            raw_confidence=final.signals.get("raw_confidence", final.confidence),
            signals=final.signals,
            decision=final.decision,
            reason=final.reason[:200],
            status=STATUS_AFTER_DECISION[decision],
        )
        if decision == Decision.ESCALATE:
            attach_ticket(draft, ticket)
        draft.save()
        Draft.cited_articles.through.objects.bulk_create(
            Draft.cited_articles.through(draft_id=draft.pk, knowledgearticle_id=article_id)
            for article_id in dict.fromkeys(final.cited_article_ids)
        )
        apply_decision(draft=draft, decision=decision)
    return draft
