"""What reviewed history says about each intent's threshold: measured precision and coverage of auto-send,
and the threshold that would reach the target precision."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from agent.confidence import current_calibration
from review.calibration import IDENTITY, auto_send_stats, threshold_for_precision
from review.models import EvaluationCase


@dataclass(frozen=True)
class ThresholdReport:
    samples: int
    precision: float | None  # among reviewed drafts at or above the threshold, the share approved as is
    coverage: float  # the share of reviewed drafts at or above the threshold
    threshold_for_target: float | None


def threshold_reports(thresholds: dict[str, float]) -> dict[str, ThresholdReport]:
    """For each intent in `thresholds`, scored with today's calibration on every reviewed draft."""
    calibration = current_calibration()
    history: dict[str, tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    for intent, raw, label in EvaluationCase.objects.values_list("intent", "raw_confidence", "label"):
        scores, approved = history[intent]
        scores.append(calibration.calibrate(intent=intent, raw=raw) if calibration else IDENTITY.apply(raw))
        approved.append(label == EvaluationCase.Label.APPROVED)
    reports = {}
    for intent, threshold in thresholds.items():
        scores, approved = history.get(intent, ([], []))
        if not scores:
            reports[intent] = ThresholdReport(0, None, 0.0, None)
            continue
        stats = auto_send_stats(scores, approved, threshold=threshold)
        target = threshold_for_precision(scores, approved, target=settings.CALIBRATION_TARGET_PRECISION)
        reports[intent] = ThresholdReport(len(scores), stats.precision, stats.coverage, target)
    return reports
