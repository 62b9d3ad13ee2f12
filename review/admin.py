import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from review.export import evaluation_cases_jsonl
from review.models import Claim, EvaluationCase, ReviewDecision, ThresholdChange


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(admin.ModelAdmin):
    list_display = ["draft", "action", "reviewer", "seconds_taken", "edit_distance", "decided_at"]
    list_filter = ["action", "reviewer", "decided_at"]
    search_fields = ["final_text", "reason", "draft__message__text"]
    raw_id_fields = ["draft"]


@admin.register(EvaluationCase)
class EvaluationCaseAdmin(admin.ModelAdmin):
    list_display = ["pk", "intent", "label", "agent_version", "raw_confidence", "confidence", "created_at"]
    list_filter = ["label", "agent_version", "intent", "created_at"]
    search_fields = ["question", "draft", "final_answer", "intent"]
    raw_id_fields = ["decision"]
    actions = ["export_jsonl"]

    @admin.action(description="Export the selected cases as JSON lines")
    def export_jsonl(self, request: HttpRequest, queryset: QuerySet[EvaluationCase]) -> HttpResponse:
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in evaluation_cases_jsonl(queryset))
        response = HttpResponse(body, content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="evaluation-cases.jsonl"'
        return response


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(admin.ModelAdmin):
    list_display = ["policy", "field", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["field", "changed_by", "changed_at"]
    search_fields = ["policy__intent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["draft", "reviewer", "claimed_at", "expires_at"]
    list_filter = ["reviewer"]
    search_fields = ["reviewer__username"]
    raw_id_fields = ["draft"]
