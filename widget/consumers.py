"""The widget's live channel: the conversation its token names, and only from pages allowed to embed it."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from agent.consumers import RelayConsumer
from agent.events import conversation_group
from widget.origins import origin_allowed
from widget.tokens import InvalidToken, conversation_for

BAD_TOKEN = 4401  # the widget drops its token and does not reconnect
BAD_ORIGIN = 4403


class WidgetConsumer(RelayConsumer):
    """Relays a conversation's events to the widget holding its token, on a page allowed to embed it."""

    async def connect(self) -> None:
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.scope["headers"]
        }
        # Refusals accept and then close, so that the widget reads the close code (a refused handshake
        # reaches a page as a bare 1006).
        if not origin_allowed(headers.get("origin", ""), headers.get("host", "")):
            await self.refuse(BAD_ORIGIN)
            return
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        try:
            conversation = await database_sync_to_async(conversation_for)(token)
        except InvalidToken:
            await self.refuse(BAD_TOKEN)
            return
        await self.join(conversation_group(conversation.public_id))

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)
