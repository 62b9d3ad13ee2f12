"""Admission control in front of Django under ASGI.

Django runs each request's view on a thread of its own. Under a burst larger than the process can serve,
thousands of threads then compete for the GIL and the database pool, and the process serves almost nothing
until the burst is over. Here at most WEB_MAX_CONCURRENT_REQUESTS requests are inside Django at once; the
others wait as coroutines (no thread) for up to WEB_QUEUE_SECONDS, then get a 503 with Retry-After and a
JSON error the widget shows as it is — nothing was stored, so nothing is lost, and the customer's text
stays in the widget to send again.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

Scope = dict[str, Any]
BUSY = "We're very busy right now and your message was not sent. Please try again in a few seconds."
RETRY_AFTER_SECONDS = 5


class AdmissionControl:
    def __init__(self, app: Any, *, limit: int, wait_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made in the server's event loop
            self._slots = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
        except TimeoutError:
            await busy(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()


async def busy(scope: Scope, send: Any) -> None:
    body = json.dumps({"error": BUSY, "retry_after": RETRY_AFTER_SECONDS}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ]
    origin = dict(scope.get("headers") or []).get(b"origin")
    if origin:  # the widget's pages are on other sites: let them read the refusal
        headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
