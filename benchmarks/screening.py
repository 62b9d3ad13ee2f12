"""Benchmark the screening every inbound text goes through: sensitive data and prompt injection.

- Sensitive data: precision and recall per type on benchmarks/data/screening.jsonl (the corpus the detector
  was developed on) and benchmarks/data/screening_heldout.jsonl (written separately, never tuned on). A
  finding counts when its type, start and end are exactly the labelled ones.
- Prompt injection: detection rate on attacks and false-positive rate on look-alikes, per family, on
  benchmarks/data/injection_fresh6.jsonl (written without reading the model or its data; it never saw it),
  and on its first training corpus for reference. Changes to the detector are chosen on
  benchmarks/injection_loco.py instead.
- Ordinary help-centre text: the share of passages flagged, as search returns them, of the demo bank's 77
  articles and of the 349 Rho-Bank documents in ../shared/data/tau2_banking_knowledge/ that the model was
  not trained on (benchmarks/kb_passages.py splits them and writes the other half's passages). Skipped
  cleanly where they are not.
- Throughput: `manage.py screen` over 5,000 lines, start-up included, in a fresh process.

Run from the repository root: `python benchmarks/screening.py`.
"""

from __future__ import annotations

import collections
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
PII_SETS = {"development": DATA / "screening.jsonl", "held out": DATA / "screening_heldout.jsonl"}
INJECTION_SETS = {
    "held out": DATA / "injection_fresh6.jsonl",
    "training": REPO / "agent/data/injection/train.jsonl",
}
THROUGHPUT_LINES = 5000
TARGETS = {
    "recall, card numbers and IBANs": "≥ 99%",
    "recall, all types": "≥ 95%",
    "precision, all types": "≥ 95%",
    "injection detected": "≥ 95%",
    "look-alikes flagged": "≤ 2%",
    "screen, 5,000 lines": "< 30 s",
}


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    import django

    django.setup()
    for name, path in PII_SETS.items():
        if path.is_file():
            report_pii(name, read(path))
    for name, path in INJECTION_SETS.items():
        if path.is_file():
            report_injection(name, read(path))
    report_ordinary_passages()
    report_throughput()
    print("\ntargets: " + "; ".join(f"{what} {target}" for what, target in TARGETS.items()))


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report_pii(name: str, rows: list[dict[str, Any]]) -> None:
    from agent.screening.pii import TYPES, find

    right: collections.Counter[str] = collections.Counter()
    wrong: collections.Counter[str] = collections.Counter()
    missed: collections.Counter[str] = collections.Counter()
    for row in rows:
        labelled = {(p["type"], p["start"], p["end"]) for p in row["pii"]}
        found = {(f.type, f.start, f.end) for f in find(row["text"])}
        right.update(kind for kind, _, _ in labelled & found)
        wrong.update(kind for kind, _, _ in found - labelled)
        missed.update(kind for kind, _, _ in labelled - found)
    print(f"\nsensitive data, {name} set: {len(rows):,} messages")
    print(f"{'type':<16} {'labelled':>8} {'precision':>10} {'recall':>8}")
    for kind in sorted(TYPES, key=lambda k: -(right[k] + missed[k])):
        labelled_count = right[kind] + missed[kind]
        print(
            f"{kind:<16} {labelled_count:>8} {ratio(right[kind], right[kind] + wrong[kind]):>10}"
            f" {ratio(right[kind], labelled_count):>8}"
        )
    total_right, total_wrong, total_missed = sum(right.values()), sum(wrong.values()), sum(missed.values())
    print(
        f"{'all':<16} {total_right + total_missed:>8} {ratio(total_right, total_right + total_wrong):>10}"
        f" {ratio(total_right, total_right + total_missed):>8}"
    )


def report_injection(name: str, rows: list[dict[str, Any]]) -> None:
    from agent.screening.model import get_model

    begin = time.perf_counter()
    verdicts = get_model().verdicts_of(rows)
    elapsed = time.perf_counter() - begin
    by_family: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    for row, verdict in zip(rows, verdicts, strict=True):
        counts = by_family[row["family"]]
        if row["attack"]:
            counts[0] += 1
            counts[1] += verdict.injection
        else:
            counts[2] += 1
            counts[3] += verdict.injection
    print(f"\nprompt injection, {name} set: {len(rows)} texts in {elapsed:.2f} s")
    print(f"{'family':<26} {'detected':>12} {'look-alikes flagged':>20}")
    for family, (attacks, detected, benign, flagged) in sorted(by_family.items()):
        print(
            f"{family:<26} {detected:>4}/{attacks:<3} {ratio(detected, attacks):>4} {flagged:>10}/{benign:<3}"
            f" {ratio(flagged, benign):>5}"
        )
    attacks = sum(c[0] for c in by_family.values())
    detected = sum(c[1] for c in by_family.values())
    benign = sum(c[2] for c in by_family.values())
    flagged = sum(c[3] for c in by_family.values())
    print(
        f"{'all':<26} {detected:>4}/{attacks:<3} {ratio(detected, attacks):>4} {flagged:>10}/{benign:<3}"
        f" {ratio(flagged, benign):>5}"
    )


def report_ordinary_passages() -> None:
    from kb_passages import DOCUMENTS, documents

    from agent.knowledge.passages import split
    from agent.screening.injection import detect_many

    demo = json.loads((REPO / "agent" / "demo" / "articles.json").read_text(encoding="utf-8"))
    sets = {"demo bank's articles": [text for article in demo for _, text in split(article["body"])]}
    if DOCUMENTS.is_dir():
        sets["Rho-Bank documents not trained on"] = [
            text
            for path in documents(trained=False)
            for _, text in split(json.loads(path.read_text(encoding="utf-8"))["content"])
        ]
    print("\nordinary help-centre passages flagged")
    for name, passages in sets.items():
        flagged = sum(verdict.injection for verdict in detect_many(passages, article=True))
        print(f"{name:<36} {flagged:>4}/{len(passages):<5} {ratio(flagged, len(passages)):>6}")


def report_throughput() -> None:
    rows = read(PII_SETS["development"])
    random.seed(0)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as lines:
        for number in range(THROUGHPUT_LINES):
            lines.write(json.dumps({"id": number, "text": random.choice(rows)["text"]}) + "\n")
    times = []
    try:
        for _ in range(3):
            begin = time.perf_counter()
            subprocess.run(
                [sys.executable, "manage.py", "screen", "--input", lines.name],
                check=True,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - begin)
    finally:
        os.unlink(lines.name)
    print(
        f"\nscreen: {THROUGHPUT_LINES:,} lines in {statistics.median(times):.1f} s"
        " (median of 3 fresh processes)"
    )


def ratio(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


if __name__ == "__main__":
    main()
