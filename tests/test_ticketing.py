"""Ticketing behind one interface: the built-in ticket table, and Zendesk over real HTTP to a fake server."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from agent.models import Conversation, Customer, Ticket
from agent.ticketing import (
    PermanentTicketingError,
    RetryableTicketingError,
    get_ticketing_backend,
)
from agent.ticketing.builtin import BuiltinTicketing
from agent.ticketing.zendesk import ZendeskTicketing, parse_retry_after
from tests.conftest import ZENDESK_EMAIL, ZENDESK_TOKEN, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(db) -> Customer:  # type: ignore[no-untyped-def]
    return Customer.objects.create(external_id="c-200", name="Sam Carter", email="sam@example.com")


@pytest.fixture
def alex(db) -> Customer:  # type: ignore[no-untyped-def]
    return Customer.objects.create(external_id="c-201", name="Alex Kim", email="alex@example.com")


def ago(**kwargs: float) -> datetime:
    return datetime.now(UTC) - timedelta(**kwargs)


def open_a_ticket(
    customer: Customer,
    *,
    subject: str = "Card not arrived",
    description: str = "Ordered two weeks ago.",
    intent: str = "",
    priority: str = "normal",
) -> None:
    get_ticketing_backend().create_ticket(
        customer=customer, subject=subject, description=description, intent=intent, priority=priority
    )


# The built-in backend.


def test_builtin_create_stores_the_ticket_with_customer_conversation_and_intent(sam):
    conversation = Conversation.objects.create(customer=sam)
    ref = BuiltinTicketing().create_ticket(
        customer=sam,
        subject="Card not arrived",
        description="Ordered two weeks ago, still nothing.",
        intent="card_arrival",
        conversation=conversation,
    )
    ticket = Ticket.objects.get(reference=ref.reference)
    assert (ticket.customer, ticket.conversation, ticket.intent, ticket.reason) == (
        sam,
        conversation,
        "card_arrival",
        "Ordered two weeks ago, still nothing.",
    )


def test_builtin_create_returns_a_reference_the_customer_can_quote(sam):
    ref = BuiltinTicketing().create_ticket(
        customer=sam, subject="Card not arrived", description="Still nothing."
    )
    assert ref.reference.startswith("T-") and ref.status == "open" and ref.subject == "Card not arrived"
    assert ref.created_at.tzinfo is not None and ref.url.endswith(f"/{Ticket.objects.get().pk}/change/")


def test_builtin_recent_tickets_are_the_customers_own_newest_first(sam, alex):
    for subject, age in [("oldest", 3), ("newest", 1), ("middle", 2)]:
        ticket = Ticket.objects.create(customer=sam, subject=subject)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=ago(days=age))
    Ticket.objects.create(customer=alex, subject="not Sam's")
    refs = BuiltinTicketing().recent_tickets(customer=sam)
    assert [ref.subject for ref in refs] == ["newest", "middle", "oldest"]


def test_builtin_recent_tickets_stop_at_the_limit(sam):
    for n in range(4):
        Ticket.objects.create(customer=sam, subject=f"ticket {n}")
    assert len(BuiltinTicketing().recent_tickets(customer=sam, limit=2)) == 2


def test_a_long_subject_is_shortened_to_one_line(sam):
    ref = BuiltinTicketing().create_ticket(
        customer=sam, subject="Help\n" + "x" * 300, description="See subject."
    )
    assert "\n" not in ref.subject and len(ref.subject) == 150 and ref.subject.endswith("…")


@pytest.mark.parametrize(
    "overrides",
    [{"subject": "  "}, {"description": ""}, {"priority": "extreme"}, {"intent": "x" * 65}],
    ids=["blank subject", "blank description", "unknown priority", "overlong intent"],
)
def test_an_unusable_ticket_is_refused_before_anything_is_stored(sam, overrides):
    with pytest.raises(PermanentTicketingError):
        open_a_ticket(sam, **overrides)
    assert not Ticket.objects.exists()


# Choosing the backend.


def test_the_builtin_backend_is_the_default():
    assert isinstance(get_ticketing_backend(), BuiltinTicketing)


def test_zendesk_is_chosen_by_settings(zendesk):
    assert isinstance(get_ticketing_backend(), ZendeskTicketing)


@pytest.mark.parametrize("missing", ["ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"])
def test_zendesk_without_its_settings_names_the_missing_variable(zendesk, settings, missing):
    setattr(settings, missing, "")
    with pytest.raises(ImproperlyConfigured, match=missing):
        get_ticketing_backend()


def test_a_zendesk_url_without_a_scheme_is_refused(zendesk, settings):
    settings.ZENDESK_URL = "lumenbank.zendesk.com"
    with pytest.raises(ImproperlyConfigured, match="ZENDESK_URL must be a full URL"):
        get_ticketing_backend()


def test_an_unknown_backend_is_refused(settings):
    settings.TICKETING_BACKEND = "jira"
    with pytest.raises(ImproperlyConfigured, match="jira"):
        get_ticketing_backend()


# Zendesk: creating a ticket.


def test_zendesk_create_sends_the_ticket_in_zendesks_wire_format(zendesk, sam):
    conversation = Conversation.objects.create(customer=sam)
    get_ticketing_backend().create_ticket(
        customer=sam,
        subject="Card not arrived",
        description="Ordered two weeks ago, still nothing.",
        intent="card_arrival",
        conversation=conversation,
        priority="high",
    )
    (request,) = zendesk.requests
    assert (request.method, request.path, request.headers["Content-Type"]) == (
        "POST",
        "/api/v2/tickets.json",
        "application/json",
    )
    assert request.body == {
        "ticket": {
            "subject": "Card not arrived",
            "comment": {"body": "Ordered two weeks ago, still nothing."},
            "priority": "high",
            "tags": ["card_arrival"],
            "requester": {"name": "Sam Carter", "email": "sam@example.com"},
            "external_id": str(conversation.public_id),
        }
    }


def test_zendesk_requests_authenticate_with_the_api_token(zendesk, sam):
    open_a_ticket(sam)
    credentials = base64.b64encode(f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()).decode()
    assert zendesk.requests[0].headers["Authorization"] == f"Basic {credentials}"


def test_zendesk_create_returns_the_ticket_id_as_the_reference(zendesk, sam):
    ref = get_ticketing_backend().create_ticket(customer=sam, subject="Card not arrived", description="Help.")
    (ticket,) = zendesk.tickets
    assert ref.reference == str(ticket["id"]) and ref.subject == "Card not arrived"
    assert ref.status == "open"  # Zendesk says "new"; the customer sees an open ticket
    assert ref.created_at.tzinfo is not None and abs(ref.created_at - datetime.now(UTC)) < timedelta(
        minutes=1
    )
    assert ref.url == f"{zendesk.url}/agent/tickets/{ticket['id']}"


def test_zendesk_create_stores_nothing_in_our_ticket_table(zendesk, sam):
    open_a_ticket(sam)
    assert len(zendesk.tickets) == 1 and not Ticket.objects.exists()


def test_a_customer_without_email_cannot_be_a_zendesk_requester(zendesk, sam):
    sam.email = ""
    with pytest.raises(PermanentTicketingError, match="no email address"):
        open_a_ticket(sam)
    assert zendesk.requests == []


# Zendesk: a customer's recent tickets.


def test_zendesk_recent_tickets_finds_the_requester_by_email_then_lists_their_tickets(zendesk, sam):
    user = zendesk.add_user(email="sam@example.com", name="Sam Carter")
    zendesk.add_ticket(requester=user, subject="Card not arrived", created_at=ago(days=1))
    refs = get_ticketing_backend().recent_tickets(customer=sam, limit=3)
    search, listing = zendesk.requests
    assert (search.path, search.query) == ("/api/v2/users/search.json", {"query": "email:sam@example.com"})
    assert (listing.path, listing.query) == (
        f"/api/v2/users/{user['id']}/tickets/requested.json",
        {"sort_by": "created_at", "sort_order": "desc", "per_page": "3"},
    )
    assert [ref.subject for ref in refs] == ["Card not arrived"]


def test_zendesk_recent_tickets_are_the_customers_own_newest_first_up_to_the_limit(zendesk, sam):
    user = zendesk.add_user(email="sam@example.com")
    other = zendesk.add_user(email="alex@example.com")
    for subject, age in [("oldest", 3), ("newest", 1), ("middle", 2)]:
        zendesk.add_ticket(requester=user, subject=subject, created_at=ago(days=age))
    zendesk.add_ticket(requester=other, subject="not Sam's", created_at=ago(hours=1))
    refs = get_ticketing_backend().recent_tickets(customer=sam, limit=2)
    assert [ref.subject for ref in refs] == ["newest", "middle"]


def test_only_the_user_with_exactly_the_customers_email_counts(zendesk, sam):
    zendesk.add_user(email="sam@example.com.evil")  # what a fuzzy search could also return
    assert get_ticketing_backend().recent_tickets(customer=sam) == []


def test_a_customer_unknown_to_zendesk_has_no_tickets(zendesk, sam):
    assert get_ticketing_backend().recent_tickets(customer=sam) == []
    assert [request.path for request in zendesk.requests] == ["/api/v2/users/search.json"]


def test_a_customer_without_email_is_looked_up_by_external_id(zendesk, sam):
    sam.email = ""
    user = zendesk.add_user(name="Sam Carter", external_id="c-200")
    zendesk.add_ticket(requester=user, subject="From the bank's CRM", created_at=ago(days=1))
    refs = get_ticketing_backend().recent_tickets(customer=sam)
    assert zendesk.requests[0].query == {"external_id": "c-200"}
    assert [ref.subject for ref in refs] == ["From the bank's CRM"]


@pytest.mark.parametrize(
    ("zendesk_status", "shown"),
    [("new", "open"), ("open", "open"), ("hold", "open"), ("pending", "pending"), ("solved", "solved"),
     ("closed", "solved")],
)  # fmt: skip
def test_zendesk_statuses_read_as_zendesk_shows_them_to_customers(zendesk, sam, zendesk_status, shown):
    user = zendesk.add_user(email="sam@example.com")
    zendesk.add_ticket(requester=user, subject="Card", status=zendesk_status, created_at=ago(days=1))
    (ref,) = get_ticketing_backend().recent_tickets(customer=sam)
    assert ref.status == shown


def test_a_limit_of_zero_asks_zendesk_nothing(zendesk, sam):
    assert get_ticketing_backend().recent_tickets(customer=sam, limit=0) == []
    assert zendesk.requests == []


# Zendesk: failures worth retrying.


def test_429_with_retry_after_in_seconds_is_retryable_after_that_wait(zendesk, sam):
    zendesk.fail_next(429, headers={"Retry-After": "7"}, body={"error": "TooManyRequests"})
    with pytest.raises(RetryableTicketingError, match="HTTP 429") as caught:
        open_a_ticket(sam)
    assert caught.value.retry_after == 7.0


def test_429_with_retry_after_as_an_http_date_is_retryable_until_then(zendesk, sam):
    zendesk.fail_next(429, headers={"Retry-After": format_datetime(ago(seconds=-30), usegmt=True)})
    with pytest.raises(RetryableTicketingError) as caught:
        open_a_ticket(sam)
    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 30


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(500, {}, None), (502, {}, None), (503, {"Retry-After": "120"}, 120.0)],
)
def test_a_zendesk_server_error_is_retryable(zendesk, sam, status, headers, retry_after):
    zendesk.fail_next(status, headers=headers, body="<html>Service Unavailable</html>")
    with pytest.raises(RetryableTicketingError, match=f"HTTP {status}") as caught:
        open_a_ticket(sam)
    assert caught.value.retry_after == retry_after


def test_the_connector_does_not_retry_by_itself(zendesk, sam):
    zendesk.fail_next(503)
    with pytest.raises(RetryableTicketingError):
        open_a_ticket(sam)
    assert len(zendesk.requests) == 1 and zendesk.tickets == []


def test_a_slow_zendesk_times_out_as_retryable(zendesk, sam, settings):
    settings.EXTERNAL_TIMEOUT_SECONDS = 0.2
    zendesk.fail_next(201, body={"ticket": {}}, delay=3)
    started = datetime.now(UTC)
    with pytest.raises(RetryableTicketingError, match="did not answer within 0.2 s"):
        open_a_ticket(sam)
    assert datetime.now(UTC) - started < timedelta(seconds=2)


def test_zendesk_not_listening_is_retryable(zendesk, sam, settings):
    settings.ZENDESK_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RetryableTicketingError, match="Could not connect"):
        get_ticketing_backend().recent_tickets(customer=sam)


# Zendesk: failures that retrying will not fix.


def test_wrong_credentials_are_permanent_with_zendesks_error_text(zendesk, sam, settings):
    settings.ZENDESK_API_TOKEN = "revoked-token"
    with pytest.raises(PermanentTicketingError, match=r"HTTP 401\): Couldn't authenticate you"):
        open_a_ticket(sam)


def test_a_rejected_ticket_is_permanent_with_zendesks_validation_text(zendesk, sam):
    sam.email = "not-an-email"
    with pytest.raises(PermanentTicketingError, match=r"HTTP 422\).*Email: not-an-email is not properly"):
        open_a_ticket(sam)


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_client_errors_are_permanent(zendesk, sam, status):
    zendesk.fail_next(status, body={"error": {"title": "Forbidden", "message": "You cannot do that"}})
    with pytest.raises(PermanentTicketingError, match=f"HTTP {status}\\): Forbidden: You cannot do that"):
        open_a_ticket(sam)


def test_a_long_zendesk_error_is_shortened(zendesk, sam):
    zendesk.fail_next(422, body={"error": "RecordInvalid", "description": "x" * 5000})
    with pytest.raises(PermanentTicketingError) as caught:
        open_a_ticket(sam)
    assert len(str(caught.value)) < 400 and str(caught.value).endswith("…")


def test_a_redirect_is_permanent_and_points_at_the_url_setting(zendesk, sam):
    zendesk.fail_next(301, headers={"Location": "https://lumenbank.zendesk.com/api/v2/tickets.json"})
    with pytest.raises(PermanentTicketingError, match="HTTP 301.*check ZENDESK_URL"):
        open_a_ticket(sam)


def test_an_unusable_zendesk_url_is_permanent(zendesk, sam, settings):
    settings.ZENDESK_URL = "http://127.0.0.1:99999"
    with pytest.raises(PermanentTicketingError, match="ZENDESK_URL"):
        open_a_ticket(sam)


def test_a_garbage_answer_is_permanent(zendesk, sam):
    zendesk.fail_next(200, body="<html>Welcome to the captive portal</html>")
    with pytest.raises(PermanentTicketingError, match="not JSON"):
        open_a_ticket(sam)


@pytest.mark.parametrize(
    "body",
    [
        {"tickets": []},
        {"ticket": {"status": "new"}},
        {"ticket": {"id": 5, "created_at": "yesterday"}},
        '["x"]',
    ],
    ids=["no ticket", "no id", "bad created_at", "not an object"],
)
def test_a_malformed_ticket_answer_is_permanent(zendesk, sam, body):
    zendesk.fail_next(201, body=body)
    with pytest.raises(PermanentTicketingError, match="not a JSON object|malformed"):
        open_a_ticket(sam)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("2.5", 2.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_to_wait(header, seconds):
    assert parse_retry_after(header) == seconds
