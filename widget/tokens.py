"""The widget's conversation token: the conversation's random public id, signed with SECRET_KEY.

The browser keeps it; nothing else identifies the customer. It cannot be forged or guessed (a uuid4 under an
HMAC), and it only ever opens the one conversation it names.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from agent.models import Conversation

SALT = "supportagent.widget.conversation"


class InvalidToken(Exception):
    """The token is malformed, tampered with, expired, or names no conversation."""


def token_for(conversation: Conversation) -> str:
    return signing.dumps(str(conversation.public_id), salt=SALT, compress=False)


def conversation_for(token: str) -> Conversation:
    """The conversation a token names; InvalidToken otherwise."""
    try:
        public_id = signing.loads(token, salt=SALT, max_age=settings.WIDGET_TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise InvalidToken("This conversation has expired; start a new one.") from None
    try:
        return Conversation.objects.select_related("customer").get(public_id=public_id)
    except (Conversation.DoesNotExist, ValidationError):  # erased, or a token signed over something else
        raise InvalidToken("This conversation no longer exists; start a new one.") from None
