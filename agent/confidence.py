"""The calibration the live pipeline applies: the newest one fitted on reviewed drafts."""

from __future__ import annotations

from agent.config import config
from agent.models import ConfidenceCalibration
from review.calibration import Calibration


def current_calibration() -> Calibration | None:
    """The newest fitted calibration, or None before any has been fitted."""
    latest = ConfidenceCalibration.objects.order_by("-fitted_at", "-pk").first()
    return Calibration.from_json(latest.curves) if latest else None


def calibrate(*, intent: str, raw: float) -> tuple[float, str]:
    """(calibrated confidence, where it came from: intent, global, or identity before any review)."""
    calibration = config.get("calibration", current_calibration)
    if calibration is None:
        return raw, "identity"
    return round(calibration.calibrate(intent=intent, raw=raw), 4), calibration.source(intent)
