"""TF-IDF over word 1-2-grams and character 2-5-grams, saved as plain JSON and numpy arrays.

scikit-learn learns the vocabularies and idf weights; the transform is done here in numpy because
scikit-learn's input validation costs about a millisecond per call, most of what routing one message costs.
"""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

# word n-grams catch phrasing ("top up"), character n-grams catch typos and word forms ("topped", "tpo up")
VECTORIZER_SETTINGS = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3},
}


@dataclass
class _Block:
    """One vectorizer's share of the columns: sublinear tf times idf, L2-normalised per message."""

    terms: list[str]
    idf: np.ndarray
    analyze: Callable[[str], list[str]]

    def __post_init__(self) -> None:
        self.columns = {term: column for column, term in enumerate(self.terms)}


class NgramTfidf:
    """Sparse n-gram features for a corpus, fitted once and then frozen."""

    def __init__(self, blocks: dict[str, _Block]):
        self.blocks = blocks

    @classmethod
    def fit(cls, texts: list[str]) -> "NgramTfidf":
        """Learn the vocabularies and idf weights from `texts`."""
        return cls.fit_transform(texts)[0]

    @classmethod
    def fit_transform(
        cls, texts: list[str], dense: np.ndarray | None = None
    ) -> tuple["NgramTfidf", sp.csr_matrix]:
        """Fit on `texts` and return their features too (as `transform` would), analysing each text once."""
        blocks, matrices = {}, []
        for name, settings in VECTORIZER_SETTINGS.items():
            vectorizer = _vectorizer(settings)
            matrices.append(vectorizer.fit_transform(texts))
            terms = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                terms[column] = term
            blocks[name] = _Block(terms, vectorizer.idf_.astype(np.float32), vectorizer.build_analyzer())
        if dense is not None:
            matrices.append(sp.csr_matrix(dense.astype(np.float32)))
        return cls(blocks), sp.hstack(matrices, format="csr", dtype=np.float32)

    @property
    def width(self) -> int:
        """Number of n-gram columns."""
        return sum(len(block.terms) for block in self.blocks.values())

    def transform(self, texts: list[str], dense: np.ndarray | None = None) -> sp.csr_matrix:
        """A float32 CSR matrix, one row per text; `dense` columns (e.g. embeddings) follow the n-grams."""
        parts, offset = [], 0
        for block in self.blocks.values():
            rows, columns, weights = _block_entries(block, texts)
            parts.append((rows, columns + offset, weights))
            offset += len(block.terms)
        if dense is not None:
            rows, columns = np.nonzero(dense)
            parts.append((rows, columns + offset, dense[rows, columns].astype(np.float32)))
            offset += dense.shape[1]
        rows, columns, weights = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
        return sp.csr_matrix((weights, (rows, columns)), shape=(len(texts), offset), dtype=np.float32)

    def save(self, directory: Path, name: str) -> None:
        """Write `<name>.json` (vocabularies) and `<name>.npz` (idf weights)."""
        vocabularies = {key: block.terms for key, block in self.blocks.items()}
        (directory / f"{name}.json").write_text(json.dumps(vocabularies), encoding="utf-8")
        idf = {key: block.idf for key, block in self.blocks.items()}
        np.savez(directory / f"{name}.npz", allow_pickle=False, **idf)  # type: ignore[arg-type]

    @classmethod
    def load(cls, directory: Path, name: str) -> "NgramTfidf":
        """Rebuild what `save` wrote."""
        vocabularies = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(directory / f"{name}.npz", allow_pickle=False) as idf:
            return cls(
                {
                    key: _Block(vocabularies[key], idf[key], _vectorizer(settings).build_analyzer())
                    for key, settings in VECTORIZER_SETTINGS.items()
                }
            )


def _vectorizer(settings: dict) -> TfidfVectorizer:
    return TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **settings)


def _block_entries(block: _Block, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows: list[int] = []
    columns: list[int] = []
    counts: list[int] = []
    for row, text in enumerate(texts):
        known = (block.columns.get(term) for term in block.analyze(text))
        seen = Counter(column for column in known if column is not None)
        rows.extend([row] * len(seen))
        columns.extend(seen.keys())
        counts.extend(seen.values())
    rows_array = np.array(rows, dtype=np.int64)
    columns_array = np.array(columns, dtype=np.int64)
    weights = (1.0 + np.log(np.array(counts, dtype=np.float32))) * block.idf[columns_array]
    norms = np.sqrt(np.bincount(rows_array, weights=weights**2, minlength=len(texts))).astype(np.float32)
    return rows_array, columns_array, weights / norms[rows_array]
