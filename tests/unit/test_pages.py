"""Product and search checks read the page as a reader does: HTML entities decoded."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rehearse.checks import pages
from rehearse.checks.context import CheckContext
from rehearse.database.storedb import Baseline
from rehearse.results import Status
from rehearse.version import Version

NAMES = ["Levi's 501 & Co <b>", "Ben & Jerry's Crème brûlée", "Zoë's \"Fjällräven\""]


class Catalogue:
    """Answers first_product's three queries with one product."""

    false = "0"

    hashing = None  # the values are read and hashed by rehearse

    def __init__(self, name: str) -> None:
        self.name = name

    def quote(self, identifier: str) -> str:
        return identifier

    def table_names(self) -> list[str]:
        return ["Product", "UrlRecord"]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        if sql.startswith("SELECT MIN"):
            return ["n"], [(1,)]
        if sql.startswith("SELECT Name"):
            return ["Name"], [(self.name,)]
        return ["Slug"], [("the-product",)]

    def execute(self, sql: str, on_message: Any = None) -> list[str]:
        return []


@pytest.fixture
def store() -> Iterator[tuple[str, list[str]]]:
    """A page server on 127.0.0.1 that escapes names as nopCommerce's Razor views do."""
    shown: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = f"<h1>{html.escape(shown[0])}</h1>".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", shown
    finally:
        server.shutdown()


def context(url: str, name: str) -> CheckContext:
    empty = Baseline({}, (), ())
    return CheckContext(url, Catalogue(name), Version(4, 50), Version(4, 70), empty, empty, 0,
                        (), ())


@pytest.mark.parametrize("name", NAMES)
def test_names_with_entities_pass_the_product_and_search_checks(
        store: tuple[str, list[str]], name: str) -> None:
    url, shown = store
    shown.append(name)
    assert name not in html.escape(name)  # the raw page never holds the name as stored
    assert pages.product(context(url, name))[0] is Status.PASS
    status, summary, _ = pages.search(context(url, name))
    assert status is Status.PASS, summary


def test_a_page_without_the_product_still_fails(store: tuple[str, list[str]]) -> None:
    url, shown = store
    shown.append("Another product")
    status, summary, _ = pages.product(context(url, NAMES[0]))
    assert status is Status.FAIL and "does not show the product" in summary
