"""The LLM's tool conversation: the fake endpoint plays the model's side where we need exact behaviour;
one test checks the real local model honours a forced tool call on the wire."""

import json

import pytest

from agent.llm import LLMClient
from agent.models import Ticket
from agent.tool_loop import ToolLoopExhausted, converse_with_tools
from agent.tools.registry import ToolContext
from agent.tools.support import support_runner
from tests.fake_openai import completion_body, scripted_llm, tool_call_body

pytestmark = pytest.mark.django_db

QUESTION = [{"role": "user", "content": "What happened to my ticket?"}]


def converse(url, context, **overrides):
    args = {
        "client": LLMClient(base_url=url, api_key="k", timeout=10),
        "model": "fake-model",
        "messages": QUESTION,
        "runner": support_runner,
        "context": context,
        "temperature": 0.2,
        "max_tokens": 64,
    }
    return converse_with_tools(**{**args, **overrides})


@pytest.fixture
def context(conversation):
    return ToolContext(customer=conversation.customer, conversation=conversation)


def test_a_tool_result_goes_back_to_the_model_which_then_answers(context):
    ticket = Ticket.objects.create(customer=context.customer, subject="Card never arrived")
    script = [(200, tool_call_body("get_recent_tickets", "{}")), (200, completion_body("Ticket is open."))]
    with scripted_llm(script) as (url, llm):
        outcome = converse(url, context)
    assert outcome.text == "Ticket is open." and outcome.turns == 2
    assert outcome.results[0].ok and outcome.results[0].content[0]["reference"] == ticket.reference
    told = llm.requests[1]["messages"][-1]
    assert told["role"] == "tool" and told["tool_call_id"] == "call_1" and ticket.reference in told["content"]
    assert llm.requests[0]["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in llm.requests[0]["tools"]][0] == "search_knowledge_base"


def test_a_forced_first_tool_is_named_in_the_request(context):
    script = [(200, tool_call_body("get_recent_tickets", "{}")), (200, completion_body("Done."))]
    with scripted_llm(script) as (url, llm):
        converse(url, context, first_tool="get_recent_tickets")
    assert llm.requests[0]["tool_choice"] == {"type": "function", "function": {"name": "get_recent_tickets"}}
    assert llm.requests[1]["tool_choice"] == "auto"


@pytest.mark.parametrize(
    ("name", "arguments", "told"),
    [
        ("transfer_money", "{}", "There is no tool named 'transfer_money'"),
        ("get_recent_tickets", "{limit: 5", "not valid JSON"),
        ("get_recent_tickets", '{"customer_id": 7}', "does not take customer_id"),
    ],
)
def test_a_bad_tool_call_is_refused_and_the_model_is_told_why(context, name, arguments, told):
    script = [(200, tool_call_body(name, arguments)), (200, completion_body("Sorry."))]
    with scripted_llm(script) as (url, llm):
        outcome = converse(url, context)
    assert not outcome.results[0].ok and outcome.text == "Sorry."
    assert told in json.loads(llm.requests[1]["messages"][-1]["content"])["error"]


def test_a_model_that_never_stops_calling_tools_is_cut_off(context):
    script = [(200, tool_call_body("get_recent_tickets", "{}"))]
    with scripted_llm(script) as (url, llm), pytest.raises(ToolLoopExhausted, match="3 turns"):
        converse(url, context, max_turns=3)
    assert len(llm.requests) == 3


def test_the_local_model_makes_a_forced_tool_call_on_the_wire(local_llm, settings):
    client = LLMClient(base_url=local_llm, api_key="local", timeout=120)
    turn = client.chat_with_tools(
        model=settings.LLM_SMALL_MODEL,
        messages=[{"role": "user", "content": "How do I change my PIN?"}],
        tools=[
            s for s in support_runner.registry.schemas() if s["function"]["name"] == "search_knowledge_base"
        ],
        tool_choice={"type": "function", "function": {"name": "search_knowledge_base"}},
        temperature=0.2,
        max_tokens=64,
    )
    assert [call.name for call in turn.tool_calls] == ["search_knowledge_base"]
    assert isinstance(turn.tool_calls[0].arguments, str) and turn.prompt_tokens > 0
