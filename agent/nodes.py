"""The pipeline's nodes: guard → route → retrieve → draft → score → decide.

Each node takes the turn's state and a step context and returns the fields it changes.
"""

from __future__ import annotations

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
from agent.llm import Completion, EmptyCompletion, get_llm_client
from agent.policies import policy_for
from agent.routing import Route, Router, get_router
from agent.scoring import score_draft
from agent.search import get_search_backend
from agent.state import DraftSettings, Passage, TurnState

RETRIEVE_K = 3

_HUMAN_REQUEST = re.compile(
    r"\b(?:talk|speak|chat|connect me)\s+(?:to|with)\s+(?:a\s+|an\s+|your\s+|some\s+)?(?:real\s+|live\s+)?"
    r"(?:human|person|people|agent|representative|advis[oe]r|staff|someone|somebody|operator)\b"
    r"|\b(?:real|actual|live)\s+(?:human|person|agent)\b"
    r"|\bhuman\s+(?:please|being|agent|support)\b",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    """True when the customer asks for a person rather than the assistant."""
    return bool(_HUMAN_REQUEST.search(text))


@lru_cache(maxsize=256)
def _classified(router: Router, text: str) -> Route:
    return router.classify_one(text)


def classify(text: str) -> Route:
    """The routing model's verdict on `text`, computed once for both the guard and the route step."""
    return _classified(get_router(), text)


def intent_policy(state: TurnState) -> Policy:
    """The policy the route step read; the default one when the run never reached it (no intent)."""
    return state.policy or policy_for(state.intent)


def guard(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Is this a question for the bank's support desk at all, and does the customer want a human?"""
    route = classify(state.text)
    return {
        "in_scope": route.in_scope,
        "scope_score": route.scope_score,
        "wants_human": wants_human(state.text),
    }


def route(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """The intent and its calibrated probability, from the local routing model (not the LLM)."""
    result = classify(state.text)
    return {
        "intent": result.intent,
        "intent_confidence": result.confidence,
        "policy": policy_for(result.intent),
    }


def retrieve(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Knowledge-base articles for the question, the routed intent's own article boosted."""
    hits = get_search_backend().search(state.text, k=RETRIEVE_K, intent=state.intent)
    passages = tuple(Passage(h.article_id, h.title, h.intent, h.text, h.score, h.version) for h in hits)
    return {"passages": passages}


def recall(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """An answer already sent for this question (or a close paraphrase) with this intent, if its articles have
    not changed since. A hit is still scored and still has to clear the threshold."""
    hit = get_response_cache().lookup(question=state.text, intent=state.intent)
    if hit is None:
        return {"signals": {**state.signals, "cache": "miss"}}
    return {
        "draft": hit.text,
        "draft_model": "cache",
        "from_cache": True,
        "cited_article_ids": tuple(hit.article_versions),
        "signals": {**state.signals, "cache": hit.kind, "cache_similarity": round(hit.similarity, 4)},
    }


def draft(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """The LLM's answer from the best article if it is grounded, else the article's own sentences; cited."""
    source = state.passages[0]
    model = drafting_model(state)
    completion = _chat_with_one_repair(state.draft_settings, model, draft_messages(state.text, source), ctx)
    llm_grounding = grounding_of(completion.text, source)
    if is_usable(llm_grounding):
        answer, origin = completion.text, "llm"
    else:
        answer, origin = extract_answer(state.text, source), "article_extract"
    return {
        "draft": with_citation(answer, source),
        "draft_model": model,
        "cited_article_ids": (source.article_id,),
        "signals": {
            **state.signals,
            "draft_origin": origin,
            "llm_grounded_share": llm_grounding.supported_share,
            "llm_unsupported_numbers": list(llm_grounding.unsupported_numbers),
        },
    }


REPAIR_REQUEST = "Your reply was empty. Answer the question in two short sentences, using only the article."


def drafting_model(state: TurnState) -> str:
    """The large model for a critical intent or a cascaded redraft, the small one otherwise."""
    settings = state.draft_settings
    if settings.large_model and (state.cascaded or intent_policy(state).is_critical):
        return settings.large_model
    return settings.model


def _chat_with_one_repair(
    settings: DraftSettings, model: str, messages: list[dict[str, str]], ctx: StepContext
) -> Completion:
    """Ask; if the answer is malformed (empty), ask once more saying so; a second failure raises."""
    client = get_llm_client()

    def ask(conversation: list[dict[str, str]]) -> Completion:
        return client.chat(
            model=model,
            messages=conversation,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    try:
        completion = ask(messages)
    except EmptyCompletion:
        completion = ask([*messages, {"role": "user", "content": REPAIR_REQUEST}])
    ctx.record_usage(
        model=completion.model,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
    )
    return completion


def score(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Confidence from the route's probability, retrieval agreement and how grounded the draft is, calibrated
    on what reviewers approved."""
    source = state.passages[0]
    grounding = grounding_of(without_citation(state.draft), source)
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
        has_draft=bool(state.draft),
        confidence=state.confidence,
        policy=intent_policy(state),
    )
    return {"decision": decision.value, "reason": reason}


def cascade(state: TurnState, ctx: StepContext) -> dict[str, Any]:
    """Hand the draft to the large model: the small model's scored below the intent's cascade threshold."""
    return {"cascaded": True, "signals": {**state.signals, "cascaded_from": state.draft_model}}


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


def after_recall(state: TurnState) -> Literal["draft", "score"]:
    return "score" if state.from_cache else "draft"


def after_guard(state: TurnState) -> Literal["route", "decide"]:
    return "route" if state.in_scope and not state.wants_human else "decide"


def after_route(state: TurnState) -> Literal["retrieve", "decide"]:
    return "decide" if intent_policy(state).always_escalate else "retrieve"


def after_retrieve(state: TurnState) -> Literal["recall", "decide"]:
    return "recall" if state.passages else "decide"
