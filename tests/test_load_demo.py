from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from agent.intents import INTENTS
from agent.models import AgentVersion, KnowledgeArticle, ThresholdPolicy

pytestmark = pytest.mark.django_db


def test_it_loads_one_article_and_policy_per_banking77_intent():
    call_command("load_demo", stdout=StringIO())
    intents = set(INTENTS)
    assert set(KnowledgeArticle.objects.values_list("intent", flat=True)) == intents
    assert ThresholdPolicy.objects.count() == 77
    assert ThresholdPolicy.objects.get(intent="lost_or_stolen_card").always_escalate
    assert not ThresholdPolicy.objects.get(intent="card_arrival").always_escalate
    assert AgentVersion.objects.get(is_default=True).temperature == Decimal("0.20")


def test_loading_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    before = list(KnowledgeArticle.objects.values("pk", "version", "updated_at"))
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "0 created, 0 updated, 77 unchanged" in out.getvalue()
    assert list(KnowledgeArticle.objects.values("pk", "version", "updated_at")) == before


def test_an_edited_article_is_restored_with_a_new_version():
    call_command("load_demo", stdout=StringIO())
    KnowledgeArticle.objects.filter(intent="card_arrival").update(body="changed")
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "1 updated" in out.getvalue()
    assert KnowledgeArticle.objects.get(intent="card_arrival").version == 2


def test_it_keeps_a_threshold_an_admin_changed():
    call_command("load_demo", stdout=StringIO())
    ThresholdPolicy.objects.filter(intent="card_arrival").update(auto_send_threshold=0.5)
    call_command("load_demo", stdout=StringIO())
    assert ThresholdPolicy.objects.get(intent="card_arrival").auto_send_threshold == 0.5


def test_it_creates_the_demo_reviewer_on_request():
    call_command("load_demo", "--reviewer", "rita", "--password", "s3cret-pass", stdout=StringIO())
    user = User.objects.get(username="rita")
    assert user.is_staff and user.check_password("s3cret-pass")
    assert user.groups.filter(name="Support reviewers").exists()
