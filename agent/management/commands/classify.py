"""`manage.py classify`: route JSON lines of customer messages in bulk with the local routing model."""

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.routing import Router, get_router

BATCH_SIZE = 512


@dataclass(frozen=True)
class Message:
    """One well-formed input line."""

    message_id: Any  # a string or a number, echoed back unchanged
    text: str


class MalformedLine(ValueError):
    """An input line that is not `{"id": ..., "text": "..."}`."""

    def __init__(self, reason: str, message_id: Any = None):
        super().__init__(reason)
        self.message_id = message_id


class Command(BaseCommand):
    help = (
        'Read JSON lines {"id": ..., "text": ...} and write {"id", "intent", "confidence", "in_scope"} '
        "for each, in input order. Malformed lines are reported on stderr and skipped (exit code 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", help="JSON-lines file to read (default: standard input).")
        parser.add_argument("--output", help="File to write the routes to (default: standard output).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Messages routed per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        with ExitStack() as files:
            source = files.enter_context(_open(options["input"], "r")) if options["input"] else sys.stdin
            sink = files.enter_context(_open(options["output"], "w")) if options["output"] else None
            malformed = self._route_all(source, sink, options["batch_size"])
        if malformed:
            raise CommandError(f"{malformed} malformed line(s) skipped; the others were routed")

    def _route_all(self, source: TextIO, sink: TextIO | None, batch_size: int) -> int:
        router = get_router()
        malformed = 0
        batch: list[Message] = []
        for line_number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                batch.append(parse_line(line))
            except MalformedLine as error:
                malformed += 1
                self.stderr.write(_describe(line_number, error))
                continue
            if len(batch) >= batch_size:
                self._write(sink, route_messages(router, batch))
                batch = []
        self._write(sink, route_messages(router, batch))
        return malformed

    def _write(self, sink: TextIO | None, lines: Iterable[str]) -> None:
        for line in lines:
            if sink is None:
                self.stdout.write(line)
            else:
                sink.write(line + "\n")


def parse_line(line: str) -> Message:
    """Validate one input line; raise `MalformedLine` saying what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise MalformedLine(f"not valid JSON ({error.msg})") from error
    if not isinstance(record, dict):
        raise MalformedLine(f"expected a JSON object, got {type(record).__name__}")
    message_id = record.get("id")
    if "id" not in record:
        raise MalformedLine('missing "id"')
    if isinstance(message_id, bool) or not isinstance(message_id, str | int | float):
        raise MalformedLine('"id" must be a string or a number')
    if "text" not in record:
        raise MalformedLine('missing "text"', message_id)
    if not isinstance(record["text"], str):
        raise MalformedLine('"text" must be a string', message_id)
    return Message(message_id, record["text"])


def route_messages(router: Router, batch: list[Message]) -> Iterator[str]:
    """One output JSON line per message, in order."""
    routes = router.classify([message.text for message in batch])
    for message, route in zip(batch, routes, strict=True):
        yield json.dumps(
            {
                "id": message.message_id,
                "intent": route.intent,
                "confidence": round(route.confidence, 6),
                "in_scope": route.in_scope,
            }
        )


def _describe(line_number: int, error: MalformedLine) -> str:
    where = f"line {line_number}"
    if error.message_id is not None:
        where += f" (id {json.dumps(error.message_id)})"
    return f"{where}: {error}"


def _open(path: str, mode: str) -> TextIO:
    try:
        return cast(TextIO, open(path, mode, encoding="utf-8"))  # noqa: SIM115  (the caller closes it)
    except OSError as error:
        raise CommandError(f"cannot open {path}: {error.strerror}") from error
