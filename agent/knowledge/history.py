"""Version history of knowledge articles: a revision is kept whenever an article's text or status changes,
with who changed it (set by the admin) and through what."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from agent.models import ArticleRevision, KnowledgeArticle


def changed_by(article: KnowledgeArticle, user: Any, via: str) -> None:
    """Say who is about to save `article`, and through what; the next revision records it."""
    article._changed_by = user  # type: ignore[attr-defined]
    article._changed_via = via  # type: ignore[attr-defined]


@receiver(post_save, sender=KnowledgeArticle, dispatch_uid="article_revision_on_save")
def keep_revision(sender: type, instance: KnowledgeArticle, created: bool, **kwargs: Any) -> None:
    last = instance.revisions.order_by("-changed_at", "-pk").first() if not created else None
    state = (instance.version, instance.title, instance.body, instance.is_published)
    if last is not None and (last.version, last.title, last.body, last.is_published) == state:
        return
    user = getattr(instance, "_changed_by", None)
    ArticleRevision.objects.create(
        article=instance,
        version=instance.version,
        title=instance.title,
        body=instance.body,
        is_published=instance.is_published,
        changed_by=user if user is not None and user.is_authenticated else None,
        via=getattr(instance, "_changed_via", "import or script"),
    )
