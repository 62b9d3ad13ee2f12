"""The process-wide router, loaded once from settings.ROUTER_MODEL_DIR and retrained there when stale."""

import fcntl
import threading
from contextlib import contextmanager
from pathlib import Path

from agent.routing.router import MODEL_VERSION, Router, read_metadata
from agent.routing.training_data import DEFAULT_DATA_DIR, training_fingerprint

_router: Router | None = None
_lock = threading.Lock()


def get_router() -> Router:
    """Process-wide router, loaded once from settings.ROUTER_MODEL_DIR.

    It is trained and saved there first if missing or stale: the fingerprint of the training data and the
    model version stored beside the weights differ from the current ones.
    """
    global _router
    if _router is None:
        with _lock:
            if _router is None:
                from django.conf import settings

                _router = load_or_train(Path(settings.ROUTER_MODEL_DIR))
    return _router


def load_or_train(directory: Path, data_dir: Path = DEFAULT_DATA_DIR) -> Router:
    """Load the router saved in `directory` if it fits the training data and code; else train, save, load."""
    wanted = {"model_version": MODEL_VERSION, "fingerprint": training_fingerprint(data_dir)}
    # a file lock too, so that several processes (test runs, web workers) train at most once between them
    with _directory_lock(directory):
        if not _is_current(directory, wanted):
            Router.train(data_dir).save(directory)
        return Router.load(directory)


def _is_current(directory: Path, wanted: dict) -> bool:
    saved = read_metadata(directory)
    return all(saved.get(key) == value for key, value in wanted.items())


@contextmanager
def _directory_lock(directory: Path):
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.with_name(f".{directory.name}.lock"), "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
