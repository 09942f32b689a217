"""The one HTTP client the checks use: it talks to the sandbox's own address and nothing else.
A store that redirects to its production host or to https (SSL left on, `--as-is`) gets no
request sent there: the redirect is refused as an answer, never followed out of the sandbox."""

from __future__ import annotations

import httpx

TIMEOUT = 30.0


class LeftTheSandbox(httpx.RequestError):
    """A request for any address but the sandbox's (a redirect to the production host)."""


def sandbox_client(base_url: str, follow_redirects: bool = False,
                   timeout: float = TIMEOUT) -> httpx.Client:
    home = httpx.URL(base_url)

    def stay(request: httpx.Request) -> None:
        url = request.url
        if (url.scheme, url.host, url.port) != (home.scheme, home.host, home.port):
            raise LeftTheSandbox(f"the store sent rehearse to {url.scheme}://{url.host}"
                                 f"{f':{url.port}' if url.port else ''}, outside the sandbox",
                                 request=request)

    return httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=follow_redirects,
                        event_hooks={"request": [stay]})
