"""`python manage.py screen [--input FILE]`: screen JSON lines of texts for sensitive data and injection.

Reads `{"id", "text"}` per line (standard input, or --input) and writes one line per text,
`{"id", "redacted", "pii": [{"type", "start", "end"}], "injection": true|false, "injection_score"}` — what the
pipeline runs on every inbound message. Offsets are characters (code points) of the original text. A malformed
line (not UTF-8, not JSON, no id, no text) is reported on standard error with its number; the rest still run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.screening import screen_many

BATCH = 256  # lines screened together: the model reads a batch far faster than line by line
MAX_TEXT_CHARS = 100_000


class Command(BaseCommand):
    help = "Screen JSON lines of {id, text} for sensitive data and prompt injection; one JSON line per text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, help="A JSON lines file (default: standard input).")

    def handle(self, *args: Any, **options: Any) -> None:
        source: BinaryIO
        if options["input"]:
            try:
                source = options["input"].open("rb")
            except OSError as error:
                raise CommandError(f"cannot read {options['input']}: {error.strerror}") from None
        else:
            source = sys.stdin.buffer
        errors = 0
        batch: list[tuple[Any, str]] = []
        with source:
            for number, raw in enumerate(source, 1):
                if not raw.strip():
                    continue
                try:
                    batch.append(_parse(raw))
                except ValueError as error:
                    errors += 1
                    self.stderr.write(f"line {number}: {error}")
                    continue
                if len(batch) >= BATCH:
                    self._write(batch)
                    batch = []
        self._write(batch)
        if errors:
            self.stderr.write(f"{errors} line(s) skipped")

    def _write(self, batch: list[tuple[Any, str]]) -> None:
        for (text_id, _), screened in zip(batch, screen_many([text for _, text in batch]), strict=True):
            self.stdout.write(json.dumps({"id": text_id, **screened.as_json()}, ensure_ascii=False))


def _parse(raw: bytes) -> tuple[Any, str]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 (byte {error.start + 1})") from None
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg})") from None
    if not isinstance(item, dict) or "id" not in item:
        raise ValueError('expected an object with "id" and "text"')
    text = item.get("text")
    if not isinstance(text, str):
        raise ValueError('"text" must be a string')
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f'"text" is longer than {MAX_TEXT_CHARS:,} characters')
    return item["id"], text
