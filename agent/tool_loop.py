"""A bounded conversation in which the LLM may call tools: each call validated and run by the tool runner,
its result (or its failure) handed back to the model, until the model answers in text."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.llm import EmptyCompletion, LLMClient, ToolCallRequest, ToolTurn
from agent.tools.registry import ToolContext
from agent.tools.runner import ToolResult, ToolRunner

MAX_TURNS = 4
REPAIR_REQUEST = "Your reply was empty. Answer the question in two short sentences, using only the article."


class ToolLoopExhausted(Exception):
    """The model kept calling tools past the turn budget without answering."""


@dataclass
class ToolLoopOutcome:
    text: str
    results: list[ToolResult] = field(default_factory=list)
    turns: int = 0


def converse_with_tools(
    *,
    client: LLMClient,
    model: str,
    messages: list[dict[str, Any]],
    runner: ToolRunner,
    context: ToolContext,
    temperature: float,
    max_tokens: int,
    first_tool: str = "",
    offered: tuple[str, ...] = (),
    max_turns: int = MAX_TURNS,
    on_turn: Callable[[ToolTurn], None] = lambda turn: None,
) -> ToolLoopOutcome:
    """Run the loop. `first_tool` forces that tool on the first turn (small models cannot be trusted to pick;
    code decides and the model writes the arguments); later turns may call tools or answer. `offered` limits
    the tools to those names (empty: all); a call of another is refused like an unknown tool. A turn with
    neither text nor a tool call is asked once more, saying so; a second empty turn raises EmptyCompletion."""
    messages = list(messages)
    outcome = ToolLoopOutcome(text="")
    schemas = [s for s in runner.registry.schemas() if not offered or s["function"]["name"] in offered]
    repaired = False
    for turn_number in range(1, max_turns + 1):
        forced = first_tool and turn_number == 1
        choice: str | dict[str, Any] = (
            {"type": "function", "function": {"name": first_tool}} if forced else "auto"
        )

        def ask(conversation: list[dict[str, Any]], choice: str | dict[str, Any] = choice) -> ToolTurn:
            return client.chat_with_tools(
                model=model,
                messages=conversation,
                tools=schemas,
                tool_choice=choice,
                temperature=temperature,
                max_tokens=max_tokens,
            )

        try:
            turn = ask(messages)
        except EmptyCompletion:
            if repaired:
                raise
            repaired = True
            turn = ask([*messages, {"role": "user", "content": REPAIR_REQUEST}])
        on_turn(turn)
        outcome.turns = turn_number
        if not turn.tool_calls:
            outcome.text = turn.text
            return outcome
        messages.append(_assistant_message(turn))
        for call in turn.tool_calls:
            result = (
                runner.call(call.name, call.arguments, context)
                if not offered or call.name in offered
                else ToolResult(call.name, ok=False, error=f"There is no tool named {call.name!r} here.")
            )
            outcome.results.append(result)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result.for_llm()})
    raise ToolLoopExhausted(f"no answer after {max_turns} turns of tool calls")


def _assistant_message(turn: ToolTurn) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": turn.text,  # a string, even empty: llama.cpp refuses null content
        "tool_calls": [_call_json(call) for call in turn.tool_calls],
    }


def _call_json(call: ToolCallRequest) -> dict[str, Any]:
    # Arguments go back exactly as the model sent them, even when they were refused as invalid JSON.
    arguments = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": arguments}}
