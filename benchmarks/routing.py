"""Benchmark the routing model against a TF-IDF + logistic-regression baseline.

Run from the repository root: `python benchmarks/routing.py`. Both models are trained in this process on the
same stratified 90% of BANKING77 train (plus CLINC150 train for the scope guards) and measured on the other
10%, and on CLINC150 val + oos_val from ../shared/data (skipped with a message if that file is absent).
"""

import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agent.routing import Router  # noqa: E402  (needs the repository on sys.path)
from agent.routing.training_data import IN_SCOPE_CLINC_DOMAINS, load_banking77, load_clinc_scope  # noqa: E402

CLINC_VAL = REPO.parent / "shared" / "data" / "clinc150" / "train_val.json"
SEED = 0
AUTO_SEND_THRESHOLDS = (0.8, 0.9, 0.95)
ECE_BINS = 15
LATENCY_QUERIES = 300
THROUGHPUT_QUERIES = 3000


@dataclass
class Predictions:
    """What a model said about the validation texts."""

    intents: np.ndarray
    confidences: np.ndarray
    in_scope: np.ndarray  # one flag per text of the scope sets, concatenated


class Baseline:
    """TF-IDF word 1-2-grams + multinomial logistic regression; a second one for scope at p >= 0.5."""

    def __init__(self, intent_texts, intent_labels, in_scope_texts, out_scope_texts):
        self.intent_vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(intent_texts)
        features = self.intent_vectorizer.transform(intent_texts)
        self.intent_model = LogisticRegression(C=10, max_iter=2000).fit(features, intent_labels)
        scope_texts = intent_texts + in_scope_texts + out_scope_texts
        in_scope = np.arange(len(scope_texts)) < len(intent_texts) + len(in_scope_texts)
        self.scope_vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(scope_texts)
        scope_features = self.scope_vectorizer.transform(scope_texts)
        self.scope_model = LogisticRegression(C=10, max_iter=2000).fit(scope_features, in_scope)

    def classify(self, texts):
        probabilities = self.intent_model.predict_proba(self.intent_vectorizer.transform(texts))
        in_scope = self.scope_model.predict(self.scope_vectorizer.transform(texts))
        intents = self.intent_model.classes_[probabilities.argmax(1)]
        return intents, probabilities.max(1), in_scope.astype(bool)


def main() -> None:
    texts, labels = load_banking77()
    train_texts, val_texts, train_labels, val_labels = train_test_split(
        texts, labels, test_size=0.1, stratify=labels, random_state=SEED
    )
    clinc_in, clinc_out = load_clinc_scope()
    scope_sets = load_clinc_val()
    scope_sets["BANKING77 val"] = (val_texts, True)
    print(f"BANKING77: {len(train_texts)} train / {len(val_texts)} validation (stratified, seed {SEED})")

    results = {}
    started = time.perf_counter()
    baseline = Baseline(train_texts, train_labels, clinc_in, clinc_out)
    results["TF-IDF + LR"] = measure(
        baseline.classify, time.perf_counter() - started, val_texts, val_labels, scope_sets, load_seconds=None
    )
    started = time.perf_counter()
    router = Router.fit(train_texts, train_labels, clinc_in, clinc_out)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        router.save(Path(directory))
        started = time.perf_counter()
        router = Router.load(Path(directory))
        load_seconds = time.perf_counter() - started

    def classify_with_router(batch):
        routes = router.classify(batch)
        return (
            np.array([r.intent for r in routes]),
            np.array([r.confidence for r in routes]),
            np.array([r.in_scope for r in routes]),
        )

    results["router"] = measure(
        classify_with_router, train_seconds, val_texts, val_labels, scope_sets, load_seconds=load_seconds
    )
    print_table(results)


def load_clinc_val() -> dict[str, tuple[list[str], bool]]:
    """CLINC150 val + oos_val split by the bank's scope; empty (with a message) when the file is absent."""
    if not CLINC_VAL.exists():
        print(f"CLINC150 val not found at {CLINC_VAL}: skipping the out-of-scope measurements")
        return {}
    clinc = json.loads(CLINC_VAL.read_text(encoding="utf-8"))
    domains = json.loads((REPO / "agent" / "data" / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    banking = {intent for domain in IN_SCOPE_CLINC_DOMAINS for intent in domains[domain]}
    return {
        "CLINC in-scope val": ([t for t, i in clinc["val"] if i in banking], True),
        "CLINC other domains val": ([t for t, i in clinc["val"] if i not in banking], False),
        "CLINC oos_val": ([t for t, _ in clinc["oos_val"]], False),
    }


def measure(classify, train_seconds, val_texts, val_labels, scope_sets, load_seconds) -> dict[str, str]:
    """All the table's numbers for one model."""
    intents, confidences, _ = classify(val_texts)
    correct = intents == np.asarray(val_labels)
    row = {
        "training time (s)": f"{train_seconds:.1f}",
        "accuracy": f"{correct.mean():.4f}",
        "macro-F1": f"{f1_score(val_labels, intents, average='macro'):.4f}",
        f"ECE ({ECE_BINS} bins)": f"{expected_calibration_error(confidences, correct):.4f}",
    }
    for threshold in AUTO_SEND_THRESHOLDS:
        sent = confidences >= threshold
        precision = correct[sent].mean() if sent.any() else float("nan")
        row[f"auto-send p>={threshold}: precision / coverage"] = f"{precision:.4f} / {sent.mean():.3f}"
    row["coverage at 99% precision"] = f"{coverage_at_precision(confidences, correct, 0.99):.3f}"
    row.update(scope_rates(classify, scope_sets))
    row.update(speed(classify, val_texts, load_seconds))
    return row


def expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """Weighted mean gap between confidence and accuracy over equal-width confidence bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    bin_of = np.clip(np.digitize(confidences, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        members = bin_of == b
        if members.any():
            error += members.mean() * abs(confidences[members].mean() - correct[members].mean())
    return float(error)


def coverage_at_precision(confidences: np.ndarray, correct: np.ndarray, precision: float) -> float:
    """Largest share of most-confident predictions whose precision is still at least `precision`."""
    order = np.argsort(-confidences, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    meeting = np.nonzero(running >= precision)[0]
    return float((meeting.max() + 1) / len(order)) if meeting.size else 0.0


def scope_rates(classify, scope_sets) -> dict[str, str]:
    """Out-of-scope recall on out-of-scope sets, false-reject rate on in-scope sets."""
    rates = {}
    out_flags = []
    for name, (texts, in_scope) in scope_sets.items():
        flags = classify(texts)[2]
        if in_scope:
            rates[f"false-reject rate, {name}"] = f"{(~flags).mean():.4f}"
        else:
            rates[f"OOS recall, {name}"] = f"{(~flags).mean():.4f}"
            out_flags.append(flags)
    if out_flags:
        rates["OOS recall, CLINC other domains + oos_val"] = f"{(~np.concatenate(out_flags)).mean():.4f}"
    return rates


def speed(classify, texts, load_seconds) -> dict[str, str]:
    """Median single-query latency, and one batch of 3,000 queries (plus the model load, when saved)."""
    timings = []
    for text in texts[:LATENCY_QUERIES]:
        started = time.perf_counter()
        classify([text])
        timings.append(time.perf_counter() - started)
    batch = (texts * (THROUGHPUT_QUERIES // len(texts) + 1))[:THROUGHPUT_QUERIES]
    started = time.perf_counter()
    classify(batch)
    batch_seconds = time.perf_counter() - started
    load = f" + {load_seconds:.2f} s load" if load_seconds is not None else " (kept in memory)"
    return {
        "median latency, 1 query (ms)": f"{statistics.median(timings) * 1000:.2f}",
        f"batch of {THROUGHPUT_QUERIES} (s)": f"{batch_seconds:.2f}{load}",
    }


def print_table(results: dict[str, dict[str, str]]) -> None:
    """Metrics down, models across."""
    names = list(results)
    metrics = list(dict.fromkeys(metric for row in results.values() for metric in row))
    width = max(len(metric) for metric in metrics)
    columns = [max(len(name), *(len(results[name].get(m, "")) for m in metrics)) for name in names]
    print()
    print(f"{'':{width}}  " + "  ".join(f"{n:>{c}}" for n, c in zip(names, columns, strict=True)))
    for metric in metrics:
        cells = [f"{results[n].get(metric, '-'):>{c}}" for n, c in zip(names, columns, strict=True)]
        print(f"{metric:{width}}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
