import signal
from collections.abc import Callable
from typing import NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.local_llm import LocalLLMServer, LocalModelMissing, server_is_up


def interrupt(*_: object) -> NoReturn:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """SIGTERM and SIGINT (Ctrl+C) both stop the command through KeyboardInterrupt, so that it stops what it
    started. SIGINT too when a shell that ignores it for background jobs started the command: a process
    inherits the ignoring, and daphne takes SIGINT over only from Python's default handler."""
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def start_local_llm_if_needed(write: Callable[[str], object]) -> LocalLLMServer | None:
    """Start the local LLM server when OPENAI_BASE_URL is its address and nothing answers there yet; the
    caller stops it. None when another endpoint (or an already running server) is used."""
    local_url = f"http://{settings.LOCAL_LLM_HOST}:{settings.LOCAL_LLM_PORT}/v1"
    if local_url != settings.OPENAI_BASE_URL or server_is_up(local_url):
        return None
    write("Starting the local LLM server…")
    server = LocalLLMServer.from_settings()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        server.start(log_path=settings.VAR_DIR / "llm-server.log")
    except (LocalModelMissing, RuntimeError, TimeoutError) as error:
        raise CommandError(str(error)) from error
    return server


class Command(BaseCommand):
    help = "Serve SmolLM2-135M-Instruct through llama.cpp's OpenAI-compatible server on loopback."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.LOCAL_LLM_PORT)

    def handle(self, *args: object, **options: int) -> None:
        server = LocalLLMServer.from_settings(port=options["port"])
        stop_on_signals()  # a terminated command must not leave its server behind
        try:
            server.start()
            self.stdout.write(f"Local LLM serving {settings.LLM_SMALL_MODEL} at {server.base_url}")
            if server.process is None:
                self.stdout.write("(a server was already running there)")
                return
            self.stdout.flush()
            server.process.wait()
        except (LocalModelMissing, RuntimeError, TimeoutError) as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
