"""The intent classifier: a linear SVM over message features, with probabilities calibrated out of fold."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

SVM_C = 0.5
CALIBRATION_FOLDS = 3
SEED = 0


@dataclass
class IntentModel:
    """Scores each intent linearly; `predict` turns the scores into calibrated probabilities.

    The top intent's probability comes from a small logistic regression on its score and its margins over
    the runners-up (temperature scaling alone was overconfident near 1); the rest of the probability mass is
    shared among the other intents by a temperature-scaled softmax. Both are fitted on out-of-fold scores.
    """

    intents: list[str]
    weights: np.ndarray  # (intents, features)
    biases: np.ndarray  # (intents,)
    temperature: float
    confidence_weights: np.ndarray  # (3,) for top score, top-second margin, second-third margin
    confidence_bias: float

    @classmethod
    def fit(cls, features: sp.csr_matrix, labels: list[str]) -> "IntentModel":
        """Train on all rows, and calibrate on scores of rows each fold's model did not see."""
        labels_array = np.asarray(labels)
        splitter = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=SEED)
        folds = splitter.split(features, labels_array)
        jobs = [(np.arange(len(labels_array)), None)] + [(train, held_out) for train, held_out in folds]
        # threads suffice: liblinear releases the GIL, and the two cores each take a fit
        fitted = Parallel(n_jobs=2, prefer="threads")(
            delayed(_fit_svm)(features, labels_array, train) for train, _ in jobs
        )
        full, fold_models = fitted[0], fitted[1:]
        intents = [str(intent) for intent in full.classes_]
        held_out_scores = np.zeros((len(labels_array), len(intents)))
        for svm, (_, held_out) in zip(fold_models, jobs[1:], strict=True):
            held_out_scores[held_out] = _scores_per_intent(svm, features[held_out])
        truth = np.searchsorted(full.classes_, labels_array)
        temperature = _fit_temperature(held_out_scores, truth)
        confidence_weights, confidence_bias = _fit_confidence(
            _confidence_inputs(held_out_scores), held_out_scores.argmax(axis=1) == truth
        )
        weights, biases = _weights_per_intent(full)
        return cls(
            intents=intents,
            weights=weights.astype(np.float32),
            biases=biases.astype(np.float32),
            temperature=temperature,
            confidence_weights=confidence_weights,
            confidence_bias=confidence_bias,
        )

    def scores(self, features: sp.csr_matrix) -> np.ndarray:
        """Raw SVM scores, one column per intent."""
        return np.asarray(features @ self.weights.T) + self.biases

    def predict(self, features: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The top-scoring intent's index per row, and calibrated probabilities (rows sum to 1).

        The top intent carries the calibrated confidence; the others share the rest of the mass.
        """
        scores = self.scores(features).astype(np.float64)
        top = scores.argmax(axis=1)
        rows = np.arange(len(scores))
        confidence = _sigmoid(_confidence_inputs(scores) @ self.confidence_weights + self.confidence_bias)
        others = _softmax(scores / self.temperature)
        others[rows, top] = 0.0
        others /= np.maximum(others.sum(axis=1, keepdims=True), 1e-300)
        probabilities = others * (1.0 - confidence)[:, None]
        probabilities[rows, top] = confidence
        return top, probabilities

    def save(self, directory: Path) -> None:
        """Write `intent.json` (names, scalars) and `intent.npz` (weights)."""
        meta = {
            "intents": self.intents,
            "temperature": self.temperature,
            "confidence_bias": self.confidence_bias,
        }
        (directory / "intent.json").write_text(json.dumps(meta), encoding="utf-8")
        np.savez(
            directory / "intent.npz",
            weights=self.weights,
            biases=self.biases,
            confidence_weights=self.confidence_weights,
        )

    @classmethod
    def load(cls, directory: Path) -> "IntentModel":
        """Read what `save` wrote."""
        meta = json.loads((directory / "intent.json").read_text(encoding="utf-8"))
        with np.load(directory / "intent.npz", allow_pickle=False) as arrays:
            return cls(
                intents=meta["intents"],
                weights=arrays["weights"],
                biases=arrays["biases"],
                temperature=float(meta["temperature"]),
                confidence_weights=arrays["confidence_weights"],
                confidence_bias=float(meta["confidence_bias"]),
            )


def _fit_svm(features: sp.csr_matrix, labels: np.ndarray, rows: np.ndarray) -> LinearSVC:
    return LinearSVC(C=SVM_C, random_state=SEED).fit(features[rows], labels[rows])


def _weights_per_intent(svm: LinearSVC) -> tuple[np.ndarray, np.ndarray]:
    # with two intents liblinear keeps one hyperplane; score the first intent by its mirror image
    if len(svm.classes_) == 2:
        return np.vstack([-svm.coef_, svm.coef_]), np.concatenate([-svm.intercept_, svm.intercept_])
    return svm.coef_, svm.intercept_


def _scores_per_intent(svm: LinearSVC, features: sp.csr_matrix) -> np.ndarray:
    weights, biases = _weights_per_intent(svm)
    return np.asarray(features @ weights.T) + biases


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    rows = np.arange(len(truth))

    def negative_log_likelihood(temperature: float) -> float:
        return float(-np.log(_softmax(scores / temperature)[rows, truth] + 1e-12).mean())

    return float(minimize_scalar(negative_log_likelihood, bounds=(0.01, 10.0), method="bounded").x)


def _fit_confidence(inputs: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, float]:
    if correct.all() or not correct.any():
        # nothing to tell right from wrong (tiny corpora): a constant, the smoothed held-out accuracy
        accuracy = (correct.sum() + 1) / (len(correct) + 2)
        return np.zeros(inputs.shape[1]), float(np.log(accuracy / (1 - accuracy)))
    calibrator = LogisticRegression(C=100.0).fit(inputs, correct)
    return calibrator.coef_[0].astype(np.float64), float(calibrator.intercept_[0])


def _confidence_inputs(scores: np.ndarray) -> np.ndarray:
    best = np.sort(scores, axis=1)[:, ::-1][:, :3]
    if best.shape[1] < 3:  # fewer than three intents: the missing runners-up tie with the last one
        best = np.pad(best, ((0, 0), (0, 3 - best.shape[1])), mode="edge")
    first, second, third = best[:, 0], best[:, 1], best[:, 2]
    return np.column_stack([first, first - second, second - third])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))
