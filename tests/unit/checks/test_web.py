"""The checks' HTTP client never follows the store out of the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from rehearse.checks.web import LeftTheSandbox, Pages, sandbox_client


class _Redirecting(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        # Another address on this machine stands for "the production host": nothing outside.
        target = "http://127.0.0.2:9/elsewhere" if self.path == "/away" else "/here"
        self.send_response(200 if self.path == "/here" else 301)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture()
def store() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_redirects_inside_the_sandbox_are_followed(store: str) -> None:
    with sandbox_client(store, follow_redirects=True) as web:
        assert web.get("/start").url.path == "/here"


def test_a_redirect_to_another_host_is_refused_before_it_is_sent(store: str) -> None:
    with sandbox_client(store, follow_redirects=True) as web, \
            pytest.raises(LeftTheSandbox, match=r"127\.0\.0\.2:9, outside the sandbox"):
        web.get("/away")


class _Counted(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = f"page {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_kept_page_is_fetched_once_for_every_check_that_reads_it() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counted.seen = []
    try:
        with Pages(f"http://127.0.0.1:{server.server_address[1]}") as pages:
            assert pages.get("/").text == "page /"  # a smoke check
            assert pages.get("/", keep=False).text == "page /"  # the comparison: reused
            pages.get("/search", {"q": "Levi"})
            pages.get("/search", {"q": "Levi"})
            pages.get("/search", {"q": "Ben"})
            pages.get("/product-7", keep=False)  # a sampled page: read and let go
            pages.get("/product-7", keep=False)
    finally:
        server.shutdown()
    assert _Counted.seen == ["/", "/search?q=Levi", "/search?q=Ben", "/product-7", "/product-7"]


class _KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open between requests
    peers: ClassVar[list[int]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.peers.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_clients_share_one_pool_and_a_closed_client_leaves_it_open() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _KeepAlive.peers = []
    store = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for _ in range(3):  # one client after another, each closed by its `with`
            with sandbox_client(store) as web:
                assert web.get("/").status_code == 200
    finally:
        server.shutdown()
    assert len(_KeepAlive.peers) == 3 and len(set(_KeepAlive.peers)) == 1  # one connection


def test_every_request_goes_into_the_run_log_with_its_answer(
        store: str, caplog: pytest.LogCaptureFixture) -> None:
    """The run log names each page asked and its status: the bench replays exactly these."""
    with caplog.at_level("DEBUG", logger="rehearse.web"), \
            sandbox_client(store, follow_redirects=True) as web:
        web.get("/start", params={"q": "Levi's & co"})
    lines = [r.getMessage() for r in caplog.records if r.name == "rehearse.web"]
    assert [line.rsplit(" ", 2)[0] for line in lines] == [
        "GET /start?q=Levi%27s+%26+co 301", "GET /here 200"]
