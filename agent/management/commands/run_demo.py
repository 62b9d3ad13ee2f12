from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from agent.management.commands.serve_llm import start_local_llm_if_needed, stop_on_signals
from agent.routing import get_router
from agent.screening.model import get_model as get_screening_model


class Command(BaseCommand):
    help = (
        "Start the local LLM (unless OPENAI_BASE_URL points elsewhere) and the web app, and print the URLs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--reviewer", default="", help="The demo staff user, printed with the URLs.")
        parser.add_argument("--password", default="")

    def handle(self, *args: object, **options: str) -> None:
        stop_on_signals()
        server = start_local_llm_if_needed(self.stdout.write)
        self.stdout.write("Loading the routing and screening models…")
        get_router()
        get_screening_model()  # trained once (~11 s) here rather than on the first customer's message
        base = f"http://{options['addr']}:{options['port']}"
        lines = [
            "",
            "supportagent is running on the embedded default.",
            f"  Bank site with the chat widget:  {base}/widget/demo/?open=1",
            f"  Demo chat page:  {base}/chat/",
            f"  Review queue:    {base}/review/",
            f"  Admin:           {base}/admin/",
            f"  LLM endpoint:    {settings.OPENAI_BASE_URL}",
        ]
        if options["reviewer"]:
            lines.append(f"  Staff login:     {options['reviewer']} / {options['password']}")
        lines.append("Press Ctrl+C to stop.\n")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
        try:
            call_command("runserver", f"{options['addr']}:{options['port']}", use_reloader=False)
        finally:
            if server is not None:
                server.stop()
