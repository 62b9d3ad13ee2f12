"""Cutting articles into passages along their headings, bounded in length with a sentence of overlap, and
keeping them in step with every save of an article."""

from __future__ import annotations

import re
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from agent.models import KnowledgeArticle, KnowledgePassage

PASSAGE_CHARS = 900  # a passage ends at the paragraph or sentence that would take it past this
HEADING_MAX = 200
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split(body: str) -> list[tuple[str, str]]:
    """(heading, text) passages of `body`: a heading starts a section; a long section is cut at paragraphs
    (or sentences, for a very long paragraph), each cut repeating the last sentence before it."""
    passages: list[tuple[str, str]] = []
    heading, paragraphs = "", list[str]()
    for block in (b.strip() for b in body.split("\n\n")):
        if not block:
            continue
        first, _, rest = block.partition("\n")
        found = _HEADING.match(first)
        if found:
            passages.extend(_bounded(heading, paragraphs))
            heading, paragraphs = found.group(2)[:HEADING_MAX], []
            block = rest.strip()
            if not block:
                continue
        paragraphs.append(block)
    passages.extend(_bounded(heading, paragraphs))
    return passages or [("", body.strip())]


def _bounded(heading: str, paragraphs: list[str]) -> list[tuple[str, str]]:
    # (piece, starts a paragraph): a very long paragraph is cut into its sentences
    pieces: list[tuple[str, bool]] = []
    for paragraph in paragraphs:
        parts = _sentences(paragraph) if len(paragraph) > PASSAGE_CHARS else [paragraph]
        pieces.extend((part, n == 0) for n, part in enumerate(parts))
    result, current = [], ""
    for piece, new_paragraph in pieces:
        if current and len(current) + len(piece) > PASSAGE_CHARS:
            result.append((heading, current))
            overlap = _SENTENCE_END.split(current.rsplit("\n\n", 1)[-1])[-1]
            current = overlap if len(overlap) < PASSAGE_CHARS // 3 else ""
        separator = "\n\n" if new_paragraph else " "
        current = f"{current}{separator}{piece}" if current else piece
    if current:
        result.append((heading, current))
    return result


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s]


def write_passages(article: KnowledgeArticle) -> None:
    """Replace the article's passages with those of its current text."""
    KnowledgePassage.objects.filter(article=article).delete()
    KnowledgePassage.objects.bulk_create(
        KnowledgePassage(article=article, position=n, title=article.title, heading=heading, text=text)
        for n, (heading, text) in enumerate(split(article.body))
    )


def rewrite_all_passages() -> int:
    """Rewrite every article's passages (after bulk updates that sent no signal); how many articles."""
    count = 0
    for article in KnowledgeArticle.objects.iterator():
        write_passages(article)
        count += 1
    return count


@receiver(post_save, sender=KnowledgeArticle, dispatch_uid="article_passages_on_save")
def passages_follow_the_article(sender: type, instance: KnowledgeArticle, **kwargs: Any) -> None:
    write_passages(instance)
