import pytest

from agent.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_the_chat_page_starts_a_conversation_for_the_browser(client):
    response = client.get("/chat/")
    assert response.status_code == 200
    assert Conversation.objects.count() == 1
    client.get("/chat/")
    assert Conversation.objects.count() == 1


def test_a_posted_message_is_stored_and_the_page_redirects(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/chat/", {"text": "Where is my card?"})
    assert response.status_code == 302
    assert Message.objects.get().text == "Where is my card?"
    assert any("receive_customer_message" in c.__qualname__ for c in callbacks)


def test_an_empty_message_gets_a_clear_error_and_nothing_is_stored(client):
    response = client.post("/chat/", {"text": ""})
    assert response.status_code == 400
    assert "Please type a message." in response.content.decode()
    assert not Message.objects.exists()


def test_customer_text_is_shown_escaped(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/chat/", {"text": "<script>alert(1)</script>"})
    html = client.get("/chat/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_htmx_request_gets_only_the_conversation_partial(client):
    html = client.get("/chat/", headers={"HX-Request": "true"}).content.decode()
    assert 'id="conversation"' in html and "<html" not in html


def test_another_browser_cannot_see_the_conversation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/chat/", {"text": "my secret question"})
    client.cookies.clear()
    assert "my secret question" not in client.get("/chat/").content.decode()


def test_a_new_conversation_can_be_started(client):
    client.get("/chat/")
    response = client.post("/chat/new/")
    assert response.status_code == 302
    client.get("/chat/")
    assert Conversation.objects.count() == 2


def test_the_page_loads_its_live_script_once_and_has_a_plain_title(client):
    html = client.get("/chat/").content.decode()
    assert html.count("chat.js") == 1
    assert "<title>Chat with Lumen Bank support</title>" in html
