"""`manage.py classify`: JSON lines in, one route per good line out, malformed lines reported and skipped."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

pytest_plugins = ["tests.routing_fixtures"]


@pytest.fixture(autouse=True)
def saved_router(router):
    """Make sure the model is trained and saved before a subprocess needs it."""
    return router


def run_classify(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "classify"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=300,
        check=False,
    )


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_it_routes_json_lines_from_stdin() -> None:
    lines = [
        {"id": 1, "text": "I am still waiting on my card, when will it arrive?"},
        {"id": "ticket-7", "text": "what's the weather in Paris"},
    ]
    result = run_classify("".join(json.dumps(line) + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    routes = json_lines(result.stdout)
    assert [route["id"] for route in routes] == [1, "ticket-7"]
    assert routes[0]["intent"] == "card_arrival"
    assert routes[0]["in_scope"] is True
    assert routes[1]["in_scope"] is False
    for route in routes:
        assert set(route) == {"id", "intent", "confidence", "in_scope"}
        assert 0.0 <= route["confidence"] <= 1.0


def test_it_reports_a_malformed_line_and_keeps_going() -> None:
    stdin = "\n".join(
        [
            '{"id": 1, "text": "My card was stolen yesterday"}',
            "this is not json",
            '["a", "list"]',
            '{"id": "x-9"}',
            '{"text": "no id here"}',
            '{"id": 2, "text": 42}',
            '{"id": 3, "text": "Can I top up with Apple Pay?"}',
        ]
    )
    result = run_classify(stdin + "\n")
    assert result.returncode == 1
    assert [route["id"] for route in json_lines(result.stdout)] == [1, 3]
    errors = result.stderr
    assert "line 2: not valid JSON" in errors
    assert "line 3: expected a JSON object" in errors
    assert 'line 4 (id "x-9"): missing "text"' in errors
    assert 'line 5: missing "id"' in errors
    assert 'line 6 (id 2): "text" must be a string' in errors


def test_it_reads_and_writes_files(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "a", "text": "I need to cancel a transfer I just made"}\n', encoding="utf-8")
    stdout = io.StringIO()
    call_command("classify", "--input", str(source), "--output", str(target), stdout=stdout)
    assert stdout.getvalue() == ""
    [route] = json_lines(target.read_text(encoding="utf-8"))
    assert (route["id"], route["intent"], route["in_scope"]) == ("a", "cancel_transfer", True)


def test_it_keeps_ids_as_given_and_lines_in_order_across_batches(tmp_path: Path) -> None:
    ids = [10, "10", 2.5, "b", 0, "z" * 40]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": f"refund {n}"}) + "\n" for n, i in enumerate(ids)))
    stdout = io.StringIO()
    call_command("classify", "--input", str(source), "--batch-size", "4", stdout=stdout)
    assert [route["id"] for route in json_lines(stdout.getvalue())] == ids


def test_it_skips_blank_lines_and_routes_empty_text(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('\n   \n{"id": 1, "text": ""}\n\n', encoding="utf-8")
    stdout = io.StringIO()
    call_command("classify", "--input", str(source), stdout=stdout)
    [route] = json_lines(stdout.getvalue())
    assert (route["id"], route["confidence"], route["in_scope"]) == (1, 0.0, False)


def test_it_fails_with_exit_code_1_but_writes_the_good_lines(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": 1, "text": "hello"}\n{oops\n', encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("classify", "--input", str(source), "--output", str(target), stderr=stderr)
    assert failure.value.returncode == 1
    assert "1 malformed line" in str(failure.value)
    assert "line 2: not valid JSON" in stderr.getvalue()
    assert [route["id"] for route in json_lines(target.read_text(encoding="utf-8"))] == [1]


def test_it_names_an_input_file_it_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot open .*missing.jsonl"):
        call_command("classify", "--input", str(tmp_path / "missing.jsonl"))


def test_train_router_trains_and_saves_where_asked(tiny_data_dir: Path, tmp_path: Path) -> None:
    stdout = io.StringIO()
    call_command(
        "train_router", "--data-dir", str(tiny_data_dir), "--output", str(tmp_path / "models"), stdout=stdout
    )
    assert "Trained the router in" in stdout.getvalue()
    assert (tmp_path / "models" / "router.json").exists()
