"""Static sentence embeddings: the mean of distilled MiniLM word-piece vectors, looked up with numpy alone."""

from pathlib import Path

import numpy as np

from agent.routing.wordpiece import WordPieceTokenizer

DEFAULT_EMBEDDINGS_DIR = Path(__file__).resolve().parents[1] / "data" / "minilm_static"
TABLE_FILE = "embeddings.npy"
VOCAB_FILE = "vocab.txt"


class StaticEmbedder:
    """Embeds customer messages as unit vectors; a message with no known word piece gets the zero vector."""

    def __init__(self, vocabulary: list[str], table: np.ndarray):
        if len(vocabulary) != table.shape[0]:
            raise ValueError(f"{len(vocabulary)} word pieces but {table.shape[0]} embedding rows")
        self.vocabulary = vocabulary
        self.table = table
        self.tokenizer = WordPieceTokenizer(vocabulary)

    @property
    def dimensions(self) -> int:
        """Length of each embedding vector."""
        return int(self.table.shape[1])

    @classmethod
    def load(cls, directory: Path = DEFAULT_EMBEDDINGS_DIR) -> "StaticEmbedder":
        """Read the table (float16 on disk) and its vocabulary from `directory`."""
        vocabulary = (directory / VOCAB_FILE).read_text(encoding="utf-8").splitlines()
        table = np.load(directory / TABLE_FILE, allow_pickle=False)
        return cls(vocabulary, table)

    def save(self, directory: Path) -> None:
        """Write the table and vocabulary so `load` restores the same embedder."""
        np.save(directory / TABLE_FILE, self.table, allow_pickle=False)
        (directory / VOCAB_FILE).write_text("\n".join(self.vocabulary) + "\n", encoding="utf-8")

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        token_ids = [self.tokenizer.token_ids(text) for text in texts]
        counts = np.array([len(ids) for ids in token_ids])
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if counts.sum() == 0:
            return vectors
        flat_ids = np.fromiter((i for ids in token_ids for i in ids), dtype=np.int64, count=int(counts.sum()))
        rows = self.table[flat_ids].astype(np.float32)
        has_tokens = counts > 0
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[has_tokens]
        vectors[has_tokens] = np.add.reduceat(rows, starts, axis=0)
        # the mean and the sum point the same way, so normalising the sum is enough
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=vectors, where=norms > 0)
