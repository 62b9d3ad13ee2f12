"""A customer message goes through Redis to a real Celery worker process and comes back answered."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from agent.models import AgentRun, Conversation, Draft, Message, ThresholdPolicy
from agent.services import receive_customer_message
from tests.conftest import database_url_for_subprocess
from tests.fake_openai import completion_body, scripted_llm

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: the worker takes tasks from Redis"),
]


@pytest.fixture
def start_worker(llm_endpoint, settings):
    """Start real Celery worker processes on the test database; all are stopped after the test."""
    from supportagent.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    workers: list[subprocess.Popen[bytes]] = []

    def start(**env_overrides: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "OPENAI_BASE_URL": llm_endpoint,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "ROUTER_MODEL_DIR": str(settings.ROUTER_MODEL_DIR),
            "LLM_TIMEOUT_SECONDS": "120",
            **env_overrides,
        }
        queues = env_overrides.pop("QUEUES", "pipeline,llm")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "supportagent",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queues,
        ]
        worker = subprocess.Popen(
            [*command, "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    app.conf.task_always_eager = True


def wait_for(condition, seconds: float = 180) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_worker_process_answers_a_queued_message(demo_bank, conversation, start_worker):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    worker = start_worker()
    message = receive_customer_message(conversation=conversation, text="How do I activate my new card?")
    assert wait_for(lambda: Draft.objects.filter(message=message).exists() or worker.poll() is not None)
    draft = Draft.objects.get(message=message)
    assert draft.decision == "auto_send" and draft.intent == "activate_my_card"
    assert Message.objects.filter(conversation=conversation, role="agent").count() == 1


def test_a_task_redelivered_after_its_worker_died_answers_once(demo_bank, conversation, start_worker):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    answer = completion_body("Activate your card in the app under Cards > Activate.")
    # The first call hangs long enough for its worker to be killed in the middle of the draft step.
    with scripted_llm([(200, answer, 60), (200, answer)]) as (url, llm):
        first = start_worker(OPENAI_BASE_URL=url, CELERY_VISIBILITY_TIMEOUT="3")
        message = receive_customer_message(conversation=conversation, text="How do I activate my new card?")
        assert wait_for(lambda: len(llm.requests) == 1)
        first.kill()
        first.wait()
        start_worker(OPENAI_BASE_URL=url, CELERY_VISIBILITY_TIMEOUT="3")
        assert wait_for(lambda: Draft.objects.filter(message=message).exists())
    assert Message.objects.filter(conversation=conversation, role="agent").count() == 1
    # the killed worker's run left nothing behind; the redelivered task's run is the one on record
    assert len(llm.requests) == 2
    [run] = AgentRun.objects.filter(message=message)
    assert run.status == "completed" and run.draft == Draft.objects.get(message=message)


def test_a_batch_taken_in_together_is_queued_as_one_task_and_each_message_answered(
    demo_bank, customer, start_worker
):
    """The web process publishes one task for a batch (queue_messages_task); the worker queues each one."""
    from agent.dispatch import dispatch_batch
    from agent.services import Incoming, store_batch
    from supportagent.celery import app

    stolen = "Someone stole my card yesterday"  # handed over by the guard: no LLM needed
    conversations = [Conversation.objects.create(customer=customer) for _ in range(3)]
    _, new = store_batch([Incoming(conversation, stolen) for conversation in conversations])
    dispatch_batch([message.pk for message in new])
    with app.connection_for_write() as connection:
        waiting = connection.default_channel.client.lrange("pipeline", 0, -1)
    assert len(waiting) == 1  # one task for the batch, not one per message
    start_worker()
    assert wait_for(lambda: Draft.objects.filter(message__in=new).count() == 3)
    assert all(c.messages.filter(role="system").count() == 1 for c in conversations)
