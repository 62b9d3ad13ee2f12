"""The router: a BANKING77 intent with a calibrated probability, and whether the bank handles the message."""

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.routing.embeddings import StaticEmbedder
from agent.routing.intent import IntentModel
from agent.routing.ngrams import NgramTfidf
from agent.routing.scope import ScopeGuard
from agent.routing.training_data import DEFAULT_DATA_DIR, load_training_data, training_fingerprint

# bump when features, models or the saved format change, so saved routers are retrained
MODEL_VERSION = "4"
# customer messages are short; a pasted novel is cut so one request cannot stall routing
MAX_TEXT_CHARS = 2000
METADATA_FILE = "router.json"


@dataclass(frozen=True)
class Route:
    """Where a customer message goes."""

    intent: str  # a BANKING77 category name
    confidence: float  # calibrated probability of that intent, in [0, 1]
    in_scope: bool
    scope_score: float  # probability the text is in the bank's support scope, in [0, 1]


class Router:
    """N-gram TF-IDF plus static MiniLM embeddings, fed to a linear intent SVM and a logistic scope guard."""

    def __init__(
        self,
        *,
        embedder: StaticEmbedder,
        intent_ngrams: NgramTfidf,
        intent_model: IntentModel,
        scope_ngrams: NgramTfidf,
        scope_guard: ScopeGuard,
        metadata: dict | None = None,
    ):
        self.embedder = embedder
        self.intent_ngrams = intent_ngrams
        self.intent_model = intent_model
        self.scope_ngrams = scope_ngrams
        self.scope_guard = scope_guard
        self.metadata = {"model_version": MODEL_VERSION, **(metadata or {})}

    @property
    def intents(self) -> list[str]:
        """The intent names, in the column order of `intent_probabilities`."""
        return self.intent_model.intents

    @classmethod
    def fit(
        cls,
        intent_texts: list[str],
        intent_labels: list[str],
        in_scope_texts: list[str],
        out_scope_texts: list[str],
        embedder: StaticEmbedder | None = None,
    ) -> "Router":
        """Train on any corpora: labelled intent texts (in scope too), other in- and out-of-scope texts."""
        started = time.perf_counter()
        embedder = embedder or StaticEmbedder.load()
        intent_texts = _clip(intent_texts)
        scope_texts = intent_texts + _clip(in_scope_texts) + _clip(out_scope_texts)
        scope_vectors = embedder.embed(scope_texts)
        intent_ngrams, intent_features = NgramTfidf.fit_transform(
            intent_texts, scope_vectors[: len(intent_texts)]
        )
        scope_ngrams, scope_features = NgramTfidf.fit_transform(scope_texts, scope_vectors)
        in_scope = np.arange(len(scope_texts)) < len(intent_texts) + len(in_scope_texts)
        router = cls(
            embedder=embedder,
            intent_ngrams=intent_ngrams,
            intent_model=IntentModel.fit(intent_features, intent_labels),
            scope_ngrams=scope_ngrams,
            scope_guard=ScopeGuard.fit(scope_features, in_scope),
        )
        router.metadata["training_seconds"] = round(time.perf_counter() - started, 2)
        return router

    @classmethod
    def train(cls, data_dir: Path | None = None) -> "Router":
        """Train on the corpora shipped in `agent/data` (or `data_dir`, laid out the same way)."""
        data_dir = data_dir or DEFAULT_DATA_DIR
        data = load_training_data(data_dir)
        router = cls.fit(
            data.intent_texts,
            data.intent_labels,
            data.in_scope_texts,
            data.out_scope_texts,
            embedder=StaticEmbedder.load(data_dir / "minilm_static"),
        )
        router.metadata["fingerprint"] = training_fingerprint(data_dir)
        return router

    def classify(self, texts: list[str]) -> list[Route]:
        """Route a batch of messages; blank messages come back out of scope with zero confidence."""
        if not texts:
            return []
        top, probabilities, scope = self._score(_clip(texts))
        routes = []
        for text, intent_index, row, scope_score in zip(texts, top, probabilities, scope, strict=True):
            if not text.strip():
                routes.append(Route(self.intents[intent_index], 0.0, False, 0.0))
                continue
            routes.append(
                Route(
                    intent=self.intents[intent_index],
                    confidence=float(row[intent_index]),
                    in_scope=bool(scope_score >= self.scope_guard.threshold),
                    scope_score=float(scope_score),
                )
            )
        return routes

    def classify_one(self, text: str) -> Route:
        """Route one message."""
        return self.classify([text])[0]

    def intent_probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated probability of every intent (columns as in `intents`); each row sums to 1."""
        return self._score(_clip(texts))[1]

    def save(self, directory: Path) -> None:
        """Write JSON and numpy files; `directory` is replaced whole, so readers never see a mix."""
        directory = Path(directory)
        staging = directory.with_name(f".{directory.name}.saving")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        self.embedder.save(staging)
        self.intent_ngrams.save(staging, "intent_ngrams")
        self.intent_model.save(staging)
        self.scope_ngrams.save(staging, "scope_ngrams")
        self.scope_guard.save(staging)
        (staging / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2), encoding="utf-8")
        _replace_directory(staging, directory)

    @classmethod
    def load(cls, directory: Path) -> "Router":
        """Read a router that `save` wrote."""
        directory = Path(directory)
        return cls(
            embedder=StaticEmbedder.load(directory),
            intent_ngrams=NgramTfidf.load(directory, "intent_ngrams"),
            intent_model=IntentModel.load(directory),
            scope_ngrams=NgramTfidf.load(directory, "scope_ngrams"),
            scope_guard=ScopeGuard.load(directory),
            metadata=read_metadata(directory),
        )

    def _score(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vectors = self.embedder.embed(texts)
        top, probabilities = self.intent_model.predict(self.intent_ngrams.transform(texts, vectors))
        scope = self.scope_guard.probabilities(self.scope_ngrams.transform(texts, vectors))
        return top, probabilities, scope


def read_metadata(directory: Path) -> dict:
    """The saved router's metadata (model version, training fingerprint), or {} if there is none."""
    try:
        return json.loads((Path(directory) / METADATA_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _clip(texts: list[str]) -> list[str]:
    return [text[:MAX_TEXT_CHARS] for text in texts]


def _replace_directory(staging: Path, directory: Path) -> None:
    retired = directory.with_name(f".{directory.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if directory.exists():
        directory.rename(retired)
    staging.rename(directory)
    shutil.rmtree(retired, ignore_errors=True)
