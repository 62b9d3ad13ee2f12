"""Writes for the customer side: start a conversation, take in a message. Views and commands call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from agent import events
from agent.dispatch import dispatch_messages
from agent.models import Conversation, Customer, Message

MAX_MESSAGE_CHARS = 4000


class InvalidMessage(ValueError):
    """A customer message that cannot be taken in, with a reason fit to show the customer."""


class ConversationGone(InvalidMessage):
    """The message's conversation was erased (forget_customer) while a page still held it."""

    def __init__(self) -> None:
        super().__init__("This conversation is no longer available; please start a new one.")


def start_conversation(*, customer: Customer) -> Conversation:
    """A new conversation, assigned to an arm of the active experiment (if any) for good."""
    from agent.experiments import assign

    conversation = Conversation(customer=customer)
    assign(conversation)
    conversation.save()
    return conversation


@dataclass(frozen=True)
class Incoming:
    """A customer's message as it arrives; `ref` is the id its page gave it (empty: none)."""

    conversation: Conversation
    text: str
    ref: str = ""


def validated_text(text: str) -> str:
    """The message as stored (trimmed), or InvalidMessage with the reason."""
    text = text.strip()
    if not text:
        raise InvalidMessage("Please type a message.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(f"Please keep messages under {MAX_MESSAGE_CHARS} characters.")
    if "\x00" in text:  # no database stores it, and no one types it
        raise InvalidMessage("The message contains a character that cannot be stored (NUL).")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # half of a surrogate pair: JSON can carry it, UTF-8 cannot
        raise InvalidMessage("The message contains characters that cannot be stored (not Unicode).") from None
    return text


def store_customer_messages(batch: Sequence[Incoming]) -> list[Message | InvalidMessage]:
    """Validate, screen and store a batch of customer messages in one transaction (group commit: one insert,
    one status update, one commit for all of them); nothing runs on them yet.

    Each result is the stored message or why it was refused. A message whose `ref` its conversation already
    holds (sent again after its acknowledgement was lost) is not stored again: its result is
    the stored one."""
    return store_batch(batch)[0]


@transaction.atomic
def store_batch(batch: Sequence[Incoming]) -> tuple[list[Message | InvalidMessage], list[Message]]:
    """store_customer_messages, and the messages it stored (not those stored before): the caller queues the
    agent for those (dispatch_messages), or leaves them to the sweep."""
    results: list[Message | InvalidMessage | None] = [None] * len(batch)
    new: dict[tuple[int, str], Message] = {}
    waiting: list[tuple[int, tuple[int, str]]] = []
    # a page's websocket may outlive its conversation (forget_customer erased it)
    alive = set(
        Conversation.objects.filter(pk__in={i.conversation.pk for i in batch}).values_list("pk", flat=True)
    )
    for index, incoming in enumerate(batch):
        try:
            text = validated_text(incoming.text)
            if incoming.conversation.pk not in alive:
                raise ConversationGone
        except InvalidMessage as invalid:
            results[index] = invalid
            continue
        key = (incoming.conversation.pk, incoming.ref or f"#{index}")
        waiting.append((index, key))
        if key not in new:  # the same ref twice in one batch is one message
            new[key] = Message(
                conversation=incoming.conversation,
                role=Message.Role.CUSTOMER,
                text=text,
                client_ref=incoming.ref,
            )
    for message in new.values():
        message.screen()  # the masked text is what everything after the message store reads
    stored: dict[tuple[int, str], Message | InvalidMessage] = {}
    try:
        with transaction.atomic():
            Message.objects.bulk_create(list(new.values()))
    except IntegrityError:  # a ref stored before (a message sent again): store them one by one
        for key, message in new.items():
            try:
                with transaction.atomic():
                    message.save()
            except IntegrityError:  # the row stored before under its ref
                stored[key] = _stored_under(message) or ConversationGone()
        new = {key: message for key, message in new.items() if key not in stored}
    _reopen(list(new.values()))
    for index, key in waiting:
        results[index] = new.get(key) or stored[key]
    return [result for result in results if result is not None], list(new.values())


def _stored_under(message: Message) -> Message | None:
    """The customer message its conversation already holds under `message`'s ref, if any."""
    if not message.client_ref:
        return None
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id, client_ref=message.client_ref, role=Message.Role.CUSTOMER
        )
        .select_related("conversation")
        .first()
    )


def _reopen(messages: list[Message]) -> None:
    """Each new message's conversation is open again; its pages hear of the message that came with it."""
    if not messages:
        return
    now = timezone.now()
    conversations = {message.conversation.pk: message.conversation for message in messages}
    Conversation.objects.filter(pk__in=conversations).update(status=Conversation.Status.OPEN, updated_at=now)
    for conversation in conversations.values():
        conversation.status = Conversation.Status.OPEN
        conversation.updated_at = now
    for message in messages:
        events.conversation_updated(
            public_id=message.conversation.public_id, status=Conversation.Status.OPEN, message_id=message.pk
        )


@transaction.atomic
def receive_customer_messages(batch: Sequence[Incoming]) -> list[Message | InvalidMessage]:
    """Store a batch of customer messages first, then queue the agent for each new one once they are
    committed (a message sent again is not queued again)."""
    results, new = store_batch(batch)
    queued = [message.pk for message in new]
    if queued:
        transaction.on_commit(lambda: dispatch_messages(queued))
    return results


def store_customer_message(*, conversation: Conversation, text: str, ref: str = "") -> Message:
    """Validate and store one customer's message; nothing runs on it yet."""
    return _one(store_customer_messages([Incoming(conversation, text, ref)]))


def receive_customer_message(*, conversation: Conversation, text: str, ref: str = "") -> Message:
    """Store one customer's message first, then queue the agent for it once the row is committed."""
    return _one(receive_customer_messages([Incoming(conversation, text, ref)]))


def _one(results: list[Message | InvalidMessage]) -> Message:
    (result,) = results
    if isinstance(result, InvalidMessage):
        raise result
    return result
