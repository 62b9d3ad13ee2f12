"""The demo chat page: a customer's conversation with the agent, kept in the browser session."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agent.models import Conversation, Customer
from agent.services import InvalidMessage, receive_customer_message, start_conversation

SESSION_KEY = "chat_conversation"


def _conversation_for(request: HttpRequest) -> Conversation:
    """The session's conversation, started on first use for a new web customer."""
    public_id = request.session.get(SESSION_KEY)
    conversation = Conversation.objects.filter(public_id=public_id).first() if public_id else None
    if conversation is None:
        customer = Customer.objects.create(external_id=f"web-{secrets.token_urlsafe(12)}")
        conversation = start_conversation(customer=customer)
        request.session[SESSION_KEY] = str(conversation.public_id)
    return conversation


@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    conversation = _conversation_for(request)
    error = ""
    if request.method == "POST":
        try:
            receive_customer_message(conversation=conversation, text=request.POST.get("text", ""))
        except InvalidMessage as invalid:
            error = str(invalid)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect("chat")
    conversation.refresh_from_db()
    context = {"conversation": conversation, "messages": conversation.messages.all(), "error": error}
    template = "agent/chat.html#conversation" if request.htmx else "agent/chat.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if error else 200)


@require_http_methods(["POST"])
def new_chat(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("chat")
