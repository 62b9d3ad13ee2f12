import re
from collections.abc import Callable

import markdown
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from agent.experiment_report import experiment_report, shown
from agent.knowledge.history import changed_by
from agent.knowledge.screening import clear_instructions, flagged_passages
from agent.models import (
    AgentRun,
    AgentStep,
    AgentVersion,
    AnswerFeedback,
    ArticleRevision,
    Conversation,
    ConversationRating,
    Customer,
    Draft,
    Experiment,
    ExperimentArm,
    KnowledgeArticle,
    LanguageModel,
    Message,
    SensitiveDataReveal,
    ThresholdPolicy,
    Ticket,
)
from review import services as review_services
from review.metrics import ThresholdReport, threshold_reports
from review.models import ThresholdChange


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "email", "created_at"]
    search_fields = ["external_id", "name", "email"]
    actions = ["forget"]

    @admin.action(description="Erase the selected customers' personal data", permissions=["delete"])
    def forget(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        from agent.privacy import describe, forget_customer

        for customer in queryset:
            label = customer.external_id
            erased = forget_customer(customer)
            self.message_user(request, f"Customer {label}: " + describe(erased).replace("\n", "; "))


class MessageInline(admin.TabularInline):
    """Messages masked, as reviewers see them: the review page reveals a message, with a record of it."""

    model = Message
    extra = 0
    fields = ["role", "masked_text", "created_at"]
    readonly_fields = ["role", "masked_text", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["public_id", "customer", "status", "agent_version", "updated_at"]
    list_filter = ["status", "agent_version", "created_at"]
    search_fields = ["public_id", "customer__external_id", "customer__name", "messages__redacted_text"]
    raw_id_fields = ["customer"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "role", "short_text", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["redacted_text", "conversation__public_id"]
    raw_id_fields = ["conversation"]
    fields = ["conversation", "role", "masked_text", "pii", "draft", "created_at"]
    readonly_fields = ["conversation", "role", "masked_text", "pii", "draft", "created_at"]

    @admin.display(description="text")
    def short_text(self, obj: Message) -> str:
        return obj.masked_text[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SensitiveDataReveal)
class SensitiveDataRevealAdmin(admin.ModelAdmin):
    """The record of every reveal of a customer's message: read only."""

    list_display = ["revealed_at", "user", "message"]
    list_filter = ["revealed_at"]
    search_fields = ["user__username", "message__conversation__public_id"]
    readonly_fields = ["revealed_at", "user", "message"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ArticleRevisionInline(admin.TabularInline):
    """Who changed the article, when, through what, and what it said then."""

    model = ArticleRevision
    fields = ["version", "changed_at", "changed_by", "via", "is_published", "title"]
    readonly_fields = ["version", "changed_at", "changed_by", "via", "is_published", "title"]
    extra = 0
    can_delete = False
    ordering = ["-changed_at", "-pk"]
    verbose_name = "revision"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "intent", "version", "is_published", "updated_at"]
    list_filter = ["is_published", "intent"]
    search_fields = ["title", "body", "slug", "source_id"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["version", "updated_at", "preview", "screening"]
    fields = [
        "title",
        "slug",
        "source_id",
        "intent",
        "is_published",
        "body",
        "preview",
        "screening",
        "version",
        "updated_at",
    ]
    inlines = [ArticleRevisionInline]
    actions = ["clear_instructions"]

    @admin.display(description="Instructions to the assistant")
    def screening(self, article: KnowledgeArticle) -> str:
        if article.pk is None:
            return "Save to see whether search will give it to the assistant."
        flagged = flagged_passages(article)
        if not flagged:
            return "None found: search gives it to the assistant."
        if article.instructions_cleared:
            who = article.instructions_cleared_by or "an editor who has left"
            return (
                f"{len(flagged)} passage(s) read as instructions, but {who} cleared version {article.version}"
                f" on {article.instructions_cleared_at:%Y-%m-%d %H:%M}: search gives it to the assistant."
            )
        quoted = " · ".join(f"“{text[:160]}”" for text in flagged[:3])
        return (
            f"{len(flagged)} passage(s) read as instructions, so search withholds the article and the turn"
            f" goes to a person: {quoted}. If they are not instructions to the assistant, clear it (an action"
            " of the list)."
        )

    @admin.action(
        description="Clear: read it, and it holds no instructions to the assistant",
        permissions=["clear_instructions"],
    )
    def clear_instructions(self, request: HttpRequest, queryset: QuerySet[KnowledgeArticle]) -> None:
        for article in queryset:
            clear_instructions(article=article, editor=request.user)
            self.log_change(
                request, article, f"Cleared version {article.version}: no instructions to the assistant."
            )
        self.message_user(request, f"Cleared {len(queryset)} article(s) at their current version.")

    def has_clear_instructions_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("agent.clear_instructions")

    @admin.display(description="Preview (as saved)")
    def preview(self, article: KnowledgeArticle) -> str:
        if article.pk is None:
            return "Save to see the article as customers' answers will quote it."
        return markdown_preview(article.body)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change and {"title", "body"} & set(form.changed_data):
            obj.version += 1
        changed_by(obj, request.user, "admin")
        super().save_model(request, obj, form, change)


_UNSAFE_LINK = re.compile(r'href="(?!https?://|mailto:|/|#)[^"]*"')


def markdown_preview(text: str) -> str:
    """The article's Markdown as HTML for staff; any HTML in the text shows as text, odd links go nowhere."""
    html = markdown.markdown(escape(text), extensions=["sane_lists", "tables"])
    return mark_safe(_UNSAFE_LINK.sub('href="#"', html))  # noqa: S308 (the input was escaped)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "customer", "intent", "status", "created_at"]
    list_filter = ["status", "intent", "created_at"]
    search_fields = ["reference", "subject", "reason", "customer__external_id"]
    raw_id_fields = ["customer", "conversation"]


class AgentStepInline(admin.TabularInline):
    model = AgentStep
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "position",
        "node",
        "latency_ms",
        "attempts",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "output_summary",
        "error",
    )


@admin.register(AgentRun)
class AgentRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "message",
        "agent_version",
        "status",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "started_at",
    ]
    list_filter = ["status", "agent_version", "started_at"]
    search_fields = ["message__text", "error"]
    raw_id_fields = ["message"]
    inlines = [AgentStepInline]


@admin.register(AgentStep)
class AgentStepAdmin(admin.ModelAdmin):
    list_display = [
        "run",
        "position",
        "node",
        "latency_ms",
        "attempts",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "has_error",
    ]
    list_filter = ["node", "model"]
    search_fields = ["error", "node"]
    raw_id_fields = ["run"]

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: AgentStep) -> bool:
        return bool(obj.error)


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["pk", "intent", "confidence", "decision", "status", "created_at"]
    list_filter = ["decision", "status", "intent", "created_at"]
    search_fields = ["text", "intent", "message__text", "reason"]
    raw_id_fields = ["run", "conversation", "message", "ticket"]
    filter_horizontal = ["cited_articles"]
    actions = ["approve_as_drafted", "escalate_to_specialist"]

    @admin.action(description="Approve the selected drafts as drafted and send them")
    def approve_as_drafted(self, request: HttpRequest, queryset: QuerySet[Draft]) -> None:
        self._decide_each(
            request, queryset, lambda draft: review_services.approve_draft(draft=draft, reviewer=request.user)
        )

    @admin.action(description="Escalate the selected drafts to a specialist")
    def escalate_to_specialist(self, request: HttpRequest, queryset: QuerySet[Draft]) -> None:
        self._decide_each(
            request,
            queryset,
            lambda draft: review_services.escalate_draft(draft=draft, reviewer=request.user),
        )

    def _decide_each(
        self, request: HttpRequest, queryset: QuerySet[Draft], decide: Callable[[Draft], object]
    ) -> None:
        """The review queue's own service calls; drafts that cannot be decided are reported."""
        done = 0
        for draft in queryset:
            try:
                decide(draft)
                done += 1
            except review_services.ReviewError as error:
                self.message_user(request, f"Draft {draft.pk}: {error}", level=messages.WARNING)
        self.message_user(request, f"{done} draft(s) decided.")


@admin.register(ThresholdPolicy)
class ThresholdPolicyAdmin(admin.ModelAdmin):
    """Thresholds beside what reviewed history measured for them; every change is audited."""

    list_display = [
        "intent",
        "auto_send_threshold",
        "always_escalate",
        "cascade_threshold",
        "is_critical",
        "reviewed",
        "measured_precision",
        "measured_coverage",
        "threshold_for_target",
        "updated_at",
    ]
    list_editable = ["auto_send_threshold", "always_escalate", "cascade_threshold", "is_critical"]
    list_filter = ["always_escalate", "is_critical"]
    search_fields = ["intent"]
    audited_fields = ("auto_send_threshold", "always_escalate", "cascade_threshold", "is_critical")

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        thresholds = dict(ThresholdPolicy.objects.values_list("intent", "auto_send_threshold"))
        self._reports = threshold_reports(thresholds)
        extra = {"target_precision": settings.CALIBRATION_TARGET_PRECISION, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def _report(self, obj: ThresholdPolicy) -> ThresholdReport | None:
        return getattr(self, "_reports", {}).get(obj.intent)

    @admin.display(description="reviewed")
    def reviewed(self, obj: ThresholdPolicy) -> int:
        report = self._report(obj)
        return report.samples if report else 0

    @admin.display(description="precision at threshold")
    def measured_precision(self, obj: ThresholdPolicy) -> str:
        report = self._report(obj)
        return "—" if report is None or report.precision is None else f"{report.precision:.1%}"

    @admin.display(description="coverage at threshold")
    def measured_coverage(self, obj: ThresholdPolicy) -> str:
        report = self._report(obj)
        return "—" if report is None or not report.samples else f"{report.coverage:.1%}"

    @admin.display(description=f"threshold for {settings.CALIBRATION_TARGET_PRECISION:.0%} precision")
    def threshold_for_target(self, obj: ThresholdPolicy) -> str:
        report = self._report(obj)
        return (
            "—"
            if report is None or report.threshold_for_target is None
            else f"{report.threshold_for_target:.3f}"
        )

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = ThresholdPolicy.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        for field in self.audited_fields:
            old = getattr(before, field) if before else None
            new = getattr(obj, field)
            if before is None or old != new:
                ThresholdChange.objects.create(
                    policy=obj, field=field, old_value=str(old), new_value=str(new), changed_by=request.user
                )


@admin.register(AgentVersion)
class AgentVersionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "draft_model",
        "large_model",
        "temperature",
        "max_tokens",
        "auto_send_threshold",
        "is_default",
        "created_at",
    ]
    list_filter = ["is_default"]
    search_fields = ["name", "description", "system_prompt"]


class ExperimentArmInline(admin.TabularInline):
    model = ExperimentArm
    extra = 2


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    """Agent versions compared on live traffic; the change page shows how each arm is doing."""

    list_display = ["name", "is_active", "agent_share", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    inlines = [ExperimentArmInline]
    readonly_fields = ["results"]
    fields = ["name", "description", "is_active", "agent_share", "results"]

    @admin.display(description="Results so far")
    def results(self, experiment: Experiment) -> str:
        if experiment.pk is None:
            return "Save the experiment and its arms first."
        return render_to_string(
            "admin/agent/experiment_results.html", {"arms": shown(experiment_report(experiment))}
        )


@admin.register(LanguageModel)
class LanguageModelAdmin(admin.ModelAdmin):
    list_display = ["name", "input_price_per_million", "output_price_per_million"]
    search_fields = ["name"]


class CustomerSaysAdmin(admin.ModelAdmin):
    """What customers said through the widget: kept as they said it, so read-only here."""

    list_select_related = ["agent_version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AnswerFeedback)
class AnswerFeedbackAdmin(CustomerSaysAdmin):
    list_display = ["message", "value", "agent_version", "updated_at"]
    list_filter = ["value", "agent_version"]
    search_fields = ["message__text", "conversation__public_id"]


@admin.register(ConversationRating)
class ConversationRatingAdmin(CustomerSaysAdmin):
    list_display = ["conversation", "score", "agent_version", "updated_at"]
    list_filter = ["score", "agent_version"]
    search_fields = ["conversation__public_id", "conversation__customer__external_id"]
