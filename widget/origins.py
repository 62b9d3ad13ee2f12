"""Which websites may embed the widget: WIDGET_ALLOWED_ORIGINS, plus the app's own site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def origin_allowed(origin: str, host: str) -> bool:
    """May a page from `origin` (scheme://host[:port]) use the widget served from `host` (the Host header)?
    No Origin at all (same-origin GET, a non-browser client) is allowed: tokens, not origins, protect data."""
    if not origin:
        return True
    allowed = settings.WIDGET_ALLOWED_ORIGINS
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc == host
