"""Post a rehearsal's summary on a ticket: a new comment, or rehearse's earlier one edited
(--update, found by its marker); --dry-run shows the requests instead. Also the scenario's own
`report.attach`, after a run: a post that fails is a warning, never the rehearsal's verdict."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.console import Terminal, terminal
from rehearse.errors import BadInputError, RehearseError
from rehearse.integrations.api import (
    REDACTED,
    Comment,
    Credentials,
    Request,
    Service,
    Target,
    given,
    marked,
)
from rehearse.integrations.summary import Summary, full_report, summarize
from rehearse.integrations.targets import parse
from rehearse.report.rehearsal import scrubbed

if TYPE_CHECKING:
    from rehearse.scenario import Attach

_SECRET_HEADERS = {"authorization", "private-token"}


@dataclass(frozen=True)
class Ticket:
    """Where to post, and how: the service, the ticket, the API's address, the credentials."""

    service: Service
    target: Target
    base: str
    auth: Credentials


@dataclass(frozen=True)
class Posted:
    url: str
    updated: bool


def ticket(to: str, base_url: str | None, dry_run: bool,
           env: Mapping[str, str] | None = None) -> Ticket:
    env = os.environ if env is None else env
    service, target = parse(to)
    auth = service.credentials(env, dry_run)
    for value in auth.secrets:
        terminal().add_secret(value)  # whatever prints a request or an error, never the token
    base = base_url or given(env, service.base_variable) or None
    if base is not None and not base.startswith(("https://", "http://")):
        raise BadInputError(f"{base!r} is no address of {service.name}'s API",
                            hint="write it with https://, e.g. https://git.example.com")
    return Ticket(service, target, service.base(base), auth)


def post(where: Ticket, summary: Summary, update: bool) -> Posted:
    from rehearse.integrations.client import conversation

    with conversation(where.service, where.target, where.auth) as talk:
        earlier = _earlier(talk.comments(_listing(where)), summary.marker) if update else None
        request = _edit(where, earlier, summary) if earlier else _create(where, summary)
        answer = talk.send(request)
    try:
        url = where.service.link(where.base, where.target, answer)
    except (KeyError, TypeError, AttributeError):  # posted all the same: only the link is unknown
        url = where.target.text
    return Posted(url, earlier is not None)


def _earlier(comments: Iterable[Comment], marker: str) -> str | None:
    """The newest comment of ours: the last one carrying the marker."""
    found = None
    for comment in comments:
        if marked(comment.text, marker):
            found = comment.id
    return found


def dry_run(where: Ticket, summary: Summary, update: bool) -> str:
    """The requests a post would send, the token replaced by ********."""
    lines = []
    if update:
        edit = _edit(where, "{comment_id}", summary)
        lines += [f"# --update: first {_listing(where).url} (every page), for a comment that "
                  f"carries {summary.marker!r};",
                  f"# found: {edit.method} {edit.url} with the body below; not found:", ""]
    return "\n".join([*lines, *shown(_create(where, summary))]) + "\n"


def shown(request: Request) -> list[str]:
    headers = [f"{name}: {_redacted(name, value)}" for name, value in request.headers]
    body = json.dumps(request.body, indent=2, ensure_ascii=False)
    return [f"{request.method} {request.url}", *headers, "Content-Type: application/json", "",
            body]


def _redacted(name: str, value: str) -> str:
    if name.lower() not in _SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    return f"{scheme} {REDACTED}" if rest else REDACTED


def _create(where: Ticket, summary: Summary) -> Request:
    return where.service.create(where.base, where.target, summary, where.auth)


def _edit(where: Ticket, comment: str, summary: Summary) -> Request:
    return where.service.edit(where.base, where.target, comment, summary, where.auth)


def _listing(where: Ticket) -> Request:
    return where.service.listing(where.base, where.target, where.auth)


def after_run(attachments: Sequence[Attach], report: Mapping[str, Any], folder: Path,
              out: Terminal) -> None:
    """The scenario's report.attach, once the reports are written."""
    wanted = [a for a in attachments if a.on == "always" or report.get("verdict") != "pass"]
    if not wanted:
        return
    summary = scrubbed(summarize(report, full_report(folder)), out.redact)
    for attachment in wanted:
        try:
            where = ticket(attachment.to, attachment.base_url, dry_run=False)
            posted = post(where, summary, attachment.update)
        except RehearseError as error:
            out.status(f"warning: the summary was not posted to {attachment.to}: "
                       f"{error.message}" + (f" (hint: {error.hint})" if error.hint else ""))
            continue
        done = "updated rehearse's comment on" if posted.updated else "posted the summary to"
        out.status(f"{done} {attachment.to}: {posted.url}")
