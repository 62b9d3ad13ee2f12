"""The evaluation dataset as JSON lines, one reviewed draft a line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from review.models import EvaluationCase

FIELDS = ("question", "context", "draft", "final_answer", "label", "intent", "agent_version")


def evaluation_cases_jsonl(cases: QuerySet[EvaluationCase] | None = None) -> Iterator[dict[str, Any]]:
    """Yield each case as a JSON-safe dict, oldest first."""
    rows = (cases if cases is not None else EvaluationCase.objects.all()).order_by("created_at", "pk")
    for case in rows.iterator():
        yield {
            "id": case.pk,
            **{field: getattr(case, field) for field in FIELDS},
            "raw_confidence": case.raw_confidence,
            "confidence": case.confidence,
            "created_at": case.created_at.isoformat(),
        }
