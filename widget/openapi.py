"""The OpenAPI 3.0 description of the chat widget's JSON API, served at /widget/api/openapi.json: for people
who build their own client, and for the schemathesis run in tests/test_fuzzing.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

_REFUSAL = {
    "description": "Refused, with a message fit to show the customer.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "retry_after": {"type": "integer"}},
            }
        }
    },
}
_MESSAGE = {
    "type": "object",
    "required": ["id", "role", "text"],
    "properties": {
        "id": {"type": "integer"},
        "role": {"type": "string", "enum": ["customer", "agent", "staff", "system"]},
        "text": {"type": "string"},
    },
}
_CONVERSATION = {"type": "object", "required": ["id", "status", "messages"], "properties": {
    "id": {"type": "string"},
    "status": {"type": "string"},
    "messages": {"type": "array", "items": _MESSAGE},
}}  # fmt: skip


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _operation(
    summary: str, ok: int, body: dict[str, Any] | None = None, *, authenticated: bool = True
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(ok): _json(
            {"type": "object", "required": ["conversation"], "properties": {"conversation": _CONVERSATION}},
            "The conversation as it now is.",
        ),  # fmt: skip
        "400": _REFUSAL,
        "403": _REFUSAL,
        "404": _REFUSAL,
        "405": _REFUSAL,
        "429": _REFUSAL,
    }
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if authenticated:
        responses["401"] = _REFUSAL
    else:
        operation["security"] = []
    if body is not None:
        operation["requestBody"] = body
    return operation


def description() -> dict[str, Any]:
    created = _operation("Start a conversation; the answer carries its token.", 201, authenticated=False)
    created["responses"]["201"] = _json(
        {
            "type": "object",
            "required": ["token", "conversation"],
            "properties": {"token": {"type": "string"}, "conversation": _CONVERSATION},
        },  # fmt: skip
        "The new conversation and the bearer token that reaches it.",
    )
    return {
        "openapi": "3.0.3",
        "info": {"title": "supportagent chat widget API", "version": "1"},
        "components": {"securitySchemes": {"conversation": {"type": "http", "scheme": "bearer"}}},
        "security": [{"conversation": []}],
        "paths": {
            "/widget/api/conversations/": {"post": created},
            "/widget/api/conversation/": {"get": _operation("The conversation so far.", 200)},
            "/widget/api/messages/": {
                "post": _operation(
                    "Send the customer's message; the answer follows over the websocket. With `ref` (the "
                    "page's id for it), sending it again stores and answers it once. The websocket takes "
                    '{"type": "message", "ref", "text"} too, and acknowledges with {"type": "ack", "ref", '
                    '"message", "status"} or {"type": "refused", "ref", "status", "error"}.',
                    202,
                    _body(
                        {
                            "text": {"type": "string"},
                            "ref": {"type": "string", "pattern": "^[A-Za-z0-9_-]{0,64}$"},
                        },
                        ["text"],
                    ),
                )
            },
            "/widget/api/human/": {"post": _operation("Ask for a person.", 202)},
            "/widget/api/feedback/": {
                "post": _operation(
                    "Thumbs up or down on one answer.",
                    200,
                    _body(
                        {
                            "message_id": {"type": "integer"},
                            "value": {"type": "string", "enum": ["up", "down"]},
                        },
                        ["message_id", "value"],
                    ),
                )
            },
            "/widget/api/rating/": {
                "post": _operation(
                    "Rate the conversation from 1 to 5.",
                    200,
                    _body({"score": {"type": "integer", "minimum": 1, "maximum": 5}}, ["score"]),
                )
            },
        },
    }


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(description())
