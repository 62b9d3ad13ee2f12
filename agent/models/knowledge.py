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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
