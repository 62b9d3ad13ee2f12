"""The configuration a run reads is kept for a few seconds; a change saved in this process applies at once."""

import pytest

from agent.config import config
from agent.models import ThresholdPolicy
from agent.policies import policy_for

pytestmark = pytest.mark.django_db


def test_a_saved_policy_applies_to_the_next_run_at_once(demo_bank):
    policy = ThresholdPolicy.objects.get(intent="card_arrival")
    assert policy_for("card_arrival").auto_send_threshold == policy.auto_send_threshold
    policy.auto_send_threshold = 0.42
    policy.save()
    assert policy_for("card_arrival").auto_send_threshold == 0.42


def test_a_change_made_elsewhere_applies_once_the_time_to_live_has_passed(demo_bank, settings):
    settings.AGENT_CONFIG_TTL_SECONDS = 60
    before = policy_for("card_arrival").auto_send_threshold
    ThresholdPolicy.objects.filter(intent="card_arrival").update(auto_send_threshold=0.11)  # sends no signal
    assert policy_for("card_arrival").auto_send_threshold == before
    settings.AGENT_CONFIG_TTL_SECONDS = 0
    assert policy_for("card_arrival").auto_send_threshold == 0.11


def test_an_intent_without_a_row_gets_the_default_threshold(demo_bank, settings):
    settings.DEFAULT_AUTO_SEND_THRESHOLD = 0.97
    config.clear()
    assert policy_for("no_such_intent").auto_send_threshold == 0.97
