"""The stand-in's request filters, per version, as rules tables (nopcommerce.md §11); the Docker
tests show them end to end."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

SIM = Path(__file__).resolve().parents[2] / "images" / "sim"


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    sys.path.insert(0, str(SIM))
    try:
        return importlib.import_module("sim_requests")
    finally:
        sys.path.remove(str(SIM))


def request(sim: ModuleType, remote: str, headers: dict[str, str], host: str = "127.0.0.1:8080",
            route: str = "/") -> Any:
    handler = SimpleNamespace(headers={"Host": host, **headers}, path=route,
                              client_address=(remote, 50000),
                              connection=SimpleNamespace(getsockname=lambda: ("172.18.0.3", 80)))
    return sim.Request(handler, route, signed_in=False)


PROXY = {"HostingConfig": {"UseProxy": True, "KnownProxies": "10.0.0.5"}}
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(
    ("version", "remote", "headers", "appsettings", "secured"),
    [("4.40", "172.18.0.1", HTTPS, {"HostingConfig": {"UseHttpXForwardedProto": True}}, True),
     ("4.40", "172.18.0.1", HTTPS, {}, False),
     ("4.50", "172.18.0.1", HTTPS, PROXY, False),  # a Docker bridge sender is not trusted
     ("4.60", "10.0.0.5", HTTPS, PROXY, True),  # a known proxy is
     ("4.60", "127.0.0.1", HTTPS, PROXY, True),  # loopback is (ASP.NET default)
     ("4.70", "172.18.0.1", HTTPS, PROXY, True),  # 4.70+ trusts any sender
     ("4.70", "172.18.0.1", HTTPS, {}, False),  # without UseProxy the header means nothing
     ("4.90", "172.18.0.1", {}, PROXY, False)],
)
def test_a_request_is_secured_by_each_versions_rules(sim: ModuleType, version: str, remote: str,
                                                     headers: dict[str, str],
                                                     appsettings: dict[str, Any],
                                                     secured: bool) -> None:
    assert sim.is_secured(request(sim, remote, headers), version, appsettings) is secured


def test_ssl_redirects_every_controller_get_but_not_keepalive(sim: ModuleType) -> None:
    store = (1, "https://www.shop.example/", True, "www.shop.example")
    assert sim.https_redirect(request(sim, "172.18.0.1", {}), store, "4.70", {}) == (
        301, "https://127.0.0.1:8080/")
    keepalive = request(sim, "172.18.0.1", {}, route="/keepalive/index")
    assert sim.https_redirect(keepalive, store, "4.70", {}) is None
    assert sim.https_redirect(request(sim, "172.18.0.1", {}), (1, "", False, ""), "4.70",
                              {}) is None


@pytest.mark.parametrize(
    ("rule", "host", "remote", "expected"),
    [("WithWww", "127.0.0.1:8080", "172.18.0.1", (301, "http://www.127.0.0.1:8080/")),
     ("WithWww", "127.0.0.1:8080", "127.0.0.1", None),  # local requests are exempt
     ("WithoutWww", "www.shop.example", "172.18.0.1", (301, "http://shop.example/")),
     ("NoMatter", "127.0.0.1:8080", "172.18.0.1", None)],
)
def test_the_www_rule(sim: ModuleType, rule: str, host: str, remote: str,
                      expected: tuple[int, str] | None) -> None:
    settings = {"seosettings.wwwrequirement": rule}
    assert sim.www_redirect(request(sim, remote, {}, host=host), settings, False) == expected


@pytest.mark.parametrize(("route", "closed"), [("/", True), ("/login", False),
                                               ("/sitemap.xml", False), ("/product-1", True)])
def test_a_closed_store_sends_public_pages_to_storeclosed(sim: ModuleType, route: str,
                                                          closed: bool) -> None:
    settings = {"storeinformationsettings.storeclosed": "True"}
    answer = sim.closed_redirect(request(sim, "172.18.0.1", {}, route=route), settings, False)
    assert answer == ((302, "/storeclosed") if closed else None)


def test_the_store_is_chosen_by_host_else_the_first(sim: ModuleType) -> None:
    rows = [(1, "u1", True, "shop.example,www.shop.example"), (2, "u2", True, "outlet.example")]
    assert sim.current_store(rows, "OUTLET.example")[0] == 2
    assert sim.current_store(rows, "127.0.0.1:8080")[0] == 1
