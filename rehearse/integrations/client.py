"""The one HTTP client of the ticket services (httpx): sends a Request, reads the Answer, turns a
refused or unreachable service into one line with a hint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from rehearse.errors import EnvironmentNotReadyError
from rehearse.integrations.api import (
    MAX_PAGES,
    Answer,
    Comment,
    Credentials,
    Request,
    Service,
    Target,
    refusal,
)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class Conversation:
    """One service, one ticket, one set of credentials: the requests of one attach."""

    client: httpx.Client
    service: Service
    target: Target
    auth: Credentials

    def send(self, request: Request) -> Answer:
        try:
            response = self.client.request(request.method, request.url,
                                           headers=dict(request.headers), json=request.body)
        except httpx.TransportError as error:
            raise _unreachable(self.service, request.url, error) from None
        answer = Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                        _json(response), response.links.get("next", {}).get("url"))
        if not response.is_success:
            raise refusal(self.service, self.target, self.auth, answer)
        if answer.data is None:
            raise self.not_the_api(request.url, f"answered {response.status_code} without JSON")
        return answer

    def comments(self, first: Request) -> Iterator[Comment]:
        """Every comment on the ticket, page by page (at most MAX_PAGES pages)."""
        request: Request | None = first
        for _ in range(MAX_PAGES):
            if request is None:
                return
            answer = self.send(request)
            try:
                found, following = self.service.page(answer, request)
            except (KeyError, TypeError, AttributeError, ValueError):
                raise self.not_the_api(request.url, "answered with no comment list") from None
            yield from found
            request = following


    def not_the_api(self, url: str, what: str) -> EnvironmentNotReadyError:
        return EnvironmentNotReadyError(
            f"{self.service.name} at {urlsplit(url).netloc} {what}",
            hint=f"check --base-url (or {self.service.base_variable}): it must be the API's "
                 "address, not the web page's")


@contextmanager
def conversation(service: Service, target: Target, auth: Credentials) -> Iterator[Conversation]:
    headers = {"User-Agent": "rehearse"}
    with httpx.Client(timeout=TIMEOUT, headers=headers, follow_redirects=False) as client:
        yield Conversation(client, service, target, auth)


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _unreachable(service: Service, url: str, error: httpx.TransportError) -> Exception:
    host = urlsplit(url).netloc
    if isinstance(error, httpx.TimeoutException):
        what = "did not answer in time"
    elif isinstance(error, httpx.ConnectError):
        what = "refused the connection" if "refused" in str(error).lower() else (
            f"cannot be reached ({str(error)[:120]})")
    else:
        what = f"broke off ({type(error).__name__})"
    return EnvironmentNotReadyError(
        f"{service.name} at {host} {what}",
        hint=f"check --base-url (or {service.base_variable}) and the network; a proxy is taken "
             "from HTTPS_PROXY")
