"""Django's ASGI handler with the middleware and the view run in one hop to the synchronous thread."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    """Every view and middleware here is synchronous. Django's own ASGI handler builds its middleware chain
    for async and so hops to the synchronous thread and back for each middleware's request and response
    hooks and again for the view (a dozen hops a request, ~40% of a small request's cost); this handler
    builds the chain as the WSGI handler does and makes one hop for all of it (an async view added later would
    still run, through async_to_sync). Reading the request and sending the response stay asynchronous, as do
    websockets (Channels' consumers, not this handler)."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
