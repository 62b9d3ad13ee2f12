"""Zendesk Help Center as a knowledge source: published articles, page by page, and on later imports only
those changed since the previous one (the incremental articles API, from the stored cursor)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agent.knowledge.readers import Document, Unreadable, html_document
from agent.ticketing.zendesk import ZendeskAPI

SOURCE_NAME = "zendesk-help-center"
SOURCE_PREFIX = "zendesk:"
PER_PAGE = 100
MAX_PAGES = 10_000  # a runaway next_page loop stops here


@dataclass(frozen=True)
class Withdrawn:
    """An article that is a draft in the Help Center now: it must not be searched."""

    source_id: str


class HelpCenter(ZendeskAPI):
    def articles(self, *, since: int | None) -> Iterator[Document | Withdrawn | Unreadable]:
        """Every article (or, with `since`, every one changed since that Unix time), then `end_time` in
        `self.end_time` for the next import."""
        if since is None:
            path = f"/api/v2/help_center/articles.json?per_page={PER_PAGE}&sort_by=updated_at"
        else:
            path = f"/api/v2/help_center/incremental/articles.json?start_time={since}"
        self.end_time: int | None = since
        for _ in range(MAX_PAGES):
            page = self._request("GET", path, action="list Help Center articles")
            for article in page.get("articles") or []:
                yield _document(article)
            if isinstance(page.get("end_time"), int):
                self.end_time = page["end_time"]
            next_page = page.get("next_page")
            if not next_page or page.get("end_of_stream"):
                return
            parts = urlsplit(str(next_page))
            path = parts.path + (f"?{parts.query}" if parts.query else "")


def _document(article: Any) -> Document | Withdrawn | Unreadable:
    if not isinstance(article, dict) or "id" not in article:
        return Unreadable("Help Center article", "not an article object")
    source_id = f"{SOURCE_PREFIX}{article['id']}"
    if article.get("draft"):
        return Withdrawn(source_id)
    return html_document(
        f"Help Center article {article['id']}",
        source_id,
        str(article.get("title") or ""),
        str(article.get("body") or ""),
        str(article.get("html_url") or ""),
    )
