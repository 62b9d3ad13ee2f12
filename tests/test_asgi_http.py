"""HTTP through the ASGI application daphne serves: the whole synchronous middleware chain and the view run in
one hop to the synchronous thread, and every middleware still does its work."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.conf import settings

from supportagent.asgi import application
from supportagent.handler import SyncChainASGIHandler
from tests.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def request(method: str, path: str, body: dict | None = None, headers: list | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else b""
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), *(headers or [])]
    communicator = HttpCommunicator(application, method, path, body=data, headers=headers)
    return async_to_sync(communicator.get_response)(timeout=10)


def header(response: dict, name: bytes) -> str | None:
    return next((value.decode() for key, value in response["headers"] if key.lower() == name), None)


def test_the_middleware_chain_and_views_are_synchronous():
    handler = SyncChainASGIHandler()
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)
    assert all(not asyncio.iscoroutinefunction(method) for method in handler._view_middleware)


def test_a_widget_conversation_is_started_with_every_header():
    response = request("POST", "/widget/api/conversations/", {})
    assert response["status"] == 201
    assert json.loads(response["body"])["token"]
    assert header(response, b"content-security-policy").startswith("default-src")
    assert header(response, b"x-frame-options") == "DENY"
    assert header(response, b"x-content-type-options") == "nosniff"


def test_a_refused_message_is_a_clear_error_not_a_crash():
    started = json.loads(request("POST", "/widget/api/conversations/", {})["body"])
    too_long = "x" * (settings.WIDGET_MAX_MESSAGE_CHARS + 1)
    bearer = (b"authorization", f"Bearer {started['token']}".encode())
    response = request("POST", "/widget/api/messages/", {"text": too_long}, [bearer])
    assert response["status"] == 400
    assert "characters" in json.loads(response["body"])["error"]


def test_the_review_queue_asks_anonymous_visitors_to_sign_in():
    response = request("GET", "/review/")
    assert response["status"] == 302
    assert "/admin/login/" in header(response, b"location")


def test_a_reviewer_sees_the_queue_but_a_form_post_without_its_csrf_token_is_refused(
    make_reviewer, make_pending_draft
):
    draft = make_pending_draft()
    cookie = session_cookie(make_reviewer("rita"))
    assert request("GET", "/review/", headers=[cookie])["status"] == 200
    decide = f"/review/drafts/{draft.pk}/decide/"
    response = request("POST", decide, {"action": "approve"}, [cookie, (b"origin", b"http://127.0.0.1")])
    assert response["status"] == 403
    draft.refresh_from_db()
    assert draft.status == draft.Status.PENDING_REVIEW
