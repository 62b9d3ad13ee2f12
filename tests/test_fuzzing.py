"""Property-based tests: every parser of outside input, and the widget's HTTP API against its own OpenAPI
description (schemathesis, on a loopback live server). Whatever comes in: a clear refusal, never a 500 or an
unhandled exception."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.knowledge.readers import read
from agent.management.commands import screen as screen_command
from agent.management.commands import search_kb as search_kb_command
from agent.screening.injection import THRESHOLD, detect
from agent.screening.pii import find, mask
from widget.openapi import description
from widget.tokens import InvalidToken, conversation_for

TEXT = st.text(st.characters(codec="utf-8"), max_size=400)
# digits and separators make the sensitive-data patterns work hardest
DIGITS = st.text(st.sampled_from("0123456789 -+()./#*@abcDEF\n"), max_size=120)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(st.one_of(TEXT, DIGITS))
def test_sensitive_data_spans_are_in_order_inside_the_text_and_masked(text):
    findings = find(text)
    ends = [0]
    for finding in findings:
        assert ends[-1] <= finding.start < finding.end <= len(text)
        ends.append(finding.end)
    masked = mask(text, findings)
    for finding in findings:
        value = text[finding.start : finding.end]
        assert f"[{finding.type.upper()}]" in masked
        if len(value) >= 8:  # the value itself is gone (a short one may recur by chance elsewhere)
            assert value not in masked.replace(f"[{finding.type.upper()}]", "\x00")


@QUICK
@given(TEXT)
def test_the_injection_score_is_a_probability_for_any_text(text):
    verdict = detect(text)
    assert 0.0 <= verdict.score <= 1.0 and verdict.injection == (verdict.score >= THRESHOLD)


@QUICK
@given(st.binary(max_size=300))
def test_screen_lines_parse_or_are_refused_with_a_reason(raw):
    try:
        text_id, text = screen_command._parse(raw)
    except ValueError as refused:
        assert str(refused)
    else:
        assert isinstance(text, str)


@QUICK
@given(st.one_of(TEXT, st.builds(json.dumps, st.dictionaries(st.sampled_from(["id", "query", "x"]), TEXT))))
def test_search_kb_lines_parse_or_are_refused_with_a_reason(line):
    try:
        _, query = search_kb_command._parse(line)
    except ValueError as refused:
        assert str(refused)
    else:
        assert query.strip()


@QUICK
@given(st.binary(max_size=500), st.sampled_from(["a.md", "b.html", "c.json", "d.jsonl", "e.txt"]))
def test_knowledge_files_import_or_are_refused_with_a_reason(tmp_path_factory, raw, name):
    folder = tmp_path_factory.mktemp("kb")
    path = folder / name
    path.write_bytes(raw)
    for item in read(path, root=folder, max_bytes=10_000):
        assert item is not None  # a Document, or a refusal naming its reason


@QUICK
@given(st.text(max_size=200))
@pytest.mark.django_db
def test_any_token_names_a_conversation_or_is_refused(token):
    with pytest.raises(InvalidToken):
        conversation_for(token)


# --- the widget's HTTP API, from its OpenAPI description ---------------------------------------------

schema = schemathesis.openapi.from_dict(description())


@pytest.fixture
def widget_token(live_server, settings):  # type: ignore[no-untyped-def]
    import urllib.request

    settings.WIDGET_MESSAGES_PER_MINUTE = 10_000  # the run sends more than a person could
    settings.WIDGET_MESSAGES_PER_MINUTE_PER_IP = 10_000
    settings.WIDGET_CONVERSATIONS_PER_HOUR_PER_IP = 10_000
    request = urllib.request.Request(
        f"{live_server.url}/widget/api/conversations/", data=b"{}", method="POST"
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_widget_api_never_fails_on_any_input(case, live_server, widget_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {widget_token}"}
    response = case.call(base_url=live_server.url)
    assert response.status_code < 500, response.text
    if response.status_code != 204:  # a CORS preflight's answer has no body
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), (case.method, case.path, response.status_code)
