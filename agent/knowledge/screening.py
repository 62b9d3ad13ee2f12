"""Articles that read as instructions to the assistant, and editors' clearances of them.

Search results are screened like customers' messages: a passage that reads as instructions is withheld from
the LLM and the turn goes to a person. An article the screening flags wrongly (one that describes what the
assistant does, say) would send every turn that finds it to a person; an editor who reads it and finds no
instructions can clear its current version instead. Any edit raises the version, and the clearance lapses.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from agent.models import KnowledgeArticle
from agent.screening.injection import detect

from .passages import split


def flagged_passages(article: KnowledgeArticle) -> list[str]:
    """The article's passages, as search returns them, that read as instructions to the assistant."""
    return [text for _, text in split(article.body) if detect(text, article=True).injection]


def clear_instructions(*, article: KnowledgeArticle, editor: object) -> None:
    """Record that `editor` read the article's current version and found no instructions to the assistant.
    Nothing about the article's content changes, so neither its version nor its search index does."""
    now = timezone.now()
    KnowledgeArticle.objects.filter(pk=article.pk).update(
        instructions_cleared_version=article.version,
        instructions_cleared_by=editor,
        instructions_cleared_at=now,
    )
    article.instructions_cleared_version = article.version
    article.instructions_cleared_by = editor  # type: ignore[assignment]
    article.instructions_cleared_at = now


def cleared(found: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of the (article id, version) pairs search found, those an editor cleared at that version."""
    found = set(found)
    if not found:
        return set()
    rows = KnowledgeArticle.objects.filter(pk__in={pk for pk, _ in found}).values_list(
        "pk", "instructions_cleared_version"
    )
    return {(pk, version) for pk, version in rows if version is not None and (pk, version) in found}
