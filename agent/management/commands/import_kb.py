"""`python manage.py import_kb PATH...`: bring a support team's own articles into the knowledge base."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agent.knowledge.importer import FAILED, ImportSummary, import_document, withdraw
from agent.knowledge.readers import Unreadable, files_under, read
from agent.knowledge.zendesk_help_center import SOURCE_NAME, HelpCenter, Withdrawn
from agent.models import KnowledgeSource
from agent.ticketing import TicketingError

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import Markdown, HTML and JSON / JSON lines ({id, title, content}) files or folders as knowledge "
        "articles. Re-importing unchanged files changes nothing; a changed file makes a new version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="Files or folders.")
        parser.add_argument(
            "--zendesk",
            action="store_true",
            help="Import the Zendesk Help Center's published articles (ZENDESK_URL, ZENDESK_EMAIL, "
            "ZENDESK_API_TOKEN); later imports fetch only what changed since.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        if options["zendesk"]:
            self._zendesk()
        elif not paths:
            raise CommandError("Name files or folders to import, or --zendesk.")
        if paths:
            self._files(paths)

    def _zendesk(self) -> None:
        source, _ = KnowledgeSource.objects.get_or_create(name=SOURCE_NAME)
        since = int(source.cursor) if source.cursor.isdigit() else None
        started = int(time.time())
        help_center = HelpCenter(
            base_url=settings.ZENDESK_URL,
            email=settings.ZENDESK_EMAIL,
            api_token=settings.ZENDESK_API_TOKEN,
            timeout=settings.EXTERNAL_TIMEOUT_SECONDS,
        )
        if not (settings.ZENDESK_URL and settings.ZENDESK_EMAIL and settings.ZENDESK_API_TOKEN):
            raise CommandError("--zendesk needs ZENDESK_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN.")
        summary = ImportSummary()
        try:
            for item in help_center.articles(since=since):
                if isinstance(item, Unreadable):
                    summary.counts[FAILED] += 1
                    self.stderr.write(f"skipped {item.name}: {item.reason}")
                elif isinstance(item, Withdrawn):
                    summary.counts[withdraw(item.source_id, via="Zendesk Help Center")] += 1
                else:
                    summary.counts[import_document(item, via="Zendesk Help Center")] += 1
        except TicketingError as error:
            raise CommandError(
                f"The Help Center import stopped: {error} ({summary.line()} so far)."
            ) from None
        source.cursor = str(help_center.end_time if since is not None and help_center.end_time else started)
        source.last_imported_at = timezone.now()
        source.save()
        kind = "changes since the last import" if since is not None else "every article"
        self.stdout.write(f"Zendesk Help Center, {kind}: {summary.line()}.")

    def _files(self, paths: list[Path]) -> None:
        files = list(files_under(paths))
        if not files:
            raise CommandError(
                "Nothing to import: no Markdown, HTML or JSON files under " + ", ".join(map(str, paths))
            )
        summary = ImportSummary()
        for done, path in enumerate(files, 1):
            root = next((p for p in paths if p.is_dir() and path.is_relative_to(p)), None)
            for item in read(path, root=root, max_bytes=settings.KB_IMPORT_MAX_BYTES):
                if isinstance(item, Unreadable):
                    summary.counts[FAILED] += 1
                    summary.failures.append(item)
                    self.stderr.write(f"\nskipped {item.name}: {item.reason}")
                else:
                    summary.counts[import_document(item)] += 1
            self._progress(done, len(files))
        self.stdout.write(f"Imported {len(files)} files: {summary.line()}.")
        if summary.failures and not summary.counts.total() - summary.counts[FAILED]:
            raise CommandError("No document could be imported.")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        if sys.stderr.isatty() or done == total or done % 50 == 0:
            self.stderr.write(
                f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} files", ending=end
            )
