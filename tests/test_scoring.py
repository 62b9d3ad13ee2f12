import pytest

from agent.grounding import measure_grounding
from agent.scoring import score_draft

ARTICLE = (
    "Your card usually arrives within 3-5 working days. Track it in the app under Cards > Track delivery."
)


def test_a_draft_copied_from_the_article_is_fully_grounded():
    grounding = measure_grounding("Your card usually arrives within 3-5 working days.", [ARTICLE])
    assert grounding.supported_share == 1.0
    assert grounding.unsupported_numbers == ()


def test_words_and_numbers_missing_from_the_article_lower_grounding():
    grounding = measure_grounding("Your card arrives within 2 days by courier helicopter for £9.", [ARTICLE])
    assert grounding.supported_share < 0.6
    assert set(grounding.unsupported_numbers) == {"2", "£9"}


def test_confidence_multiplies_route_probability_retrieval_agreement_and_grounding():
    grounding = measure_grounding("Your card usually arrives within 3-5 working days.", [ARTICLE])
    confidence, signals = score_draft(
        intent="card_arrival", intent_confidence=0.9, top_passage_intent="card_arrival", grounding=grounding
    )
    assert confidence == 0.9
    assert signals["retrieval_agreement"] == 1.0 and signals["grounded_share"] == 1.0


def test_an_article_for_another_intent_lowers_confidence():
    grounding = measure_grounding("Your card usually arrives within 3-5 working days.", [ARTICLE])
    on, _ = score_draft(
        intent="card_arrival", intent_confidence=0.9, top_passage_intent="card_arrival", grounding=grounding
    )
    off, _ = score_draft(
        intent="card_arrival", intent_confidence=0.9, top_passage_intent="card_linking", grounding=grounding
    )
    assert off < on


def test_each_invented_number_halves_confidence():
    grounding = measure_grounding("Your card arrives within 7 working days, 9 at most.", [ARTICLE])
    confidence, signals = score_draft(
        intent="card_arrival", intent_confidence=1.0, top_passage_intent="card_arrival", grounding=grounding
    )
    assert signals["unsupported_numbers"] == ["7", "9"]
    assert confidence == pytest.approx(0.25 * grounding.supported_share, abs=1e-3)


def test_a_draft_too_short_to_answer_gets_zero():
    grounding = measure_grounding("Card.", [ARTICLE])
    confidence, _ = score_draft(
        intent="card_arrival", intent_confidence=1.0, top_passage_intent="card_arrival", grounding=grounding
    )
    assert confidence == 0.0
