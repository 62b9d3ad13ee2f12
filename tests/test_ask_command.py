import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_ask_prints_route_retrieval_draft_decision_and_trace(demo_bank, local_llm):
    out = StringIO()
    call_command("ask", "my card still hasn't arrived", stdout=out)
    text = out.getvalue()
    assert "Route:      card_arrival" in text
    assert "Retrieved:  " in text and "Draft:" in text and "Source: " in text
    assert "Decision:   " in text
    for node in ["guard", "route", "retrieve", "draft", "score", "decide"]:
        assert f". {node}" in text
    assert " ms" in text


def test_ask_can_print_the_run_as_json(demo_bank, local_llm):
    out = StringIO()
    call_command("ask", "my card still hasn't arrived", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["intent"] == "card_arrival"
    assert [s["node"] for s in data["steps"]] == [
        "guard",
        "route",
        "recall",
        "retrieve",
        "draft",
        "score",
        "decide",
    ]
    assert data["retrieved"][0]["intent"] == "card_arrival"
    assert data["decision"] in {"auto_send", "review"}


def test_ask_refuses_an_empty_question(demo_bank):
    with pytest.raises(CommandError, match="type a message"):
        call_command("ask", "  ")
