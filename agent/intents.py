"""The intents the agent routes to: BANKING77's 77 categories, shipped in agent/data."""

import json
from pathlib import Path

CATEGORIES_FILE = Path(__file__).parent / "data" / "banking77" / "categories.json"
INTENTS: tuple[str, ...] = tuple(json.loads(CATEGORIES_FILE.read_text(encoding="utf-8")))
