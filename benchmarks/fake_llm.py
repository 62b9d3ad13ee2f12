"""A loopback server speaking the OpenAI chat-completions wire format with a hosted model's latency, for
benchmarks/load.py: the load on the product, not on a 135M model sharing its two cores.

Each completion waits like a hosted model (a first token after ~0.3 s, then ~15 ms a token: a median of
~0.7 s, a long tail past 1.5 s), then answers with the first sentences of the first article in the prompt
(grounded, so the pipeline scores it as it would a good model's answer); a forced tool call gets the call it
asks for. One asyncio loop serves every connection, so a thousand requests waiting cost no threads.

    python benchmarks/fake_llm.py --port 8799
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from http import HTTPStatus
from typing import Any

FIRST_TOKEN_SECONDS = 0.3
SECONDS_PER_TOKEN = 0.015
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def answer_for(request: dict[str, Any]) -> str:
    system = next(
        (m.get("content") or "" for m in request.get("messages", []) if m.get("role") == "system"), ""
    )
    _, _, after = system.partition("\nArticle: ")
    text = after.split("\n", 1)[1] if "\n" in after else ""
    text = text.split("\n\nArticle: ", 1)[0]
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    return " ".join(sentences[:2]) or "I'm sorry, I don't have that information."


def completion(request: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], float]:
    """The body of one chat completion and how long a hosted model would take to give it."""
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = choice["function"]["name"]
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": name, "arguments": "{}"}}
            ],
        }
        tokens = 12
    else:
        text = answer_for(request)
        message = {"role": "assistant", "content": text}
        tokens = max(1, len(text) // 4)
    prompt_tokens = sum(len(str(m.get("content") or "")) for m in request.get("messages", [])) // 4
    delay = FIRST_TOKEN_SECONDS * rng.lognormvariate(0, 0.35) + tokens * SECONDS_PER_TOKEN
    body = {
        "id": f"chatcmpl-{rng.getrandbits(48):x}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": tokens,
            "total_tokens": prompt_tokens + tokens,
        },
    }
    return body, delay


class FakeLLM:
    def __init__(self, *, seed: int = 7, latency: bool = True) -> None:
        self.rng = random.Random(seed)
        self.latency = latency
        self.requests = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, payload = await self.respond(method, path, body)
                data = json.dumps(payload).encode()
                head = (
                    f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n"
                )
                writer.write(head.encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def respond(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path.rstrip("/").endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            return 404, {"error": {"message": f"no route {method} {path}"}}
        self.requests += 1
        payload, delay = completion(json.loads(body or b"{}"), self.rng)
        if self.latency:
            await asyncio.sleep(delay)
        return 200, payload


async def serve(port: int, *, latency: bool = True) -> None:
    fake = FakeLLM(latency=latency)
    server = await asyncio.start_server(fake.handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--no-latency", action="store_true", help="Answer at once.")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.port, latency=not arguments.no_latency))


if __name__ == "__main__":
    main()
