"""Importing documents as knowledge articles, keyed by their source id: idempotent and versioned.

An unchanged document changes nothing; a changed one gets a new version, which re-indexes it and retires the
cached answers that used it (the article's save signals do both once the change commits).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from agent.knowledge.history import changed_by
from agent.knowledge.readers import Document, Unreadable
from agent.models import KnowledgeArticle

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
SLUG_MAX = 120


@dataclass
class ImportSummary:
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Unreadable] = field(default_factory=list)

    def line(self) -> str:
        return ", ".join(f"{self.counts[k]} {k}" for k in (CREATED, UPDATED, UNCHANGED, FAILED))


def import_document(document: Document, *, via: str = "import_kb") -> str:
    """Create or update the article for `document`; CREATED, UPDATED or UNCHANGED."""
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().filter(source_id=document.source_id).first()
        if article is None:
            article = KnowledgeArticle(
                slug=_free_slug(document.title, document.source_id),
                source_id=document.source_id,
                title=document.title,
                body=document.content,
                url=document.url,
            )
            changed_by(article, None, via)
            article.save()
            return CREATED
        url = document.url or article.url  # a link set by staff stays unless the source has its own
        if (article.title, article.body, article.url) == (document.title, document.content, url):
            return UNCHANGED
        article.title, article.body, article.url = document.title, document.content, url
        article.version += 1
        changed_by(article, None, via)
        article.save()
        return UPDATED


def _free_slug(title: str, source_id: str) -> str:
    base = slugify(title)[: SLUG_MAX - 10] or slugify(source_id)[: SLUG_MAX - 10] or "article"
    slug, number = base, 1
    while KnowledgeArticle.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def withdraw(source_id: str, *, via: str = "import_kb") -> str:
    """Stop searching the article from `source_id` (a draft again at its source); UPDATED if it was."""
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().filter(source_id=source_id).first()
        if article is None or not article.is_published:
            return UNCHANGED
        article.is_published = False
        changed_by(article, None, via)
        article.save()
        return UPDATED
