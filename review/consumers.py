from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agent.events import REVIEW_QUEUE_GROUP
from review.access import is_reviewer


class ReviewQueueConsumer(AsyncJsonWebsocketConsumer):
    """Relays review-queue events to a reviewer's open pages. Everyone else is turned away."""

    async def connect(self) -> None:
        if not await database_sync_to_async(is_reviewer)(self.scope.get("user")):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(REVIEW_QUEUE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(REVIEW_QUEUE_GROUP, self.channel_name)

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
