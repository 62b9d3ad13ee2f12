"""The scenario suite as a deploy gate: loading, checking, pass@1 and pass^k, reports and exit codes."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agent.models import CachedResponse, Ticket
from evaluation.report import gate_failures, summarise
from evaluation.runner import RunResult, TurnResult
from evaluation.scenarios import Expectation, Scenario, ScenarioError, Turn, load_scenarios

ESCALATIONS = """
- id: stolen
  title: Stolen card
  must_hold: true
  turns:
    - customer: Someone stole my card yesterday
      expect: {intent: lost_or_stolen_card, decision: escalate, tools_not_called: [search_knowledge_base]}
- id: weather
  turns:
    - customer: What's the weather in Paris tomorrow?
      expect: {out_of_scope: true, decision: escalate}
"""


def write(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(scenario_id: str, *passes: bool, must_hold: bool = False) -> list[RunResult]:
    scenario = Scenario(scenario_id, scenario_id, (Turn("q", Expectation()),), must_hold=must_hold)
    turn = {
        "customer": "q",
        "draft_id": 1,
        "intent": "",
        "decision": "review",
        "answer": "",
        "out_of_scope": False,
    }
    return [
        RunResult(
            scenario,
            [
                TurnResult(
                    **turn,
                    tools=[],
                    cost=Decimal("0.001"),
                    latency_ms=10.0,
                    failures=[] if passed else ["decision review is not escalate"],
                )
            ],
        )
        for passed in passes
    ]


def test_pass_at_1_is_the_mean_chance_and_pass_hat_k_needs_every_run():
    results = {
        "a": run("a", True, True, True),
        "b": run("b", True, False, True),
        "c": run("c", False, False, False),
    }
    summary = summarise(results)
    assert summary.repeat == 3
    assert summary.pass_at_1 == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert summary.pass_hat_k == pytest.approx(1 / 3)
    assert summary.cost == Decimal("0.009")


def test_the_gate_refuses_a_low_pass_rate_or_any_failed_must_hold_scenario():
    passing = summarise({"a": run("a", True), "b": run("b", True)})
    assert gate_failures(passing, min_pass_rate=0.9) == []
    low = summarise({"a": run("a", True), "b": run("b", False)})
    assert gate_failures(low, min_pass_rate=0.9) == ["pass^1 50.0% is below the gate of 90%"]
    must = summarise(
        {f"s{i}": run(f"s{i}", True) for i in range(19)} | {"key": run("key", True, False, must_hold=True)}
    )
    assert must.pass_hat_k == pytest.approx(19 / 20)
    assert gate_failures(must, min_pass_rate=0.9) == ["must-hold scenarios failed: key"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- id: x\n  turns: []\n", "needs at least one turn"),
        (
            "- id: x\n  turns:\n    - customer: hi\n      expect: {decison: escalate}\n",
            "unknown expectations ['decison']",
        ),
        (
            "- id: x\n  turns:\n    - customer: hi\n      expect: {decision: send}\n",
            "decision must be one of",
        ),
        ("- id: x\n  turns:\n    - customer: hi\n- id: x\n  turns:\n    - customer: yo\n", "used twice"),
        ("- turns:\n    - customer: hi\n", "needs an id"),
        ("{not: a list}", "expected a list of scenarios"),
        ("- id: x\n  turns:\n    - customer: [unclosed\n", "suite.yaml"),
    ],
)
def test_a_scenario_file_with_a_mistake_is_refused_with_where(tmp_path, text, error):
    with pytest.raises(ScenarioError, match=error.replace("[", r"\[").replace("]", r"\]")):
        load_scenarios(write(tmp_path, text))


def test_the_repos_suite_loads_with_at_least_25_scenarios_some_multi_turn():
    scenarios = load_scenarios(Path(__file__).resolve().parents[1] / "scenarios")
    assert len(scenarios) >= 25
    assert sum(len(s.turns) > 1 for s in scenarios) >= 3
    assert any(s.must_hold for s in scenarios)


@pytest.mark.django_db
def test_evaluate_passes_the_gate_writes_reports_and_stays_out_of_production(
    tmp_path, demo_bank, settings, capsys
):
    settings.TICKETING_BACKEND = "zendesk"  # not configured: an evaluation must not reach it anyway
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # these scenarios need no LLM
    call_command("evaluate", scenarios=str(write(tmp_path, ESCALATIONS)), repeat=2, report_dir=str(tmp_path))
    out = capsys.readouterr()
    assert "pass@1 1.000  pass^2 1.000" in out.out and "the gate passes" in out.out
    assert "[##############################] 4/4 pass weather" in out.err
    [report] = tmp_path.glob("evaluation-v1-*.json")
    data = __import__("json").loads(report.read_text())
    assert data["passed_gate"] and data["summary"]["repeat"] == 2
    turn = data["scenarios"][0]["runs"][0]["turns"][0]
    assert turn["decision"] == "escalate" and turn["trace"].startswith("http://127.0.0.1:8000/review/drafts/")
    assert "stolen" in report.with_suffix(".html").read_text()
    assert Ticket.objects.count() == 4 and not CachedResponse.objects.exists()


@pytest.mark.django_db
def test_evaluate_exits_1_when_the_gate_refuses(tmp_path, demo_bank, settings):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    wrong = ESCALATIONS.replace(
        "decision: escalate, tools_not_called", "decision: auto_send, tools_not_called"
    )
    with pytest.raises(CommandError, match="must-hold scenarios failed: stolen") as refused:
        call_command("evaluate", scenarios=str(write(tmp_path, wrong)), report_dir=str(tmp_path))
    assert refused.value.returncode == 1
    assert list(tmp_path.glob("evaluation-v1-*.html"))  # the report is written all the same


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"version": "v9"}, "no agent version named 'v9'; known: v1"),
        ({"repeat": 0}, "--repeat must be at least 1"),
    ],
)
def test_evaluate_exits_2_on_bad_arguments(tmp_path, demo_bank, options, error):
    with pytest.raises(CommandError, match=error) as refused:
        call_command("evaluate", scenarios=str(write(tmp_path, ESCALATIONS)), **options)
    assert refused.value.returncode == 2
