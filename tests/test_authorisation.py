"""Who may do what: every URL and websocket route × anonymous / customer / other customer / reviewer / admin.

A customer holds a widget token for their own conversation (the demo chat page keeps theirs in the session);
"other customer" holds a token for another conversation and reaches for the first one's resources. Staff pages
know no customers: a customer there is anonymous. The last test checks that no route is left out.
"""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from agent.models import Conversation, Customer, Message
from agent.outcomes import deliver
from agent.views import SESSION_KEY
from supportagent.asgi import application, websocket_urlpatterns
from widget.tokens import token_for

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAS = ("anonymous", "customer", "other customer", "reviewer", "admin")
LOGIN = "login"  # a redirect to the admin's login page


@pytest.fixture
def world(make_pending_draft, settings):  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = "metrics-secret"
    draft = make_pending_draft(question="where is my card?")
    mine = draft.conversation
    answer = deliver(conversation=mine, role=Message.Role.AGENT, text="On its way.", status=mine.status)
    theirs = Conversation.objects.create(customer=Customer.objects.create(external_id="c-other"))
    reviewer = User.objects.create_user("rita", password="pw", is_staff=True)
    reviewer.groups.add(Group.objects.get_or_create(name="Support reviewers")[0])
    admin = User.objects.create_superuser("ada", "ada@example.com", "pw")
    return {
        "draft": draft,
        "mine": mine,
        "answer": answer,
        "theirs": theirs,
        "reviewer": reviewer,
        "admin": admin,
    }


def client_for(persona: str, world: dict) -> tuple[Client, dict[str, str]]:  # type: ignore[type-arg]
    """A client for the persona, and the headers it sends to the widget's API."""
    client = Client()
    headers: dict[str, str] = {}
    if persona in ("reviewer", "admin"):
        client.force_login(world[persona])
    if persona == "customer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_for(world['mine'])}"
        session = client.session
        session[SESSION_KEY] = str(world["mine"].public_id)
        session.save()
    if persona == "other customer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_for(world['theirs'])}"
    return client, headers


def outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return LOGIN
    return int(response.status_code)


# (method, path, body, expected per persona: anonymous, customer, other customer, reviewer, admin)
MATRIX = [
    ("GET", "/", None, (302, 302, 302, 302, 302)),
    ("GET", "/admin/", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("GET", "/admin/agent/message/", None, (LOGIN, LOGIN, LOGIN, 403, 200)),
    ("GET", "/admin/agent/sensitivedatareveal/", None, (LOGIN, LOGIN, LOGIN, 403, 200)),
    ("GET", "/review/", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("GET", "/review/drafts/{draft}/", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("GET", "/review/drafts/{draft}/state/", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("POST", "/review/drafts/{draft}/release/", {}, (LOGIN, LOGIN, LOGIN, 302, 302)),
    ("POST", "/review/drafts/{draft}/decide/", {"action": "nonsense"}, (LOGIN, LOGIN, LOGIN, 400, 400)),
    ("POST", "/review/messages/{question}/reveal/", {}, (LOGIN, LOGIN, LOGIN, 403, 200)),
    ("GET", "/review/evaluation-cases.jsonl", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("GET", "/dashboard/", None, (LOGIN, LOGIN, LOGIN, 200, 200)),
    ("GET", "/metrics", None, (401, 401, 401, 200, 200)),
    ("GET", "/health", None, (200, 200, 200, 200, 200)),  # for the load balancer: says only ok or not
    ("GET", "/chat/", None, (200, 200, 200, 200, 200)),  # the demo page: each visitor gets their own chat
    ("POST", "/chat/new/", {}, (302, 302, 302, 302, 302)),
    ("GET", "/widget/demo/", None, (200, 200, 200, 200, 200)),
    ("GET", "/widget/api/openapi.json", None, (200, 200, 200, 200, 200)),  # the API's public description
    ("POST", "/widget/api/conversations/", {}, (201, 201, 201, 201, 201)),
    ("GET", "/widget/api/conversation/", None, (401, 200, 200, 401, 401)),
    ("POST", "/widget/api/messages/", {"text": "hello"}, (401, 202, 202, 401, 401)),
    ("POST", "/widget/api/human/", {}, (401, 202, 202, 401, 401)),
    # feedback on the customer's answer: the other customer's token does not reach it
    ("POST", "/widget/api/feedback/", {"message_id": "{answer}", "value": "up"}, (401, 200, 404, 401, 401)),
    # a rating is of the token's own conversation; the other customer's has no answer to rate yet
    ("POST", "/widget/api/rating/", {"score": 5}, (401, 200, 400, 401, 401)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_each_route_for_each_persona(world, method, path, body, expected):
    ids = {"draft": world["draft"].pk, "question": world["draft"].message_id, "answer": world["answer"].pk}
    url = path.format(**ids)
    got = {}
    for persona in PERSONAS:
        client, headers = client_for(persona, world)
        if method == "GET":
            response = client.get(url, **headers)
        elif url.startswith("/widget/api/"):
            payload = {key: ids["answer"] if value == "{answer}" else value for key, value in body.items()}
            response = client.post(url, json.dumps(payload), content_type="application/json", **headers)
        else:
            response = client.post(url, body, **headers)
        got[persona] = outcome(response)
    assert got == dict(zip(PERSONAS, expected, strict=True))


def test_the_other_customer_sees_only_their_own_conversation(world):
    client, headers = client_for("other customer", world)
    seen = client.get("/widget/api/conversation/", **headers).json()["conversation"]
    assert seen["id"] == str(world["theirs"].public_id) and seen["messages"] == []


# --- websockets ----------------------------------------------------------------------------------------


def ws_outcome(path: str, headers: list[tuple[bytes, bytes]]) -> int | str:
    async def scenario() -> int | str:
        page = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await page.connect(timeout=5)
        if not connected:
            return int(code or 1000)
        # the widget's socket accepts, then closes with a code a browser can read (4401, 4403)
        first = {} if await page.receive_nothing(timeout=0.5) else await page.receive_output()
        await page.disconnect()
        return int(first.get("code", 1000)) if first.get("type") == "websocket.close" else "open"

    return async_to_sync(scenario)()


def session_cookie(client: Client) -> tuple[bytes, bytes]:
    if "sessionid" not in client.cookies:
        client.session.save()
        return (b"cookie", b"")
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


WS_MATRIX = [
    ("/ws/review/", (4403, 4403, 4403, "open", "open")),
    ("/ws/chat/", (4403, "open", 4403, 4403, 4403)),  # the session's own chat only
    ("/ws/widget/?token={token}", (4401, "open", "open", 4401, 4401)),  # each token its own conversation
]


@pytest.mark.parametrize(("path", "expected"), WS_MATRIX, ids=[path for path, _ in WS_MATRIX])
def test_each_websocket_route_for_each_persona(world, settings, path, expected):
    settings.WIDGET_ALLOWED_ORIGINS = ["http://127.0.0.1"]
    got = {}
    for persona in PERSONAS:
        client, headers = client_for(persona, world)
        token = headers.get("HTTP_AUTHORIZATION", "Bearer none").split()[-1]
        cookie = session_cookie(client)
        ws_headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), cookie]
        got[persona] = ws_outcome(path.format(token=token), ws_headers)
    assert got == dict(zip(PERSONAS, expected, strict=True))


def test_every_route_is_in_the_matrix():
    def paths(patterns, prefix=""):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) == "admin/":
                    yield "/admin/"
                    continue
                yield from paths(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield (
                    "/"
                    + prefix
                    + str(pattern.pattern)
                    .replace("<int:draft_id>", "{draft}")
                    .replace("<int:message_id>", "{question}")
                )

    covered = {path for _, path, _, _ in MATRIX}
    assert set(paths(get_resolver().url_patterns)) <= covered
    assert {"/" + str(route.pattern) for route in websocket_urlpatterns} == {
        path.split("?")[0] for path, _ in WS_MATRIX
    }
