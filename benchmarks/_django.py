"""A throw-away Django for benchmarks: its own SQLite file in the var dir, migrated, holding the demo bank.

Import this before anything that touches Django. The benchmark never writes to the database the environment
names (DATABASE_URL is overridden), and talks to no Redis, Elasticsearch or task broker: everything embedded.
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Services a developer's shell may point at: a benchmark must neither use nor disturb them.
_EXTERNAL_SERVICES = (
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "ELASTICSEARCH_URL",
    "SEARCH_BACKEND",
    "TICKETING_BACKEND",
)


@contextmanager
def throwaway_django(name: str) -> Iterator[Path]:
    """Set up Django on `<var dir>/<name>-<pid>.sqlite3`, migrate it, load the demo bank; delete it after.

    DEBUG is off, as in production, so Django does not keep a log of every query.
    """
    var_dir = Path(os.environ.get("SUPPORTAGENT_VAR_DIR") or REPO / "var")
    database = var_dir / f"{name}-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    for variable in _EXTERNAL_SERVICES:
        os.environ.pop(variable, None)
    _remove(database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from agent.demo.loader import load_demo_bank

    try:
        call_command("migrate", verbosity=0, interactive=False)
        load_demo_bank()
        yield database
    finally:
        connections.close_all()
        _remove(database)


def _remove(database: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
