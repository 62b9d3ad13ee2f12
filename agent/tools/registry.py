"""A registry of tools: JSON schemas generated from typed signatures, arguments validated before any call.

A tool is a plain function whose first parameter is the `ToolContext` (the conversation's own customer,
injected by code — the LLM never names a customer) and whose other parameters are keyword arguments of
simple types. What the LLM asks for is untrusted: unknown tools, malformed JSON, missing, extra or wrongly
typed arguments are refused with a message the LLM can act on, and nothing runs.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from agent.models import Conversation, Customer

_JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class ToolContext:
    """Who the tools act for: always the conversation's own customer, set by code, never by the LLM; and the
    intent the router found, which a search favours. The pipeline passes ids: the rows are read only when a
    tool needs them, so a turn that only searches reads no customer."""

    def __init__(
        self,
        customer: Customer | None = None,
        conversation: Conversation | None = None,
        *,
        customer_id: int | None = None,
        conversation_id: int | None = None,
        intent: str = "",
    ) -> None:
        self._customer = customer
        self._conversation = conversation
        self.customer_id = customer.pk if customer is not None else customer_id
        self.conversation_id = conversation.pk if conversation is not None else conversation_id
        self.intent = intent

    @property
    def customer(self) -> Customer:
        if self._customer is None:
            if self.customer_id is None:
                raise ToolRefused("This conversation has no customer to act for.")
            self._customer = Customer.objects.get(pk=self.customer_id)
        return self._customer

    @property
    def conversation(self) -> Conversation | None:
        if self._conversation is None and self.conversation_id is not None:
            self._conversation = Conversation.objects.get(pk=self.conversation_id)
        return self._conversation


class ToolRefused(Exception):
    """The call was not made: unknown tool or invalid arguments. The message is for the LLM."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    function: Callable[..., Any]
    parameters: dict[str, Any]  # JSON schema of the arguments

    def schema(self) -> dict[str, Any]:
        """The OpenAI `tools` entry for this tool. Length limits are enforced here when validating, not sent:
        llama.cpp turns a long `maxLength` into a grammar too large to parse and its server falls over."""
        properties = {
            key: {k: v for k, v in spec.items() if k != "maxLength"}
            for key, spec in self.parameters["properties"].items()
        }
        parameters = {**self.parameters, "properties": properties}
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters},
        }


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: add `function` under its name, its schema built from its signature and docstring."""
        tool = Tool(
            name=function.__name__,
            description=inspect.cleandoc(function.__doc__ or "").split("\n\n")[0],
            function=function,
            parameters=_parameters_schema(function),
        )
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} is registered twice")
        self._tools[tool.name] = tool
        return function

    def __contains__(self, name: str) -> bool:
        return name in self._tools

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            known = ", ".join(sorted(self._tools))
            raise ToolRefused(f"There is no tool named {name!r}. Available tools: {known}.") from None

    def schemas(self) -> list[dict[str, Any]]:
        return [tool.schema() for tool in self._tools.values()]

    def validate(self, name: str, arguments: str | dict[str, Any] | None) -> tuple[Tool, dict[str, Any]]:
        """The tool and its checked arguments, or ToolRefused saying what is wrong."""
        tool = self.get(name)
        values = _decode(arguments)
        schema = tool.parameters
        unknown = sorted(set(values) - set(schema["properties"]))
        if unknown:
            raise ToolRefused(
                f"{name} does not take {', '.join(unknown)}; it takes {_signature_hint(schema)}."
            )
        missing = [key for key in schema["required"] if key not in values]
        if missing:
            raise ToolRefused(f"{name} needs {', '.join(missing)}; it takes {_signature_hint(schema)}.")
        return tool, {
            key: _check(name, key, value, schema["properties"][key]) for key, value in values.items()
        }


def _decode(arguments: str | dict[str, Any] | None) -> dict[str, Any]:
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as error:
            raise ToolRefused(
                f"The arguments are not valid JSON ({error.msg}); send a JSON object."
            ) from None
    if not isinstance(arguments, dict):
        raise ToolRefused("The arguments must be a JSON object.")
    return arguments


def _check(tool: str, key: str, value: Any, schema: dict[str, Any]) -> Any:
    expected = schema["type"]
    # JSON has one number type: an integral float is fine for an integer, and bool is never a number.
    if expected == "integer" and isinstance(value, float) and value.is_integer():
        value = int(value)
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }[expected]
    if not ok:
        raise ToolRefused(f"{tool}: {key} must be a {expected}, not {json.dumps(value)[:60]}.")
    if "enum" in schema and value not in schema["enum"]:
        raise ToolRefused(f"{tool}: {key} must be one of {', '.join(map(str, schema['enum']))}.")
    if "minimum" in schema and value < schema["minimum"] or "maximum" in schema and value > schema["maximum"]:
        raise ToolRefused(f"{tool}: {key} must be between {schema['minimum']} and {schema['maximum']}.")
    if expected == "string" and not value.strip():
        raise ToolRefused(f"{tool}: {key} must not be empty.")
    if "maxLength" in schema and expected == "string" and len(value) > schema["maxLength"]:
        raise ToolRefused(f"{tool}: {key} must be at most {schema['maxLength']} characters.")
    return value


def _signature_hint(schema: dict[str, Any]) -> str:
    return (
        ", ".join(f"{key} ({spec['type']})" for key, spec in schema["properties"].items()) or "no arguments"
    )


def _parameters_schema(function: Callable[..., Any]) -> dict[str, Any]:
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function, include_extras=True)
    parameters = list(signature.parameters.values())
    if not parameters or hints.get(parameters[0].name) is not ToolContext:
        raise TypeError(f"{function.__name__}: the first parameter must be the ToolContext")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter in parameters[1:]:
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{function.__name__}: tool arguments must be keyword-only ({parameter.name})")
        properties[parameter.name] = _type_schema(function.__name__, parameter.name, hints[parameter.name])
        if parameter.default is inspect.Parameter.empty:
            required.append(parameter.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _type_schema(function: str, name: str, hint: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if get_origin(hint) is typing.Annotated:
        hint, *extras = get_args(hint)
        for extra in extras:
            metadata.update(extra if isinstance(extra, dict) else {"description": str(extra)})
    if get_origin(hint) is Literal:
        values = get_args(hint)
        return {"type": _JSON_TYPES[type(values[0])], "enum": list(values), **metadata}
    if isinstance(hint, type) and hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint], **metadata}
    if isinstance(hint, types.UnionType):
        raise TypeError(f"{function}: {name} must have one simple type, not {hint}")
    raise TypeError(f"{function}: unsupported type {hint!r} for {name}")
