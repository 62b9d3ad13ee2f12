import pytest

from agent.decisions import Policy, decide
from agent.models.drafts import Decision

POLICY = Policy(auto_send_threshold=0.9, always_escalate=False)


def rule(**overrides):
    args = {"in_scope": True, "wants_human": False, "has_draft": True, "confidence": 0.95, "policy": POLICY}
    args.update(overrides)
    return decide(**args)[0]


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (0.0, Decision.REVIEW),
        (0.8999, Decision.REVIEW),
        (0.9, Decision.AUTO_SEND),
        (0.9001, Decision.AUTO_SEND),
        (1.0, Decision.AUTO_SEND),
    ],
)
def test_it_auto_sends_at_or_above_the_threshold_and_reviews_below(confidence, expected):
    assert rule(confidence=confidence) == expected


def test_the_intents_own_threshold_is_used():
    assert rule(confidence=0.95, policy=Policy(0.97, False)) == Decision.REVIEW
    assert rule(confidence=0.6, policy=Policy(0.5, False)) == Decision.AUTO_SEND


def test_out_of_scope_escalates_even_when_confident():
    decision, reason = decide(
        in_scope=False, wants_human=False, has_draft=True, confidence=1.0, policy=POLICY
    )
    assert decision == Decision.ESCALATE and "scope" in reason


def test_a_request_for_a_human_escalates():
    assert rule(wants_human=True, confidence=1.0) == Decision.ESCALATE


def test_a_risky_intent_always_escalates():
    assert rule(confidence=1.0, policy=Policy(0.0, True)) == Decision.ESCALATE


def test_no_draft_escalates_rather_than_sending_nothing():
    assert rule(has_draft=False, confidence=1.0) == Decision.ESCALATE
