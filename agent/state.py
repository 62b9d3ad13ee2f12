"""The state one customer turn carries through the pipeline: a serialisable dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from agent.decisions import Policy


@dataclass(frozen=True)
class Passage:
    """Retrieved knowledge the draft may use."""

    article_id: int
    title: str
    intent: str
    text: str
    score: float
    version: int
    heading: str = ""  # the section of the article the text comes from, if any
    url: str = ""  # where customers can read the article, if anywhere


@dataclass(frozen=True)
class DraftSettings:
    """The parts of an agent version the draft step needs."""

    model: str
    temperature: float
    max_tokens: int
    large_model: str = ""  # for critical intents and low-confidence drafts; empty or equal to `model`: none
    instructions: str = ""  # the version's drafting instructions; empty: the built-in ones
    tools: tuple[str, ...] = ()  # the tools the drafting model is offered; empty: all
    auto_send_threshold: float | None = None  # overrides the intents' thresholds for this version
    context_chars: int = 2400  # how much retrieved text a draft may be given


@dataclass(frozen=True)
class TurnState:
    text: str
    draft_settings: DraftSettings
    # who the tools act for: the conversation's own customer (ids: the state is stored as JSON)
    customer_id: int | None = None
    conversation_id: int | None = None
    # guard
    in_scope: bool = True
    scope_score: float = 1.0
    wants_human: bool = False
    injection_score: float = 0.0  # how much the text reads as instructions to the model (agent.screening)
    injection: bool = False
    # route
    intent: str = ""
    intent_confidence: float = 0.0
    policy: Policy | None = None  # the routed intent's policy, read once by the route step
    # retrieve
    passages: tuple[Passage, ...] = ()
    tool_failure: str = ""  # a tool the turn could not do without failed after its attempts
    withheld_article_ids: tuple[int, ...] = ()  # found, but their text reads as instructions to the assistant
    # draft
    draft: str = ""
    draft_model: str = ""
    from_cache: bool = False
    cascaded: bool = False
    cited_article_ids: tuple[int, ...] = ()
    tool_evidence: tuple[str, ...] = ()  # results of tools the model called, which the draft may quote
    handover_ticket: str = ""  # the model handed the conversation to a human: the ticket it opened
    # score
    confidence: float = 0.0
    signals: dict[str, Any] = field(default_factory=dict)
    # decide
    decision: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnState:
        """The state `to_json` wrote (JSON's lists back to tuples, nested records back to dataclasses)."""
        values = dict(data)
        values["draft_settings"] = DraftSettings(
            **{**values["draft_settings"], "tools": tuple(values["draft_settings"].get("tools") or ())}
        )
        values["passages"] = tuple(Passage(**passage) for passage in values.get("passages") or ())
        if values.get("policy") is not None:
            values["policy"] = Policy(**values["policy"])
        for name in ("withheld_article_ids", "cited_article_ids", "tool_evidence"):
            values[name] = tuple(values.get(name) or ())
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"not fields of a turn's state: {sorted(unknown)}")
        return cls(**values)
