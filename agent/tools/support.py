"""The agent's four support tools. Each acts only for the conversation's own customer (from the context)."""

from __future__ import annotations

from typing import Annotated, Any

from agent.models import Conversation
from agent.outcomes import set_conversation_status
from agent.search import get_search_backend
from agent.ticketing import TicketRef, get_ticketing_backend
from agent.tools.registry import ToolContext, ToolRegistry
from agent.tools.runner import ToolRunner

support_tools = ToolRegistry()

Query = Annotated[str, {"description": "What to look for, in the customer's words.", "maxLength": 4000}]
Subject = Annotated[str, {"description": "One line saying what the customer needs.", "maxLength": 200}]
Description = Annotated[str, {"description": "What staff need to know to help.", "maxLength": 4000}]
Reason = Annotated[str, {"description": "Why a human must take over.", "maxLength": 1000}]


@support_tools.register
def search_knowledge_base(
    context: ToolContext, *, query: Query, k: Annotated[int, {"minimum": 1, "maximum": 5}] = 3
) -> list[dict[str, Any]]:
    """Search Lumen Bank's published help articles; returns the best matches, best first."""
    return [
        {
            "article_id": hit.article_id,
            "title": hit.title,
            "text": hit.text,
            "score": hit.score,
            "intent": hit.intent,
            "version": hit.version,
            "heading": hit.heading,
            "url": hit.url,
        }
        for hit in get_search_backend().search(query, k=k, intent=context.intent)
    ]


@support_tools.register
def create_ticket(context: ToolContext, *, subject: Subject, description: Description) -> dict[str, Any]:
    """Open a support ticket for the current customer, for a follow-up by staff."""
    ticket = get_ticketing_backend().create_ticket(
        customer=context.customer, conversation=context.conversation, subject=subject, description=description
    )
    return _ticket(ticket)


@support_tools.register
def escalate_to_human(context: ToolContext, *, reason: Reason) -> dict[str, Any]:
    """Hand the conversation to a human specialist now, with an urgent ticket."""
    ticket = get_ticketing_backend().create_ticket(
        customer=context.customer,
        conversation=context.conversation,
        subject="Customer handed to a specialist",
        description=reason,
        priority="high",
    )
    if context.conversation is not None:
        set_conversation_status(context.conversation, Conversation.Status.ESCALATED)
    return _ticket(ticket)


@support_tools.register
def get_recent_tickets(
    context: ToolContext, *, limit: Annotated[int, {"minimum": 1, "maximum": 10}] = 5
) -> list[dict[str, Any]]:
    """The current customer's most recent support tickets, newest first."""
    return [
        _ticket(ticket)
        for ticket in get_ticketing_backend().recent_tickets(customer=context.customer, limit=limit)
    ]


def _ticket(ticket: TicketRef) -> dict[str, Any]:
    # `summary` is a sentence the model can quote as it is, and that the grounding check finds in the result.
    return {
        "summary": f"Ticket {ticket.reference} ({ticket.subject}) is {ticket.status}.",
        "reference": ticket.reference,
        "status": ticket.status,
        "subject": ticket.subject,
        "created_at": ticket.created_at.isoformat(),
    }


support_runner = ToolRunner(support_tools)
