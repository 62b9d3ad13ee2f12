"""`python manage.py search_kb [--k 10] [--input FILE]`: search the knowledge base for JSON lines of queries.

Reads `{"id", "query"}` per line (standard input, or --input) and writes one line per query,
`{"id", "results": [{"article": <source id>, "title", "score"}, ...]}`, best first, at most k. The index and
models are loaded once. A malformed line is reported on standard error with its number; the rest still run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.search import get_search_backend

MAX_QUERY_CHARS = 20_000


class Command(BaseCommand):
    help = "Search the knowledge base for JSON lines of {id, query}; one JSON line of results per query."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=10, help="Results per query (default 10).")
        parser.add_argument("--input", type=Path, help="A JSON lines file (default: standard input).")

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        source: TextIO
        if options["input"]:
            try:
                source = options["input"].open(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot read {options['input']}: {error.strerror}") from None
        else:
            source = sys.stdin
        backend = get_search_backend()
        errors = 0
        with source:
            for number, line in enumerate(source, 1):
                if not line.strip():
                    continue
                try:
                    query_id, query = _parse(line)
                except ValueError as error:
                    errors += 1
                    self.stderr.write(f"line {number}: {error}")
                    continue
                hits = backend.search(query[:MAX_QUERY_CHARS], k=k)
                results = [
                    {"article": h.source_id or h.slug, "title": h.title, "score": h.score} for h in hits
                ]
                self.stdout.write(json.dumps({"id": query_id, "results": results}, ensure_ascii=False))
        if errors:
            self.stderr.write(f"{errors} line(s) skipped")


def _parse(line: str) -> tuple[Any, str]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg})") from None
    if not isinstance(item, dict) or "id" not in item:
        raise ValueError('expected an object with "id" and "query"')
    query = item.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ValueError('"query" must be a non-empty string')
    return item["id"], query
