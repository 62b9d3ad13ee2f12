import asyncio
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agent.events import broadcaster, conversation_group
from agent.views import SESSION_KEY


class RelayConsumer(AsyncJsonWebsocketConsumer):
    """Relays the live events of one group to an open page; subclasses decide who may join which group."""

    group = ""

    async def join(self, group: str) -> None:
        broadcaster.serve_from(asyncio.get_running_loop())
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


class ConversationConsumer(RelayConsumer):
    """Tells a customer's open chat page that its conversation changed; only the session's own."""

    async def connect(self) -> None:
        session = self.scope.get("session")
        public_id = session.get(SESSION_KEY) if session is not None else None
        if not public_id:
            await self.close(code=4403)
            return
        await self.join(conversation_group(public_id))
