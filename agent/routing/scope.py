"""The scope guard: is a message something the bank's support desk handles at all?"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

REGULARISATION_C = 10.0
THRESHOLD_FOLDS = 5
# share of in-scope messages we accept to turn away, measured on held-out folds of the training data
FALSE_REJECT_BUDGET = 0.01
SEED = 0


@dataclass
class ScopeGuard:
    """Logistic regression: in scope (banking questions) against everything else CLINC150 covers."""

    weights: np.ndarray  # (features,)
    bias: float
    threshold: float  # messages scoring below it are out of scope

    @classmethod
    def fit(cls, features: sp.csr_matrix, in_scope: np.ndarray) -> "ScopeGuard":
        """Train on all rows; pick the threshold from out-of-fold scores of the in-scope rows."""
        splitter = StratifiedKFold(THRESHOLD_FOLDS, shuffle=True, random_state=SEED)
        folds = list(splitter.split(features, in_scope))
        jobs = [np.arange(len(in_scope))] + [train for train, _ in folds]
        models = Parallel(n_jobs=2, prefer="threads")(
            delayed(_fit_logistic)(features[rows], in_scope[rows]) for rows in jobs
        )
        held_out = np.zeros(len(in_scope))
        for model, (_, rows) in zip(models[1:], folds, strict=True):
            held_out[rows] = model.predict_proba(features[rows])[:, 1]
        threshold = float(np.quantile(held_out[in_scope], FALSE_REJECT_BUDGET))
        full = models[0]
        weights = full.coef_[0].astype(np.float32)
        return cls(weights=weights, bias=float(full.intercept_[0]), threshold=threshold)

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Probability that each message is in the bank's support scope."""
        logits = np.asarray(features @ self.weights).ravel().astype(np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, directory: Path) -> None:
        """Write `scope.json` (bias, threshold) and `scope.npz` (weights)."""
        meta = {"bias": self.bias, "threshold": self.threshold}
        (directory / "scope.json").write_text(json.dumps(meta), encoding="utf-8")
        np.savez(directory / "scope.npz", weights=self.weights)

    @classmethod
    def load(cls, directory: Path) -> "ScopeGuard":
        """Read what `save` wrote."""
        meta = json.loads((directory / "scope.json").read_text(encoding="utf-8"))
        with np.load(directory / "scope.npz", allow_pickle=False) as arrays:
            weights = arrays["weights"]
        return cls(weights=weights, bias=float(meta["bias"]), threshold=float(meta["threshold"]))


def _fit_logistic(features: sp.csr_matrix, in_scope: np.ndarray) -> LogisticRegression:
    # balanced weights: the out-of-scope corpus is about as large as the in-scope one, but need not be
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=3000, random_state=SEED)
    return model.fit(features, in_scope)
