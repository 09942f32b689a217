"""The one HTTP client the checks use: it talks to the sandbox's own address and nothing else.
A store that redirects to its production host or to https (SSL left on, `--as-is`) gets no
request sent there: the redirect is refused as an answer, never followed out of the sandbox.

Every client of a run shares one connection pool (making a client's TLS context alone costs
25 to 70 ms), and the upgraded store's pages are fetched once for every check that reads them."""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Mapping
from functools import cache

import httpx

TIMEOUT = 30.0
_LOG = logging.getLogger("rehearse.web")  # every request, in the run log: which page was slow


class LeftTheSandbox(httpx.RequestError):
    """A request for any address but the sandbox's (a redirect to the production host)."""


class _Shared(httpx.HTTPTransport):
    """The run's one pool: a client closing (or leaving its `with`) leaves it open for the
    next client; connections end with their store's container, or with the process."""

    def close(self) -> None:
        pass

    def __exit__(self, *_: object) -> None:
        pass


@cache
def _transport() -> httpx.HTTPTransport:
    # The sandbox is reached over plain HTTP only (a sandbox's store answers on 127.0.0.1 and
    # `stay` refuses any other scheme): a TLS context that trusts no certificate, where
    # loading the system's CA bundle took about 50 ms of every run.
    return _Shared(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def sandbox_client(base_url: str, follow_redirects: bool = False,
                   timeout: float = TIMEOUT) -> httpx.Client:
    home = httpx.URL(base_url)

    def stay(request: httpx.Request) -> None:
        url = request.url
        if (url.scheme, url.host, url.port) != (home.scheme, home.host, home.port):
            raise LeftTheSandbox(f"the store sent rehearse to {url.scheme}://{url.host}"
                                 f"{f':{url.port}' if url.port else ''}, outside the sandbox",
                                 request=request)
        request.extensions["rehearse.sent"] = time.monotonic()

    return httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=follow_redirects,
                        event_hooks={"request": [stay], "response": [_logged]},
                        transport=_transport())


def _logged(response: httpx.Response) -> None:
    """"GET /path?query 200 12 ms" (to the headers), the run log's record of what was asked."""
    request = response.request
    waited = time.monotonic() - request.extensions.get("rehearse.sent", time.monotonic())
    _LOG.debug("%s %s %d %.0f ms", request.method, request.url.raw_path.decode("ascii"),
               response.status_code, waited * 1000)


class Pages:
    """One store's pages as the checks read them (GET, no redirect followed): a page the smoke
    checks fetched is not fetched again by the before/after comparison. Only pages asked to be
    kept are held (the smoke checks' few), never a whole sample's bodies."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._client = sandbox_client(base_url, follow_redirects=False)
        self._kept: dict[tuple[str, tuple[tuple[str, str], ...]], httpx.Response] = {}

    def get(self, path: str, params: Mapping[str, str] | None = None,
            keep: bool = True) -> httpx.Response:
        key = (path, tuple(sorted((params or {}).items())))
        found = self._kept.get(key)
        if found is None:
            found = self._client.get(path, params=dict(params) if params else None)
            if keep:
                self._kept[key] = found
        return found

    def __enter__(self) -> Pages:
        return self

    def __exit__(self, *_: object) -> None:
        self._kept.clear()
        self._client.close()
