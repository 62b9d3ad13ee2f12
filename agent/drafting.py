"""Writing the answer: the LLM drafts from one article; a draft that fails the grounding check is replaced
by the article's own sentences, so that nothing unsupported reaches a customer.

A small model is fluent but invents details; a measured check decides whether its words can be used.
"""

from __future__ import annotations

import re

from agent.grounding import Grounding, measure_grounding
from agent.state import Passage
from agent.text import content_terms

BANK_NAME = "Lumen Bank"
# Below this share of content words found in the article, the LLM's draft is not used.
GROUNDING_FLOOR = 0.8
MAX_EXTRACT_SENTENCES = 3

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


DEFAULT_INSTRUCTIONS = (
    f"You are a support assistant for {BANK_NAME}. Answer the customer's question in two or three "
    "short sentences, using only the facts in the article below. Do not add facts, amounts or times "
    "that are not in the article. Never ask for card numbers, PINs or passwords."
)


def draft_messages(
    question: str, passages: tuple[Passage, ...], instructions: str = ""
) -> list[dict[str, str]]:
    """The prompt: the version's instructions (or the built-in ones), the articles' passages as the only
    source; the customer's words only ever as the user turn."""
    articles = "\n\n".join(f"Article: {label(p)}\n{p.text}" for p in passages)
    system = f"{instructions.strip() or DEFAULT_INSTRUCTIONS}\n\n{articles}"
    return [{"role": "system", "content": system}, {"role": "user", "content": question}]


def label(passage: Passage) -> str:
    """ "Title › Heading", or the title alone."""
    return f"{passage.title} › {passage.heading}" if passage.heading else passage.title


def is_usable(grounding: Grounding) -> bool:
    """An LLM draft is used only if it is mostly the article's words and invents no number."""
    return grounding.supported_share >= GROUNDING_FLOOR and not grounding.unsupported_numbers


def grounding_of(answer: str, passages: tuple[Passage, ...], evidence: tuple[str, ...] = ()) -> Grounding:
    """How much of `answer` the passages (and the results of tools the model called) support."""
    return measure_grounding(answer, [*(f"{label(p)}\n{p.text}" for p in passages), *evidence])


def extract_answer(question: str, passage: Passage) -> str:
    """The article's opening sentence (which answers its main question) plus the sentences that share the
    most words with the question, in the article's order."""
    sentences = [s.strip() for s in _SENTENCE_END.split(passage.text) if s.strip()]
    if not sentences:
        return ""
    asked = set(content_terms(question))
    overlap = {i: len(asked & set(content_terms(s))) for i, s in enumerate(sentences[1:], start=1)}
    most = max(overlap.values(), default=0)
    best = [i for i in sorted(overlap) if most > 0 and overlap[i] == most]
    chosen = sorted({0, *best[: MAX_EXTRACT_SENTENCES - 1]})
    return " ".join(sentences[i] for i in chosen)


def with_citation(answer: str, passages: tuple[Passage, ...]) -> str:
    """The answer and where it comes from: each passage's article and section, and its link if it has one."""
    sources = list(dict.fromkeys(label(p) + (f" ({p.url})" if p.url else "") for p in passages))
    return f"{answer}\n\n{'Source' if len(sources) == 1 else 'Sources'}: {'; '.join(sources)}"


def without_citation(draft: str) -> str:
    return re.split(r"\n\nSources?: ", draft, maxsplit=1)[0]
