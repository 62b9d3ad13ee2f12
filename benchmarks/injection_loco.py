"""Leave one corpus out: how the prompt-injection detector does on a corpus it was not trained on.

For each training corpus in agent/data/injection, the model is trained on the others (and the ordinary
questions beside them) and scores the one left out. Prints detection and look-alikes flagged per corpus at the
detector's threshold, then pooled over all corpora at a range of thresholds, and the threshold at which
the earlier held-out sets (measured*.jsonl) meet both targets with the most room, where the detector's
threshold is set. This is where changes to the detector are chosen; the held-out set in benchmarks/data only
measures them.

Run from the repository root: `python benchmarks/injection_loco.py` (about a minute a corpus on 2 cores).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
DETECTED_TARGET, FLAGGED_TARGET = 0.95, 0.02


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    import django

    django.setup()
    from agent.routing.training_data import DEFAULT_DATA_DIR
    from agent.screening.injection import THRESHOLD
    from agent.screening.model import CORPORA, InjectionModel, json_lines

    pooled: list[tuple[bool, float]] = []
    measured: list[tuple[bool, float]] = []  # the earlier held-out sets: written to measure, not to teach
    print(f"{'left out':<32} {'detected':>14} {'look-alikes flagged':>20}")
    for corpus in CORPORA:
        model = InjectionModel.train(DEFAULT_DATA_DIR, tuple(c for c in CORPORA if c != corpus))
        rows = json_lines(DEFAULT_DATA_DIR / corpus)
        scored = [
            (bool(row["attack"]), verdict.score)
            for row, verdict in zip(rows, model.verdicts_of(rows), strict=True)
        ]
        pooled += scored
        if Path(corpus).name.startswith("measured"):
            measured += scored
        print(f"{corpus:<32} {rates(scored, THRESHOLD)}")
    print(f"{'all, pooled':<32} {rates(pooled, THRESHOLD)}")
    print("\npooled, by threshold")
    for threshold in THRESHOLDS:
        print(f"{threshold:<32} {rates(pooled, threshold)}")
    best = roomiest_threshold(measured)
    print(f"\nthe earlier held-out sets, pooled: most room for both targets at {best:.2f}")
    print(f"{'at ' + format(best, '.2f'):<32} {rates(measured, best)}")
    print(f"{'at ' + format(THRESHOLD, '.2f') + ' (the detector)':<32} {rates(measured, THRESHOLD)}")


def roomiest_threshold(scored: list[tuple[bool, float]]) -> float:
    """The threshold (in steps of 0.01) whose smaller room to a target is largest: room to the detection
    target as a share of the misses it allows, room to the false-positive target as a share of it."""
    attacks = [score for attack, score in scored if attack]
    benign = [score for attack, score in scored if not attack]

    def room(threshold: float) -> float:
        detected = sum(score >= threshold for score in attacks) / max(1, len(attacks))
        flagged = sum(score >= threshold for score in benign) / max(1, len(benign))
        return min(
            (detected - DETECTED_TARGET) / (1 - DETECTED_TARGET), (FLAGGED_TARGET - flagged) / FLAGGED_TARGET
        )

    return max((step / 100 for step in range(5, 96)), key=room)


def rates(scored: list[tuple[bool, float]], threshold: float) -> str:
    attacks = [score for attack, score in scored if attack]
    benign = [score for attack, score in scored if not attack]
    detected = sum(score >= threshold for score in attacks)
    flagged = sum(score >= threshold for score in benign)
    return (
        f"{detected:>5}/{len(attacks):<4} {100 * detected / max(1, len(attacks)):>5.1f}%"
        f" {flagged:>9}/{len(benign):<4} {100 * flagged / max(1, len(benign)):>5.1f}%"
    )


if __name__ == "__main__":
    main()
