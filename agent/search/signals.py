"""Keep the configured search backend's index in step with knowledge-article edits, once they commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agent.models import KnowledgeArticle

from .base import get_search_backend


@receiver(post_save, sender=KnowledgeArticle, dispatch_uid="search_index_saved_article")
def index_saved_article(sender: type, instance: KnowledgeArticle, using: str, **kwargs: Any) -> None:
    """Re-index an article after its save commits (an unpublished one leaves search).

    After commit, so a rolled-back edit never reaches an external index; `robust`, so a search outage logs an
    error instead of failing the editor's save (`rebuild_index` repairs the index afterwards).
    """
    transaction.on_commit(lambda: get_search_backend().index_article(instance), using=using, robust=True)


@receiver(post_delete, sender=KnowledgeArticle, dispatch_uid="search_remove_deleted_article")
def remove_deleted_article(sender: type, instance: KnowledgeArticle, using: str, **kwargs: Any) -> None:
    """Remove a deleted article from search once the deletion commits."""
    article_id = instance.pk  # read now: Django clears the instance's pk after the delete
    transaction.on_commit(lambda: get_search_backend().remove_article(article_id), using=using, robust=True)
