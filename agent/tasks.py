import logging

from celery import shared_task

from agent.models import Message
from agent.pipeline import run_agent

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_agent_task(message_id: int) -> int:
    """Run the agent for one stored customer message; returns the draft's id. Safe to run twice."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    return run_agent(message=message).pk


@shared_task
def requeue_waiting_messages_task() -> int:
    """Periodic: queue the agent for messages that never reached a worker (say, the broker was down)."""
    from agent.dispatch import requeue_waiting_messages

    return requeue_waiting_messages()


@shared_task
def purge_expired_cache_task() -> int:
    """Periodic: delete expired response-cache entries from the database store (Redis expires its own)."""
    from agent.cache import get_response_cache

    return get_response_cache().purge_expired()


@shared_task
def enforce_retention_task() -> dict[str, int]:
    """Periodic: erase the personal data of conversations older than RETENTION_DAYS."""
    from agent.privacy import enforce_retention

    erased = enforce_retention()
    if erased:
        logger.info("retention: erased %s", dict(erased))
    return dict(erased)
