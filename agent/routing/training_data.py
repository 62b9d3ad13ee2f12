"""The shipped training corpora: BANKING77 for intents, CLINC150 for what is and is not bank business."""

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# CLINC150 domains a bank's support desk answers; every other domain, and CLINC's "oos", is out of scope
IN_SCOPE_CLINC_DOMAINS = ("banking", "credit_cards")
TRAINING_FILES = (
    "banking77/train.csv",
    "banking77/categories.json",
    "clinc150/train.json",
    "clinc150/domains.json",
    "minilm_static/embeddings.npy",
    "minilm_static/vocab.txt",
)


@dataclass(frozen=True)
class TrainingData:
    """Labelled texts for the intent model; more in-scope and out-of-scope texts for the scope guard."""

    intent_texts: list[str]
    intent_labels: list[str]
    in_scope_texts: list[str]
    out_scope_texts: list[str]


def load_banking77(data_dir: Path = DEFAULT_DATA_DIR) -> tuple[list[str], list[str]]:
    """BANKING77 texts and their category names, checked against `categories.json`."""
    categories = set(json.loads((data_dir / "banking77" / "categories.json").read_text(encoding="utf-8")))
    with (data_dir / "banking77" / "train.csv").open(encoding="utf-8", newline="") as rows:
        pairs = [(row["text"], row["category"]) for row in csv.DictReader(rows)]
    unknown = {category for _, category in pairs} - categories
    if unknown:
        raise ValueError(f"BANKING77 rows with categories not in categories.json: {sorted(unknown)}")
    return [text for text, _ in pairs], [category for _, category in pairs]


def load_clinc_scope(data_dir: Path = DEFAULT_DATA_DIR) -> tuple[list[str], list[str]]:
    """CLINC150 training texts split into (in scope for a bank, out of scope)."""
    clinc = json.loads((data_dir / "clinc150" / "train.json").read_text(encoding="utf-8"))
    domains = json.loads((data_dir / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    banking_intents = {intent for domain in IN_SCOPE_CLINC_DOMAINS for intent in domains[domain]}
    in_scope = [text for text, intent in clinc["train"] if intent in banking_intents]
    out_scope = [text for text, intent in clinc["train"] if intent not in banking_intents]
    out_scope += [text for text, _ in clinc["oos_train"]]
    return in_scope, out_scope


def load_training_data(data_dir: Path = DEFAULT_DATA_DIR) -> TrainingData:
    """Everything `Router.train` learns from."""
    intent_texts, intent_labels = load_banking77(data_dir)
    in_scope, out_scope = load_clinc_scope(data_dir)
    return TrainingData(intent_texts, intent_labels, in_scope, out_scope)


def training_fingerprint(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """SHA-256 over the training files and the code that reads them into features, so a saved router can tell
    it was trained on other data or by other code (a router kept between checkouts, as CI keeps it)."""
    digest = hashlib.sha256()
    for name in TRAINING_FILES:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()
