"""Calibrate the agent's raw draft confidence against what human reviewers actually approved.

The drafting pipeline produces a raw confidence in [0, 1] that is only loosely related to how often a
reviewer approves the draft unchanged. From the reviewed history we fit a monotone curve mapping raw
confidence to P(approved) -- one per intent where that intent has enough evidence, one global curve
otherwise -- so that an intent's auto-send threshold can be read as an approval probability.

The module also measures what a threshold buys (precision and coverage of auto-send) and finds the lowest
threshold that reaches a target precision, for the admin.

Deliberately free of Django: everything here works on plain sequences so it can be tested without a
database and reused by management commands, workers and notebooks alike.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.isotonic import IsotonicRegression

# Bumped whenever the JSON layout changes, so a stored calibration from another layout fails loudly
# instead of being misread.
JSON_VERSION = 1


def _clamp_unit(value: float) -> float:
    """Clamp to [0, 1]; NaN means "no usable confidence", which must never auto-send, so it maps to 0."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Curve:
    """A monotone, non-decreasing map from raw confidence to P(approved).

    Between knots the curve is linear; outside the first/last knot it is flat (the fitted data says nothing
    beyond its range, so we do not extrapolate).
    """

    xs: tuple[float, ...]  # strictly increasing knots in [0, 1]
    ys: tuple[float, ...]  # non-decreasing values in [0, 1]
    samples: int  # outcomes the curve was fitted on; 0 for IDENTITY

    def __post_init__(self) -> None:
        # Normalise to tuples of plain floats: numpy scalars would break JSON and equality after a round trip.
        xs = tuple(float(x) for x in self.xs)
        ys = tuple(float(y) for y in self.ys)
        object.__setattr__(self, "xs", xs)
        object.__setattr__(self, "ys", ys)
        # A curve that violates its invariants would silently mis-rank drafts, so refuse to build one.
        if not xs or len(xs) != len(ys):
            raise ValueError(f"Curve needs equally many xs and ys, at least one: got {len(xs)} and {len(ys)}")
        if not all(0.0 <= v <= 1.0 for v in xs + ys):
            raise ValueError("Curve knots and values must lie in [0, 1]")
        if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ValueError("Curve xs must be strictly increasing")
        if any(b < a for a, b in zip(ys, ys[1:], strict=False)):
            raise ValueError("Curve ys must be non-decreasing")
        if self.samples < 0:
            raise ValueError(f"Curve samples must be >= 0, got {self.samples}")

    def apply(self, raw: float) -> float:
        """Calibrated P(approved) for one raw confidence; out-of-range raw is clamped, NaN gives 0.0."""
        x = _clamp_unit(float(raw))
        return _clamp_unit(float(np.interp(x, self.xs, self.ys)))

    def to_json(self) -> dict[str, Any]:
        return {"xs": list(self.xs), "ys": list(self.ys), "samples": self.samples}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Curve:
        try:
            return cls(xs=tuple(data["xs"]), ys=tuple(data["ys"]), samples=int(data["samples"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"Malformed curve JSON: {exc!r}") from exc


# Used when there is too little history to trust a fit: calibrated confidence == raw confidence.
IDENTITY = Curve(xs=(0.0, 1.0), ys=(0.0, 1.0), samples=0)


def _paired_arrays(
    scores: Sequence[float], approved: Sequence[bool], *, what: str
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Validate and convert a (scores, approved) pair; NaN scores are refused rather than silently dropped."""
    if len(scores) != len(approved):
        raise ValueError(f"{what}: got {len(scores)} scores but {len(approved)} approved labels")
    score_array = np.asarray(scores, dtype=np.float64).reshape(-1)
    approved_array = np.asarray(approved, dtype=bool).reshape(-1)
    if np.isnan(score_array).any():
        raise ValueError(f"{what}: scores contain NaN")
    return score_array, approved_array


def fit_curve(raw: Sequence[float], approved: Sequence[bool]) -> Curve:
    """Fit P(approved | raw confidence) by isotonic regression.

    Isotonic rather than Platt/logistic: we only assume "higher raw confidence is never worse", not a
    particular shape, and the reviewed history is large enough for a non-parametric fit.
    """
    x, y = _paired_arrays(raw, approved, what="fit_curve")
    if x.size == 0:
        raise ValueError("fit_curve: cannot fit a curve to no outcomes")
    # Clamp like Curve.apply does, so fitting and applying see the same input domain.
    x = np.clip(x, 0.0, 1.0)
    model = IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0, y_max=1.0)
    model.fit(x, y.astype(np.float64))
    # X_thresholds_/y_thresholds_ keep only the knots where the step function changes, so a curve fitted on
    # thousands of outcomes stays small enough to store as JSON and interpolate cheaply.
    ys = np.maximum.accumulate(np.clip(model.y_thresholds_, 0.0, 1.0))  # guard against float noise
    return Curve(xs=tuple(model.X_thresholds_), ys=tuple(ys), samples=int(x.size))


@dataclass(frozen=True)
class Calibration:
    """The global curve plus per-intent curves for the intents that had enough evidence."""

    global_curve: Curve
    per_intent: Mapping[str, Curve]

    def __post_init__(self) -> None:
        # Copy, so that mutating the mapping the caller passed in cannot change a "frozen" calibration.
        # A plain dict (not MappingProxyType) keeps the object picklable, e.g. for Django's cache.
        object.__setattr__(self, "per_intent", dict(self.per_intent))

    def curve_for(self, intent: str) -> Curve:
        """The curve used for an intent: its own if fitted, otherwise the global one."""
        return self.per_intent.get(intent, self.global_curve)

    def calibrate(self, *, intent: str, raw: float) -> float:
        """Calibrated P(approved) for a draft of this intent with this raw confidence."""
        return self.curve_for(intent).apply(raw)

    def source(self, intent: str) -> str:
        """Where the intent's calibration comes from: "intent", "global" or "identity" (uncalibrated)."""
        if intent in self.per_intent:
            return "intent"
        # Compare by value, not identity: a calibration loaded from JSON holds an equal but distinct curve.
        return "identity" if self.global_curve == IDENTITY else "global"

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict; floats are stored as-is so from_json reproduces an equal Calibration."""
        return {
            "version": JSON_VERSION,
            "global": self.global_curve.to_json(),
            "per_intent": {intent: self.per_intent[intent].to_json() for intent in sorted(self.per_intent)},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        """Rebuild a Calibration from to_json output; raises ValueError on anything else."""
        if not isinstance(data, Mapping) or data.get("version") != JSON_VERSION:
            version = data.get("version") if isinstance(data, Mapping) else None
            raise ValueError(f"Unsupported calibration JSON version {version!r}; expected {JSON_VERSION}")
        try:
            per_intent_data = data["per_intent"]
            global_data = data["global"]
        except KeyError as exc:
            raise ValueError(f"Malformed calibration JSON: missing {exc}") from exc
        return cls(
            global_curve=Curve.from_json(global_data),
            per_intent={str(intent): Curve.from_json(curve) for intent, curve in per_intent_data.items()},
        )


@dataclass(frozen=True)
class Outcome:
    """One reviewed draft: approved as-is (True) or edited/rejected (False)."""

    intent: str
    raw: float
    approved: bool


def _fittable(outcomes: Sequence[Outcome], min_samples: int) -> bool:
    """Enough outcomes, and both labels: a one-label history can only ever fit a flat, useless curve."""
    labels = {outcome.approved for outcome in outcomes}
    return len(outcomes) >= min_samples and labels == {True, False}


def _fit_outcomes(outcomes: Sequence[Outcome]) -> Curve:
    return fit_curve([o.raw for o in outcomes], [o.approved for o in outcomes])


def fit_calibration(history: Iterable[Outcome], *, min_samples: int = 30) -> Calibration:
    """Fit the global curve and a curve for every intent with at least min_samples mixed outcomes.

    Intents below that bar fall back to the global curve; if even the whole history is below it, the global
    curve is IDENTITY (raw confidence is used unchanged), which is the honest answer with no evidence.
    """
    if min_samples < 1:
        raise ValueError(f"min_samples must be >= 1, got {min_samples}")
    outcomes = list(history)
    global_curve = _fit_outcomes(outcomes) if _fittable(outcomes, min_samples) else IDENTITY

    by_intent: defaultdict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_intent[outcome.intent].append(outcome)
    per_intent = {
        intent: _fit_outcomes(group) for intent, group in by_intent.items() if _fittable(group, min_samples)
    }
    return Calibration(global_curve=global_curve, per_intent=per_intent)


@dataclass(frozen=True)
class AutoSendStats:
    """What auto-sending everything scoring at or above a threshold would have done on past outcomes."""

    threshold: float
    precision: float | None  # share approved among outcomes with score >= threshold; None if none qualify
    coverage: float  # share of outcomes with score >= threshold (0.0 if there are no outcomes)
    samples: int  # outcomes measured


def auto_send_stats(scores: Sequence[float], approved: Sequence[bool], *, threshold: float) -> AutoSendStats:
    """Measured precision and coverage of auto-send at a threshold (score >= threshold is sent).

    Scores should be calibrated confidences, since that is what the live pipeline compares to the threshold.
    """
    if math.isnan(threshold):
        raise ValueError("auto_send_stats: threshold is NaN")
    score_array, approved_array = _paired_arrays(scores, approved, what="auto_send_stats")
    sent = score_array >= threshold
    sent_count = int(sent.sum())
    precision = float(approved_array[sent].mean()) if sent_count else None
    coverage = sent_count / score_array.size if score_array.size else 0.0
    return AutoSendStats(
        threshold=threshold, precision=precision, coverage=coverage, samples=score_array.size
    )


def threshold_for_precision(
    scores: Sequence[float], approved: Sequence[bool], *, target: float = 0.95, min_support: int = 10
) -> float | None:
    """The lowest observed score t with precision(score >= t) >= target over at least min_support outcomes.

    "Lowest" because a lower threshold auto-sends more; precision is not monotone in the threshold, so every
    candidate is checked rather than stopping at the first failure. Returns None if no threshold qualifies
    (including when there are no outcomes).
    """
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target must be in (0, 1], got {target}")
    if min_support < 1:
        raise ValueError(f"min_support must be >= 1, got {min_support}")
    score_array, approved_array = _paired_arrays(scores, approved, what="threshold_for_precision")
    if score_array.size == 0:
        return None

    # Sort once, highest score first; the i-th prefix is then "everything at or above sorted_scores[i]".
    order = np.argsort(-score_array, kind="stable")
    sorted_scores = score_array[order]
    sent = np.arange(1, sorted_scores.size + 1)
    hits = np.cumsum(approved_array[order])
    # A threshold sends every outcome tied at it, so only the last position of each run of ties is a real
    # candidate; judging a prefix that splits a tie would overstate precision.
    ends_tie_run = np.append(sorted_scores[1:] != sorted_scores[:-1], True)
    qualifies = ends_tie_run & (sent >= min_support) & (hits / sent >= target)
    if not qualifies.any():
        return None
    # The last qualifying prefix in descending order is the lowest qualifying threshold.
    return float(sorted_scores[np.flatnonzero(qualifies)[-1]])
