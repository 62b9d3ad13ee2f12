"""How much of a draft is supported by the passages it was written from, measured, not asked of the model."""

from __future__ import annotations

from dataclasses import dataclass

from agent.text import content_terms, numbers


@dataclass(frozen=True)
class Grounding:
    supported_share: float  # share of the draft's content words and word pairs that occur in the sources
    unsupported_numbers: tuple[str, ...]  # amounts, times or rates in the draft found in no source
    content_words: int


def measure_grounding(draft: str, sources: list[str]) -> Grounding:
    """Compare the draft's content words, adjacent word pairs and numbers with those of its sources.

    Single words alone let a small model recombine an article's vocabulary into a claim the article never
    makes; adjacent pairs catch that, so the share is the mean of the word and the pair support.
    """
    draft_terms = content_terms(draft)
    source_term_lists = [content_terms(source) for source in sources]
    source_terms = {term for terms in source_term_lists for term in terms}
    source_pairs = {pair for terms in source_term_lists for pair in zip(terms, terms[1:], strict=False)}
    draft_pairs = list(zip(draft_terms, draft_terms[1:], strict=False))
    word_share = _share(draft_terms, source_terms)
    pair_share = _share(draft_pairs, source_pairs) if draft_pairs else word_share
    source_numbers = {n for source in sources for n in numbers(source)}
    invented = tuple(sorted(n for n in numbers(draft) if n not in source_numbers))
    return Grounding(round((word_share + pair_share) / 2, 4), invented, len(draft_terms))


def _share(items: list, known: set) -> float:  # type: ignore[type-arg]
    return sum(1 for item in items if item in known) / len(items) if items else 0.0
