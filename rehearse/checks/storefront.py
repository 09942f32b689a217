"""What customers see, recorded from a running store: product, category, search, topic and home
pages and the sitemap, read from nopCommerce's own markup (the DefaultClean theme's class names:
`product-name`, `price-value-<id>`, `old-product-price`, `sku`, `stock`, `product-item`,
`product-title`, `page-title`, `pager`; Nop.Web/Views/Product/_ProductPrice.cshtml and
ProductTemplate.Simple.cshtml, Views/Shared/_ProductBox.cshtml)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from lxml import etree, html

from rehearse.checks.context import PageSource
from rehearse.checks.sample import Sample
from rehearse.checks.web import Pages

Page = dict[str, Any]
Recording = dict[str, Page]
TIMEOUT = 30.0
SITEMAP_PROBES = 20
# Pages asked at once: a store answers several customers at a time, and a page's wait is mostly
# the store's and its database's, not rehearse's. Few enough not to load a small sandbox.
FETCHERS = 4


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(node: Any) -> str:
    return " ".join(str(node.text_content()).split())


def _first(tree: Any, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return _text(found[0]) if found else None


_PRODUCT = {
    "name": f"//div[{_class('product-name')}]//h1",
    "price": f"//div[{_class('product-essential')}]//span[starts-with(@class, 'price-value-')]",
    "old_price": f"//div[{_class('old-product-price')}]/span",
    "sku": f"//div[{_class('sku')}]/span[{_class('value')}]",
    "stock": f"//div[{_class('stock')}]/span[{_class('value')}]",
}
_ITEM_TITLES = f"//div[{_class('product-item')}]//*[{_class('product-title')}]"


def _items(tree: Any) -> list[str]:
    return [_text(node) for node in tree.xpath(_ITEM_TITLES)]


def _product(tree: Any) -> Page:
    page: Page = {field: _first(tree, xpath) for field, xpath in _PRODUCT.items()}
    page["pictures"] = [str(src) for src in tree.xpath(
        f"//div[{_class('gallery')}]//img/@src")]
    return page


def _category(tree: Any) -> Page:
    return {"title": _first(tree, f"//div[{_class('page-title')}]//h1"),
            "products": _items(tree),
            "pages": len(tree.xpath(f"//div[{_class('pager')}]//li"))}


def _topic(tree: Any) -> Page:
    return {"title": _first(tree, f"//div[{_class('page-title')}]//h1"),
            "body": _first(tree, f"//div[{_class('page-body')}]")}


def _listing(tree: Any) -> Page:
    return {"products": _items(tree)}


class _Browser:
    """The recording's pages, asked of the run's `Pages`: one the smoke checks fetched already
    is not fetched again; the sample's own are read and let go. A picture is asked once per
    recording: products share pictures (every product without one shows the default image,
    so the demo store's 228 pages named the same picture 200 times)."""

    def __init__(self, pages: PageSource) -> None:
        self._pages = pages
        self._pictures: dict[str, Future[int | str]] = {}
        self._lock = threading.Lock()

    def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        response: httpx.Response = self._pages.get(path, params, keep=False)
        return response

    def page(self, path: str, read: Any, **params: str) -> Page:
        try:
            response = self._get(path, params)
        except httpx.HTTPError as error:
            return {"status": f"no answer ({type(error).__name__})"}
        found: Page = {"status": response.status_code}
        if response.is_redirect:
            found["location"] = urlsplit(response.headers.get("location", "")).path
        elif response.status_code == 200 and response.content.strip():
            found.update(read(html.fromstring(response.content)))
        if "pictures" in found:  # a picture customers cannot load is a difference too
            # Paths only, asked of the sandbox: the page may name the store's own host.
            paths = [urlsplit(src).path for src in found["pictures"]]
            found["pictures"] = {p: self.picture(p) for p in paths if p.startswith("/")}
        return found

    def picture(self, path: str) -> int | str:
        """The picture's status: asked by the first page that shows it, the others wait."""
        with self._lock:
            asked = self._pictures.get(path)
            first = asked is None
            if asked is None:
                asked = self._pictures[path] = Future()
        if first:
            try:
                asked.set_result(self.status(path))
            except BaseException as error:  # the pages waiting on it see it too
                asked.set_exception(error)
                raise
        return asked.result()

    def status(self, path: str) -> int | str:
        try:
            return self._get(path).status_code
        except httpx.HTTPError as error:
            return f"no answer ({type(error).__name__})"

    def sitemap(self) -> Page:
        response = self._get("/sitemap.xml")
        page: Page = {"status": response.status_code}
        if response.status_code != 200:
            return page
        try:
            root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            return {**page, "urls": "not XML"}
        paths = sorted({urlsplit(str(loc.text or "")).path
                        for loc in root.iter() if str(loc.tag).endswith("loc")})
        page["urls"] = paths
        page["answering"] = {p: self.status(p) for p in paths[:SITEMAP_PROBES]}
        return page


def _pages(sample: Sample) -> Iterator[tuple[str, Any, dict[str, str]]]:
    yield "/", _listing, {}
    for slug in sample.products:
        yield f"/{slug}", _product, {}
    for slug in sample.categories:
        yield f"/{slug}", _category, {}
    for slug in sample.topics:
        yield f"/{slug}", _topic, {}
    for word in sample.words:
        yield f"/search?q={word}", _listing, {"q": word}


def record(store: str | PageSource, sample: Sample) -> Recording:
    """Every sampled page as customers see it, keyed by path (the same keys before and after);
    `store` is the store's address, or the run's `Pages` of it."""
    if isinstance(store, str):
        with Pages(store) as pages:
            return record(pages, sample)
    browser = _Browser(store)
    wanted = list(_pages(sample))
    with ThreadPoolExecutor(FETCHERS, thread_name_prefix="page") as fetchers:
        found = fetchers.map(lambda p: browser.page(p[0].split("?")[0], p[1], **p[2]), wanted)
        recording: Recording = {key: page for (key, _, _), page in zip(wanted, found,
                                                                          strict=True)}
    recording["/sitemap.xml"] = browser.sitemap()
    return recording

