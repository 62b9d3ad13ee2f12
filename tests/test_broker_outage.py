"""The task broker (Redis) is down when a customer writes: the message is kept, the customer gets no error,
and the message is queued once the broker is back."""

import shutil
import subprocess
import time
from datetime import timedelta

import kombu.pools
import pytest
import redis

from agent.dispatch import requeue_waiting_messages, waiting_messages
from agent.models import Message
from supportagent.celery import app
from tests.conftest import free_port

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to play the broker"),
]


@pytest.fixture
def broker_port():
    """A broker address with nothing listening yet; the test starts Redis there when it wants."""
    port = free_port()
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    forget_broker_connections()
    yield port
    app.conf.broker_url, app.conf.task_always_eager = saved
    forget_broker_connections()


def forget_broker_connections() -> None:
    # Celery keeps its connection and producer pools for the life of the app, in kombu's registry of pools
    # per broker address (which a closed pool would stay in): the broker URL changed.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def start_redis(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            return server
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def test_a_message_sent_while_the_broker_is_down_is_kept_and_queued_when_it_returns(
    client, broker_port, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/chat/", {"text": "Where is my card?"})
    assert response.status_code == 302 and time.monotonic() - started < 15
    message = Message.objects.get(role=Message.Role.CUSTOMER)
    assert waiting_messages(older_than=timedelta(0)) == [message.pk]

    server = start_redis(broker_port)
    try:
        assert requeue_waiting_messages(older_than=timedelta(0)) == 1
        assert redis.Redis(port=broker_port).llen("pipeline") == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_broker_client_that_fails_otherwise_still_keeps_the_message(
    client, broker_port, django_capture_on_commit_callbacks, caplog
):
    server = start_redis(broker_port)
    try:
        app.pool.force_close_all()  # kombu then refuses every publish: "Acquire on closed pool"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/chat/", {"text": "Where is my card?"})
        assert response.status_code == 302
        message = Message.objects.get(role=Message.Role.CUSTOMER)
        assert waiting_messages(older_than=timedelta(0)) == [message.pk]
        assert "could not be queued" in caplog.text

        forget_broker_connections()  # a fresh pool, as a restarted process would have
        assert requeue_waiting_messages(older_than=timedelta(0)) == 1
        assert redis.Redis(port=broker_port).llen("pipeline") == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
