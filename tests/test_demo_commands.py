"""`serve_llm` and `run_demo`, as `make demo` runs them: real processes on free loopback ports."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from agent.local_llm import server_is_up
from tests.conftest import database_url_for_subprocess, free_port

ROOT = Path(__file__).resolve().parent.parent


def wait_for(url: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.3)
    return False


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"OPENAI_BASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so a command that hangs can be stopped together with its LLM server
    )


def stop(process: subprocess.Popen[str], sig: int) -> str:
    process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{process.args} did not stop on {signal.Signals(sig).name}:\n{output[-2000:]}")
    return output


def first_line(process: subprocess.Popen[str], seconds: float = 90) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(seconds)
    return lines[0] if lines else ""


def llama_server_arguments(port: int) -> list[str]:
    """The command line of the llama.cpp server listening on `port`, read from /proc."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().decode().split("\0")
        except OSError:  # the process ended meanwhile
            continue
        if "llama_cpp.server" in arguments and str(port) in arguments:
            return arguments
    return []


def test_serve_llm_serves_the_openai_api_until_terminated():
    port = free_port()
    process = start("serve_llm", "--port", str(port), env={"LOCAL_LLM_THREADS": "2"})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        assert f"serving smollm2-135m-instruct at {url}" in first_line(process)
        assert server_is_up(url)
        arguments = llama_server_arguments(port)
        assert arguments[arguments.index("--n_threads") + 1] == "2"  # the setting reaches llama.cpp
    finally:
        stop(process, signal.SIGTERM)
    time.sleep(1)
    assert not server_is_up(url)


@pytest.mark.django_db(transaction=True)
def test_run_demo_starts_the_llm_and_the_web_app_and_prints_the_urls():
    web_port, llm_port = free_port(), free_port()
    process = start(
        "run_demo",
        "--port",
        str(web_port),
        "--reviewer",
        "reviewer",
        "--password",
        "pw",
        env={"LOCAL_LLM_PORT": str(llm_port), "DATABASE_URL": database_url_for_subprocess()},
    )
    try:
        assert wait_for(f"http://127.0.0.1:{web_port}/chat/")
        assert wait_for(f"http://127.0.0.1:{web_port}/static/widget/widget.js")
        assert server_is_up(f"http://127.0.0.1:{llm_port}/v1")
    finally:
        output = stop(process, signal.SIGINT)
    for line in [
        f"Bank site with the chat widget:  http://127.0.0.1:{web_port}/widget/demo/?open=1",
        "Demo chat page:  http://127.0.0.1:",
        "Review queue:    http://",
        "Admin:           http://",
        "Staff login:     reviewer / pw",
    ]:
        assert line in output
    time.sleep(1)
    assert not server_is_up(f"http://127.0.0.1:{llm_port}/v1")
