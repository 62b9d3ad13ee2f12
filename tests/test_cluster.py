"""The production topology (manage.py run_cluster, as `make cluster` starts it): two web processes, a worker
per queue, PostgreSQL, Redis and the LLM. A reviewer connected to one web process hears of a draft made from
a message sent through the other."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client
from websockets.sync.client import connect

from agent.models import Draft, ThresholdPolicy
from tests.conftest import database_url_for_subprocess, free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the cluster runs on PostgreSQL and Redis",
    ),
]


@pytest.fixture
def cluster(llm_endpoint, tmp_path):  # type: ignore[no-untyped-def]
    """`run_cluster` on the test database; yields its state (ports, processes); stopped after the test."""
    # the tests' own Redis database: no queued task and no cached answer from an earlier test
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "OPENAI_BASE_URL": llm_endpoint,
        "SECRET_KEY": settings.SECRET_KEY,  # the reviewer's session is signed with the tests' key
        "SUPPORTAGENT_VAR_DIR": str(tmp_path),
        "ROUTER_MODEL_DIR": str(settings.ROUTER_MODEL_DIR),
        "SCREENING_MODEL_DIR": str(settings.SCREENING_MODEL_DIR),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LLM_TIMEOUT_SECONDS": "120",
    }
    command = [
        sys.executable,
        "manage.py",
        "run_cluster",
        "--no-beat",
        "--web-ports",
        ",".join(map(str, ports)),
    ]
    log = open(tmp_path / "cluster.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    state_file = tmp_path / "cluster.json"
    deadline = time.monotonic() + 120
    while not state_file.exists():
        assert process.poll() is None, (tmp_path / "cluster.log").read_text()
        assert time.monotonic() < deadline, "the cluster did not start in 120 s"
        time.sleep(0.3)
    try:
        yield json.loads(state_file.read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    assert not state_file.exists()  # stopping the supervisor stops its processes and clears the state


def test_the_cluster_runs_each_role_in_its_own_process(cluster):
    roles = {role["name"]: role for role in cluster["roles"]}
    assert set(roles) == {"web1", "web2", "pipeline", "llm"}
    assert len({role["pid"] for role in roles.values()}) == 4
    for name in ("web1", "web2"):
        with urllib.request.urlopen(f"http://127.0.0.1:{roles[name]['port']}/health", timeout=5) as response:
            assert json.load(response) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_a_reviewer_on_web_1_hears_within_a_second_of_a_draft_made_through_web_2(cluster, demo_bank, rita):
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)  # every draft waits for review
    client = Client()
    client.force_login(rita)
    web1, web2 = (f"127.0.0.1:{role['port']}" for role in cluster["roles"][:2])
    headers = {"Origin": f"http://{web1}", "Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    with connect(f"ws://{web1}/ws/review/", additional_headers=headers, open_timeout=10) as review_queue:
        conversation = _post(web2, "/widget/api/conversations/", {})
        token = conversation["token"]
        # a vague question: the routing model is not sure of it, so its draft waits for a reviewer
        text = "something is wrong with my card and the app, can you help?"
        sent = _post(web2, "/widget/api/messages/", {"text": text}, token=token)
        event = json.loads(review_queue.recv(timeout=180))
        heard_at = time.time()
    draft = Draft.objects.get(message_id=sent["message"]["id"])
    assert (draft.decision, event["name"], event["draft"]) == ("review", "draft.queued", draft.pk)
    # the draft's row is written when its run ends, just before the event goes out
    assert heard_at - draft.created_at.timestamp() < 1.0
    steps = list(draft.run.steps.order_by("position").values_list("node", flat=True))
    assert steps[:5] == ["guard", "route", "recall", "retrieve", "draft"]  # both halves, one trace


def _post(host: str, path: str, body: dict, token: str = "") -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(
        f"http://{host}{path}",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Origin": f"http://{host}",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (201, 202)
        return json.load(response)  # type: ignore[no-any-return]
