"""Calibration of raw draft confidence against reviewer outcomes: pure Python, no database."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

from review.calibration import (
    IDENTITY,
    AutoSendStats,
    Calibration,
    Curve,
    Outcome,
    auto_send_stats,
    fit_calibration,
    fit_curve,
    threshold_for_precision,
)


def synthetic_history(
    n: int, *, intent: str = "card_arrival", seed: int = 7, shape: float = 2.0
) -> list[Outcome]:
    """raw ~ Uniform(0, 1) and approved ~ Bernoulli(raw ** shape): the true curve is known exactly."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.0, 1.0, n)
    approved = rng.random(n) < raw**shape
    return [
        Outcome(intent=intent, raw=float(r), approved=bool(a)) for r, a in zip(raw, approved, strict=True)
    ]


def mixed_outcomes(intent: str, n: int) -> list[Outcome]:
    """n outcomes, alternating labels, spread over raw confidence."""
    return [Outcome(intent=intent, raw=i / n, approved=i % 2 == 0) for i in range(n)]


# --- fitting --------------------------------------------------------------------------------------


def test_it_recovers_a_known_approval_curve():
    calibration = fit_calibration(synthetic_history(5_000))

    assert calibration.calibrate(intent="card_arrival", raw=0.5) == pytest.approx(0.25, abs=0.06)
    assert calibration.calibrate(intent="card_arrival", raw=0.9) == pytest.approx(0.81, abs=0.06)


def test_calibrated_confidence_never_decreases_as_raw_confidence_rises():
    history = synthetic_history(2_000)
    curve = fit_curve([o.raw for o in history], [o.approved for o in history])

    calibrated = [curve.apply(raw) for raw in np.linspace(-0.1, 1.1, 241)]

    assert all(b >= a for a, b in zip(calibrated, calibrated[1:], strict=False))
    assert all(0.0 <= value <= 1.0 for value in calibrated)


def test_the_fitted_curve_keeps_only_the_knots_where_it_bends():
    history = synthetic_history(5_000)

    curve = fit_curve([o.raw for o in history], [o.approved for o in history])

    assert curve.samples == 5_000
    assert len(curve.xs) == len(curve.ys) < 500


def test_fit_curve_refuses_empty_input():
    with pytest.raises(ValueError, match="no outcomes"):
        fit_curve([], [])


def test_fit_curve_refuses_scores_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match="3 scores but 2 approved labels"):
        fit_curve([0.1, 0.2, 0.3], [True, False])


def test_fit_curve_refuses_nan_scores():
    with pytest.raises(ValueError, match="NaN"):
        fit_curve([0.1, math.nan], [True, False])


# --- per-intent vs global -------------------------------------------------------------------------


def test_an_intent_with_enough_mixed_outcomes_gets_its_own_curve():
    # card_arrival is approved only above 0.5; the rest of the history is approved at any confidence.
    strict = [Outcome("card_arrival", raw=i / 100, approved=i >= 50) for i in range(100)]
    lenient = [Outcome("card_linking", raw=i / 100, approved=i % 10 != 0) for i in range(100)]

    calibration = fit_calibration(strict + lenient, min_samples=30)

    assert calibration.source("card_arrival") == "intent"
    assert calibration.calibrate(intent="card_arrival", raw=0.2) == 0.0
    assert calibration.calibrate(intent="card_arrival", raw=0.8) == 1.0
    assert calibration.calibrate(intent="card_arrival", raw=0.2) != calibration.global_curve.apply(0.2)


def test_an_intent_with_too_few_outcomes_falls_back_to_the_global_curve():
    history = synthetic_history(500, intent="card_arrival") + mixed_outcomes("refund", 29)

    calibration = fit_calibration(history, min_samples=30)

    assert "refund" not in calibration.per_intent
    assert calibration.source("refund") == "global"
    for raw in (0.1, 0.5, 0.9):
        assert calibration.calibrate(intent="refund", raw=raw) == calibration.global_curve.apply(raw)


def test_an_intent_whose_drafts_were_all_approved_falls_back_to_the_global_curve():
    always_approved = [Outcome("card_linking", raw=i / 100, approved=True) for i in range(100)]
    history = synthetic_history(500, intent="card_arrival") + always_approved

    calibration = fit_calibration(history, min_samples=30)

    assert calibration.source("card_arrival") == "intent"
    assert calibration.source("card_linking") == "global"
    assert calibration.calibrate(intent="card_linking", raw=0.3) == calibration.global_curve.apply(0.3)


def test_an_intent_never_seen_uses_the_global_curve():
    calibration = fit_calibration(synthetic_history(500))

    assert calibration.source("brand_new_intent") == "global"
    assert calibration.calibrate(intent="brand_new_intent", raw=0.7) == calibration.global_curve.apply(0.7)


def test_a_tiny_history_leaves_confidence_uncalibrated():
    calibration = fit_calibration(mixed_outcomes("card_arrival", 29), min_samples=30)

    assert calibration.global_curve == IDENTITY
    assert calibration.per_intent == {}
    assert calibration.source("card_arrival") == "identity"
    assert calibration.calibrate(intent="card_arrival", raw=0.37) == pytest.approx(0.37)


def test_a_history_with_a_single_label_leaves_confidence_uncalibrated():
    history = [Outcome("card_arrival", raw=i / 100, approved=True) for i in range(100)]

    calibration = fit_calibration(history, min_samples=30)

    assert calibration.source("card_arrival") == "identity"


def test_an_empty_history_leaves_confidence_uncalibrated():
    assert fit_calibration([]).source("anything") == "identity"


def test_min_samples_must_be_positive():
    with pytest.raises(ValueError, match="min_samples"):
        fit_calibration([], min_samples=0)


# --- serialisation --------------------------------------------------------------------------------


def test_a_calibration_round_trips_through_json_exactly():
    history = synthetic_history(800, intent="card_arrival", seed=1) + synthetic_history(
        800, intent="refund", seed=2, shape=0.5
    )
    calibration = fit_calibration(history)

    restored = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))

    assert restored == calibration
    assert restored.source("refund") == "intent" and restored.source("other") == "global"
    for raw in np.linspace(0.0, 1.0, 51):
        assert restored.calibrate(intent="refund", raw=raw) == calibration.calibrate(intent="refund", raw=raw)


def test_an_uncalibrated_calibration_stays_identity_after_a_json_round_trip():
    restored = Calibration.from_json(json.loads(json.dumps(fit_calibration([]).to_json())))

    assert restored.source("card_arrival") == "identity"


def test_a_calibration_can_be_pickled_for_caching():
    calibration = fit_calibration(synthetic_history(300))

    assert pickle.loads(pickle.dumps(calibration)) == calibration


def test_from_json_refuses_an_unknown_version():
    data = fit_calibration([]).to_json() | {"version": 99}

    with pytest.raises(ValueError, match="version 99"):
        Calibration.from_json(data)


def test_from_json_refuses_a_curve_that_is_not_monotone():
    data = fit_calibration([]).to_json()
    data["per_intent"] = {"refund": {"xs": [0.0, 1.0], "ys": [0.9, 0.1], "samples": 40}}

    with pytest.raises(ValueError, match="non-decreasing"):
        Calibration.from_json(data)


def test_from_json_refuses_missing_fields():
    with pytest.raises(ValueError, match="missing"):
        Calibration.from_json({"version": 1, "global": IDENTITY.to_json()})


def test_a_calibration_is_not_changed_by_mutating_the_mapping_it_was_built_from():
    per_intent = {"refund": IDENTITY}
    calibration = Calibration(global_curve=IDENTITY, per_intent=per_intent)

    per_intent.clear()

    assert calibration.source("refund") == "intent"


# --- Curve.apply ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(-0.5, 0.0), (-math.inf, 0.0), (1.5, 1.0), (math.inf, 1.0)])
def test_apply_clamps_raw_confidence_outside_the_unit_interval(raw, expected):
    assert IDENTITY.apply(raw) == expected


def test_apply_treats_nan_as_no_confidence():
    assert IDENTITY.apply(math.nan) == 0.0
    assert Curve(xs=(0.0, 1.0), ys=(0.5, 0.9), samples=40).apply(math.nan) == 0.5


def test_apply_interpolates_between_knots_and_is_flat_beyond_them():
    curve = Curve(xs=(0.2, 0.6), ys=(0.1, 0.5), samples=40)

    assert curve.apply(0.4) == pytest.approx(0.3)
    assert curve.apply(0.0) == 0.1
    assert curve.apply(1.0) == 0.5


@pytest.mark.parametrize(
    ("xs", "ys", "message"),
    [
        ((0.0, 1.0), (0.0,), "equally many"),
        ((), (), "equally many"),
        ((0.5, 0.5), (0.1, 0.2), "strictly increasing"),
        ((0.0, 1.0), (0.8, 0.2), "non-decreasing"),
        ((0.0, 1.5), (0.0, 1.0), r"\[0, 1\]"),
    ],
)
def test_a_curve_that_breaks_its_invariants_cannot_be_built(xs, ys, message):
    with pytest.raises(ValueError, match=message):
        Curve(xs=xs, ys=ys, samples=1)


# --- auto-send stats ------------------------------------------------------------------------------

SCORES = [0.95, 0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2]
APPROVED = [True, True, False, True, True, False, False, True]


def test_auto_send_stats_counts_outcomes_at_or_above_the_threshold():
    # Sent at 0.7: 0.95, 0.9, 0.8, 0.7 (the tie is sent) -> 3 of 4 approved, 4 of 8 outcomes covered.
    stats = auto_send_stats(SCORES, APPROVED, threshold=0.7)

    assert stats == AutoSendStats(threshold=0.7, precision=0.75, coverage=0.5, samples=8)


def test_auto_send_stats_has_no_precision_when_nothing_would_be_sent():
    stats = auto_send_stats(SCORES, APPROVED, threshold=0.99)

    assert stats.precision is None
    assert stats.coverage == 0.0
    assert stats.samples == 8


def test_auto_send_stats_on_no_outcomes_has_no_precision_and_no_coverage():
    assert auto_send_stats([], [], threshold=0.5) == AutoSendStats(
        threshold=0.5, precision=None, coverage=0.0, samples=0
    )


def test_auto_send_stats_refuses_scores_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match="auto_send_stats: got 2 scores but 1 approved labels"):
        auto_send_stats([0.1, 0.2], [True], threshold=0.5)


# --- threshold for a target precision -------------------------------------------------------------

# Sorted high to low: 0.9 T, 0.8 T, 0.7 F, 0.6 T, 0.5 T, 0.4 F
# Precision at or above each:  1/1, 2/2, 2/3, 3/4, 4/5, 4/6
# Deliberately shuffled: the function must sort for itself.
TP_SCORES = [0.6, 0.9, 0.4, 0.7, 0.5, 0.8]
TP_APPROVED = [True, True, False, False, True, True]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (0.8, 0.5),  # 4/5 qualifies even though 0.7 and 0.6 did not: precision is not monotone
        (0.75, 0.5),
        (0.85, 0.8),
        (1.0, 0.8),
        (0.6, 0.4),
    ],
)
def test_threshold_for_precision_finds_the_lowest_threshold_reaching_the_target(target, expected):
    assert threshold_for_precision(TP_SCORES, TP_APPROVED, target=target, min_support=1) == expected


def test_threshold_for_precision_is_none_when_the_target_is_never_reached():
    scores = [0.9, 0.8, 0.7, 0.6]
    approved = [False, True, False, True]

    assert threshold_for_precision(scores, approved, target=0.95, min_support=1) is None


def test_threshold_for_precision_requires_enough_outcomes_above_the_threshold():
    # 1.0 precision at 0.9/0.8 is only 1-2 outcomes; with min_support 3 the first candidate is 0.5 (4/5).
    assert threshold_for_precision(TP_SCORES, TP_APPROVED, target=0.8, min_support=3) == 0.5
    assert threshold_for_precision(TP_SCORES, TP_APPROVED, target=0.8, min_support=6) is None
    assert threshold_for_precision(TP_SCORES, TP_APPROVED, target=1.0, min_support=3) is None


def test_threshold_for_precision_defaults_to_95_percent_over_10_outcomes():
    scores = [1 - i / 100 for i in range(30)]
    approved = [i != 12 for i in range(30)]  # one rejection among the top 13, then all approved

    # Precision first reaches 0.95 at the 20th score (19/20) and keeps rising: the lowest is the last score.
    assert threshold_for_precision(scores, approved) == scores[-1]
    assert threshold_for_precision(scores[:9], approved[:9]) is None  # fewer than 10 outcomes


def test_threshold_for_precision_sends_every_outcome_tied_at_the_threshold():
    # At 0.9 both tied outcomes are sent, one rejected: precision 1/2, never 1/1.
    assert threshold_for_precision([0.9, 0.9, 0.8], [True, False, True], target=1.0, min_support=1) is None


def test_threshold_for_precision_on_no_outcomes_is_none():
    assert threshold_for_precision([], [], target=0.9, min_support=1) is None


def test_threshold_for_precision_refuses_scores_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match="threshold_for_precision: got 1 scores but 2 approved labels"):
        threshold_for_precision([0.5], [True, False])


@pytest.mark.parametrize(("target", "min_support"), [(0.0, 10), (1.01, 10), (0.9, 0)])
def test_threshold_for_precision_refuses_nonsense_settings(target, min_support):
    with pytest.raises(ValueError):
        threshold_for_precision([0.5], [True], target=target, min_support=min_support)
