"""The pipeline's nodes: guard → route → retrieve → draft → score → decide.

Each node takes the turn's state and a step context and returns the fields it changes.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any, Literal

from agent.cache import get_response_cache
from agent.confidence import calibrate
from agent.decisions import Policy
from agent.decisions import decide as decide_rule
from agent.drafting import (
    draft_messages,
    extract_answer,
    grounding_of,
    is_usable,
    with_citation,
    without_citation,
)
from agent.graph import StepContext
from agent.knowledge.screening import cleared as cleared_by_editors
from agent.llm import ToolTurn, get_llm_client
from agent.policies import policy_for
from agent.routing import Route, Router, get_router
from agent.scoring import score_draft
from agent.screening.injection import Verdict
from agent.screening.injection import detect as detect_injection
from agent.state import Passage, TurnState
from agent.tool_loop import converse_with_tools
from agent.tools.registry import ToolContext
from agent.tools.runner import ToolResult
from agent.tools.support import support_runner

RETRIEVE_K = 3
# The search tool's own limit on a query; a longer message is searched by its beginning.
MAX_QUERY_CHARS = 4000

_HUMAN_REQUEST = re.compile(
    r"\b(?:talk|speak|chat|connect me)\s+(?:to|with)\s+(?:a\s+|an\s+|your\s+|some\s+)?(?:real\s+|live\s+)?"
    r"(?:human|person|people|agent|representative|advis[oe]r|staff|someone|somebody|operator)\b"
    r"|\b(?:real|actual|live)\s+(?:human|person|agent)\b"
    r"|\bhuman\s+(?:please|being|agent|support)\b",
    re.IGNORECASE,
)


_OWN_TICKETS = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:tickets?|cases?|complaints?|support requests?)\b"
    r"|\bticket\s+(?:number|reference|status)\b|\bT-\d{4,}\b",
    re.IGNORECASE,
)


def asks_about_own_tickets(text: str) -> bool:
    """True when the customer asks about a ticket or complaint they already have with us."""
    return bool(_OWN_TICKETS.search(text))


def wants_human(text: str) -> bool:
    """True when the customer asks for a person rather than the assistant."""
    return bool(_HUMAN_REQUEST.search(text))


@lru_cache(maxsize=4096)  # the same question, asked again, is routed once per worker
def _classified(router: Router, text: str) -> Route:
    return router.classify_one(text)


@lru_cache(maxsize=4096)  # like routing: a question asked again is read once per worker
def _injection_verdict(text: str) -> Verdict:
    return detect_injection(text)


def classify(text: str) -> Route:
    """The routing model's verdict on `text`, computed once for both the guard and the route step."""
    return _classified(get_router(), text)


def intent_policy(state: TurnState) -> Policy:
    """The policy the route step read (the default one when the run never reached it), with the agent
    version's own auto-send threshold if it sets one."""
    policy = state.policy or policy_for(state.intent)
    override = state.draft_settings.auto_send_threshold
    return policy if override is None else dataclasses.replace(policy, auto_send_threshold=override)


def guard(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Is this a question for the bank's support desk at all, does the customer want a human, and does the
    text try to instruct the assistant? An attempt goes to a person and never reaches the LLM."""
    route = classify(state.text)
    verdict = _injection_verdict(state.text)
    return {
        "in_scope": route.in_scope,
        "scope_score": route.scope_score,
        "wants_human": wants_human(state.text),
        "injection": verdict.injection,
        "injection_score": verdict.score,
    }


def route(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """The intent and its calibrated probability, from the local routing model (not the LLM)."""
    result = classify(state.text)
    return {
        "intent": result.intent,
        "intent_confidence": result.confidence,
        "policy": policy_for(result.intent),
    }


def tool_context(state: TurnState) -> ToolContext:
    return ToolContext(
        customer_id=state.customer_id, conversation_id=state.conversation_id, intent=state.intent
    )


def _traced(ctx: StepContext, result: ToolResult) -> ToolResult:
    ctx.record_tool_call(
        tool=result.name,
        ok=result.ok,
        attempts=result.attempts,
        latency_ms=result.latency_ms,
        error=result.error,
    )
    return result


def retrieve(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Knowledge-base articles for the question, the routed intent's own article boosted: a call of the
    search tool, with its attempts, backoff and circuit breaker. If it fails for good, the turn is handed to
    a human rather than answered from nothing."""
    arguments = {"query": state.text[:MAX_QUERY_CHARS], "k": RETRIEVE_K}
    result = _traced(ctx, support_runner.call("search_knowledge_base", arguments, tool_context(state)))
    if not result.ok:
        failure = f"the knowledge base could not be searched ({result.attempts} attempts): {result.error}"
        return {"tool_failure": failure}
    passages = tuple(
        Passage(
            h["article_id"],
            h["title"],
            h["intent"],
            h["text"],
            h["score"],
            h["version"],
            h["heading"],
            h["url"],
        )
        for h in result.content
    )
    # Article text is data too: a passage that reads as instructions to the assistant never reaches the LLM,
    # and the turn goes to a person (who can tell the editors), unless an editor cleared that version of it.
    flagged = {(p.article_id, p.version) for p in passages if _reads_as_instructions(p.text)}
    withheld = tuple(sorted({pk for pk, _ in flagged - cleared_by_editors(flagged)}))
    if withheld:
        passages = tuple(p for p in passages if p.article_id not in withheld)
    return {"passages": passages, "withheld_article_ids": withheld}


@lru_cache(maxsize=20_000)  # a passage is read once per worker until it changes
def _reads_as_instructions(text: str) -> bool:
    return detect_injection(text, article=True).injection


def recall(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """An answer already sent for this question (or a close paraphrase) with this intent, if its articles have
    not changed since. A hit is still scored and still has to clear the threshold."""
    hit = get_response_cache().lookup(question=state.text, intent=state.intent)
    if hit is None:
        return {"signals": {**state.signals, "cache": "miss"}}
    # the cited articles as they are now (same versions): what the answer is scored against, no search needed
    passages = tuple(Passage(a.pk, a.title, a.intent, a.body, 1.0, a.version) for a in hit.articles)
    return {
        "passages": passages,
        "draft": hit.text,
        "draft_model": "cache",
        "from_cache": True,
        "cited_article_ids": tuple(hit.article_versions),
        "signals": {**state.signals, "cache": hit.kind, "cache_similarity": round(hit.similarity, 4)},
    }


def draft(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """The LLM's answer from the best article, with the support tools at hand; if its words are not grounded
    in the article (and the tools' results), the article's own sentences instead; cited.

    Code, not the model, decides the one tool a turn needs before answering: the customer's own tickets when
    they ask about them. After that the model may call tools itself (a capable model escalates or opens a
    ticket); every call is validated, retried and traced, and a failure is told to the model as the result.
    """
    source, context = state.passages[0], context_passages(state)
    model = drafting_model(state)
    settings = state.draft_settings

    def count_usage(turn: ToolTurn) -> None:
        ctx.record_usage(
            model=turn.model, prompt_tokens=turn.prompt_tokens, completion_tokens=turn.completion_tokens
        )

    outcome = converse_with_tools(
        client=get_llm_client(),
        model=model,
        messages=draft_messages(state.text, context, settings.instructions),
        runner=support_runner,
        offered=settings.tools,
        context=tool_context(state),
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        first_tool=_first_tool(state),
        on_turn=count_usage,
    )
    for result in outcome.results:
        _traced(ctx, result)
    handover = next((r for r in outcome.results if r.name == "escalate_to_human" and r.ok), None)
    if handover is not None:
        return {"draft": "", "draft_model": model, "handover_ticket": handover.content["reference"]}
    evidence = tuple(r.for_llm() for r in outcome.results if r.ok and r.name != "search_knowledge_base")
    llm_grounding = grounding_of(outcome.text, context, evidence)
    if is_usable(llm_grounding):
        answer, origin, cited = outcome.text, "llm", context
    else:
        answer, origin, cited = extract_answer(state.text, source), "article_extract", (source,)
    return {
        "draft": with_citation(answer, cited),
        "draft_model": model,
        "cited_article_ids": tuple(dict.fromkeys(p.article_id for p in cited)),
        "tool_evidence": evidence if origin == "llm" else (),
        "signals": {
            **state.signals,
            "draft_origin": origin,
            "llm_grounded_share": llm_grounding.supported_share,
            "llm_unsupported_numbers": list(llm_grounding.unsupported_numbers),
            "tool_calls": [r.name for r in outcome.results],
        },
    }


def _first_tool(state: TurnState) -> str:
    offered = state.draft_settings.tools
    wanted = "get_recent_tickets" if asks_about_own_tickets(state.text) else ""
    return wanted if not offered or wanted in offered else ""


# Another article's passage joins the draft's context only when it scored nearly as well as the best one:
# a question that needs several documents; a routine one is answered from its own article.
CLOSE_SCORE = 0.8


def context_passages(state: TurnState) -> tuple[Passage, ...]:
    """The passages the draft is given: the best one, then those scoring within CLOSE_SCORE of it, while
    they fit the agent version's context budget."""
    best = state.passages[0]
    chosen, used = [best], len(best.text)
    for passage in state.passages[1:]:
        close = passage.score >= CLOSE_SCORE * best.score
        if close and used + len(passage.text) <= state.draft_settings.context_chars:
            chosen.append(passage)
            used += len(passage.text)
    return tuple(chosen)


def drafting_model(state: TurnState) -> str:
    """The large model for a critical intent or a cascaded redraft, the small one otherwise."""
    settings = state.draft_settings
    if settings.large_model and (state.cascaded or intent_policy(state).is_critical):
        return settings.large_model
    return settings.model


def score(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Confidence from the route's probability, retrieval agreement and how grounded the draft is, calibrated
    on what reviewers approved."""
    source = state.passages[0]
    grounding = grounding_of(without_citation(state.draft), context_passages(state), state.tool_evidence)
    raw, signals = score_draft(
        intent=state.intent,
        intent_confidence=state.intent_confidence,
        top_passage_intent=source.intent,
        grounding=grounding,
    )
    confidence, calibration = calibrate(intent=state.intent, raw=raw)
    signals = {**state.signals, **signals, "raw_confidence": raw, "calibration": calibration}
    return {"confidence": confidence, "signals": signals}


def decide(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Auto-send, review or escalate, by the intent's policy."""
    decision, reason = decide_rule(
        in_scope=state.in_scope,
        wants_human=state.wants_human,
        injection=state.injection,
        withheld_context=bool(state.withheld_article_ids),
        tool_failure=state.tool_failure,
        handed_over=bool(state.handover_ticket),
        has_draft=bool(state.draft),
        confidence=state.confidence,
        policy=intent_policy(state),
    )
    return {"decision": decision.value, "reason": reason}


def cascade(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Hand the draft to the large model: the small model's scored below the intent's cascade threshold."""
    return {"cascaded": True, "signals": {**state.signals, "cascaded_from": state.draft_model}}


def after_draft(state: TurnState) -> Literal["score", "decide"]:
    return "decide" if state.handover_ticket else "score"


def after_score(state: TurnState) -> Literal["cascade", "decide"]:
    settings = state.draft_settings
    can_cascade = (
        not state.cascaded
        and not state.from_cache
        and settings.large_model
        and settings.large_model != state.draft_model
    )
    if can_cascade and state.confidence < intent_policy(state).cascade_threshold:
        return "cascade"
    return "decide"


def after_recall(state: TurnState) -> Literal["retrieve", "score"]:
    return "score" if state.from_cache and state.passages else "retrieve"


def after_guard(state: TurnState) -> Literal["route", "decide"]:
    return "route" if state.in_scope and not state.wants_human and not state.injection else "decide"


def after_route(state: TurnState) -> Literal["recall", "decide"]:
    return "decide" if intent_policy(state).always_escalate else "recall"


def after_retrieve(state: TurnState) -> Literal["draft", "decide"]:
    return "draft" if state.passages and not state.tool_failure else "decide"
