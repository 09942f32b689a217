"""The recording asks several pages at once and still keys every page by its own path, in the
sample's order, whatever order the store answers in."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from rehearse.checks import storefront
from rehearse.checks.sample import Sample


class _Store(BaseHTTPRequestHandler):
    """Product pages named after their path; the first answers last; counts requests in flight."""

    lock = threading.Lock()
    in_flight = 0
    most: ClassVar[list[int]] = [0]
    asked: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.lock:
            type(self).in_flight += 1
            self.most[0] = max(self.most[0], self.in_flight)
            self.asked.append(self.path)
        if self.path == "/product-1":
            time.sleep(0.3)  # the others overtake it
        name = self.path.strip("/").split("?")[0]
        # Every product shows the one default picture, and one of its own.
        body = (f"<html><body><div class='product-name'><h1>{name}</h1></div>"
                "<div class='gallery'><img src='/images/default.png'>"
                f"<img src='/images/{name}.png'></div></body></html>"
                if self.path.startswith("/product-") else "<html><body></body></html>")
        with self.lock:
            type(self).in_flight -= 1
        self.send_response(200 if self.path != "/sitemap.xml" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


@pytest.fixture()
def store() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Store)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Store.most, _Store.asked = [0], []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pages_answered_out_of_order_are_each_kept_under_their_own_path(store: str) -> None:
    products = tuple(f"product-{n}" for n in range(1, 13))
    recording = storefront.record(store, Sample(products=products))
    assert list(recording) == ["/", *(f"/{p}" for p in products), "/sitemap.xml"]
    assert all(recording[f"/{p}"]["name"] == p for p in products)
    assert _Store.most[0] > 1  # asked at once, not one after another


def test_a_picture_many_products_show_is_asked_once_and_listed_on_each(store: str) -> None:
    products = tuple(f"product-{n}" for n in range(1, 13))
    recording = storefront.record(store, Sample(products=products))
    assert _Store.asked.count("/images/default.png") == 1
    assert all(_Store.asked.count(f"/images/{p}.png") == 1 for p in products)
    assert all(recording[f"/{p}"]["pictures"] == {"/images/default.png": 200,
                                                  f"/images/{p}.png": 200} for p in products)
