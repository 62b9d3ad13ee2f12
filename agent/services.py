"""Writes for the customer side: start a conversation, take in a message. Views and commands call these."""

from __future__ import annotations

from django.db import transaction

from agent.dispatch import dispatch_message
from agent.models import Conversation, Customer, Message
from agent.outcomes import set_conversation_status

MAX_MESSAGE_CHARS = 4000


class InvalidMessage(ValueError):
    """A customer message that cannot be taken in, with a reason fit to show the customer."""


def start_conversation(*, customer: Customer) -> Conversation:
    """A new conversation, assigned to an arm of the active experiment (if any) for good."""
    from agent.experiments import assign

    conversation = Conversation(customer=customer)
    assign(conversation)
    conversation.save()
    return conversation


@transaction.atomic(savepoint=False)  # inside receive_customer_message: one transaction, no savepoint
def store_customer_message(*, conversation: Conversation, text: str) -> Message:
    """Validate and store a customer's message; nothing runs on it yet."""
    text = text.strip()
    if not text:
        raise InvalidMessage("Please type a message.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(f"Please keep messages under {MAX_MESSAGE_CHARS} characters.")
    message = Message(conversation=conversation, role=Message.Role.CUSTOMER, text=text)
    message.screen()  # the masked text is what everything after the message store reads
    message.save()
    set_conversation_status(conversation, Conversation.Status.OPEN, message=message)
    return message


@transaction.atomic
def receive_customer_message(*, conversation: Conversation, text: str) -> Message:
    """Store the customer's message first, then queue the agent for it once the row is committed."""
    message = store_customer_message(conversation=conversation, text=text)
    transaction.on_commit(lambda: dispatch_message(message.pk))
    return message
