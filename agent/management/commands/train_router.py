"""`manage.py train_router`: train the routing models from agent/data and save them."""

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from agent.routing import Router


class Command(BaseCommand):
    help = "Train the intent router and scope guard from agent/data and save them to ROUTER_MODEL_DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Directory to save to (default: settings.ROUTER_MODEL_DIR).")
        parser.add_argument(
            "--data-dir", help="Training data laid out like agent/data (default: agent/data)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["output"] or settings.ROUTER_MODEL_DIR)
        data_dir = Path(options["data_dir"]) if options["data_dir"] else None
        started = time.perf_counter()
        router = Router.train(data_dir)
        trained = time.perf_counter() - started
        router.save(directory)
        self.stdout.write(
            f"Trained the router in {trained:.1f} s ({len(router.intents)} intents, "
            f"scope threshold {router.scope_guard.threshold:.3f}); saved to {directory}"
        )
