"""Forget cached answers that used a knowledge article once an edit or deletion of it commits.

A lookup already refuses an entry whose article versions are out of date; these receivers remove such
entries straight away, and also those of an article that was unpublished without a new version.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agent.models import KnowledgeArticle

from .base import get_response_cache


@receiver(post_save, sender=KnowledgeArticle, dispatch_uid="response_cache_saved_article")
def forget_answers_using_saved_article(
    sender: type, instance: KnowledgeArticle, created: bool, using: str, **kwargs: Any
) -> None:
    """Remove the cached answers that used an edited article, after the edit commits.

    `robust`, so a cache outage logs an error instead of failing the editor's save.
    """
    if created:
        return  # no cached answer can have used an article that did not exist
    article_id = instance.pk
    transaction.on_commit(
        lambda: get_response_cache().invalidate_article(article_id), using=using, robust=True
    )


@receiver(post_delete, sender=KnowledgeArticle, dispatch_uid="response_cache_deleted_article")
def forget_answers_using_deleted_article(
    sender: type, instance: KnowledgeArticle, using: str, **kwargs: Any
) -> None:
    """Remove the cached answers that used a deleted article, after the deletion commits."""
    article_id = instance.pk  # read now: Django clears the instance's pk after the delete
    transaction.on_commit(
        lambda: get_response_cache().invalidate_article(article_id), using=using, robust=True
    )
