from django.conf import settings
from django.db import models


class KnowledgeArticle(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    source_id = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="Id in the source it came from."
    )
    intent = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="The intent it answers, if one."
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    version = models.PositiveIntegerField(default=1, help_text="Raised on every edit of the title or body.")
    is_published = models.BooleanField(default=True, db_index=True)
    url = models.URLField(blank=True, help_text="Where customers can read it (a Help Center page), if any.")
    updated_at = models.DateTimeField(auto_now=True)
    # An editor who read a version the screening flags, and found no instructions to the assistant in it,
    # clears that version: search then gives it to the LLM. Any edit raises the version; the clearance lapses.
    instructions_cleared_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version an editor read and found to hold no instructions."
    )
    instructions_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instructions_cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        permissions = [
            (
                "clear_instructions",
                "Can clear an article the screening reads as instructions to the assistant",
            )
        ]

    @property
    def instructions_cleared(self) -> bool:
        """Whether an editor cleared the version it is at now."""
        return self.instructions_cleared_version == self.version

    def __str__(self) -> str:
        return self.title


class KnowledgeSource(models.Model):
    """An external knowledge source imported from, and how far its last import got (for incremental ones)."""

    name = models.CharField(max_length=80, unique=True)
    cursor = models.CharField(max_length=80, blank=True, help_text="Where the next import starts.")
    last_imported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ArticleRevision(models.Model):
    """One saved state of an article: what it said, who changed it (none for imports), when, and how."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    is_published = models.BooleanField()
    changed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="article_revisions"
    )
    via = models.CharField(max_length=40, help_text="admin, import_kb, Zendesk Help Center, demo data…")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["article", "-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article} v{self.version} ({self.via})"


class KnowledgePassage(models.Model):
    """A part of an article along its headings, bounded in length: what search ranks and drafts cite.

    Passages are rewritten from the article whenever it is saved (see agent.knowledge.passages)."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200, help_text="The article's title, for search.")
    heading = models.CharField(max_length=200, blank=True, help_text="The section it comes from, if any.")
    text = models.TextField()

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="one_passage_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.title} › {self.heading}" if self.heading else self.title


class PassageVector(models.Model):
    """A passage's vector by an encoder that is slow to run (see agent.search.encoders), kept so each process
    and each restart reads it instead of encoding again. Keyed by a digest of the passage's words, not by the
    passage: a rewritten article whose sections did not change keeps their vectors."""

    encoder = models.CharField(max_length=40)
    digest = models.CharField(max_length=32)
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["encoder", "digest"], name="one_vector_per_passage_text")
        ]

    def __str__(self) -> str:
        return f"{self.encoder} {self.digest}"
