import signal
from typing import NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.local_llm import LocalLLMServer, LocalModelMissing


def interrupt(*_: object) -> NoReturn:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve SmolLM2-135M-Instruct through llama.cpp's OpenAI-compatible server on loopback."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=settings.LOCAL_LLM_PORT)

    def handle(self, *args: object, **options: int) -> None:
        server = LocalLLMServer(settings.LOCAL_LLM_HOST, options["port"], settings.LLM_SMALL_MODEL)
        # A terminated command must not leave its server behind.
        signal.signal(signal.SIGTERM, interrupt)
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
