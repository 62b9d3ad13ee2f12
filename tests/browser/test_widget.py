"""The embeddable chat widget in a real browser: on the app's demo page and on other websites, against the
real local LLM. Screenshots of its states are saved in artifacts/browser/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import BrowserContext, Page, expect

from agent.models import AnswerFeedback, ConversationRating, Draft, Message, ThresholdPolicy, Ticket
from review.access import REVIEWER_GROUP
from tests.browser.conftest import WIDGET_MESSAGES_PER_MINUTE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-pw-4821"
DRAFT_ARRIVES_MS = 60_000  # the real local LLM, on a busy 2-core machine
QUESTION = "How do I change my PIN?"
STOLEN = "Someone stole my card yesterday"  # always handed to a human: no LLM needed

AGENT = '[data-role=message][data-message-role="agent"]'
SYSTEM = '[data-role=message][data-message-role="system"]'
CUSTOMER = '[data-role=message][data-message-role="customer"]'


def open_widget(context: BrowserContext, url: str = "/widget/demo/") -> Page:
    page = context.new_page()
    page.goto(url)
    page.locator("[data-role=launcher]").click()
    expect(page.locator("[data-role=panel]")).to_be_visible()
    expect(page.locator("[data-role=input]")).to_be_focused()
    return page


def send(page: Page, text: str) -> None:
    page.locator("[data-role=input]").fill(text)
    page.locator("[data-role=input]").press("Enter")


def status(page: Page, state: str) -> None:
    expect(page.locator(f"[data-role=status][data-state={state}]")).to_be_visible(timeout=DRAFT_ARRIVES_MS)


def conversation_reads(page: Page) -> list[str]:
    """The page's reads of the whole conversation from now on, as they happen."""
    reads: list[str] = []
    page.on(
        "request",
        lambda request: (
            reads.append(request.url)
            if request.method == "GET" and request.url.endswith("/widget/api/conversation/")
            else None
        ),
    )
    return reads


def test_a_question_is_answered_then_rated(demo_bank, new_context, snap):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    page = open_widget(new_context("customer"))
    snap(page, "1-open")
    send(page, QUESTION)
    expect(page.locator(CUSTOMER)).to_have_text([QUESTION])
    expect(page.locator("[data-role=input]")).to_have_value("")
    status(page, "typing")
    snap(page, "2-typing")

    answer = page.locator(AGENT)
    expect(answer).to_have_count(1, timeout=DRAFT_ARRIVES_MS)
    draft = Draft.objects.get()
    assert draft.decision == "auto_send"
    expect(answer).to_have_text(draft.text)
    expect(page.locator("[data-role=status]")).not_to_have_attribute("data-state", re.compile("."))

    answer.locator("[data-role=thumb-up]").click()
    expect(answer.locator("[data-role=thumb-up]")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Rate 5 out of 5").click()
    expect(page.locator("[data-role=rating]")).to_contain_text("You rated this conversation 5/5")
    snap(page, "3-answered-and-rated")
    feedback, rating = AnswerFeedback.objects.get(), ConversationRating.objects.get()
    assert (feedback.value, feedback.agent_version_id) == ("up", draft.run.agent_version_id)
    assert (rating.score, rating.agent_version_id) == (5, draft.run.agent_version_id)


def test_the_page_that_sent_a_message_does_not_read_the_conversation_again_for_it(demo_bank, new_context):
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)  # every draft waits for a specialist
    page = open_widget(new_context("customer"))
    send(page, QUESTION)
    status(page, "review")  # the live channel is open from here on
    reads = conversation_reads(page)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    send(page, "And can I do that in the app?")
    status(page, "typing")
    status(page, "review")
    page.wait_for_timeout(1000)
    # the event for its own message names a message the page already shows: only the review's is read
    assert len(reads) == 1, reads
    # and the message went over the open live channel, acknowledged there: no HTTP request carried it
    assert posts == [], posts
    assert Message.objects.filter(role="customer", client_ref__startswith="m").count() == 2


def test_asking_for_a_person_reads_the_conversation_once_for_the_hand_over(demo_bank, new_context):
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)
    page = open_widget(new_context("customer"))
    send(page, QUESTION)
    status(page, "review")  # the live channel is open from here on
    reads = conversation_reads(page)
    page.locator("[data-role=human]").click()
    status(page, "handoff")
    expect(page.locator(SYSTEM)).to_contain_text(Ticket.objects.get().reference)
    page.wait_for_timeout(1000)
    # the request's own message came back with the 202; only the hand-over's notice is read
    assert len(reads) == 1, reads


def test_an_answer_waits_for_a_specialist_and_arrives_once_approved(demo_bank, new_context, snap):
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)
    reviewer = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
    page = open_widget(new_context("customer"))
    send(page, QUESTION)
    status(page, "review")
    expect(page.locator("[data-role=status]")).to_have_text("A support specialist is checking this answer.")
    snap(page, "1-waiting-for-review")

    staff = new_context("rita").new_page()
    staff.goto("/admin/login/?next=/review/")
    staff.fill("#id_username", "rita")
    staff.fill("#id_password", PASSWORD)
    staff.locator("#login-form [type=submit]").click()
    draft = Draft.objects.get()
    staff.goto(f"/review/drafts/{draft.pk}/")
    staff.locator("#decision-form button[value=approve]").click()
    expect(staff).to_have_url(re.compile(r"/review/$"))

    expect(page.locator(AGENT)).to_have_text(draft.text, timeout=DRAFT_ARRIVES_MS)
    expect(page.locator("[data-role=status]")).not_to_have_attribute("data-state", "review")
    snap(page, "2-approved-answer-arrived")


def test_a_reload_keeps_the_whole_conversation(demo_bank, new_context, snap):
    context = new_context("customer")
    page = open_widget(context)
    send(page, STOLEN)
    status(page, "handoff")
    reference = Ticket.objects.get().reference
    expect(page.locator(SYSTEM)).to_contain_text(reference)
    snap(page, "1-handed-over")

    page.reload()
    page.locator("[data-role=launcher]").click()
    expect(page.locator(CUSTOMER)).to_have_text([STOLEN])
    expect(page.locator(SYSTEM)).to_contain_text(reference)
    status(page, "handoff")
    snap(page, "2-after-reload")

    # another browser (another customer) sees none of it
    stranger = open_widget(new_context("stranger"))
    expect(stranger.locator("[data-role=message]")).to_have_count(0)


def test_the_rate_limit_is_shown_and_the_message_kept(demo_bank, new_context, snap):
    page = open_widget(new_context("customer"))
    refusal = page.locator("[data-role=alert]")
    # Limits count per minute: 2 per window, so of 5 quick messages at least one is refused.
    for number in range(5):
        send(page, f"{STOLEN} ({number})")
        expect(page.locator("[data-role=send]")).to_have_attribute("aria-disabled", "false")  # answered
        if refusal.is_visible():
            break
    expect(refusal).to_contain_text("You're sending messages faster than we can answer. Please wait")
    expect(page.locator("[data-role=input]")).to_have_value(re.compile(re.escape(STOLEN)))
    assert page.locator(CUSTOMER).count() <= 2 * WIDGET_MESSAGES_PER_MINUTE
    snap(page, "rate-limited")


def test_html_in_a_message_is_shown_as_text(demo_bank, new_context, snap):
    page = open_widget(new_context("customer"))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    text = '<b>bold</b><img src=x onerror="alert(1)"> my card was stolen'
    send(page, text)
    expect(page.locator(CUSTOMER)).to_have_text([text])
    expect(page.locator(f"{CUSTOMER} b, {CUSTOMER} img")).to_have_count(0)
    status(page, "handoff")
    assert dialogs == []
    snap(page, "html-as-text")


def test_the_widget_works_on_an_allowed_site_and_says_so_on_another(host_sites, demo_bank, new_context, snap):
    page = open_widget(new_context("customer"), host_sites.allowed)
    page.locator("[data-role=human]").click()
    status(page, "handoff")
    expect(page.locator(SYSTEM)).to_contain_text(Ticket.objects.get().reference)
    snap(page, "1-allowed-site-handed-over")

    other = open_widget(new_context("other"), host_sites.refused)
    send(other, QUESTION)
    refused = "This website is not allowed to use the Lumen Bank chat."
    expect(other.locator("[data-role=alert]")).to_have_text(refused)
    expect(other.locator("[data-role=input]")).to_have_value(QUESTION)
    snap(other, "2-refused-site")


def test_the_widget_works_from_the_keyboard_on_a_phone(demo_bank, browser, server_url, artifacts):
    context = browser.new_context(base_url=server_url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/widget/demo/")
        launcher = page.locator("[data-role=launcher]")
        launcher.focus()
        page.keyboard.press("Enter")
        panel = page.locator("[data-role=panel]")
        expect(panel).to_be_visible()
        expect(page.locator("[data-role=input]")).to_be_focused()
        box = panel.bounding_box()
        assert box is not None and (box["width"], box["height"]) == (390, 844)
        page.screenshot(path=artifacts / "widget-phone-open.png")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(launcher).to_be_focused()
    finally:
        context.close()
