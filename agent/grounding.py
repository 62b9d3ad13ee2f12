"""How much of a draft is supported by the passages it was written from, measured, not asked of the model."""

from __future__ import annotations

from dataclasses import dataclass

from agent.text import content_terms, numbers


@dataclass(frozen=True)
class Grounding:
    supported_share: float  # share of the draft's content words that occur in the sources
    unsupported_numbers: tuple[str, ...]  # amounts, times or rates in the draft found in no source
    content_words: int


def measure_grounding(draft: str, sources: list[str]) -> Grounding:
    """Compare the draft's content words and numbers with those of its sources."""
    draft_terms = content_terms(draft)
    source_terms = {term for source in sources for term in content_terms(source)}
    supported = sum(1 for term in draft_terms if term in source_terms)
    share = supported / len(draft_terms) if draft_terms else 0.0
    source_numbers = {n for source in sources for n in numbers(source)}
    invented = tuple(sorted(n for n in numbers(draft) if n not in source_numbers))
    return Grounding(round(share, 4), invented, len(draft_terms))
