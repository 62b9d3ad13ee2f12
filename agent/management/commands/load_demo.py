from django.core.management.base import BaseCommand, CommandParser

from agent.demo.loader import ensure_demo_reviewer, load_demo_bank


class Command(BaseCommand):
    help = (
        "Load the demo bank (knowledge articles, intent policies, an agent version, a customer). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reviewer", metavar="USERNAME", help="Also create a demo staff user of this name."
        )
        parser.add_argument("--password", default="", help="The demo staff user's password.")

    def handle(self, *args: object, **options: str) -> None:
        summary = load_demo_bank()
        self.stdout.write(
            f"Knowledge articles: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."
        )
        if options["reviewer"]:
            if not options["password"]:
                self.stderr.write("--reviewer needs --password.")
                raise SystemExit(2)
            ensure_demo_reviewer(username=options["reviewer"], password=options["password"])
            self.stdout.write(f"Staff user {options['reviewer']!r} is ready.")
