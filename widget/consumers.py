"""The widget's live channel: the conversation its token names, and only from pages allowed to embed it.

Besides relaying the conversation's events, it takes the customer's messages, the widget's fast path (the
HTTP API's POST messages/ is the other, and its fallback):

    page → {"type": "message", "ref": "<the page's id for it>", "text": "..."}
    page ← {"type": "ack", "ref": ..., "message": {"id", "role", "text"}, "status": "open"}
        or {"type": "refused", "ref": ..., "status": 400 | 401 | 429 | 503, "error": "...", "retry_after": s}

A message is acknowledged once it is stored. Sent again with the same ref (its acknowledgement was lost with
the connection), over either path, it is stored and answered once and acknowledged again.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from agent.consumers import RelayConsumer
from agent.events import CONVERSATION_UPDATED, conversation_group
from agent.models import Conversation
from agent.services import Incoming
from widget.api import conversation_json
from widget.intake import REF_RULE, Refused, Sending, check_text, intake, valid_ref
from widget.limits import caller_address
from widget.origins import origin_allowed
from widget.tokens import InvalidToken, conversation_for

logger = logging.getLogger(__name__)

BAD_TOKEN = 4401  # the widget drops its token and does not reconnect
BAD_ORIGIN = 4403


class WidgetConsumer(RelayConsumer):
    """Relays a conversation's events to the widget holding its token, on a page allowed to embed it, and
    takes its customer's messages."""

    conversation: Conversation | None = None
    client_ip = "unknown"

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
        self.conversation = conversation
        peer = (self.scope.get("client") or [None])[0]
        self.client_ip = caller_address(headers.get("x-forwarded-for", ""), peer)
        await self.join(conversation_group(conversation.public_id))

    async def layer_emptied(self, epoch: str) -> bool:
        """This socket carries its customer's messages too: rather than close it, and have every page send
        over HTTP while all of them reconnect at once, it joins its group again and sends the page the
        conversation as it is now (what it missed meanwhile included), so that no page has to read it over
        HTTP. Tried again at the next check if Redis is still down."""
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception as error:  # each Redis client raises its own
            logger.info("live events: the group cannot be joined again yet (%s)", error)
            return True
        self.epoch = epoch
        if self.conversation is None:  # refused at connect: never joined
            return False
        shown = await database_sync_to_async(_conversation_now)(self.conversation.pk)
        if shown is None:  # erased meanwhile: the widget forgets it
            await self.close(code=BAD_TOKEN)
            return False
        await self.send_json({"name": CONVERSATION_UPDATED, "status": shown["status"], "conversation": shown})
        return True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        ref: object = None
        try:
            try:
                frame = json.loads(text_data) if text_data is not None else None
            except json.JSONDecodeError:
                frame = None
            if not isinstance(frame, dict) or frame.get("type") != "message":
                raise Refused(400, 'Send {"type": "message", "ref": ..., "text": ...} as JSON.')
            ref = frame.get("ref")
            if not isinstance(ref, str) or not ref or not valid_ref(ref):
                ref = ref[:64] if isinstance(ref, str) else None  # echoed, so the page knows which
                raise Refused(400, REF_RULE)
            if self.conversation is None:
                raise Refused(401, "This conversation has expired; start a new one.")
            sending = Sending(Incoming(self.conversation, check_text(frame.get("text")), ref), self.client_ip)
            message = await intake().submit(sending)
        except Refused as refused:
            await self.send_json(_refusal(ref, refused))
            return
        stored = {"id": message.pk, "role": message.role, "text": message.text}
        await self.send_json(
            {"type": "ack", "ref": ref, "message": stored, "status": message.conversation.status}
        )

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)


def _refusal(ref: object, refused: Refused) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "refused", "ref": ref, "status": refused.status, "error": str(refused)}
    if refused.retry_after:
        frame["retry_after"] = refused.retry_after
    return frame


def _conversation_now(pk: int) -> dict[str, Any] | None:
    conversation = Conversation.objects.filter(pk=pk).first()
    return conversation_json(conversation) if conversation is not None else None
