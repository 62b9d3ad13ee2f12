"""Run the production topology on one machine: two ASGI web processes, a worker per queue, the beat
scheduler and the local LLM, against the PostgreSQL and Redis the environment names.

The command supervises its processes as a process manager would (systemd, Kubernetes): one that dies is
started again, and a stop (Ctrl+C, SIGTERM) stops them all. It writes the running processes to
`$SUPPORTAGENT_VAR_DIR/cluster.json`, so that tools (benchmarks/load.py) can find the ports and the workers.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.local_llm import LocalLLMServer
from agent.management.commands.serve_llm import start_local_llm_if_needed, stop_on_signals
from agent.routing import get_router
from agent.screening.model import get_model as get_screening_model

ROOT = Path(settings.BASE_DIR)
RESTART_DELAY = 1.0
# Connections each web process may hold: its requests run on threads of their own, and wait for one.
WEB_DATABASE_POOL = 12


@dataclass
class Role:
    """One supervised process: its name, its command, and the process now running it."""

    name: str
    command: list[str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    env: dict[str, str] = field(default_factory=dict)  # this role's own settings
    log: Any = field(default=None, repr=False)

    def start(self, env: dict[str, str], log_dir: Path) -> None:
        if self.log is None:
            self.log = open(log_dir / f"{self.name}.log", "ab")  # noqa: SIM115 (kept open for the child)
        env = {**env, **self.env}
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def as_json(self) -> dict[str, Any]:
        pid = self.process.pid if self.process else None
        return {"name": self.name, "pid": pid, "port": self.port or None, "restarts": self.restarts}


def web_role(name: str, port: int) -> Role:
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    return Role(name, [*command, "supportagent.asgi:application"], port=port, env=_pool(WEB_DATABASE_POOL))


def worker_role(name: str, queues: str, pool: str, concurrency: int) -> Role:
    celery = [sys.executable, "-m", "celery", "-A", "supportagent"]
    options = ["-Q", queues, "--pool", pool, "--concurrency", str(concurrency), "-n", f"{name}@%h"]
    # Workers on the web processes' machine yield the CPU to them (nice 10): acknowledging a customer is
    # what must be quick; the queues absorb a burst and drain after it. A database connection for each
    # thread that may hold one.
    command = ["nice", "-n", "10", *celery, "worker", *options, "--loglevel", "WARNING"]
    return Role(name, command, env=_pool(concurrency + 1))


def _pool(size: int) -> dict[str, str]:
    """A process's database pool, unless the environment sets one for every process."""
    return {} if os.environ.get("DATABASE_POOL_SIZE") else {"DATABASE_POOL_SIZE": str(size)}


class Command(BaseCommand):
    help = (
        "Run the production topology locally: two web processes (daphne), a Celery worker for each queue "
        "(pipeline, llm), Celery beat and the local LLM, on DATABASE_URL and REDIS_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--web-ports", default="8001,8002", help="One web process per port.")
        parser.add_argument(
            "--llm-concurrency", type=int, default=32, help="Threads of the llm worker (they mostly wait)."
        )
        parser.add_argument(
            "--no-beat", action="store_true", help="Leave the periodic tasks to another host."
        )

    def handle(self, *args: object, **options: Any) -> None:
        if (
            not settings.REDIS_URL
            or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        ):
            raise CommandError(
                "The cluster runs on PostgreSQL and Redis: set DATABASE_URL=postgres://… and "
                "REDIS_URL=redis://… "
                "(make cluster sets both)."
            )
        try:
            ports = [int(port) for port in str(options["web_ports"]).split(",") if port.strip()]
        except ValueError:
            raise CommandError(
                "--web-ports takes port numbers separated by commas, e.g. 8001,8002."
            ) from None
        stop_on_signals()
        var = Path(settings.VAR_DIR)
        logs = var / "cluster-logs"
        logs.mkdir(parents=True, exist_ok=True)
        llm = start_local_llm_if_needed(self.stdout.write)
        self.stdout.write("Loading the routing and screening models…")
        get_router()  # trained once to disk here, so that every process below only loads them
        get_screening_model()
        roles = [web_role(f"web{i}", port) for i, port in enumerate(ports, start=1)]
        roles.append(worker_role("pipeline", "pipeline", "solo", 1))
        roles.append(worker_role("llm", "llm", "threads", int(options["llm_concurrency"])))
        if not options["no_beat"]:
            schedule = str(var / "celerybeat-schedule")
            roles.append(
                Role("beat", [sys.executable, "-m", "celery", "-A", "supportagent", "beat", "-s", schedule])
            )
        env = self._environment(var)
        state_file = var / "cluster.json"
        try:
            for role in roles:
                role.start(env, logs)
            self._wait_for_web(roles)
            self._write_state(state_file, roles, llm)
            self._announce(roles, logs)
            self._supervise(roles, env, logs, state_file, llm)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(roles)
            state_file.unlink(missing_ok=True)
            if llm is not None:
                llm.stop()

    def _environment(self, var: Path) -> dict[str, str]:
        """The children's environment: this one, with production defaults where it says nothing. Plain HTTP
        on loopback stands in for the load balancer that terminates TLS in front of a real deployment."""
        key_file = var / "cluster-secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        defaults = {
            "DEBUG": "false",
            "SECRET_KEY": key_file.read_text().strip(),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SUPPORTAGENT_VAR_DIR": str(var),
            "PYTHONUNBUFFERED": "1",
        }
        return {**defaults, **os.environ, "OPENAI_BASE_URL": settings.OPENAI_BASE_URL}

    def _wait_for_web(self, roles: list[Role], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for role in (r for r in roles if r.port):
            while not _answers(role.port):
                if role.process is not None and role.process.poll() is not None:
                    raise CommandError(
                        f"{role.name} exited with code {role.process.returncode}; see its log."
                    )
                if time.monotonic() > deadline:
                    raise CommandError(f"{role.name} did not answer on port {role.port} in {timeout:.0f} s.")
                time.sleep(0.2)

    def _announce(self, roles: list[Role], logs: Path) -> None:
        lines = ["", "supportagent cluster is running:"]
        for role in roles:
            where = f"http://127.0.0.1:{role.port}/" if role.port else ""
            lines.append(f"  {role.name:<9} pid {role.process.pid if role.process else '-':<8} {where}")
        lines += [
            f"  LLM endpoint: {settings.OPENAI_BASE_URL}",
            f"  Logs: {logs}",
            "Press Ctrl+C to stop.\n",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _supervise(
        self, roles: list[Role], env: dict[str, str], logs: Path, state_file: Path, llm: LocalLLMServer | None
    ) -> None:
        while True:
            time.sleep(0.5)
            for role in roles:
                if role.process is not None and role.process.poll() is not None:
                    code = role.process.returncode
                    self.stdout.write(f"{role.name} exited ({code}); starting it again")
                    self.stdout.flush()
                    time.sleep(RESTART_DELAY)
                    role.restarts += 1
                    role.start(env, logs)
                    self._write_state(state_file, roles, llm)

    @staticmethod
    def _write_state(state_file: Path, roles: list[Role], llm: LocalLLMServer | None) -> None:
        state = {
            "supervisor": os.getpid(),
            "llm_endpoint": settings.OPENAI_BASE_URL,
            "roles": [role.as_json() for role in roles],
        }
        temporary = state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(state_file)

    @staticmethod
    def _stop(roles: list[Role]) -> None:
        running = [r.process for r in roles if r.process is not None and r.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
