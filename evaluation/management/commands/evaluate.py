"""`python manage.py evaluate [--version V] [--scenarios PATH] [--repeat K]`: the deploy gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agent.models import AgentVersion
from agent.pipeline import default_agent_version
from evaluation.report import gate_failures, report_data, summarise, write_reports
from evaluation.runner import RunResult, run_all
from evaluation.scenarios import ScenarioError, load_scenarios

DEFAULT_SCENARIOS = settings.BASE_DIR / "scenarios"
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Run the scenario suite against an agent version, write JSON and HTML reports, and exit non-zero "
        "when the pass rate or a must-hold scenario fails the gate (EVALUATION_MIN_PASS_RATE)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version V` names the agent version (the contract); it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", default="", help="Agent version name (default: the default one).")
        parser.add_argument("--scenarios", default=str(DEFAULT_SCENARIOS), help="A YAML file or a folder.")
        parser.add_argument(
            "--repeat", type=int, default=1, help="Runs per scenario, for pass^k (default 1)."
        )
        parser.add_argument(
            "--report-dir", default="", help="Where the reports go (default: <var dir>/evaluations)."
        )
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Prefix of the trace links in the reports."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.", returncode=2)
        version = self._version(options["version"])
        try:
            scenarios = load_scenarios(Path(options["scenarios"]))
        except ScenarioError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stderr.write(f"Evaluating {version.name} on {len(scenarios)} scenarios × {options['repeat']}")
        results = run_all(scenarios, version, repeat=options["repeat"], progress=self._progress)
        summary = summarise(results)
        gate = gate_failures(summary, min_pass_rate=settings.EVALUATION_MIN_PASS_RATE)
        data = report_data(results, summary, version=version.name, gate=gate, base_url=options["base_url"])
        directory = Path(options["report_dir"] or settings.VAR_DIR / "evaluations")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        json_path, html_path = write_reports(data, directory, f"evaluation-{version.name}-{stamp}")
        self.stdout.write(
            f"pass@1 {summary.pass_at_1:.3f}  pass^{summary.repeat} {summary.pass_hat_k:.3f}  "
            f"cost {summary.cost:.6f}  median latency {summary.median_latency_ms:.0f} ms\n"
            f"reports: {json_path}\n         {html_path}"
        )
        if gate:
            raise CommandError("the gate refuses this version: " + "; ".join(gate), returncode=1)
        self.stdout.write("the gate passes")

    def _version(self, name: str) -> AgentVersion:
        if not name:
            return default_agent_version()
        version = AgentVersion.objects.filter(name=name).first()
        if version is None:
            known = ", ".join(AgentVersion.objects.order_by("name").values_list("name", flat=True)) or "none"
            raise CommandError(f"no agent version named {name!r}; known: {known}", returncode=2)
        return version

    def _progress(self, done: int, total: int, result: RunResult) -> None:
        filled = BAR_WIDTH * done // total
        mark = "pass" if result.passed else "FAIL"
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {mark} {result.scenario.id}"
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        self.stderr.write(line.ljust(100), ending=end)
        self.stderr.flush()
