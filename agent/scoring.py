"""Confidence in a draft, from signals the pipeline measured; the model's own opinion is not one of them."""

from __future__ import annotations

from typing import Any

from agent.grounding import Grounding

# A draft of fewer content words than this is not an answer.
MIN_CONTENT_WORDS = 4
# Retrieval found an article, but not the one written for the routed intent: the route or the search is off.
OFF_INTENT_FACTOR = 0.6
# Each amount, time or rate that no source contains is treated as a likely invention.
INVENTED_NUMBER_FACTOR = 0.5


def score_draft(
    *, intent: str, intent_confidence: float, top_passage_intent: str, grounding: Grounding
) -> tuple[float, dict[str, Any]]:
    """Return (confidence in [0, 1], the signals it came from).

    confidence = P(intent) × retrieval agreement × grounded share × penalty per invented number.
    Review decisions later calibrate this raw value against what reviewers approved.
    """
    retrieval_agreement = 1.0 if top_passage_intent == intent else OFF_INTENT_FACTOR
    number_penalty = INVENTED_NUMBER_FACTOR ** len(grounding.unsupported_numbers)
    too_short = grounding.content_words < MIN_CONTENT_WORDS
    confidence = 0.0 if too_short else intent_confidence * retrieval_agreement * grounding.supported_share
    confidence *= number_penalty
    signals = {
        "intent_confidence": round(intent_confidence, 4),
        "retrieval_agreement": retrieval_agreement,
        "grounded_share": grounding.supported_share,
        "unsupported_numbers": list(grounding.unsupported_numbers),
        "draft_content_words": grounding.content_words,
    }
    return round(min(max(confidence, 0.0), 1.0), 4), signals
