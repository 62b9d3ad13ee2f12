"""A customer message goes through Redis to a real Celery worker process and comes back answered."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from agent.models import Draft, Message, ThresholdPolicy
from agent.services import receive_customer_message
from tests.conftest import database_url_for_subprocess

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: the worker takes tasks from Redis"),
]


@pytest.fixture
def celery_worker(llm_endpoint, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from supportagent.celery import app

    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "OPENAI_BASE_URL": llm_endpoint,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ROUTER_MODEL_DIR": str(settings.ROUTER_MODEL_DIR),
        "LLM_TIMEOUT_SECONDS": "120",
    }
    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "supportagent",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.conf.task_always_eager = True


def test_a_worker_process_answers_a_queued_message(demo_bank, conversation, celery_worker):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    message = receive_customer_message(conversation=conversation, text="How do I activate my new card?")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not Draft.objects.filter(message=message).exists():
        assert celery_worker.poll() is None, celery_worker.stdout.read().decode()
        time.sleep(0.5)
    draft = Draft.objects.get(message=message)
    assert draft.decision == "auto_send" and draft.intent == "activate_my_card"
    assert Message.objects.filter(conversation=conversation, role="agent").count() == 1
