"""The prompt-injection model: trained once into SCREENING_MODEL_DIR, loaded once per process."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from agent.routing.training_data import DEFAULT_DATA_DIR
from agent.search.vectors import static_embedder

from . import injection
from .lexicon import LEXICON

CORPORA = (
    "injection/train.jsonl",
    "injection/more.jsonl",
    "injection/extra.jsonl",
    "injection/measured.jsonl",
    "injection/measured2.jsonl",
    "injection/measured3.jsonl",
    "injection/measured4.jsonl",
    "injection/measured5.jsonl",
    "injection/measured6.jsonl",
    "injection/lookalikes.jsonl",
    "injection/benign.jsonl",
    "injection/hard.jsonl",
    "injection/hard2.jsonl",
    "injection/hard3.jsonl",
    "injection/hard4.jsonl",
    "injection/hard5.jsonl",
)
# Ordinary help-centre passages (half the Rho-Bank documents; the other half measures), benign like questions
KB_PASSAGES = "injection/kb_passages.jsonl"
SIGNAL_NAMES = tuple(sorted({name for name, _, _ in injection._SIGNALS}))
SIGNAL_SCALE = 2.0  # signals as features: weighed against thousands of n-grams


@dataclass
class InjectionModel:
    words: TfidfVectorizer
    characters: TfidfVectorizer
    classifier: LogisticRegression

    def verdict(self, text: str) -> injection.Verdict:
        """One text's verdict: the same probability as `verdicts`, computed as the linear model it is, without
        scikit-learn's per-call checks (~1.3 ms instead of ~2.4 ms for a 90-character message, on the path of
        every message)."""
        found, document = _read(text)
        parts = self._parts()
        logit = parts.intercept
        logit += _tfidf_dot(parts.words, document)
        logit += _tfidf_dot(parts.characters, document)
        named = [found.get(name, 0.0) for name in SIGNAL_NAMES] + [injection.signal_score(found)]
        logit += float(np.dot(parts.signal_weights, named)) * SIGNAL_SCALE
        vector = static_embedder().embed([document])[0]
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            logit += float(np.dot(parts.embedding_weights, vector)) / norm
        score = round(1 / (1 + math.exp(-logit)), 4)
        return injection.Verdict(score >= injection.THRESHOLD, score, tuple(sorted(found)))

    def _parts(self) -> _LinearParts:
        parts: _LinearParts | None = getattr(self, "_linear", None)
        if parts is None:
            coefficients = self.classifier.coef_[0]
            words, characters = len(self.words.vocabulary_), len(self.characters.vocabulary_)
            signals_end = words + characters + len(SIGNAL_NAMES) + 1
            parts = _LinearParts(
                intercept=float(self.classifier.intercept_[0]),
                words=_Block(self.words, coefficients[:words]),
                characters=_Block(self.characters, coefficients[words : words + characters]),
                signal_weights=coefficients[words + characters : signals_end],
                embedding_weights=coefficients[signals_end:],
            )
            self._linear = parts
        return parts

    def verdicts(self, texts: list[str]) -> list[injection.Verdict]:
        """One verdict per text; many at once cost far less each than one by one."""
        if not texts:
            return []
        found, documents = _read_all(texts)
        probabilities = self.classifier.predict_proba(self._features(documents, found))[:, 1]
        return [
            injection.Verdict(score >= injection.THRESHOLD, score, tuple(sorted(weights)))
            for score, weights in zip((round(float(p), 4) for p in probabilities), found, strict=True)
        ]

    def _features(self, documents: list[str], found: list[dict[str, float]]) -> sp.csr_matrix:
        vectors = static_embedder().embed(documents)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        named = np.array(
            [
                [weights.get(name, 0.0) for name in SIGNAL_NAMES] + [injection.signal_score(weights)]
                for weights in found
            ]
        )
        return sp.hstack(
            [
                self.words.transform(documents),
                self.characters.transform(documents),
                sp.csr_matrix(named * SIGNAL_SCALE),
                sp.csr_matrix(vectors),
            ]
        ).tocsr()

    @classmethod
    def train(cls, data_dir: Path = DEFAULT_DATA_DIR, corpora: tuple[str, ...] = CORPORA) -> InjectionModel:
        texts, labels, weights = training_examples(data_dir, corpora)
        found, documents = _read_all(texts)
        model = cls(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=50_000),
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=100_000
            ),
            LogisticRegression(C=16.0, max_iter=3000, class_weight="balanced"),
        )
        model.words.fit(documents)
        model.characters.fit(documents)
        features = model._features(documents, found)
        model.classifier.fit(features, labels, sample_weight=weights)
        return model


@dataclass(frozen=True)
class _Block:
    """One TF-IDF vectorizer with the classifier's weights for its features."""

    vectorizer: TfidfVectorizer
    weights: np.ndarray

    @cached_property
    def analyzer(self) -> Callable[[str], list[str]]:
        analyzer: Callable[[str], list[str]] = self.vectorizer.build_analyzer()
        return analyzer


@dataclass(frozen=True)
class _LinearParts:
    intercept: float
    words: _Block
    characters: _Block
    signal_weights: np.ndarray
    embedding_weights: np.ndarray


def _tfidf_dot(block: _Block, document: str) -> float:
    """The classifier's weights · the document's sublinear, L2-normalised TF-IDF vector (as the vectorizer
    would make it)."""
    vocabulary, idf = block.vectorizer.vocabulary_, block.vectorizer.idf_
    values: dict[int, float] = {}
    for term, count in Counter(block.analyzer(document)).items():
        column = vocabulary.get(term)
        if column is not None:
            values[column] = (1 + math.log(count)) * idf[column]
    norm = math.sqrt(sum(value * value for value in values.values()))
    if not norm:
        return 0.0
    return sum(float(block.weights[column]) * value for column, value in values.items()) / norm


def _read(text: str) -> tuple[dict[str, float], str]:
    """The text's hand-written signals, and its document: every view of it, once each, which the model reads.
    Both from one undoing of its disguises."""
    views = injection._views(text)
    return injection.signals(text, views), " \n ".join(dict.fromkeys(view for view, _ in views))


def _read_all(texts: list[str]) -> tuple[list[dict[str, float]], list[str]]:
    readings = [_read(text) for text in texts]
    return [found for found, _ in readings], [document for _, document in readings]


def training_examples(
    data_dir: Path = DEFAULT_DATA_DIR, corpora: tuple[str, ...] = CORPORA
) -> tuple[list[str], list[int], list[float]]:
    """The corpora's attacks and look-alikes, then a fixed sample of ordinary banking and other questions,
    then ordinary help-centre passages."""
    rows = [row for corpus in corpora for row in json_lines(data_dir / corpus)]
    texts = [row["text"] for row in rows]
    labels = [int(row["attack"]) for row in rows]
    weights = [injection.CORPUS_WEIGHT] * len(rows)
    sample = random.Random(0)
    with (data_dir / "banking77" / "train.csv").open(encoding="utf-8", newline="") as lines:
        banking = [row["text"] for row in csv.DictReader(lines)]
    clinc = json.loads((data_dir / "clinc150" / "train.json").read_text(encoding="utf-8"))
    other = [text for text, _ in clinc["train"] + clinc["oos_train"]]
    extra = sample.sample(banking, injection.EXTRA_BENIGN["banking77"])
    extra += sample.sample(other, injection.EXTRA_BENIGN["clinc150"])
    passages = [row["text"] for row in json_lines(data_dir / KB_PASSAGES)]
    return (
        texts + extra + passages,
        labels + [0] * (len(extra) + len(passages)),
        weights + [1.0] * len(extra) + [injection.KB_PASSAGE_WEIGHT] * len(passages),
    )


def json_lines(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file, blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- saved once, loaded once per process ---------------------------------------------------------------

_model: InjectionModel | None = None
_lock = threading.Lock()


def get_model() -> InjectionModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from django.conf import settings

                _model = load_or_train(Path(settings.SCREENING_MODEL_DIR))
    return _model


def load_or_train(directory: Path, data_dir: Path = DEFAULT_DATA_DIR) -> InjectionModel:
    """The model saved in `directory` if it was trained from the current data by the current code; else
    train it, save it there and return it. A file lock keeps several processes from training at once."""
    from agent.routing.shared import _directory_lock

    wanted = {"model_version": injection.MODEL_VERSION, "fingerprint": fingerprint(data_dir)}
    with _directory_lock(directory):
        saved = directory / "injection.joblib"
        metadata = directory / "injection.json"
        if saved.exists() and metadata.exists() and json.loads(metadata.read_text()) == wanted:
            loaded: InjectionModel = joblib.load(saved)
            return loaded
        model = InjectionModel.train(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, saved)
        metadata.write_text(json.dumps(wanted))
        return model


def fingerprint(data_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in (*CORPORA, KB_PASSAGES, "banking77/train.csv", "clinc150/train.json"):
        digest.update((data_dir / name).read_bytes())
    digest.update(json.dumps([injection.EXTRA_BENIGN, injection.KB_PASSAGE_WEIGHT], sort_keys=True).encode())
    digest.update(LEXICON.read_bytes())  # the signals read off it are features
    # and the code that reads texts into features: a model kept elsewhere (CI's cache) meets only its own code
    for module in ("injection.py", "lexicon.py", "model.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()
