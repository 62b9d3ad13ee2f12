import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from agent.models import KnowledgeArticle

pytestmark = pytest.mark.django_db

AGENT_MODELS = [model for model in admin.site._registry if model._meta.app_label == "agent"]


@pytest.fixture
def admin_client_with_demo(client, demo_bank):
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def test_every_domain_model_is_in_the_admin():
    names = {model.__name__ for model in AGENT_MODELS}
    assert names >= {
        "Customer",
        "Conversation",
        "Message",
        "KnowledgeArticle",
        "Ticket",
        "AgentRun",
        "AgentStep",
        "Draft",
        "ThresholdPolicy",
        "AgentVersion",
        "LanguageModel",
    }


@pytest.mark.parametrize("model", AGENT_MODELS, ids=lambda m: m.__name__)
def test_each_changelist_searches_and_filters(admin_client_with_demo, model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"
    url = reverse(f"admin:agent_{model._meta.model_name}_changelist")
    assert admin_client_with_demo.get(url, {"q": "card"}).status_code == 200
    add = admin_client_with_demo.get(reverse(f"admin:agent_{model._meta.model_name}_add"))
    # what customers said is kept as they said it, and reveals as they happened: no adding by hand
    read_only = {"AnswerFeedback", "ConversationRating", "Message", "SensitiveDataReveal"}
    assert add.status_code == (403 if model.__name__ in read_only else 200)


def test_editing_an_articles_body_in_admin_raises_its_version(admin_client_with_demo):
    article = KnowledgeArticle.objects.get(intent="card_arrival")
    url = reverse("admin:agent_knowledgearticle_change", args=[article.pk])
    response = admin_client_with_demo.post(
        url,
        {
            "slug": article.slug,
            "source_id": article.source_id,
            "intent": article.intent,
            "title": article.title,
            "body": article.body + " Updated.",
            "is_published": "on",
            **{f"revisions-{key}": "0" for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")},
            "revisions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and article.body.endswith("Updated.")


def test_changing_a_threshold_in_admin_is_audited(admin_client_with_demo):
    from agent.models import ThresholdPolicy
    from review.models import ThresholdChange

    policy = ThresholdPolicy.objects.get(intent="card_arrival")
    url = reverse("admin:agent_thresholdpolicy_change", args=[policy.pk])
    response = admin_client_with_demo.post(
        url, {"intent": "card_arrival", "auto_send_threshold": "0.8", "cascade_threshold": "0"}
    )
    assert response.status_code == 302
    change = ThresholdChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("auto_send_threshold", "0.95", "0.8")
    assert change.changed_by.username == "admin"


def test_the_threshold_list_shows_measured_precision_coverage_and_the_target_threshold(
    admin_client_with_demo, make_reviewer, make_pending_draft
):
    from agent.models import ThresholdPolicy
    from review import services

    ThresholdPolicy.objects.filter(intent="change_pin").update(auto_send_threshold=0.85)
    rita = make_reviewer("rita")
    # 12 drafts scored 0.9, all approved; 8 scored 0.4, one approved. No calibration is fitted yet
    # (the refit runs after commit), so scores are the raw ones.
    for i in range(20):
        draft = make_pending_draft(raw_confidence=0.9 if i < 12 else 0.4)
        if i < 13:
            services.approve_draft(draft=draft, reviewer=rita)
        else:
            services.reject_draft(draft=draft, reviewer=rita, reason="wrong")
    response = admin_client_with_demo.get(
        reverse("admin:agent_thresholdpolicy_changelist"), {"q": "change_pin"}
    )
    cells = re.findall(r'<td class="field-(\w+)[^"]*">([^<]*)<', response.content.decode())
    row = dict(cells)
    assert row["reviewed"] == "20"
    assert row["measured_precision"] == "100.0%" and row["measured_coverage"] == "60.0%"
    assert row["threshold_for_target"] == "0.900"


def test_admin_actions_decide_drafts_through_the_review_services(admin_client_with_demo, make_pending_draft):
    from agent.models import Draft
    from review.models import ReviewDecision

    waiting, decided = make_pending_draft(), make_pending_draft()
    decided.status = Draft.Status.APPROVED
    decided.save()
    response = admin_client_with_demo.post(
        reverse("admin:agent_draft_changelist"),
        {"action": "approve_as_drafted", "_selected_action": [waiting.pk, decided.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "1 draft(s) decided." in text and f"Draft {decided.pk}: This draft is no longer waiting" in text
    assert ReviewDecision.objects.get().draft == waiting
