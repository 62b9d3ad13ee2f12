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
    "injection/hard6.jsonl",
)
# Ordinary help-centre passages (half the Rho-Bank documents; the other half measures), benign like questions
KB_PASSAGES = "injection/kb_passages.jsonl"
SIGNAL_NAMES = tuple(sorted({name for name, _, _ in injection._SIGNALS}))
SIGNAL_SCALE = 2.0  # signals as features: weighed against thousands of n-grams


@dataclass
class LinearReader:
    """One logistic regression over a text's document (TF-IDF of its words and character n-grams), its
    hand-written signals and its static embedding."""

    words: TfidfVectorizer
    characters: TfidfVectorizer
    classifier: LogisticRegression

    @classmethod
    def fit(cls, readings: _Readings, labels: list[int], weights: list[float]) -> LinearReader:
        reader = cls(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=50_000),
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=100_000
            ),
            LogisticRegression(C=16.0, max_iter=3000, class_weight="balanced"),
        )
        reader.words.fit(readings.documents)
        reader.characters.fit(readings.documents)
        reader.classifier.fit(reader._features(readings), labels, sample_weight=weights)
        return reader

    def logits(self, readings: _Readings) -> np.ndarray:
        return np.asarray(self.classifier.decision_function(self._features(readings)), dtype=float)

    def logit(self, found: dict[str, float], document: str, vector: np.ndarray) -> float:
        """One text's logit, computed as the linear model it is, without scikit-learn's per-call checks
        (~1.3 ms instead of ~2.4 ms for a 90-character message, on the path of every message). `vector` is
        the document's unit-length static embedding."""
        parts = self._parts()
        logit = parts.intercept
        logit += _tfidf_dot(parts.words, document)
        logit += _tfidf_dot(parts.characters, document)
        named = [found.get(name, 0.0) for name in SIGNAL_NAMES] + [injection.signal_score(found)]
        logit += float(np.dot(parts.signal_weights, named)) * SIGNAL_SCALE
        return logit + float(np.dot(parts.embedding_weights, vector))

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

    def _features(self, readings: _Readings) -> sp.csr_matrix:
        named = np.array(
            [
                [weights.get(name, 0.0) for name in SIGNAL_NAMES] + [injection.signal_score(weights)]
                for weights in readings.found
            ]
        ).reshape(len(readings.found), len(SIGNAL_NAMES) + 1)
        return sp.hstack(
            [
                self.words.transform(readings.documents),
                self.characters.transform(readings.documents),
                sp.csr_matrix(named * SIGNAL_SCALE),
                sp.csr_matrix(readings.vectors),
            ]
        ).tocsr()


@dataclass
class InjectionModel:
    """A reader of every text, and one of articles alone: help-centre text is long and written to
    customers, and what an instruction to the assistant looks like inside it is learnt better from articles
    than from chat messages. An article's logit is the mean of the two readers' logits."""

    general: LinearReader
    articles: LinearReader

    def verdict(self, text: str, *, article: bool = False) -> injection.Verdict:
        """One text's verdict: the same probability as `verdicts`, read without batching."""
        found, document = _read(text)
        vector = _unit_vectors([document])[0]
        logit = self.general.logit(found, document, vector)
        if article:
            logit = (logit + self.articles.logit(found, document, vector)) / 2
        return _verdict(logit, found)

    def verdicts(self, texts: list[str], *, article: bool = False) -> list[injection.Verdict]:
        """One verdict per text (all messages, or all articles); many at once cost far less each than one by
        one."""
        if not texts:
            return []
        readings = _Readings.of(texts)
        logits = self.general.logits(readings)
        if article:
            logits = (logits + self.articles.logits(readings)) / 2
        return [_verdict(float(logit), found) for logit, found in zip(logits, readings.found, strict=True)]

    def verdicts_of(self, rows: list[dict[str, Any]]) -> list[injection.Verdict]:
        """Verdicts of corpus rows (`text`, `channel`), messages and articles mixed, each read as what it
        is."""
        verdicts: dict[int, injection.Verdict] = {}
        for article in (False, True):
            indices = [i for i, row in enumerate(rows) if is_article(row) == article]
            found = self.verdicts([rows[i]["text"] for i in indices], article=article)
            verdicts.update(zip(indices, found, strict=True))
        return [verdicts[i] for i in range(len(rows))]

    @classmethod
    def train(cls, data_dir: Path = DEFAULT_DATA_DIR, corpora: tuple[str, ...] = CORPORA) -> InjectionModel:
        examples = training_examples(data_dir, corpora)
        readings = _Readings.of(examples.texts)
        articles = [i for i, article in enumerate(examples.articles) if article]
        return cls(
            general=LinearReader.fit(readings, examples.labels, examples.weights),
            articles=LinearReader.fit(
                readings.subset(articles),
                [examples.labels[i] for i in articles],
                [examples.weights[i] for i in articles],
            ),
        )


def _verdict(logit: float, found: dict[str, float]) -> injection.Verdict:
    score = round(1 / (1 + math.exp(-logit)), 4)
    return injection.Verdict(score >= injection.THRESHOLD, score, tuple(sorted(found)))


@dataclass(frozen=True)
class _Readings:
    """Texts as the model reads them: each one's signals, document (its views) and unit static embedding."""

    found: list[dict[str, float]]
    documents: list[str]
    vectors: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> _Readings:
        found, documents = _read_all(texts)
        return cls(found, documents, _unit_vectors(documents))

    def subset(self, indices: list[int]) -> _Readings:
        return _Readings(
            [self.found[i] for i in indices], [self.documents[i] for i in indices], self.vectors[indices]
        )


def _unit_vectors(documents: list[str]) -> np.ndarray:
    vectors = static_embedder().embed(documents)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


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


@dataclass(frozen=True)
class TrainingExamples:
    texts: list[str]
    labels: list[int]
    weights: list[float]
    articles: list[bool]  # help-centre text (an article or a passage), which the articles' reader learns from


def training_examples(
    data_dir: Path = DEFAULT_DATA_DIR, corpora: tuple[str, ...] = CORPORA
) -> TrainingExamples:
    """The corpora's attacks and look-alikes, then a fixed sample of ordinary banking and other questions,
    then ordinary help-centre passages."""
    rows = [row for corpus in corpora for row in json_lines(data_dir / corpus)]
    sample = random.Random(0)
    with (data_dir / "banking77" / "train.csv").open(encoding="utf-8", newline="") as lines:
        banking = [row["text"] for row in csv.DictReader(lines)]
    clinc = json.loads((data_dir / "clinc150" / "train.json").read_text(encoding="utf-8"))
    other = [text for text, _ in clinc["train"] + clinc["oos_train"]]
    extra = sample.sample(banking, injection.EXTRA_BENIGN["banking77"])
    extra += sample.sample(other, injection.EXTRA_BENIGN["clinc150"])
    passages = [row["text"] for row in json_lines(data_dir / KB_PASSAGES)]
    return TrainingExamples(
        texts=[row["text"] for row in rows] + extra + passages,
        labels=[int(row["attack"]) for row in rows] + [0] * (len(extra) + len(passages)),
        weights=[injection.CORPUS_WEIGHT] * len(rows)
        + [1.0] * len(extra)
        + [injection.KB_PASSAGE_WEIGHT] * len(passages),
        articles=[is_article(row) for row in rows] + [False] * len(extra) + [True] * len(passages),
    )


def is_article(row: dict[str, Any]) -> bool:
    """Whether a corpus row is help-centre text (an article as search returns it) rather than a message."""
    return bool(row["channel"] == "article")


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
