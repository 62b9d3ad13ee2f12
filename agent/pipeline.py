"""Build the agent's state graph and run it for one customer message, storing the trace and the draft."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from agent import leases, nodes
from agent.config import config
from agent.graph import (
    END,
    CompiledGraph,
    NodeFailed,
    RetryPolicy,
    StateGraph,
    StepBudgetExceeded,
    StepRecord,
)
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


STEP_FIELDS = (
    "position",
    "node",
    "latency_ms",
    "attempts",
    "input_summary",
    "output_summary",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "error",
    "tool_calls",
)


class _StepWriter:
    """Collects each step as it finishes, keeps the run's totals, and stops a run that overspends. The steps
    are written in one statement with the run's outcome: a commit per step cost more than the steps did."""

    def __init__(self, run: AgentRun) -> None:
        self.run = run
        self.budget = Decimal(settings.AGENT_MAX_RUN_COST)
        self.position = 0
        self.steps: list[AgentStep] = []
        self._prices = config.get("prices", lambda: {m.name: m for m in LanguageModel.objects.all()})

    def pending_json(self) -> list[dict[str, Any]]:
        """The steps not yet written, as JSON, for the worker that goes on with the run."""
        return [
            {
                field: str(getattr(step, field)) if field == "cost" else getattr(step, field)
                for field in STEP_FIELDS
            }
            for step in self.steps
        ]

    def restore(self, steps: list[dict[str, Any]]) -> None:
        """Take back the steps `pending_json` gave, with their tokens and cost in the run's totals."""
        for data in steps:
            step = AgentStep(run=self.run, **{**data, "cost": Decimal(data["cost"])})
            self.steps.append(step)
            self.position = max(self.position, step.position)
            self.run.prompt_tokens += step.prompt_tokens
            self.run.completion_tokens += step.completion_tokens
            self.run.cost += step.cost

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


# The nodes that call the language model. A run stops before the first of them and goes on in a worker of
# the LLM queue, so that workers waiting on the model never hold up guard, routing and retrieval.
LLM_NODES = frozenset({"draft"})


@dataclass(frozen=True)
class Handoff:
    """A run stopped before its first LLM step, to go on in another worker (JSON on the broker).

    It carries the state (the masked text, never the customer's own), the steps taken so far with their
    trace, and the name of the lease holder whose run it is."""

    message_id: int
    agent_version_id: int
    holder: str
    state: dict[str, Any]
    next_node: str
    steps_taken: int
    steps: list[dict[str, Any]]
    elapsed_ms: float

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Handoff:
        return cls(**data)


class MessageBusy(Exception):
    """Another run is answering this message now."""


def run_agent(*, message: Message) -> Draft:
    """Answer one stored customer message in this process: both stages of `start_run` and `finish_run`."""
    outcome = start_run(message=message)
    draft = finish_run(outcome) if isinstance(outcome, Handoff) else outcome
    if draft is None:
        raise MessageBusy(f"another run is answering message {message.pk}")
    return draft


def start_run(*, message: Message, holder: str = "") -> Draft | Handoff | None:
    """Run the graph for one stored customer message up to its first LLM step; return the handoff for the LLM
    queue, or the draft if the run ended before (an escalation, a cached answer, a failure).

    Idempotent per message: a message that already has a draft gets that draft back, so a redelivered task
    never answers twice; None when another run holds the message's lease (it will answer). The run, its
    steps and the draft are written together when the run ends (one commit): a run cut off by a dying worker
    leaves nothing behind, and its redelivered task starts afresh."""
    existing = _existing_draft(message.pk)
    if existing is not None:
        return existing
    holder = holder or f"local-{uuid.uuid4().hex}"
    if not leases.take(message.pk, holder):
        return _existing_draft(message.pk)
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
    with span("agent.run", message_id=message.pk, agent_version=version.name):
        outcome = _run_graph(run, writer, started, state, stop_before=LLM_NODES)
    if isinstance(outcome, Draft):
        return outcome
    state, next_node, steps = outcome
    if next_node == END:
        return _complete(run, writer, started, state)
    leases.renew(message.pk, holder)  # the time it waits in the LLM queue is covered
    return Handoff(
        message_id=message.pk,
        agent_version_id=version.pk,
        holder=holder,
        state=state.to_json(),
        next_node=next_node,
        steps_taken=steps,
        steps=writer.pending_json(),
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def finish_run(handoff: Handoff) -> Draft | None:
    """Go on with a run `start_run` handed over, from its LLM step to the end; store run, steps and draft.

    None when the run is no longer this handoff's to finish (its lease was taken by a newer run of the same
    message, which will answer); the existing draft if the message has one."""
    existing = _existing_draft(handoff.message_id)
    if existing is not None:
        return existing
    if not leases.renew(handoff.message_id, handoff.holder):
        return _existing_draft(handoff.message_id)
    message = Message.objects.select_related("conversation").get(pk=handoff.message_id)
    run = AgentRun(message=message, agent_version_id=handoff.agent_version_id)
    writer = _StepWriter(run)
    writer.restore(handoff.steps)
    started = time.perf_counter() - handoff.elapsed_ms / 1000
    state = TurnState.from_json(handoff.state)
    with span("agent.run", message_id=message.pk, resumed_at=handoff.next_node):
        outcome = _run_graph(
            run, writer, started, state, start=handoff.next_node, steps_taken=handoff.steps_taken
        )
    if isinstance(outcome, Draft):
        return outcome
    return _complete(run, writer, started, outcome[0])


def _run_graph(
    run: AgentRun, writer: _StepWriter, started: float, state: TurnState, **options: Any
) -> tuple[TurnState, str, int] | Draft:
    """Run the graph from `state` (`options` as for CompiledGraph.run); a step that failed for good or a
    budget spent ends the run here, stored as failed with the conversation handed to a person (that Draft)."""
    try:
        return build_graph().run(state, record=writer, max_steps=settings.AGENT_MAX_STEPS, **options)
    except NodeFailed as failure:
        reason = f"the {failure.node} step failed"
        return _fail(run, writer, started, failure.state, error=str(failure), reason=reason)
    except (StepBudgetExceeded, CostBudgetExceeded) as over:
        return _fail(run, writer, started, state, error=str(over), reason=str(over))


def _existing_draft(message_id: int) -> Draft | None:
    return Draft.objects.filter(message_id=message_id).order_by().first()


def _complete(run: AgentRun, writer: _StepWriter, started: float, final: TurnState) -> Draft:
    """Store the finished run, its steps and its draft, and act on the decision (one commit)."""
    message = run.message
    run.latency_ms = (time.perf_counter() - started) * 1000
    run.status = AgentRun.Status.COMPLETED
    run.final_state = final.to_json()
    decision = Decision(final.decision)
    ticket = final.handover_ticket
    if decision == Decision.ESCALATE and not ticket:
        ticket = open_handover_ticket(message=message, intent=final.intent, reason=final.reason)
    try:
        return _store(run, writer, final, ticket)
    except IntegrityError:  # a run whose lease ran out raced a newer one, which answered first
        logger.warning("message %s was answered by another run; this run's draft is dropped", message.pk)
        existing = _existing_draft(message.pk)
        if existing is None:
            raise
        return existing


def _store(run: AgentRun, writer: _StepWriter, final: TurnState, ticket: str) -> Draft:
    message = run.message
    decision = Decision(final.decision)
    with transaction.atomic():
        writer.flush()
        draft = Draft(
            run=run,
            conversation=message.conversation,
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
