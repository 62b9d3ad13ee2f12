"""Every LLM call goes through here: the `openai` client against any OpenAI-compatible endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import openai
from django.conf import settings

from agent.telemetry import span

# Worth another attempt: the endpoint was slow, unreachable, rate-limited or failed on its side.
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)


class EmptyCompletion(Exception):
    """The model answered with no text."""


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def of(cls, response: Any, model: str, text: str) -> Completion:
        """The completion a chat response carries: `text` (already read from it), model and token usage."""
        usage = response.usage
        return cls(
            text=text,
            model=response.model or model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )


@dataclass(frozen=True)
class ToolCallRequest:
    """A tool call as the model asked for it: untrusted until the registry has validated it."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ToolTurn:
    """One model turn in a tool conversation: text, tool calls, or both."""

    text: str
    tool_calls: tuple[ToolCallRequest, ...]
    model: str
    prompt_tokens: int
    completion_tokens: int


class LLMClient:
    """A thin, typed wrapper over `openai.OpenAI` chat completions."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float) -> None:
        # Retries belong to the graph runner's policy, so that a call makes at most 3 attempts in all.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)

    def chat(
        self, *, model: str, messages: list[dict[str, str]], temperature: float, max_tokens: int
    ) -> Completion:
        """Send one chat completion and return its text and token usage; raise on an empty answer."""
        with span("llm.chat", model=model, temperature=temperature, max_tokens=max_tokens) as current:
            response = self._client.chat.completions.create(
                model=model,
                messages=messages,  # type: ignore[arg-type]
                temperature=temperature,
                max_tokens=max_tokens,
            )
            if response.usage:
                current.set_attribute("prompt_tokens", response.usage.prompt_tokens)
                current.set_attribute("completion_tokens", response.usage.completion_tokens)
        text = (response.choices[0].message.content or "").strip() if response.choices else ""
        if not text:
            raise EmptyCompletion(f"{model} returned an empty answer")
        return Completion.of(response, model, text)

    def chat_with_tools(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        tool_choice: str | dict[str, Any],
        temperature: float,
        max_tokens: int,
    ) -> ToolTurn:
        """One turn of a conversation in which the model may call `tools`; raise if it says nothing at all."""
        # Our dicts follow the API's shapes; the SDK's TypedDict overloads cannot see that.
        forced = tool_choice if isinstance(tool_choice, str) else tool_choice["function"]["name"]
        with span("llm.chat", model=model, tools=len(tools), tool_choice=forced) as current:
            response = self._client.chat.completions.create(  # type: ignore[call-overload]
                model=model,
                messages=messages,
                tools=tools,
                tool_choice=tool_choice,
                temperature=temperature,
                max_tokens=max_tokens,
            )
            if response.usage:
                current.set_attribute("prompt_tokens", response.usage.prompt_tokens)
                current.set_attribute("completion_tokens", response.usage.completion_tokens)
        message = response.choices[0].message if response.choices else None
        text = (message.content or "").strip() if message else ""
        calls = tuple(
            ToolCallRequest(call.id, call.function.name, call.function.arguments or "")
            for call in (message.tool_calls or [] if message else [])
            if getattr(call, "function", None) is not None
        )
        if not text and not calls:
            raise EmptyCompletion(f"{model} returned neither text nor a tool call")
        usage = response.usage
        return ToolTurn(
            text=text,
            tool_calls=calls,
            model=response.model or model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )


@lru_cache(maxsize=4)
def _client_for(base_url: str, api_key: str, timeout: float) -> LLMClient:
    return LLMClient(base_url=base_url, api_key=api_key, timeout=timeout)


def get_llm_client() -> LLMClient:
    """The client for the configured endpoint (OPENAI_BASE_URL, or the local server by default)."""
    return _client_for(settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.LLM_TIMEOUT_SECONDS)
