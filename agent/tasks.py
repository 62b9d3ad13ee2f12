import logging
from typing import Any

from celery import Task, shared_task

from agent.models import Message
from agent.pipeline import Handoff, finish_run, start_run

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True)
def run_agent_task(self: Task, message_id: int) -> int | None:
    """Run the agent for one stored customer message up to its LLM step (queue `pipeline`), then hand the
    run to `finish_run_task` (queue `llm`). Returns the draft's id if the run ended here. Safe to run twice:
    the task's id holds the message's lease, and a redelivered task (same id) takes it back."""
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None:  # erased (forget_customer) while it waited
        return None
    outcome = start_run(message=message, holder=self.request.id or "")
    if isinstance(outcome, Handoff):
        finish_run_task.apply_async((outcome.to_json(),), retry=False)
        return None
    return outcome.pk if outcome is not None else None


@shared_task(acks_late=True)
def queue_messages_task(message_ids: list[int]) -> int:
    """Queue the agent for each message of a batch a web process took in together (queue `pipeline`): it
    publishes this one task instead of one per message. Returns how many were queued."""
    from agent.dispatch import dispatch_messages

    return dispatch_messages(message_ids)


@shared_task(acks_late=True)
def finish_run_task(handoff: dict[str, Any]) -> int | None:
    """Go on with a run from its LLM step to the draft and the decision (queue `llm`); returns the draft's id.
    A handoff whose message's lease another run has taken since, or whose message was erased meanwhile, is
    dropped (finish_run cannot renew the lease)."""
    draft = finish_run(Handoff.from_json(handoff))
    return draft.pk if draft is not None else None


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
