"""Local routing models: a customer message's BANKING77 intent, and whether it is the bank's business at all.

No LLM is involved: TF-IDF n-grams and static MiniLM word-piece embeddings feed a linear SVM (intent, with
calibrated probabilities) and a logistic regression (scope). Training takes about half a minute on two cores.
"""

from agent.routing.router import Route, Router
from agent.routing.shared import get_router, load_or_train

__all__ = ["Route", "Router", "get_router", "load_or_train"]
