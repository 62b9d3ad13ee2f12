"""The review queue's pages: plain function views over review.services and review.selectors."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from agent.models import Draft
from agent.trace import trace_json
from review import selectors, services
from review.access import reviewer_required
from review.export import evaluation_cases_jsonl

ACTIONS = ("approve", "edit", "reject", "escalate")


def _get_draft_for_reviewer(draft_id: int) -> Draft:
    draft = selectors.draft_for_review(draft_id)
    if draft is None:
        raise Http404("No such draft.")
    return draft


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@reviewer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "intent": request.GET.get("intent", ""),
        "band": request.GET.get("band", ""),
        "older_than_minutes": _int_or_none(request.GET.get("older_than")),
        "order": request.GET.get("order", "oldest"),
    }
    drafts = list(selectors.pending_drafts(**filters)[:200])
    context = {
        "drafts": [(draft, selectors.is_late(draft)) for draft in drafts],
        "filters": filters,
        "intents": selectors.pending_intents(),
        "bands": selectors.CONFIDENCE_BANDS,
    }
    template = "review/queue.html#rows" if request.htmx else "review/queue.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@reviewer_required
@require_GET
def draft_detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Opening a waiting draft claims it for this reviewer, unless someone else holds it."""
    draft = _get_draft_for_reviewer(draft_id)
    problem = ""
    if draft.status == Draft.Status.PENDING_REVIEW:
        try:
            services.claim_draft(draft=draft, reviewer=request.user)
        except services.ReviewError as error:
            problem = str(error)
    return _render_detail(request, draft, problem=problem)


def _render_detail(
    request: HttpRequest, draft: Draft, *, problem: str = "", status: int = 200
) -> HttpResponse:
    draft = selectors.draft_for_review(draft.pk) or draft
    claim = selectors.current_claim(draft)
    context = {
        "draft": draft,
        "trace": trace_json(draft),
        "conversation": draft.conversation.messages.all(),
        "tickets": selectors.recent_tickets(draft=draft),
        "claim": claim,
        "mine": claim is not None and claim.reviewer_id == request.user.pk,
        "problem": problem,
        "decided": getattr(draft, "review_decision", None),
        "can_reveal": request.user.has_perm("agent.reveal_message"),
    }
    return render(request, "review/draft.html", context, status=status)


@reviewer_required
@require_GET
def draft_state(request: HttpRequest, draft_id: int) -> JsonResponse:
    """Where a draft stands now, without claiming it: its page reads this when its live socket is back, for
    what it missed meanwhile (decided, or claimed, by another reviewer)."""
    draft = _get_draft_for_reviewer(draft_id)
    decision = getattr(draft, "review_decision", None)
    claim = selectors.current_claim(draft)
    return JsonResponse(
        {
            "draft": draft.pk,
            "status": draft.status,
            "decided": decision
            and {
                "action": decision.action,
                "reviewer": decision.reviewer.get_username() if decision.reviewer else "",
            },
            "claimed_by": claim.reviewer.get_username() if claim is not None else None,
        }
    )


@reviewer_required
@require_POST
def decide(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _get_draft_for_reviewer(draft_id)
    action = request.POST.get("action", "")
    text = request.POST.get("text", "")
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            decision = services.approve_draft(draft=draft, reviewer=request.user)
        elif action == "edit":
            decision = services.approve_draft(draft=draft, reviewer=request.user, text=text)
        elif action == "reject":
            own_answer = request.POST.get("own_answer", "")
            decision = services.reject_draft(
                draft=draft, reviewer=request.user, reason=reason, answer=own_answer
            )
        elif action == "escalate":
            decision = services.escalate_draft(draft=draft, reviewer=request.user, reason=reason)
        else:
            raise services.ReviewError(f"Unknown action {action!r}: choose one of {', '.join(ACTIONS)}.")
    except services.ReviewError as error:
        conflict = isinstance(error, services.AlreadyDecided | services.HeldByAnother)
        return _render_detail(request, draft, problem=str(error), status=409 if conflict else 400)
    messages.success(request, f"Draft {draft.pk}: {decision.get_action_display().lower()}.")
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect("/review/")
    return redirect("review:queue")


@reviewer_required
@require_POST
def release(request: HttpRequest, draft_id: int) -> HttpResponse:
    services.release_claim(draft=_get_draft_for_reviewer(draft_id), reviewer=request.user)
    return redirect("review:queue")


@reviewer_required
@require_POST
def reveal(request: HttpRequest, message_id: int) -> HttpResponse:
    """A customer's message as written, for a reviewer allowed to see its sensitive data; every reveal is
    recorded (who, which message, when) and shown in admin."""
    if not request.user.has_perm("agent.reveal_message"):
        raise PermissionDenied("Revealing a customer's sensitive data needs the reveal permission.")
    message = services.reveal_message(message_id=message_id, user=request.user)
    if message is None:
        raise Http404("No such message.")
    return render(request, "review/draft.html#message-text", {"message": message, "revealed": True})


@reviewer_required
@require_GET
def export_evaluation_cases(request: HttpRequest) -> HttpResponseBase:
    response = StreamingHttpResponse(
        (json.dumps(row, ensure_ascii=False) + "\n" for row in evaluation_cases_jsonl()),
        content_type="application/x-ndjson",
    )
    response["Content-Disposition"] = 'attachment; filename="evaluation-cases.jsonl"'
    return response
