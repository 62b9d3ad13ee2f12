"""A loopback HTTP server speaking the OpenAI chat-completions wire format, scripted to fail on purpose.

Only for failures the real local model cannot be made to produce (500s, empty answers); everything else in
the tests talks to the real llama.cpp server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion_body(text: str, model: str = "fake-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


class ScriptedLLM:
    """Answers each chat completion with the next (status, body) of its script; the last one repeats."""

    def __init__(self, script: list[tuple[int, dict[str, Any] | str]] | list[Any]) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []

    def next_response(self) -> tuple[int, dict[str, Any] | str]:
        index = min(len(self.requests) - 1, len(self.script) - 1)
        return self.script[index]


@contextmanager
def scripted_llm(script: list[Any]) -> Iterator[tuple[str, ScriptedLLM]]:
    """Serve `script` on a free loopback port; yield (base_url, the ScriptedLLM with the requests it saw)."""
    llm = ScriptedLLM(script)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            length = int(self.headers.get("Content-Length", 0))
            llm.requests.append(json.loads(self.rfile.read(length) or b"{}"))
            status, body, *delay = llm.next_response()
            if delay:  # (status, body, seconds): answer slowly, as an overloaded endpoint would
                time.sleep(delay[0])
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", llm
    finally:
        server.shutdown()
        server.server_close()


def tool_call_body(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    """A completion in which the model asks for one tool call."""
    body = completion_body("")
    body["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        ],
    }
    body["choices"][0]["finish_reason"] = "tool_calls"
    return body
