from django.db import models


class ConfidenceCalibration(models.Model):
    """A fitted map from raw draft confidence to the probability a reviewer approves; the newest is used."""

    fitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    samples = models.PositiveIntegerField()
    curves = models.JSONField(help_text="The global and per-intent curves (review.calibration.Calibration).")

    class Meta:
        ordering = ["-fitted_at", "-pk"]
        get_latest_by = ["fitted_at", "pk"]

    def __str__(self) -> str:
        return f"Calibration of {self.fitted_at:%Y-%m-%d %H:%M} on {self.samples} decisions"
