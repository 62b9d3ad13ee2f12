"""The staff dashboard in a real browser, on seeded data; its screenshot is saved in artifacts/browser/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from agent.models import Customer
from agent.pipeline import run_agent
from agent.services import start_conversation, store_customer_message
from review import services
from review.access import REVIEWER_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-test-pw-4821"


def test_the_dashboard_draws_its_charts_from_seeded_data(
    demo_bank, local_llm, make_pending_draft, new_context, snap
):
    customer = Customer.objects.create(external_id="dashboard-seed")
    questions = ["Someone stole my card yesterday", "Book me a flight to Rome", "How do I change my PIN?"]
    for text in questions:
        run_agent(
            message=store_customer_message(conversation=start_conversation(customer=customer), text=text)
        )
    reviewer = User.objects.create_user("dana", password=PASSWORD, is_staff=True)
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
    for approve in (True, True, False):
        draft = make_pending_draft()
        if approve:
            services.approve_draft(draft=draft, reviewer=reviewer)
        else:
            services.reject_draft(draft=draft, reviewer=reviewer, reason="Not what was asked.")

    page = new_context("dana").new_page()
    page.goto("/admin/login/?next=/dashboard/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("#tools")).to_contain_text("search_knowledge_base")
    page.locator("details summary").click()
    expect(page.locator("#daily tbody tr").last).to_contain_text("0.67")  # 2 of 3 approved today
    snap(page, "dashboard")
