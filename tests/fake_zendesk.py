"""A loopback HTTP server speaking Zendesk Support's tickets API, with tickets in memory.

It serves the three endpoints the connector uses (create a ticket, search users, a user's requested
tickets), checks API-token basic auth like Zendesk does, records every request, and can be told to fail
the next requests on purpose (429 with Retry-After, 5xx, a garbage body, a slow answer).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

REQUESTED_TICKETS = re.compile(r"^/api/v2/users/(\d+)/tickets/requested\.json$")


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in Title-Case, whatever case the client sent
    body: Any  # the parsed JSON body, or None


@dataclass
class ScriptedAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict[str, Any] = b""
    delay: float = 0.0  # seconds to wait before answering


def zendesk_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix(zendesk_timestamp: str) -> int:
    return int(datetime.strptime(zendesk_timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def record_invalid(field_name: str, description: str) -> dict[str, Any]:
    return {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {field_name: [{"description": description}]},
    }


class FakeZendesk:
    """The server's state: users, tickets, the requests seen and the scripted failures still to come."""

    def __init__(self, *, email: str, api_token: str) -> None:
        token = base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
        self.expected_authorization = f"Basic {token}"
        self.url = ""  # set once the server listens
        self.users: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        self.articles: list[dict[str, Any]] = []  # Help Center articles
        self.requests: list[SeenRequest] = []
        self.scripted: deque[ScriptedAnswer] = deque()
        self.stopping = threading.Event()
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()

    # Setting the scene.

    def add_user(self, *, email: str = "", name: str = "", external_id: str | None = None) -> dict[str, Any]:
        user = {
            "id": next(self._ids),
            "name": name or email,
            "email": email or None,
            "external_id": external_id,
            "role": "end-user",
        }
        self.users.append(user)
        return user

    def add_ticket(
        self, *, requester: dict[str, Any], subject: str, status: str = "open", created_at: datetime
    ) -> dict[str, Any]:
        ticket_id = next(self._ids)
        ticket = {
            "id": ticket_id,
            "url": f"{self.url}/api/v2/tickets/{ticket_id}.json",
            "external_id": None,
            "created_at": zendesk_time(created_at),
            "updated_at": zendesk_time(created_at),
            "subject": subject,
            "raw_subject": subject,
            "description": "",
            "priority": "normal",
            "status": status,
            "requester_id": requester["id"],
            "submitter_id": requester["id"],
            "tags": [],
        }
        self.tickets.append(ticket)
        return ticket

    def fail_next(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | dict[str, Any] = b"",
        delay: float = 0.0,
    ) -> None:
        """Answer the next request (before auth or routing) with this, as Zendesk's edge might."""
        self.scripted.append(ScriptedAnswer(status, headers or {}, body, delay))

    # Answering.

    def answer(self, request: SeenRequest) -> ScriptedAnswer:
        with self._lock:
            self.requests.append(request)
            if self.scripted:
                return self.scripted.popleft()
            if request.headers.get("Authorization") != self.expected_authorization:
                return ScriptedAnswer(401, body={"error": "Couldn't authenticate you"})
            if request.method == "POST" and request.path == "/api/v2/tickets.json":
                return self.create_ticket(request.body)
            if request.method == "GET" and request.path == "/api/v2/users/search.json":
                return self.search_users(request.query)
            if request.method == "GET" and request.path == "/api/v2/help_center/articles.json":
                return self.list_articles(request.query)
            if request.method == "GET" and request.path == "/api/v2/help_center/incremental/articles.json":
                return self.incremental_articles(request.query)
            match = REQUESTED_TICKETS.match(request.path)
            if request.method == "GET" and match:
                return self.requested_tickets(int(match[1]), request.query)
            return ScriptedAnswer(404, body={"error": "InvalidEndpoint", "description": "Not found"})

    def create_ticket(self, body: Any) -> ScriptedAnswer:
        ticket = body.get("ticket") if isinstance(body, dict) else None
        if not isinstance(ticket, dict):
            return ScriptedAnswer(400, body={"error": "Unprocessable Entity", "description": "No ticket"})
        comment = ticket.get("comment") or {}
        if not comment.get("body"):
            return ScriptedAnswer(422, body=record_invalid("base", "Description: cannot be blank"))
        requester = ticket.get("requester") or {}
        email = str(requester.get("email") or "")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            return ScriptedAnswer(
                422, body=record_invalid("requester", f"Requester: Email: {email} is not properly formatted")
            )
        user = self.find_user_by_email(email) or self.add_user(
            email=email, name=str(requester.get("name", ""))
        )
        created = self.add_ticket(
            requester=user, subject=str(ticket.get("subject", "")), status="new", created_at=datetime.now(UTC)
        )
        created.update(
            external_id=ticket.get("external_id"),
            description=comment["body"],
            priority=ticket.get("priority"),
            tags=list(ticket.get("tags", [])),
        )
        return ScriptedAnswer(201, body={"ticket": created})

    def search_users(self, query: dict[str, str]) -> ScriptedAnswer:
        if "external_id" in query:
            users = [user for user in self.users if user["external_id"] == query["external_id"]]
        elif query.get("query", "").startswith("email:"):
            email = query["query"].removeprefix("email:")
            users = [user for user in self.users if (user["email"] or "").lower() == email.lower()]
        else:
            text = query.get("query", "").lower()
            users = [user for user in self.users if text in f"{user['name']} {user['email']}".lower()]
        return ScriptedAnswer(
            200, body={"users": users, "next_page": None, "previous_page": None, "count": len(users)}
        )

    def requested_tickets(self, user_id: int, query: dict[str, str]) -> ScriptedAnswer:
        if not any(user["id"] == user_id for user in self.users):
            return ScriptedAnswer(404, body={"error": "RecordNotFound", "description": "Not found"})
        tickets = [ticket for ticket in self.tickets if ticket["requester_id"] == user_id]
        tickets.sort(
            key=lambda ticket: (ticket["created_at"], ticket["id"]),
            reverse=query.get("sort_order") == "desc",
        )
        page = tickets[: int(query.get("per_page", 100))]
        return ScriptedAnswer(
            200, body={"tickets": page, "next_page": None, "previous_page": None, "count": len(tickets)}
        )

    def add_article(
        self, *, title: str, body: str, updated_at: datetime, draft: bool = False
    ) -> dict[str, Any]:
        article_id = next(self._ids)
        article = {
            "id": article_id,
            "url": f"{self.url}/api/v2/help_center/en-us/articles/{article_id}.json",
            "html_url": f"{self.url}/hc/en-us/articles/{article_id}",
            "title": title,
            "body": body,
            "draft": draft,
            "locale": "en-us",
            "updated_at": zendesk_time(updated_at),
            "edited_at": zendesk_time(updated_at),
        }
        self.articles.append(article)
        return article

    def list_articles(self, query: dict[str, str]) -> ScriptedAnswer:
        """Offset pagination as the Help Center API does it: `page` and `per_page`, a full `next_page` URL."""
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        ordered = sorted(self.articles, key=lambda a: (a["updated_at"], a["id"]))
        chunk = ordered[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(ordered)
        next_page = f"{self.url}/api/v2/help_center/articles.json?page={page + 1}&per_page={per_page}"
        body = {
            "articles": chunk,
            "next_page": next_page if more else None,
            "count": len(ordered),
            "page": page,
        }
        return ScriptedAnswer(200, body=body)

    def incremental_articles(self, query: dict[str, str]) -> ScriptedAnswer:
        """Articles updated at or after `start_time` (Unix seconds), with the `end_time` to resume from."""
        if "start_time" not in query:
            return ScriptedAnswer(
                400, body={"error": "InvalidParameter", "description": "start_time is required"}
            )
        start = int(query["start_time"])
        changed = [a for a in self.articles if _unix(a["updated_at"]) >= start]
        end = max((_unix(a["updated_at"]) for a in changed), default=start)
        body = {
            "articles": changed,
            "next_page": None,
            "end_time": end,
            "end_of_stream": True,
            "count": len(changed),
        }
        return ScriptedAnswer(200, body=body)

    def find_user_by_email(self, email: str) -> dict[str, Any] | None:
        return next((user for user in self.users if (user["email"] or "").lower() == email.lower()), None)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected here, not a failure


@contextmanager
def fake_zendesk(*, email: str, api_token: str) -> Iterator[FakeZendesk]:
    """Serve a FakeZendesk on a free loopback port until the block ends; its `url` is the ZENDESK_URL."""
    zendesk = FakeZendesk(email=email, api_token=api_token)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            self.handle_any()

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            self.handle_any()

        def handle_any(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {name.title(): value for name, value in self.headers.items()}  # case-insensitive
            answer = zendesk.answer(
                SeenRequest(self.command, url.path, dict(parse_qsl(url.query)), headers, body)
            )
            if answer.delay and zendesk.stopping.wait(answer.delay):
                return
            if isinstance(answer.body, dict):
                payload = json.dumps(answer.body).encode()
            else:
                payload = answer.body.encode() if isinstance(answer.body, str) else answer.body
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    zendesk.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield zendesk
    finally:
        zendesk.stopping.set()
        server.shutdown()
        server.server_close()
