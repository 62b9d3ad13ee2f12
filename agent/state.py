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


@dataclass(frozen=True)
class DraftSettings:
    """The parts of an agent version the draft step needs."""

    model: str
    temperature: float
    max_tokens: int
    large_model: str = ""  # for critical intents and low-confidence drafts; empty or equal to `model`: none


@dataclass(frozen=True)
class TurnState:
    text: str
    draft_settings: DraftSettings
    # guard
    in_scope: bool = True
    scope_score: float = 1.0
    wants_human: bool = False
    # route
    intent: str = ""
    intent_confidence: float = 0.0
    policy: Policy | None = None  # the routed intent's policy, read once by the route step
    # retrieve
    passages: tuple[Passage, ...] = ()
    # draft
    draft: str = ""
    draft_model: str = ""
    from_cache: bool = False
    cascaded: bool = False
    cited_article_ids: tuple[int, ...] = ()
    # score
    confidence: float = 0.0
    signals: dict[str, Any] = field(default_factory=dict)
    # decide
    decision: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
