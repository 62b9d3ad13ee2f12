from celery import shared_task

from review.services import refit_calibration


@shared_task
def refit_calibration_task() -> int:
    """Refit confidence calibration on all reviewed drafts; returns how many it used."""
    fitted = refit_calibration()
    return fitted.samples if fitted else 0
