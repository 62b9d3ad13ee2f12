from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from review.access import reviewer_required
from review.selectors import pending_drafts


@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    intent = request.GET.get("intent", "")
    return render(
        request, "review/queue.html", {"drafts": pending_drafts(intent=intent)[:200], "intent": intent}
    )
