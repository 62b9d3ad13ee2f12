from __future__ import annotations

from django.urls import reverse

from agent.models import Conversation, Customer, Ticket

from .base import TicketingBackend, TicketRef, clean_ticket_fields


class BuiltinTicketing(TicketingBackend):
    """Tickets kept in our own database, worked on by staff in the admin."""

    def create_ticket(
        self,
        *,
        customer: Customer,
        subject: str,
        description: str,
        intent: str = "",
        conversation: Conversation | None = None,
        priority: str = "normal",
    ) -> TicketRef:
        """Store a ticket row for `customer`; the table has no priority column, so it is checked, not kept."""
        subject, description, intent = clean_ticket_fields(
            subject=subject, description=description, intent=intent, priority=priority
        )
        ticket = Ticket.objects.create(
            customer=customer, conversation=conversation, subject=subject, reason=description, intent=intent
        )
        return ticket_ref(ticket)

    def recent_tickets(self, *, customer: Customer, limit: int = 5) -> list[TicketRef]:
        """`customer`'s newest ticket rows."""
        if limit <= 0:
            return []
        tickets = Ticket.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit]
        return [ticket_ref(ticket) for ticket in tickets]


def ticket_ref(ticket: Ticket) -> TicketRef:
    """What the agent may say about `ticket`, with the admin page staff work it from."""
    return TicketRef(
        reference=ticket.reference,
        status=ticket.status,
        subject=ticket.subject,
        created_at=ticket.created_at,
        url=reverse("admin:agent_ticket_change", args=[ticket.pk]),
    )
