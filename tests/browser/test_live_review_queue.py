"""The live review queue, end to end in a real browser: a customer asks on the demo chat page, reviewers
see the draft arrive, claim it, decide on it, and the customer hears the answer — all without a reload."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, WebSocket, WebSocketRoute, expect

from agent.models import Draft, ThresholdPolicy
from review.access import REVIEWER_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-pw-4821"
# The agent's draft comes from the real local LLM: 1-5 s on a quiet machine, much more on a busy one.
DRAFT_ARRIVES_MS = 60_000
QUESTION = "How do I change my PIN?"


# --- Setup -------------------------------------------------------------------------------------------------


@pytest.fixture
def drafts_go_to_review(demo_bank: None) -> None:
    """The demo bank, with no intent confident enough to auto-send: every answer waits for a reviewer."""
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)


def make_reviewer(username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
    return user


@pytest.fixture
def alice() -> User:
    return make_reviewer("alice")


@pytest.fixture
def bob() -> User:
    return make_reviewer("bob")


# --- Actors ------------------------------------------------------------------------------------------------


def login_reviewer(context: BrowserContext, user: User) -> Page:
    """Log in through the admin's form and land on the review queue, its live updates connected."""
    page = context.new_page()
    page.goto("/admin/login/?next=/review/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("#live-status")).to_have_text("Live updates: on")
    return page


def open_chat(context: BrowserContext) -> tuple[Page, WebSocket]:
    """The customer's demo chat page, and the websocket over which it hears that its conversation changed."""
    page = context.new_page()
    with page.expect_websocket(lambda socket: socket.url.endswith("/ws/chat/")) as socket:
        page.goto("/chat/")
    return page, socket.value


def ask(customer: Page, text: str) -> None:
    """Send a question; the agent runs on it and queues a draft for review."""
    customer.fill("#chat-text", text)
    customer.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator("#conversation li.message.customer p").last).to_have_text(text)
    expect(customer.locator("#conversation .status")).to_have_text(
        "A support specialist is checking this answer.", timeout=DRAFT_ARRIVES_MS
    )


def hears_the_answer(chat_socket: WebSocket) -> AbstractContextManager[Any]:
    """Wrap the action after which the customer's page must be told, over its websocket, it was answered."""
    return chat_socket.expect_event("framereceived", lambda frame: '"answered"' in str(frame))


def draft_row(reviewer: Page, question: str) -> Locator:
    return reviewer.locator("#rows tr[data-draft]", has_text=question)


def wait_for_draft(reviewer: Page, question: str) -> int:
    """The draft for `question` appears in the reviewer's queue; its id."""
    row = draft_row(reviewer, question)
    expect(row).to_be_visible(timeout=DRAFT_ARRIVES_MS)
    return int(row.get_attribute("data-draft") or 0)


def open_draft(reviewer: Page, draft_id: int) -> None:
    """Click through from the queue to the draft, which claims it for this reviewer."""
    reviewer.locator(f"#draft-{draft_id} a.open-draft").click()
    expect(reviewer).to_have_url(re.compile(rf"/review/drafts/{draft_id}/$"))
    expect(reviewer.locator("#decision-form button[value=approve]")).to_be_enabled()


def decide(reviewer: Page, action: str) -> None:
    """Press a decision button; the reviewer is sent back to the queue."""
    reviewer.locator(f"#decision-form button[value={action}]").click()
    expect(reviewer).to_have_url(re.compile(r"/review/$"))


def watch_dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt the page opens, dismissed at once; an empty list means no script ran."""
    opened: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def words(text: str) -> str:
    return " ".join(text.split())


# --- Stories -----------------------------------------------------------------------------------------------


def test_a_draft_arrives_live_on_two_reviewers_pages_and_leaves_when_approved(
    drafts_go_to_review, alice, bob, new_context, snap
):
    alice_page = login_reviewer(new_context("alice"), alice)
    bob_page = login_reviewer(new_context("bob"), bob)
    customer, chat_socket = open_chat(new_context("customer"))

    ask(customer, QUESTION)
    draft_id = wait_for_draft(alice_page, QUESTION)
    assert wait_for_draft(bob_page, QUESTION) == draft_id
    snap(alice_page, "1-draft-arrived-alice")
    snap(bob_page, "1-draft-arrived-bob")
    snap(customer, "1-customer-waiting")

    open_draft(alice_page, draft_id)
    expect(bob_page.locator(f"#draft-{draft_id} td.holder")).to_have_text("alice")
    snap(alice_page, "2-draft-opened-alice")
    snap(bob_page, "2-held-by-alice-bob")

    with hears_the_answer(chat_socket):
        decide(alice_page, "approve")
    expect(alice_page.locator(".notice")).to_have_text(f"Draft {draft_id}: approved as drafted.")
    expect(bob_page.locator(f"#draft-{draft_id}")).to_have_count(0)
    expect(bob_page.locator("#rows")).to_contain_text("Nothing is waiting for review.")

    draft_text = Draft.objects.get(pk=draft_id).text
    answer = customer.locator("#conversation li.message.agent p")
    expect(answer).to_have_text(words(draft_text), use_inner_text=True)
    expect(customer.locator("#conversation .status")).to_have_count(0)
    snap(bob_page, "3-approved-gone-bob")
    snap(customer, "3-customer-answered")


def test_a_rejected_draft_is_replaced_by_the_reviewers_own_answer(
    drafts_go_to_review, alice, new_context, snap
):
    alice_page = login_reviewer(new_context("alice"), alice)
    customer, chat_socket = open_chat(new_context("customer"))
    question = "Where is my new card? It has not arrived yet."
    own_answer = "Cards arrive within 5 working days; I have checked yours and it was posted on Monday."

    ask(customer, question)
    draft_id = wait_for_draft(alice_page, question)
    open_draft(alice_page, draft_id)
    alice_page.fill("#reason", "The draft does not say when the card was posted.")
    alice_page.fill("#own-answer", own_answer)
    snap(alice_page, "1-rejecting-alice")

    with hears_the_answer(chat_socket):
        decide(alice_page, "reject")
    expect(alice_page.locator(".notice")).to_have_text(f"Draft {draft_id}: rejected.")
    expect(alice_page.locator(f"#draft-{draft_id}")).to_have_count(0)

    expect(customer.locator("#conversation li.message.staff p")).to_have_text(own_answer)
    expect(customer.locator("#conversation li.message.agent")).to_have_count(0)
    draft_text = words(Draft.objects.get(pk=draft_id).text)
    assert draft_text not in words(customer.locator("#conversation").inner_text())
    snap(customer, "2-customer-got-own-answer")


def test_a_customers_script_tag_shows_as_text_on_the_reviewers_pages(
    drafts_go_to_review, alice, new_context, snap
):
    alice_page = login_reviewer(new_context("alice"), alice)
    customer, _ = open_chat(new_context("customer"))
    reviewer_dialogs, customer_dialogs = watch_dialogs(alice_page), watch_dialogs(customer)
    question = f"{QUESTION} <script>alert(1)</script>"

    ask(customer, question)
    # The row arrives through the live path: an htmx swap, which would run a real <script> element.
    draft_id = wait_for_draft(alice_page, "<script>alert(1)</script>")
    expect(alice_page.locator(f"#draft-{draft_id} a.open-draft")).to_have_text(question)
    expect(alice_page.locator("#rows script")).to_have_count(0)
    snap(alice_page, "1-queue-shows-text")

    open_draft(alice_page, draft_id)
    expect(alice_page.locator("li.message.customer p")).to_have_text(question)
    expect(alice_page.locator(".messages script")).to_have_count(0)
    snap(alice_page, "2-draft-shows-text")
    snap(customer, "3-customer-page")

    assert reviewer_dialogs == [] and customer_dialogs == []


def test_a_reviewer_sees_a_card_number_masked_and_a_permitted_one_reveals_it(
    drafts_go_to_review, alice, new_context, snap
):
    from django.contrib.auth.models import Permission

    from agent.models import SensitiveDataReveal

    alice.user_permissions.add(Permission.objects.get(codename="reveal_message"))
    alice_page = login_reviewer(new_context("alice"), alice)
    customer, _ = open_chat(new_context("customer"))
    card = "4111 1111 1111 1111"
    ask(customer, f"{QUESTION} My card is {card}.")
    draft_id = wait_for_draft(alice_page, "[CARD_NUMBER]")
    assert card not in alice_page.content()
    open_draft(alice_page, draft_id)
    message = alice_page.locator("li.message.customer").first
    expect(message).to_contain_text("My card is [CARD_NUMBER].")
    snap(alice_page, "1-masked")

    message.get_by_role("button", name="Reveal (recorded)").click()
    expect(message).to_contain_text(f"My card is {card}.")
    expect(message.get_by_role("button", name="Reveal (recorded)")).to_have_count(0)
    snap(alice_page, "2-revealed")
    assert SensitiveDataReveal.objects.filter(user=alice).count() == 1


def test_a_draft_page_whose_socket_was_down_learns_on_reconnect_that_another_reviewer_decided(
    drafts_go_to_review, alice, bob, new_context, snap
):
    from review.models import Claim
    from review.services import approve_draft

    alice_page = login_reviewer(new_context("alice"), alice)
    customer, _ = open_chat(new_context("customer"))
    ask(customer, QUESTION)
    draft_id = wait_for_draft(alice_page, QUESTION)

    sockets: list[WebSocketRoute] = []  # the draft page's live sockets, each passed through to the app

    def pass_through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    alice_page.route_web_socket(re.compile(r"/ws/review/$"), pass_through)
    open_draft(alice_page, draft_id)
    expect(alice_page.locator("#live-status")).to_have_text("Live updates: on")

    # While her page is cut off, Alice's claim runs out and Bob approves the draft: she hears no event of it.
    sockets[-1].close()
    expect(alice_page.locator("#live-status")).to_contain_text("Live updates: off")
    Claim.objects.filter(draft_id=draft_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    approve_draft(draft=Draft.objects.get(pk=draft_id), reviewer=bob)

    # Once the socket is back, the page reads where the draft stands.
    expect(alice_page.locator("#live-status")).to_have_text("Live updates: on", timeout=10_000)
    stale = alice_page.locator("#stale")
    expect(stale).to_have_text("bob has approved this draft. This page is out of date.")
    expect(alice_page.locator("#decision-form button[value=approve]")).to_be_disabled()
    assert len(sockets) == 2
    snap(alice_page, "1-decided-while-offline")
