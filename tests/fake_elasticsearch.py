"""A loopback HTTP server speaking the part of Elasticsearch's REST API the search backend uses.

It keeps documents in memory and answers index existence/creation, single-document writes and deletes,
`_bulk`, and `_search` (a `multi_match` or `term` on intent, optionally with `knn`, which it ignores: the
order comes from shared words). It sends the `X-Elastic-Product` header the official client checks, records
every request, and can be told to fail the next requests (503, 429 with Retry-After) on purpose. Not a
search engine: it exists to put a real HTTP failure between the backend and the tool runner.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error_body(status: int, kind: str, reason: str) -> dict[str, Any]:
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


class FakeElasticsearch:
    def __init__(self) -> None:
        self.url = ""
        self.indices: dict[str, dict[str, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.scripted: deque[Answer] = deque()
        self.always_fail: Answer | None = None
        self._lock = threading.Lock()

    def fail_next(self, status: int, *, retry_after: str | None = None, times: int = 1) -> None:
        """Answer the next `times` searches with `status` (and Retry-After, if given)."""
        for _ in range(times):
            self.scripted.append(self._failure(status, retry_after))

    def fail_always(self, status: int) -> None:
        self.always_fail = self._failure(status, None)

    def searches(self) -> int:
        return sum(1 for method, path in self.requests if path.endswith("/_search"))

    @staticmethod
    def _failure(status: int, retry_after: str | None) -> Answer:
        kind = "es_rejected_execution_exception" if status == 429 else "unavailable_shards_exception"
        headers = {"Retry-After": retry_after} if retry_after else {}
        return Answer(status, error_body(status, kind, "scripted failure"), headers)

    def answer(self, method: str, path: str, body: bytes) -> Answer:
        with self._lock:
            self.requests.append((method, path))
            parts = [p for p in path.split("/") if p]
            if parts and parts[-1] == "_search":
                if self.scripted:
                    return self.scripted.popleft()
                if self.always_fail is not None:
                    return self.always_fail
                return self.search(parts[0], json.loads(body or b"{}"))
            if parts == ["_bulk"]:
                return self.bulk(body)
            if len(parts) == 1:
                return self.index_admin(method, parts[0])
            if len(parts) == 3 and parts[1] == "_doc":
                return self.document(method, parts[0], parts[2], body)
            return Answer(404, error_body(404, "illegal_argument_exception", f"no handler for {path}"))

    def index_admin(self, method: str, index: str) -> Answer:
        if method == "HEAD":
            return Answer(200 if index in self.indices else 404)
        if method == "PUT":
            if index in self.indices:
                return Answer(400, error_body(400, "resource_already_exists_exception", index))
            self.indices[index] = {}
            return Answer(200, {"acknowledged": True, "shards_acknowledged": True, "index": index})
        if method == "DELETE":
            if self.indices.pop(index, None) is None:
                return Answer(404, error_body(404, "index_not_found_exception", index))
            return Answer(200, {"acknowledged": True})
        return Answer(405, error_body(405, "method_not_allowed", method))

    def document(self, method: str, index: str, doc_id: str, body: bytes) -> Answer:
        documents = self.indices.setdefault(index, {})
        if method in ("PUT", "POST"):
            created = doc_id not in documents
            documents[doc_id] = json.loads(body)
            result = "created" if created else "updated"
            return Answer(201 if created else 200, {"_index": index, "_id": doc_id, "result": result})
        if method == "DELETE":
            found = documents.pop(doc_id, None) is not None
            result = "deleted" if found else "not_found"
            return Answer(200 if found else 404, {"_index": index, "_id": doc_id, "result": result})
        return Answer(405, error_body(405, "method_not_allowed", method))

    def bulk(self, body: bytes) -> Answer:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        items = []
        for action, source in zip(lines[::2], lines[1::2], strict=True):
            meta = action["index"]
            self.indices.setdefault(meta["_index"], {})[meta["_id"]] = source
            items.append({"index": {"_index": meta["_index"], "_id": meta["_id"], "status": 201}})
        return Answer(200, {"took": 1, "errors": False, "items": items})

    def search(self, index: str, request: dict[str, Any]) -> Answer:
        if index not in self.indices:
            return Answer(404, error_body(404, "index_not_found_exception", index))
        words, intent = _query_terms(request.get("query", {}))
        hits = []
        for doc_id, source in self.indices[index].items():
            text = set(WORD.findall(f"{source['title']} {source['body']}".lower()))
            score = float(len(words & text)) + (0.5 if intent and source["intent"] == intent else 0.0)
            if score > 0:
                shown = {k: v for k, v in source.items() if k != "embedding"}
                hits.append({"_index": index, "_id": doc_id, "_score": score, "_source": shown})
        hits.sort(key=lambda hit: (-hit["_score"], int(hit["_id"])))
        hits = hits[: request.get("size", 10)]
        best = hits[0]["_score"] if hits else None
        found = {"total": {"value": len(hits), "relation": "eq"}, "max_score": best, "hits": hits}
        return Answer(200, {"took": 1, "timed_out": False, "hits": found})


def _query_terms(query: dict[str, Any]) -> tuple[set[str], str]:
    if "multi_match" in query:
        return set(WORD.findall(query["multi_match"]["query"].lower())), ""
    if "term" in query:
        return set(), query["term"]["intent"]
    words: set[str] = set()
    intent = ""
    for clause in query.get("bool", {}).get("should", []):
        clause_words, clause_intent = _query_terms(clause)
        words |= clause_words
        intent = intent or clause_intent
    return words, intent


@contextmanager
def fake_elasticsearch() -> Iterator[FakeElasticsearch]:
    fake = FakeElasticsearch()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = fake.answer(self.command, urlsplit(self.path).path, body)
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
