from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from evaluation.judge import agreement_by_judge_model
from evaluation.models import JudgeVerdict


@admin.register(JudgeVerdict)
class JudgeVerdictAdmin(admin.ModelAdmin):
    """Verdicts come from `manage.py judge` only; the changelist opens with each judge model's agreement
    with the reviewers."""

    list_display = [
        "case",
        "judge_model",
        "acceptable",
        "grounded",
        "answers_question",
        "safe",
        "parse_failed",
        "reviewers_label",
        "created_at",
    ]
    list_filter = ["acceptable", "judge_model", "parse_failed", "case__label"]
    search_fields = ["case__question", "case__draft", "case__intent", "judge_model", "raw_reply"]
    list_select_related = ["case"]

    @admin.display(description="reviewers", ordering="case__label")
    def reviewers_label(self, verdict: JudgeVerdict) -> str:
        return verdict.case.label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "judge_agreements": agreement_by_judge_model()}
        return super().changelist_view(request, extra_context=context)
