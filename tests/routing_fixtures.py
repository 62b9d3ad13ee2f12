"""Fixtures for the routing tests: the process-wide router, and a tiny copy of the training data."""

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from agent.routing import Router, get_router
from agent.routing.training_data import DEFAULT_DATA_DIR

ROWS_PER_INTENT = 6  # enough for the calibration folds, small enough to train in a couple of seconds


@pytest.fixture(scope="session")
def router() -> Router:
    """The real router from settings.ROUTER_MODEL_DIR, trained there once if missing or stale."""
    return get_router()


@pytest.fixture(scope="session")
def banking77_categories() -> list[str]:
    """The 77 intent names, exactly as BANKING77 spells them."""
    return json.loads((DEFAULT_DATA_DIR / "banking77" / "categories.json").read_text(encoding="utf-8"))


@pytest.fixture
def tiny_data_dir(tmp_path: Path) -> Path:
    """A copy of agent/data with a few rows per intent, so a test can afford to train."""
    data_dir = tmp_path / "data"
    (data_dir / "banking77").mkdir(parents=True)
    (data_dir / "clinc150").mkdir()
    shutil.copy(DEFAULT_DATA_DIR / "banking77" / "categories.json", data_dir / "banking77")
    shutil.copy(DEFAULT_DATA_DIR / "clinc150" / "domains.json", data_dir / "clinc150")
    (data_dir / "minilm_static").symlink_to(DEFAULT_DATA_DIR / "minilm_static")
    with (DEFAULT_DATA_DIR / "banking77" / "train.csv").open(encoding="utf-8", newline="") as source:
        rows = _first_per_label(csv.DictReader(source), "category")
    with (data_dir / "banking77" / "train.csv").open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=["text", "category"])
        writer.writeheader()
        writer.writerows(rows)
    clinc = json.loads((DEFAULT_DATA_DIR / "clinc150" / "train.json").read_text(encoding="utf-8"))
    pairs = _first_per_label(({"text": t, "intent": i} for t, i in clinc["train"]), "intent")
    tiny_clinc = {"train": [[p["text"], p["intent"]] for p in pairs], "oos_train": clinc["oos_train"][:20]}
    (data_dir / "clinc150" / "train.json").write_text(json.dumps(tiny_clinc), encoding="utf-8")
    return data_dir


def _first_per_label(rows, label: str) -> list[dict]:
    kept: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if len(kept[row[label]]) < ROWS_PER_INTENT:
            kept[row[label]].append(row)
    return [row for group in kept.values() for row in group]
