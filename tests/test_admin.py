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
    assert admin_client_with_demo.get(reverse(f"admin:agent_{model._meta.model_name}_add")).status_code == 200


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
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and article.body.endswith("Updated.")
