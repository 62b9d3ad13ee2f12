from typing import Annotated, Literal

import pytest

from agent.tools.registry import ToolContext, ToolRefused, ToolRegistry

registry = ToolRegistry()


@registry.register
def look_up_card(
    context: ToolContext,
    *,
    last_four: Annotated[str, {"description": "Last four digits", "maxLength": 4}],
    kind: Literal["debit", "virtual"] = "debit",
    limit: Annotated[int, {"minimum": 1, "maximum": 10}] = 3,
) -> dict:
    """Find one of the customer's cards.

    More detail that stays out of the schema."""
    return {"customer": context.customer, "last_four": last_four, "kind": kind, "limit": limit}


def test_the_schema_comes_from_the_typed_signature_and_docstring():
    (schema,) = registry.schemas()
    assert schema == {
        "type": "function",
        "function": {
            "name": "look_up_card",
            "description": "Find one of the customer's cards.",
            "parameters": {
                "type": "object",
                "properties": {
                    "last_four": {"type": "string", "description": "Last four digits"},
                    "kind": {"type": "string", "enum": ["debit", "virtual"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 10},
                },
                "required": ["last_four"],
                "additionalProperties": False,
            },
        },
    }


def test_length_limits_are_checked_here_but_not_sent_to_the_model():
    tool = registry.get("look_up_card")
    assert tool.parameters["properties"]["last_four"]["maxLength"] == 4
    assert "maxLength" not in tool.schema()["function"]["parameters"]["properties"]["last_four"]


def test_valid_arguments_pass_as_json_or_as_a_dict():
    assert registry.validate("look_up_card", '{"last_four": "1234", "limit": 2.0}')[1] == {
        "last_four": "1234",
        "limit": 2,
    }
    assert registry.validate("look_up_card", {"last_four": "1234", "kind": "virtual"})[1]["kind"] == "virtual"


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("delete_account", "{}", "There is no tool named 'delete_account'. Available tools: look_up_card."),
        ("look_up_card", "{not json", "not valid JSON"),
        ("look_up_card", "[1, 2]", "must be a JSON object"),
        ("look_up_card", "{}", "look_up_card needs last_four"),
        ("look_up_card", '{"last_four": 1234}', "last_four must be a string, not 1234"),
        ("look_up_card", '{"last_four": "12345"}', "at most 4 characters"),
        ("look_up_card", '{"last_four": "  "}', "must not be empty"),
        ("look_up_card", '{"last_four": "1234", "kind": "gold"}', "kind must be one of debit, virtual"),
        ("look_up_card", '{"last_four": "1234", "limit": 99}', "limit must be between 1 and 10"),
        ("look_up_card", '{"last_four": "1234", "limit": true}', "limit must be a integer"),
    ],
)
def test_bad_calls_are_refused_with_a_message_the_llm_can_act_on(name, arguments, message):
    with pytest.raises(ToolRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.validate(name, arguments)


def test_a_call_naming_another_customer_is_refused():
    with pytest.raises(ToolRefused, match="look_up_card does not take customer_id"):
        registry.validate("look_up_card", {"last_four": "1234", "customer_id": 42})


def test_a_tool_must_take_the_context_first_and_keyword_only_arguments():
    with pytest.raises(TypeError, match="first parameter must be the ToolContext"):
        ToolRegistry().register(lambda query: query)

    def positional(context: ToolContext, query: str) -> str:
        return query

    with pytest.raises(TypeError, match="keyword-only"):
        ToolRegistry().register(positional)


def test_a_tool_cannot_be_registered_twice():
    again = ToolRegistry()
    again.register(look_up_card)
    with pytest.raises(ValueError, match="registered twice"):
        again.register(look_up_card)
