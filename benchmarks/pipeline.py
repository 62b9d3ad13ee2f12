"""Benchmark the agent pipeline: what a run costs besides the LLM, our graph runner against LangGraph's, and a
replay of BANKING77 validation questions (LLM calls, share answered without a human, cost per answer).

Run from the repository root: `python benchmarks/pipeline.py`. It sets up Django on a throw-away SQLite file
in the var dir (deleted at the end) and answers every chat completion from an instant loopback fake that
speaks the OpenAI wire format, so that what is measured is our own code. Set SUPPORTAGENT_VAR_DIR to keep
clear of other databases and ROUTER_MODEL_DIR to reuse a trained router (else it is trained first, ~30 s).
"""

import importlib.metadata
import importlib.util
import json
import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypedDict
from unittest import mock

import numpy as np
from _django import throwaway_django  # first: it puts the repository on sys.path
from langgraph.graph import END as LANGGRAPH_END
from langgraph.graph import START as LANGGRAPH_START
from langgraph.graph import StateGraph as LangGraphStateGraph
from sklearn.model_selection import train_test_split

from agent.graph import END, StateGraph, StepRecord
from agent.routing.training_data import load_banking77

SEED = 0  # the split of benchmarks/routing.py: stratified 10% of BANKING77 train, seed 0
OVERHEAD_RUNS = 200
WARMUP_RUNS = 5
QUERY_COUNT_RUNS = 20
REPLAY_QUESTIONS = 500
CACHE_HIT_QUESTIONS = 50
GRAPH_RUNS = 2000
GRAPH_WARMUP = 200

OVERHEAD_TARGET_MS = 10.0
RUNNER_RATIO_TARGET = 10.0

# The fake's models, their prices per 1M tokens (input, output), and the usage it reports for every answer.
FAKE_MODEL = "bench-instant-fake"
FAKE_PRICE = (Decimal("0.15"), Decimal("0.60"))
FAKE_LARGE_MODEL = "bench-instant-fake-large"
FAKE_LARGE_PRICE = (Decimal("2.50"), Decimal("10.00"))
FAKE_USAGE = {"prompt_tokens": 300, "completion_tokens": 50, "total_tokens": 350}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Row:
    metric: str
    value: str = ""
    target: str = ""


def main() -> None:
    started = time.perf_counter()
    texts, labels = load_banking77()
    train_texts, val_texts = train_test_split(texts, test_size=0.1, stratify=labels, random_state=SEED)
    sample = random.Random(SEED).sample(train_texts, WARMUP_RUNS + OVERHEAD_RUNS + QUERY_COUNT_RUNS)
    with throwaway_django("bench-pipeline"), instant_llm() as base_url, LLMTimer().installed() as timer:
        use_fake_llm(base_url)
        overhead = measure_overhead(sample, timer)
        replayed = measure_replay(val_texts[:REPLAY_QUESTIONS], CACHE_HIT_QUESTIONS, timer)
    rows = overhead + compare_graph_runners() + replayed
    rows.append(Row("total wall time (s)", f"{time.perf_counter() - started:.1f}"))
    print_table(rows)


# --- the instant fake LLM, and a timer around every call to it ----------------------------------------------


@contextmanager
def instant_llm() -> Iterator[str]:
    """Serve chat completions on a loopback port; each answer is the first sentence of the prompt's article
    (so the draft passes the grounding check, as a good model's would), under the model asked for, with fixed
    usage. Both models answer alike, so the cascade shows only what it costs."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real endpoint behind the openai client
        disable_nagle_algorithm = True  # else headers and body wait ~40 ms for the client's delayed ACK

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            payload = json.dumps(completion(request)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def completion(request: dict[str, Any]) -> dict[str, Any]:
    system = next((m["content"] for m in request.get("messages", []) if m.get("role") == "system"), "")
    article = system.split("Article: ", 1)[-1].split("\n", 1)[-1].strip()
    answer = _SENTENCE_END.split(article, 1)[0] or "Please see the article."
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model") or FAKE_MODEL,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
        ],
        "usage": FAKE_USAGE,
    }


class LLMTimer:
    """Counts and times every chat completion the pipeline sends, from inside `LLMClient.chat`."""

    def __init__(self) -> None:
        self.calls = 0
        self.seconds = 0.0

    def reset(self) -> None:
        self.calls, self.seconds = 0, 0.0

    @contextmanager
    def installed(self) -> Iterator["LLMTimer"]:
        from agent.llm import LLMClient

        timer = self

        def timed(original: Callable[..., Any]) -> Callable[..., Any]:
            def call(client: LLMClient, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(client, **kwargs)
                finally:
                    timer.seconds += time.perf_counter() - started
                    timer.calls += 1

            return call

        with (
            mock.patch.object(LLMClient, "chat", timed(LLMClient.chat)),
            mock.patch.object(LLMClient, "chat_with_tools", timed(LLMClient.chat_with_tools)),
        ):
            yield self


def use_fake_llm(base_url: str) -> None:
    """Point the agent at the fake, draft with its small model (no larger one to cascade to), price both."""
    from django.conf import settings

    from agent.models import AgentVersion, LanguageModel

    settings.OPENAI_BASE_URL = base_url
    from agent.config import config

    AgentVersion.objects.filter(is_default=True).update(draft_model=FAKE_MODEL, large_model=FAKE_MODEL)
    config.clear()  # a bulk update sends no signal
    for name, (input_price, output_price) in ((FAKE_MODEL, FAKE_PRICE), (FAKE_LARGE_MODEL, FAKE_LARGE_PRICE)):
        LanguageModel.objects.update_or_create(
            name=name,
            defaults={"input_price_per_million": input_price, "output_price_per_million": output_price},
        )


# --- 1. pipeline overhead per run, LLM time excluded --------------------------------------------------------


@dataclass
class TimedRun:
    run_id: int
    decision: str
    wall_ms: float
    llm_ms: float
    llm_calls: int


def store_questions(questions: list[str]) -> list[Any]:
    """One new conversation of the demo customer per question, holding the stored message."""
    from agent.models import Customer
    from agent.services import start_conversation, store_customer_message

    customer = Customer.objects.get(external_id="demo-customer")
    return [
        store_customer_message(conversation=start_conversation(customer=customer), text=question)
        for question in questions
    ]


def answer_all(messages: list[Any], timer: LLMTimer) -> list[TimedRun]:
    from agent.pipeline import run_agent

    runs = []
    for message in messages:
        timer.reset()
        started = time.perf_counter()
        draft = run_agent(message=message)
        wall_ms = (time.perf_counter() - started) * 1000
        runs.append(TimedRun(draft.run_id, draft.decision, wall_ms, timer.seconds * 1000, timer.calls))
    return runs


def measure_overhead(questions: list[str], timer: LLMTimer) -> list[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agent.models import AgentRun, AgentStep

    warmup = questions[:WARMUP_RUNS]
    timed = questions[WARMUP_RUNS : WARMUP_RUNS + OVERHEAD_RUNS]
    counted = questions[WARMUP_RUNS + OVERHEAD_RUNS :]
    first = answer_all(store_questions(warmup[:1]), timer)[0]  # loads the router and the article vectors
    answer_all(store_questions(warmup[1:]), timer)
    runs = answer_all(store_questions(timed), timer)
    queries = []
    for message in store_questions(counted):
        with CaptureQueriesContext(connection) as captured:
            answer_all([message], timer)
        queries.append(len(captured))

    by_run = {run.run_id: run for run in runs}
    graph_ms = dict(AgentRun.objects.filter(pk__in=by_run).values_list("pk", "latency_ms"))
    node_ms: dict[str, list[float]] = {}
    steps_ms: Counter[int] = Counter()
    draft_ms: Counter[int] = Counter()
    for run_id, node, latency in AgentStep.objects.filter(run_id__in=by_run).values_list(
        "run_id", "node", "latency_ms"
    ):
        node_ms.setdefault(node, []).append(latency)
        steps_ms[run_id] += latency
        if node == "draft":
            draft_ms[run_id] += latency
    overhead = [run.wall_ms - run.llm_ms for run in runs]
    graph_overhead = [graph_ms[run.run_id] - run.llm_ms for run in runs]
    outside = [run.wall_ms - steps_ms[run.run_id] for run in runs]
    drafted = [run for run in runs if run.llm_calls]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    rows = [
        Row(f"1. Pipeline: run_agent on {len(runs)} stored BANKING77 questions, instant fake LLM"),
        Row("  database", f"SQLite, journal_mode={journal_mode}"),
        Row(
            "overhead per run excl. LLM, median / p95 (ms)",
            median_p95(overhead),
            f"median ≤ {OVERHEAD_TARGET_MS:g}",
        ),
        Row("  graph.invoke only (AgentRun.latency_ms) excl. LLM", median_p95(graph_overhead)),
        Row("  outside the nodes (run/step/draft rows, decision)", median_p95(outside)),
        Row("  LLM call time (fake, instant), median / p95 (ms)", median_p95([r.llm_ms for r in drafted])),
        Row("  runs that called the LLM", f"{len(drafted)} / {len(runs)}"),
        Row("  SQL queries per run, median (max)", f"{statistics.median(queries):g} ({max(queries)})"),
        Row("  cold first run: router + article vectors (ms)", f"{first.wall_ms:.0f}"),
        Row("per-node median from AgentStep rows (ms)"),
    ]
    for node, latencies in node_ms.items():
        rows.append(Row(f"  {node} (n={len(latencies)})", f"{statistics.median(latencies):.2f}"))
    if drafted:
        without_llm = [draft_ms[r.run_id] - r.llm_ms for r in drafted]
        rows.append(Row("  draft excl. its LLM call", f"{statistics.median(without_llm):.2f}"))
    return rows


def median_p95(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} / {np.percentile(values, 95):.2f}"


# --- 2. our graph runner against LangGraph's, on the same trivial four-node graph ---------------------------

QUESTIONS = ("Where is my new card?", "How do I top up by bank transfer?", "Can I change my PIN?")


def route_intent(text: str) -> str:
    return "card_arrival" if "card" in text else "top_up"


def find_passages(intent: str) -> tuple[str, ...]:
    return (f"article:{intent}",)


def write_draft(text: str, passages: tuple[str, ...]) -> str:
    return f"{text[:24]} (see {passages[0]})"


def decide_on(draft: str) -> str:
    return "auto_send" if draft else "review"


@dataclass(frozen=True)
class ToyTurn:
    text: str
    intent: str = ""
    passages: tuple[str, ...] = ()
    draft: str = ""
    decision: str = ""


class ToyTurnDict(TypedDict):
    text: str
    intent: str
    passages: tuple[str, ...]
    draft: str
    decision: str


def build_ours() -> Callable[[str], str]:
    graph = StateGraph(ToyTurn)
    graph.add_node("route", lambda s, ctx: {"intent": route_intent(s.text)}, reads=("text",))
    graph.add_node("retrieve", lambda s, ctx: {"passages": find_passages(s.intent)}, reads=("intent",))
    graph.add_node("draft", lambda s, ctx: {"draft": write_draft(s.text, s.passages)}, reads=("passages",))
    graph.add_node("decide", lambda s, ctx: {"decision": decide_on(s.draft)}, reads=("draft",))
    graph.set_entry_point("route")
    graph.add_conditional_edges(
        "route", lambda s: "retrieve" if s.intent else "decide", ("retrieve", "decide")
    )
    graph.add_conditional_edges(
        "retrieve", lambda s: "draft" if s.passages else "decide", ("draft", "decide")
    )
    graph.add_edge("draft", "decide")
    graph.add_edge("decide", END)
    compiled = graph.compile()

    def discard(record: StepRecord) -> None:
        pass

    return lambda text: compiled.invoke(ToyTurn(text), record=discard).decision


def build_langgraph() -> Callable[[str], str]:
    graph = LangGraphStateGraph(ToyTurnDict)
    graph.add_node("route", lambda s: {"intent": route_intent(s["text"])})
    graph.add_node("retrieve", lambda s: {"passages": find_passages(s["intent"])})
    graph.add_node("draft", lambda s: {"draft": write_draft(s["text"], s["passages"])})
    graph.add_node("decide", lambda s: {"decision": decide_on(s["draft"])})
    graph.add_edge(LANGGRAPH_START, "route")
    graph.add_conditional_edges(
        "route", lambda s: "retrieve" if s["intent"] else "decide", ["retrieve", "decide"]
    )
    graph.add_conditional_edges(
        "retrieve", lambda s: "draft" if s["passages"] else "decide", ["draft", "decide"]
    )
    graph.add_edge("draft", "decide")
    graph.add_edge("decide", LANGGRAPH_END)
    compiled = graph.compile()  # defaults: no checkpointer, no cache

    def invoke(text: str) -> str:
        empty: ToyTurnDict = {"text": text, "intent": "", "passages": (), "draft": "", "decision": ""}
        return str(compiled.invoke(empty)["decision"])

    return invoke


def time_runs(*invokes: Callable[[str], str]) -> list[float]:
    """Median µs per run of each graph over GRAPH_RUNS runs after GRAPH_WARMUP unmeasured ones, taking turns
    run by run so that both see the same load on a shared machine."""
    for i in range(GRAPH_WARMUP):
        for invoke in invokes:
            invoke(QUESTIONS[i % len(QUESTIONS)])
    timings: list[list[int]] = [[] for _ in invokes]
    for i in range(GRAPH_RUNS):
        for invoke, measured in zip(invokes, timings, strict=True):
            started = time.perf_counter_ns()
            invoke(QUESTIONS[i % len(QUESTIONS)])
            measured.append(time.perf_counter_ns() - started)
    return [statistics.median(measured) / 1000 for measured in timings]


def compare_graph_runners() -> list[Row]:
    ours, theirs = build_ours(), build_langgraph()
    if any(ours(q) != theirs(q) for q in QUESTIONS):
        raise SystemExit("the two graphs disagree: the comparison would not be like for like")
    ours_us, theirs_us = time_runs(ours, theirs)
    steps = 4  # every question goes route → retrieve → draft → decide
    return [
        Row(f"2. Graph runner, route → retrieve → draft → decide, trivial nodes, {GRAPH_RUNS} runs each"),
        Row("ours (no-op record), median µs per run / per step", f"{ours_us:.1f} / {ours_us / steps:.1f}"),
        Row(
            f"LangGraph {importlib.metadata.version('langgraph')} (defaults), median µs per run / per step",
            f"{theirs_us:.1f} / {theirs_us / steps:.1f}",
        ),
        Row("ratio LangGraph / ours", f"{theirs_us / ours_us:.1f}×", f"≥ {RUNNER_RATIO_TARGET:g}×"),
    ]


# --- 3. replay of validation questions, without and with the response cache and the cascade -----------------


@dataclass
class Replay:
    runs: list[TimedRun]
    cost: Decimal
    cascaded: int

    def rows(self, label: str) -> list[Row]:
        count = len(self.runs)
        decisions = Counter(run.decision for run in self.runs)
        resolved = decisions["auto_send"]
        mix = " / ".join(f"{decisions[d] / count:.3f}" for d in ("auto_send", "review", "escalate"))
        return [
            Row(f"{label}LLM calls per question", f"{sum(r.llm_calls for r in self.runs) / count:.3f}"),
            Row("  resolved without a human (auto_send)", f"{resolved / count:.3f}"),
            Row("  decisions auto_send / review / escalate", mix),
            Row("  cost per resolved question", f"${self.cost / resolved:.7f}" if resolved else "- (none)"),
            Row("  runs that went to the large model (cascade)", f"{self.cascaded} / {count}"),
            Row(
                "  overhead per run excl. LLM, median / p95 (ms)",
                median_p95([r.wall_ms - r.llm_ms for r in self.runs]),
            ),
        ]


def replay(questions: list[str], timer: LLMTimer) -> Replay:
    from django.db.models import Sum

    from agent.models import AgentRun, AgentStep

    runs = answer_all(store_questions(questions), timer)
    run_ids = [run.run_id for run in runs]
    cost = AgentRun.objects.filter(pk__in=run_ids).aggregate(total=Sum("cost"))["total"] or Decimal(0)
    cascaded = (
        AgentStep.objects.filter(run_id__in=run_ids, node="cascade").values("run_id").distinct().count()
    )
    return Replay(runs, cost, cascaded)


def measure_replay(questions: list[str], cache_hit_count: int, timer: LLMTimer) -> list[Row]:
    """The questions once with neither cache nor cascade, then (once the cache exists) again with both,
    starting from an empty cache; then some answers asked again, to time the cache's hits."""
    from django.db.models import F

    from agent.models import AgentVersion

    price = f"${FAKE_PRICE[0]} / ${FAKE_PRICE[1]} per 1M tokens, {FAKE_USAGE['prompt_tokens']}+"
    price += f"{FAKE_USAGE['completion_tokens']} tokens per call"
    rows = [Row(f"3. Replay of {len(questions)} validation questions (stratified 10%, seed {SEED}), {price}")]
    with response_cache_off():
        rows += replay(questions, timer).rows("without cache and cascade: ")
    if not importlib.util.find_spec("agent.cache"):
        unavailable = "n/a (response cache not available)"
        rows += [
            Row("with cache and cascade: LLM calls per question", unavailable),
            Row("  resolved without a human (auto_send)", unavailable),
            Row("  cost per resolved question", unavailable),
            Row("cache-hit answer latency, median / p95 (ms)", unavailable),
        ]
        return rows
    from agent.cache import get_response_cache
    from agent.config import config
    from agent.models import ThresholdPolicy

    get_response_cache().clear()
    AgentVersion.objects.filter(is_default=True).update(large_model=FAKE_LARGE_MODEL)
    # A small-model draft that would wait for review is redone once by the large model.
    ThresholdPolicy.objects.update(cascade_threshold=F("auto_send_threshold"))
    config.clear()  # bulk updates send no signals: drop the configuration this process keeps
    cached = replay(questions, timer)
    large = f"large model ${FAKE_LARGE_PRICE[0]} / ${FAKE_LARGE_PRICE[1]} per 1M tokens"
    rows += [Row(f"with cache and cascade ({large}, cascade below each intent's auto-send threshold)")]
    rows += cached.rows("  ")
    answered = [
        q
        for q, run in zip(questions, cached.runs, strict=True)
        if run.decision == "auto_send" and run.llm_calls
    ]
    repeats = answer_all(store_questions(answered[:cache_hit_count]), timer)
    hits = [run.wall_ms for run in repeats if run.llm_calls == 0]
    latency = (
        f"{median_p95(hits)} ({len(hits)}/{len(repeats)} hits)"
        if hits
        else "no hit: is the cache in run_agent?"
    )
    rows.append(Row("cache-hit answer latency, median / p95 (ms)", latency, "median ≤ 5"))
    # The same again with the worker's memo of routed questions emptied: a hit whose question this worker
    # has not routed lately (a paraphrase, or after a restart) also pays for routing.
    from agent.nodes import _classified

    _classified.cache_clear()
    cold = answer_all(store_questions(answered[:cache_hit_count]), timer)
    cold_hits = [run.wall_ms for run in cold if run.llm_calls == 0]
    rows.append(Row("  the same, routing not memoised, median / p95 (ms)", median_p95(cold_hits)))
    return rows


@contextmanager
def response_cache_off() -> Iterator[None]:
    """Nothing is found in or stored to the response cache while inside (no-op while there is no cache)."""
    if not importlib.util.find_spec("agent.cache"):
        yield
        return
    from agent.cache.base import ResponseCache

    with (
        mock.patch.object(ResponseCache, "lookup", return_value=None),
        mock.patch.object(ResponseCache, "store"),
    ):
        yield


def print_table(rows: list[Row]) -> None:
    """Metric, value and target; a row with no value is a section heading."""
    measured = [row for row in rows if row.value]
    width = max(len(row.metric) for row in measured)
    column = max(len(row.value) for row in measured)
    print()
    print(f"{'':{width}}  {'value':>{column}}  target")
    for row in rows:
        if row.value:
            print(f"{row.metric:{width}}  {row.value:>{column}}  {row.target}".rstrip())
        else:
            print(f"\n{row.metric}")


if __name__ == "__main__":
    main()
