"""Ticketing behind one interface; the backend is chosen by settings.TICKETING_BACKEND."""

from .base import (
    PermanentTicketingError,
    RetryableTicketingError,
    TicketingBackend,
    TicketingError,
    TicketRef,
    get_ticketing_backend,
)

__all__ = [
    "PermanentTicketingError",
    "RetryableTicketingError",
    "TicketRef",
    "TicketingBackend",
    "TicketingError",
    "get_ticketing_backend",
]
