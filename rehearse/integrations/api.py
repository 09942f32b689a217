"""What every ticket service shares: a target, a request, a comment, credentials, and the one
reading of a refused answer (bad token, missing ticket, rate limit). No HTTP library here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol

from rehearse.errors import BadInputError, EnvironmentNotReadyError, RehearseError

if TYPE_CHECKING:
    from rehearse.integrations.summary import Summary

REDACTED = "********"
MAX_PAGES = 50  # a ticket with more comments than this is searched no further for our marker


@dataclass(frozen=True)
class Target:
    """A ticket: `github:acme/shop#42` is service github, place acme/shop, number 42."""

    service: str
    place: str
    number: str
    text: str
    kind: str = "issue"  # GitLab: "merge_request" for `!N`


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: Any = None  # sent as JSON


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # names in lower case
    data: Any
    next_url: str | None = None  # from a Link header's rel="next"


@dataclass(frozen=True)
class Comment:
    id: str
    text: str


@dataclass(frozen=True)
class Credentials:
    headers: tuple[tuple[str, str], ...]
    variable: str  # the environment variable that holds the secret, for messages
    secrets: tuple[str, ...] = ()
    flavour: str = ""  # Jira: "cloud" (REST v3, ADF) or "server" (REST v2, wiki text)


class Service(Protocol):
    name: str
    example: str
    base_variable: str  # where the API's address comes from when --base-url is not given
    token_variables: tuple[str, ...]

    def target(self, text: str, rest: str) -> Target | None: ...
    def base(self, given: str | None) -> str: ...
    def credentials(self, env: Mapping[str, str], dry_run: bool) -> Credentials: ...
    def create(self, base: str, target: Target, body: Summary, auth: Credentials) -> Request: ...
    def edit(self, base: str, target: Target, comment: str, body: Summary,
             auth: Credentials) -> Request: ...
    def listing(self, base: str, target: Target, auth: Credentials) -> Request: ...
    def page(self, answer: Answer, listing: Request) -> tuple[list[Comment], Request | None]: ...
    def link(self, base: str, target: Target, answer: Answer) -> str: ...


def marked(text: str, marker: str) -> bool:
    """The marker, not a longer one that starts with it (store `demo` is not `demo-eu`)."""
    return re.search(re.escape(marker) + r"(?![\w.-])", text) is not None


def given(env: Mapping[str, str], name: str) -> str:
    """A variable's value; empty, or `$(NAME)` as Azure Pipelines leaves an undefined one that a
    step maps, counts as not set."""
    value = env.get(name, "")
    return "" if value == f"$({name})" else value


def secret(env: Mapping[str, str], name: str, dry_run: bool, needed_for: str) -> str:
    value = given(env, name)
    if not value and not dry_run:
        raise BadInputError(f"{name} is not set", hint=f"export {name}=… ({needed_for})")
    return value or REDACTED


def with_params(request: Request, params: Mapping[str, str]) -> Request:
    from urllib.parse import urlencode

    sign = "&" if "?" in request.url else "?"
    return Request(request.method, f"{request.url}{sign}{urlencode(params)}", request.headers,
                   request.body)


def refusal(service: Service, target: Target, auth: Credentials, answer: Answer,
            now: datetime | None = None) -> RehearseError:
    """One line for a refused request, and what to do about it. Never the token."""
    said = api_message(answer.data)
    reason = f" ({answer.status}{': ' + said if said else ''})"
    reset = rate_limit_reset(answer, now or datetime.now(UTC))
    if reset is not None:
        return EnvironmentNotReadyError(
            f"{service.name} rate limit reached{reason}; it resets at {reset}",
            hint="post again after that time, or with another token")
    if answer.status == 401:
        return BadInputError(f"{service.name} did not accept the token in {auth.variable}{reason}",
                             hint=f"set {auth.variable} to a valid, unexpired token")
    if answer.status == 403:
        return BadInputError(f"the token in {auth.variable} may not comment on {target.text}"
                             f"{reason}", hint="give it write access to the project's issues")
    if answer.status == 404:
        return BadInputError(f"{target.text} was not found{reason}",
                             hint="check the project and number; a token that cannot see a "
                                  "private project gets 404 too")
    if answer.status >= 500:
        return EnvironmentNotReadyError(f"{service.name} failed{reason}",
                                        hint="try again later; the rehearsal's reports are kept")
    return BadInputError(f"{service.name} refused the comment on {target.text}{reason}",
                         hint="see the message; --dry-run shows the request")


def api_message(data: Any) -> str:
    """The service's own words: GitHub/GitLab/Azure `message`, Jira `errorMessages`."""
    if not isinstance(data, dict):
        return ""
    found = data.get("message") or data.get("error") or data.get("errorMessages") or ""
    if isinstance(found, list):
        found = "; ".join(str(item) for item in found)
    return str(found).replace("\n", " ")[:200]


def rate_limit_reset(answer: Answer, now: datetime) -> str | None:
    """When a rate limit resets: GitHub x-ratelimit-reset (epoch seconds) with remaining 0,
    GitLab RateLimit-Reset (epoch), Jira X-RateLimit-Reset (ISO 8601), Retry-After (seconds or
    an HTTP date); None when the answer is no rate limit."""
    headers = answer.headers
    limited = answer.status == 429 or (answer.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers))
    if not limited:
        return None
    when = _retry_after(headers.get("retry-after", ""), now) or _epoch_or_iso(
        headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset") or "")
    if when is None:
        return "an unknown time (the answer gave none)"
    minutes = max(0, round((when - now).total_seconds() / 60))
    return f"{when:%Y-%m-%d %H:%M:%S} UTC (in {minutes} min)"


def _retry_after(value: str, now: datetime) -> datetime | None:
    if value.strip().isdigit():
        return now + timedelta(seconds=int(value))
    try:
        return parsedate_to_datetime(value).astimezone(UTC) if value else None
    except (TypeError, ValueError):
        return None


def _epoch_or_iso(value: str) -> datetime | None:
    if value.strip().isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None
