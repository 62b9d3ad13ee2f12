from channels.db import database_sync_to_async

from agent.consumers import RelayConsumer
from agent.events import REVIEW_QUEUE_GROUP
from review.access import is_reviewer


class ReviewQueueConsumer(RelayConsumer):
    """Relays review-queue events to a reviewer's open pages. Everyone else is turned away."""

    async def connect(self) -> None:
        if not await database_sync_to_async(is_reviewer)(self.scope.get("user")):
            await self.close(code=4403)
            return
        await self.join(REVIEW_QUEUE_GROUP)
