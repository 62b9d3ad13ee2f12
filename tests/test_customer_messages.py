import pytest

from agent.models import Draft, Message
from agent.services import MAX_MESSAGE_CHARS, InvalidMessage, receive_customer_message

pytestmark = pytest.mark.django_db


def test_an_empty_message_is_refused_with_a_reason(conversation):
    with pytest.raises(InvalidMessage, match="type a message"):
        receive_customer_message(conversation=conversation, text="   ")
    assert not Message.objects.exists()


def test_an_overlong_message_is_refused_with_a_reason(conversation):
    with pytest.raises(InvalidMessage, match=str(MAX_MESSAGE_CHARS)):
        receive_customer_message(conversation=conversation, text="x" * (MAX_MESSAGE_CHARS + 1))
    assert not Message.objects.exists()


def test_a_message_is_stored_before_the_agent_runs(conversation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = receive_customer_message(conversation=conversation, text="  Where is my card?  ")
    assert Message.objects.get() == message and message.text == "Where is my card?"
    assert any("receive_customer_message" in c.__qualname__ for c in callbacks)
    assert not Draft.objects.exists()


def test_the_agent_runs_once_the_message_is_committed(
    demo_bank, conversation, local_llm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = receive_customer_message(conversation=conversation, text="How do I change my PIN?")
    assert Draft.objects.get(message=message).run.steps.count() >= 2
