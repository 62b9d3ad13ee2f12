"""Load on the production topology: simulated customers over HTTP and websockets against `run_cluster`.

    python benchmarks/load.py [--customers 300] [--rate 330] [--seconds 10]

Starts its own cluster (manage.py run_cluster: two web processes, a pipeline worker, an llm worker, beat) on
a fresh PostgreSQL database `supportagent_load` and Redis database 2, with the LLM endpoint replaced by
benchmarks/fake_llm.py (a loopback server with a hosted model's latency). Customers open a conversation and a
websocket each, through both web processes alternately (a load balancer's round robin), then send messages
as a Poisson stream at `--rate` messages per second in all, for `--seconds`. Like the widget, a customer reads
the whole conversation again when its websocket hears of a change its page does not show yet
(`--no-rereads`: never).

It prints accepted messages per second, p50 / p95 time to acknowledge (the HTTP 202) and to answer (until
the outcome is stored: an answer sent, a draft waiting for review, or a hand-over; and until the customer's
websocket heard of it), and the accounting once every message has its outcome: answered, waiting for review
or escalated; lost (no outcome) and answered twice must be zero. Then the same run with the llm worker
killed (SIGKILL) a third of the way in and Redis restarted two thirds of the way in.

Everything stays on loopback; the run is bounded in customers, messages and time. Targets: ≥ 300 accepted
messages/s at p95 acknowledgement ≤ 100 ms on 2 cores; zero lost or duplicated in every run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "supportagent_load"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/2"
WEB_PORTS = (8101, 8102)
FAKE_LLM_PORT = 8799
FINAL = {"answered", "awaiting_review", "escalated", "needs_human"}
# Customers ask what BANKING77's customers asked (agent/data/banking77, CC BY 4.0): cards, transfers, fees…
QUESTIONS_FILE = ROOT / "agent" / "data" / "banking77" / "train.csv"


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Sent:
    customer: int
    sent_at: float
    acked_at: float = 0.0
    status: int = 0
    message_id: int | None = None


@dataclass
class Customer:
    index: int
    port: int
    token: str = ""
    conversation: str = ""
    events: list[float] = field(default_factory=list)  # when its websocket heard a final status
    reconnects: int = 0
    reading: bool = False  # a re-read of the conversation is under way (the widget keeps to one at a time)
    read_again: bool = False  # and another is due after it
    rereads: Counter[int] = field(default_factory=Counter)  # status of each re-read
    shown: set[int] = field(default_factory=set)  # the messages its page shows
    status: str = ""  # and the conversation's status there
    sending: int = 0  # sends under way: events heard meanwhile wait for their answers, as in the widget
    held: list[dict[str, Any]] = field(default_factory=list)
    socket: aiohttp.ClientWebSocketResponse | None = None  # while open
    acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)  # by ref
    sent_count: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def headers(self) -> dict[str, str]:
        """What the widget sends with each request for its conversation: its page's origin and its token."""
        return {**_origin(self.base), "Authorization": f"Bearer {self.token}"}

    def show(self, conversation: dict[str, Any]) -> None:
        self.status = conversation["status"]
        self.shown.update(message["id"] for message in conversation["messages"])

    def already_shown(self, event: dict[str, Any]) -> bool:
        return event.get("message") in self.shown and event.get("status") == self.status


class Run:
    def __init__(
        self, *, customers: int, rate: float, seconds: float, seed: int, rereads: bool, websocket: bool
    ) -> None:
        self.rng = random.Random(seed)
        self.rereads = rereads
        self.websocket = websocket
        self.background: set[asyncio.Task[None]] = set()
        self.rate = rate
        self.seconds = seconds
        self.customers = [Customer(i, WEB_PORTS[i % len(WEB_PORTS)]) for i in range(customers)]
        self.sent: list[Sent] = []
        with QUESTIONS_FILE.open(newline="") as rows:
            self.questions = [row["text"] for row in csv.DictReader(rows) if row["text"].strip()]
        self.stopping = False

    async def open_conversations(self, session: aiohttp.ClientSession) -> None:
        async def open_one(customer: Customer) -> None:
            base = customer.base
            async with session.post(f"{base}/widget/api/conversations/", json={}, headers=_origin(base)) as r:
                body = await r.json()
                if r.status != 201:
                    raise RuntimeError(f"could not open a conversation: {r.status} {body}")
            customer.token = body["token"]
            customer.conversation = body["conversation"]["id"]

        for start in range(0, len(self.customers), 50):
            await asyncio.gather(*(open_one(c) for c in self.customers[start : start + 50]))

    async def listen(self, session: aiohttp.ClientSession, customer: Customer, ready: asyncio.Event) -> None:
        """The customer's websocket; reconnects as the widget does when the server closes it."""
        url = f"ws://127.0.0.1:{customer.port}/ws/widget/?token={customer.token}"
        while not self.stopping:
            try:
                async with session.ws_connect(url, headers=_origin(customer.base), heartbeat=20) as ws:
                    customer.socket = ws
                    ready.set()
                    if customer.reconnects:  # the widget reads what it missed while disconnected
                        self.heard(session, customer, [{}])
                    async for frame in ws:
                        if frame.type != aiohttp.WSMsgType.TEXT:
                            break
                        event = json.loads(frame.data)
                        if "conversation" in event:  # sent whole (the layer lost events): nothing to read
                            customer.show(event["conversation"])
                            if event["conversation"]["status"] in FINAL:
                                customer.events.append(time.time())
                            continue
                        if event.get("type") in ("ack", "refused"):
                            waiting = customer.acks.pop(event.get("ref"), None)
                            if waiting is not None and not waiting.done():
                                waiting.set_result(event)
                            continue
                        if event.get("name") == "conversation.updated" and event.get("status") in FINAL:
                            customer.events.append(time.time())
                        if customer.sending:
                            customer.held.append(event)
                        else:
                            self.heard(session, customer, [event])
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                pass
            finally:
                customer.socket = None
                for waiting in customer.acks.values():  # their acknowledgements went with the connection
                    if not waiting.done():
                        waiting.set_result({"type": "lost"})
                customer.acks.clear()
            if self.stopping:
                return
            customer.reconnects += 1
            await asyncio.sleep(0.5 + self.rng.random())

    def heard(self, session: aiohttp.ClientSession, customer: Customer, events: list[dict[str, Any]]) -> None:
        """The widget reads the conversation again unless every event names a message its page shows."""
        if self.rereads and not all(customer.already_shown(event) for event in events):
            reading = asyncio.create_task(self.reread(session, customer))
            self.background.add(reading)
            reading.add_done_callback(self.background.discard)

    async def reread(self, session: aiohttp.ClientSession, customer: Customer) -> None:
        """What the widget does when it hears of a change its page does not show: read the whole conversation
        again (one read at a time, and at most one more after it)."""
        if customer.reading:
            customer.read_again = True
            return
        customer.reading = True
        url, headers = f"{customer.base}/widget/api/conversation/", customer.headers()
        try:
            while True:
                customer.read_again = False
                try:
                    async with session.get(url, headers=headers) as response:
                        body = await response.read()
                        customer.rereads[response.status] += 1
                        if response.status == 200:
                            conversation = json.loads(body)["conversation"]
                            customer.show(conversation)
                            if conversation["status"] in FINAL:  # an outcome its page now shows
                                customer.events.append(time.time())
                except (TimeoutError, aiohttp.ClientError):
                    customer.rereads[-1] += 1
                if not customer.read_again or self.stopping:
                    break
        finally:
            customer.reading = False

    async def send(self, session: aiohttp.ClientSession, customer: Customer) -> None:
        """As the widget sends: over the websocket if it is open, else (or if the acknowledgement is lost
        with the connection) over HTTP, with the same ref."""
        record = Sent(customer.index, time.time())
        self.sent.append(record)
        started = time.perf_counter()
        customer.sending += 1
        customer.sent_count += 1
        body = {"ref": f"c{customer.index}-{customer.sent_count}", "text": self.rng.choice(self.questions)}
        try:
            if not (self.websocket and await self.send_over_socket(customer, body, record)):
                await self.send_over_http(session, customer, body, record)
        except (TimeoutError, aiohttp.ClientError) as error:
            record.status = -1
            print(f"  send failed: {error}", file=sys.stderr)
        finally:
            customer.sending -= 1
        record.acked_at = record.sent_at + (time.perf_counter() - started)
        if not customer.sending and customer.held:
            held, customer.held = customer.held, []
            self.heard(session, customer, held)

    @staticmethod
    async def send_over_socket(customer: Customer, body: dict[str, Any], record: Sent) -> bool:
        """False if the socket is closed, or closed before the acknowledgement came."""
        socket = customer.socket
        if socket is None or socket.closed:
            return False
        acked = asyncio.get_running_loop().create_future()
        customer.acks[body["ref"]] = acked
        await socket.send_str(json.dumps({"type": "message", **body}))
        frame = await asyncio.wait_for(acked, 30)
        if frame["type"] == "lost":
            return False
        record.status = 202 if frame["type"] == "ack" else int(frame["status"])
        if frame["type"] == "ack":
            record.message_id = frame["message"]["id"]
            customer.shown.add(record.message_id)
            customer.status = frame["status"]
        return True

    @staticmethod
    async def send_over_http(
        session: aiohttp.ClientSession, customer: Customer, body: dict[str, Any], record: Sent
    ) -> None:
        url = f"{customer.base}/widget/api/messages/"
        async with session.post(url, json=body, headers=customer.headers()) as response:
            content = await response.read()
            record.status = response.status
            if response.status == 202:
                accepted = json.loads(content)
                record.message_id = accepted["message"]["id"]
                customer.show(accepted["conversation"])

    async def drive(self, session: aiohttp.ClientSession, faults: list[tuple[float, Any]]) -> float:
        """Poisson arrivals at `rate` for `seconds`, each from a random customer; returns the elapsed time."""
        pending: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        next_at = 0.0
        faults = sorted(faults, key=lambda fault: fault[0])
        while next_at < self.seconds:
            while faults and faults[0][0] <= next_at:
                pending.add(asyncio.create_task(asyncio.to_thread(faults.pop(0)[1])))
            delay = started + next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            customer = self.rng.choice(self.customers)
            task = asyncio.create_task(self.send(session, customer))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_at += self.rng.expovariate(self.rate)
        await asyncio.gather(*pending)
        return time.perf_counter() - started


def _origin(base: str) -> dict[str, str]:
    return {"Origin": base}


# --- the cluster ----------------------------------------------------------------------------------------


def cluster_env(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "OPENAI_BASE_URL": f"http://127.0.0.1:{FAKE_LLM_PORT}/v1",
        "SUPPORTAGENT_VAR_DIR": str(var),
        "ROUTER_MODEL_DIR": str(ROOT / "var" / "models"),
        "SCREENING_MODEL_DIR": str(ROOT / "var" / "screening-model"),
        # every simulated customer comes from 127.0.0.1 and sends faster than a person
        "WIDGET_MESSAGES_PER_MINUTE": "100000",
        "WIDGET_MESSAGES_PER_MINUTE_PER_IP": "1000000",
        "WIDGET_CONVERSATIONS_PER_HOUR_PER_IP": "1000000",
        # a run lasts minutes, not hours: recover lost tasks within seconds
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "AGENT_LEASE_SECONDS": "60",
        "AGENT_REQUEUE_AFTER_SECONDS": "15",
        "AGENT_REQUEUE_EVERY_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def redis_cli(*args: str) -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", *args], check=False, capture_output=True)


def restart_redis() -> None:
    """Stop Redis (nothing saved: its queues are lost) and start it again, as after a crash."""
    redis_cli("shutdown", "nosave")
    time.sleep(0.5)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        capture_output=True,
    )
    print(f"  [{time.strftime('%X')}] Redis restarted (its queues and channel groups are gone)")


class Cluster:
    def __init__(self, var: Path) -> None:
        self.var = var
        self.env = cluster_env(var)
        self.process: subprocess.Popen[bytes] | None = None
        self.others: dict[str, list[int]] = {}  # processes beside it whose CPU counts too

    def start(self) -> None:
        command = [sys.executable, "manage.py", "run_cluster", "--web-ports", ",".join(map(str, WEB_PORTS))]
        log = open(self.var / "run_cluster.log", "ab")  # noqa: SIM115 (the child's)
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while not (self.var / "cluster.json").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the cluster did not start; see {self.var / 'run_cluster.log'}")
            time.sleep(0.5)
        time.sleep(2)  # the workers connect to the broker

    def pid(self, role: str) -> int:
        state = json.loads((self.var / "cluster.json").read_text())
        return int(next(r["pid"] for r in state["roles"] if r["name"] == role))

    def kill(self, role: str) -> None:
        pid = self.pid(role)
        os.kill(pid, signal.SIGKILL)
        print(f"  [{time.strftime('%X')}] {role} worker (pid {pid}) killed with SIGKILL")

    def processes(self) -> dict[str, list[int]]:
        """The cluster's processes by role, with PostgreSQL's and Redis's, and this generator's."""
        state = json.loads((self.var / "cluster.json").read_text())
        found = {role["name"]: [int(role["pid"])] for role in state["roles"] if role["pid"]}
        for name, command in (("postgresql", "postgres"), ("redis", "redis-server")):
            pids = subprocess.run(["pgrep", "-x", command], capture_output=True, text=True).stdout.split()
            found[name] = [int(pid) for pid in pids]
        found["load generator"] = [os.getpid()]
        found.update(self.others)
        return found

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def cpu_seconds(processes: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    """CPU time (user + system) each role's processes have used so far, by process (one that died before
    the run ended is not counted: the CPU of a killed worker or a stopped Redis is missing)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, dict[int, float]] = {}
    for name, pids in processes.items():
        used[name] = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[name][pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


# --- accounting -----------------------------------------------------------------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    django.setup()


def stored_messages(public_ids: list[str]) -> list[dict[str, Any]]:
    """Every customer message stored in the run's conversations (some a customer may never have had a 202
    for: stored, then the response was lost), with its draft's decision and when the draft was stored."""
    _django()
    from agent.models import Draft, Message

    messages = list(
        Message.objects.filter(conversation__public_id__in=public_ids, role="customer").values(
            "pk", "conversation__public_id", "created_at"
        )
    )
    drafts = {
        row["message_id"]: row
        for row in Draft.objects.filter(message_id__in=[m["pk"] for m in messages]).values(
            "message_id", "decision", "created_at"
        )
    }
    for message in messages:
        message["draft"] = drafts.get(message["pk"])
    return messages


def replies_per_conversation(public_ids: list[str]) -> dict[str, int]:
    """Messages the customers were sent (answers and hand-over notices), per conversation."""
    from agent.models import Message

    counts: Counter[str] = Counter()
    rows = Message.objects.filter(conversation__public_id__in=public_ids, role__in=("agent", "system"))
    for public_id in rows.values_list("conversation__public_id", flat=True):
        counts[str(public_id)] += 1
    return counts


def wait_for_outcomes(public_ids: list[str], limit: float) -> tuple[list[dict[str, Any]], float]:
    started = time.monotonic()
    while True:
        messages = stored_messages(public_ids)
        if all(m["draft"] for m in messages) or time.monotonic() - started > limit:
            return messages, time.monotonic() - started
        time.sleep(1.0)


def report(run: Run, elapsed: float, drain_limit: float) -> dict[str, Any]:
    accepted = [s for s in run.sent if s.status == 202 and s.message_id is not None]
    refused = Counter(s.status for s in run.sent if s.status != 202)
    acks = [(s.acked_at - s.sent_at) * 1000 for s in accepted]
    started = min((s.sent_at for s in run.sent), default=0.0)
    thirds: list[list[float]] = [[], [], []]  # before the kill, between it and Redis's restart, after
    for s in accepted:
        thirds[min(2, int(3 * (s.sent_at - started) / run.seconds))].append((s.acked_at - s.sent_at) * 1000)
    public_ids = [c.conversation for c in run.customers]
    messages, drained = wait_for_outcomes(public_ids, drain_limit)
    by_id = {m["pk"]: m for m in messages}
    stored, heard = [], []
    for s in accepted:
        draft = by_id.get(s.message_id, {}).get("draft")
        if not draft:
            continue
        outcome_at = draft["created_at"].timestamp()
        stored.append((outcome_at - s.sent_at) * 1000)
        seen = [t for t in run.customers[s.customer].events if t >= outcome_at - 0.005]
        if seen:
            heard.append((min(seen) - s.sent_at) * 1000)
    decisions = Counter(m["draft"]["decision"] for m in messages if m["draft"])
    expected: Counter[str] = Counter(
        str(m["conversation__public_id"])
        for m in messages
        if m["draft"] and m["draft"]["decision"] in ("auto_send", "escalate")
    )
    replies = replies_per_conversation(public_ids)
    duplicated = sum(max(0, count - expected[public_id]) for public_id, count in replies.items())
    return {
        "offered": len(run.sent),
        "accepted": len(accepted),
        "refused": dict(refused),
        "stored": len(messages),
        "accepted_per_s": len(accepted) / elapsed,
        "ack_p50": statistics.median(acks) if acks else float("nan"),
        "ack_p95": quantile(acks, 0.95),
        "ack_p95_thirds": [quantile(third, 0.95) for third in thirds],
        "stored_p50": statistics.median(stored) if stored else float("nan"),
        "stored_p95": quantile(stored, 0.95),
        "heard": len(heard),
        "heard_p50": statistics.median(heard) if heard else float("nan"),
        "heard_p95": quantile(heard, 0.95),
        "answered": decisions["auto_send"],
        "review": decisions["review"],
        "escalated": decisions["escalate"],
        "lost": sum(1 for m in messages if not m["draft"]),
        "accepted_lost": sum(1 for s in accepted if s.message_id not in by_id),
        "duplicated": duplicated,
        "drained_s": drained,
        "reconnects": sum(c.reconnects for c in run.customers),
        "rereads": dict(sum((c.rereads for c in run.customers), Counter())),
    }


def print_report(title: str, f: dict[str, Any]) -> None:
    refused = f", refused {f['refused']} (status: count; -1 = no response)" if f["refused"] else ""
    print(f"\n{title}")
    print(f"  offered {f['offered']}, accepted {f['accepted']} ({f['accepted_per_s']:.0f} msg/s){refused}")
    thirds = " / ".join(f"{p95:.0f}" for p95 in f["ack_p95_thirds"])
    print(f"  acknowledged: p50 {f['ack_p50']:.1f} ms, p95 {f['ack_p95']:.1f} ms (p95 by third: {thirds} ms)")
    print(f"  outcome stored: p50 {f['stored_p50'] / 1000:.2f} s, p95 {f['stored_p95'] / 1000:.2f} s")
    print(
        "  outcome reached the customer's page (its websocket, or the read after a reconnect): "
        f"{f['heard']} of {f['accepted']}, "
        f"p50 {f['heard_p50'] / 1000:.2f} s, p95 {f['heard_p95'] / 1000:.2f} s ({f['reconnects']} reconnects)"
    )
    print(
        f"  accounting after {f['drained_s']:.0f} s, {f['stored']} customer messages stored: "
        f"answered {f['answered']}, waiting for review {f['review']}, escalated {f['escalated']}; "
        f"lost {f['lost']} (accepted but not stored: {f['accepted_lost']}), answered twice {f['duplicated']}"
    )
    if f["rereads"]:
        print(f"  conversation read again on events, as the widget does: {f['rereads']} (status: count)")
    cores = ", ".join(f"{name} {share:.2f}" for name, share in sorted(f["cpu"].items(), key=lambda i: -i[1]))
    print(f"  CPU while customers sent (cores; {sum(f['cpu'].values()):.2f} of {os.cpu_count()}): {cores}")


async def one_run(args: argparse.Namespace, cluster: Cluster, *, faults: bool, seed: int) -> dict[str, Any]:
    run = Run(
        customers=args.customers,
        rate=args.rate,
        seconds=args.seconds,
        seed=seed,
        rereads=args.rereads,
        websocket=args.send == "websocket",
    )
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await run.open_conversations(session)
        readies = [asyncio.Event() for _ in run.customers]
        listeners = [
            asyncio.create_task(run.listen(session, c, r))
            for c, r in zip(run.customers, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=60)
        planned = []
        if faults:
            planned = [(args.seconds / 3, lambda: cluster.kill("llm")), (2 * args.seconds / 3, restart_redis)]
        before = cpu_seconds(cluster.processes())
        elapsed = await run.drive(session, planned)
        after = cpu_seconds(cluster.processes())  # a process started meanwhile (restarted) counts whole
        used = {
            name: sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items()) / elapsed
            for name, pids in after.items()
        }
        figures = await asyncio.to_thread(report, run, elapsed, args.drain_seconds)
        figures["cpu"] = used
        run.stopping = True
        for task in [*listeners, *run.background]:
            task.cancel()
        await asyncio.gather(*listeners, *run.background, return_exceptions=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=330.0, help="Messages per second offered, in all.")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--drain-seconds", type=float, default=300.0, help="How long to wait for outcomes.")
    parser.add_argument("--no-faults", action="store_true", help="Only the clean run.")
    parser.add_argument(
        "--no-rereads",
        dest="rereads",
        action="store_false",
        help="Customers never read the conversation again on events (the widget does).",
    )
    parser.add_argument(
        "--send",
        choices=("websocket", "http"),
        default="websocket",
        help="Over each customer's websocket, as the widget does (HTTP while it is down), or HTTP only.",
    )
    args = parser.parse_args()
    if args.customers < 1 or args.customers > 5000 or args.seconds > 120 or args.rate <= 0:
        parser.error("keep it bounded: 1–5000 customers, at most 120 s, a positive rate")

    var = ROOT / "var" / "load"
    var.mkdir(parents=True, exist_ok=True)
    (var / "cluster.json").unlink(missing_ok=True)
    os.environ.update(
        {"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "SUPPORTAGENT_VAR_DIR": str(var)}
    )
    redis_cli("-n", "2", "flushdb")
    fresh_database()
    env = cluster_env(var)
    print("Preparing a fresh database with the demo bank's knowledge base…")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    fake_llm = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fake_llm.py"), "--port", str(FAKE_LLM_PORT)], cwd=ROOT
    )
    cluster = Cluster(var)
    cluster.others["fake LLM"] = [fake_llm.pid]
    try:
        print("Starting the cluster (2 web, pipeline worker, llm worker, beat)…")
        cluster.start()
        print(
            f"{args.customers} customers, {args.rate:.0f} msg/s offered for {args.seconds:.0f} s, "
            f"ports {WEB_PORTS}, fake LLM with hosted-model latency"
        )
        clean = asyncio.run(one_run(args, cluster, faults=False, seed=1))
        print_report("Clean run", clean)
        runs = [clean]
        if not args.no_faults:
            faulty = asyncio.run(one_run(args, cluster, faults=True, seed=2))
            print_report("With the llm worker SIGKILLed and Redis restarted mid-run", faulty)
            runs.append(faulty)
        ok = all(r["lost"] == 0 and r["accepted_lost"] == 0 and r["duplicated"] == 0 for r in runs)
        print(
            "\nTargets: ≥ 300 msg/s accepted at p95 ack ≤ 100 ms "
            f"(clean run: {clean['accepted_per_s']:.0f} msg/s, p95 {clean['ack_p95']:.1f} ms); "
            f"zero lost or duplicated in every run: {'yes' if ok else 'NO'}"
        )
    finally:
        cluster.stop()
        fake_llm.terminate()
        fake_llm.wait()


if __name__ == "__main__":
    main()
