"""A ticket service on 127.0.0.1 for the tests: records each request (method, path with query,
headers, JSON body) and answers with what the test queued, as the real API documents it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeService:
    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[Seen] = []
        self._replies: dict[tuple[str, str], list[Reply]] = {}

    def reply(self, method: str, path: str, status: int, body: Any = None,
              headers: dict[str, str] | None = None) -> None:
        """Queue an answer to METHOD PATH (the path with its query, as sent)."""
        self._replies.setdefault((method, path), []).append(Reply(status, body, headers or {}))

    def take(self, method: str, path: str) -> Reply:
        queued = self._replies.get((method, path))
        if not queued:
            return Reply(418, {"message": f"the test expected no {method} {path}"})
        return queued.pop(0) if len(queued) > 1 else queued[0]


def _handler(service: FakeService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            service.seen.append(Seen(self.command, self.path, headers, body))
            reply = service.take(self.command, self.path)
            data = json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_service() -> Iterator[FakeService]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeService("")))
    service = FakeService(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(service)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
