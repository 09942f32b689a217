"""Jira issue comments: Cloud through REST v3 (the body in Atlassian Document Format, basic auth
with an account's email and API token), Server and Data Center through REST v2 (the body a
wiki-markup string, a personal access token as bearer).

Cloud:  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/
        (POST/GET /rest/api/3/issue/{issueIdOrKey}/comment, PUT …/comment/{id})
        https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/
        https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (Retry-After)
Server: https://developer.atlassian.com/server/jira/platform/jira-rest-api-example-add-comment-8946422/
        https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html
"""

from __future__ import annotations

import json
import re
from base64 import b64encode
from collections.abc import Mapping
from typing import Any

from rehearse.errors import BadInputError
from rehearse.integrations.api import (
    REDACTED,
    Answer,
    Comment,
    Credentials,
    Request,
    Target,
    given,
    secret,
    with_params,
)
from rehearse.integrations.jira_markup import to_adf, to_wiki
from rehearse.integrations.summary import Summary

_TARGET = re.compile(r"(?P<project>[A-Z][A-Z0-9_]{0,49})-(?P<number>[1-9][0-9]{0,9})")
_VERSIONS = {"cloud": "3", "server": "2"}


class Jira:
    name = "jira"
    example = "jira:KEY-N (e.g. jira:SHOP-42)"
    base_variable = "JIRA_BASE_URL"
    token_variables: tuple[str, ...] = ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT")

    def target(self, text: str, rest: str) -> Target | None:
        found = _TARGET.fullmatch(rest)
        return found and Target(self.name, found["project"], rest, text)

    def base(self, given: str | None) -> str:
        if not given:
            raise BadInputError("jira needs the site's address",
                                hint="pass --base-url https://YOUR-SITE.atlassian.net (or your "
                                     "server's address), or set JIRA_BASE_URL")
        return given.rstrip("/")

    def credentials(self, env: Mapping[str, str], dry_run: bool) -> Credentials:
        """A PAT means Server/Data Center; an email and API token mean Cloud."""
        pat = given(env, "JIRA_PAT")
        if pat:
            return Credentials(_headers(f"Bearer {pat}"), "JIRA_PAT", (pat,), "server")
        email = given(env, "JIRA_EMAIL")
        if not email and not dry_run:
            raise BadInputError("JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT (Jira "
                                "Server, Data Center) are not set",
                                hint="export JIRA_EMAIL=… JIRA_API_TOKEN=…, or JIRA_PAT=…")
        token = secret(env, "JIRA_API_TOKEN", dry_run, "the API token of JIRA_EMAIL's account")
        pair = b64encode(f"{email}:{token}".encode()).decode()
        shown = REDACTED if token == REDACTED else pair
        return Credentials(_headers(f"Basic {shown}"), "JIRA_API_TOKEN", (token, pair), "cloud")

    def create(self, base: str, target: Target, body: Summary, auth: Credentials) -> Request:
        return Request("POST", _comments(base, target, auth), auth.headers, _body(body, auth))

    def edit(self, base: str, target: Target, comment: str, body: Summary,
             auth: Credentials) -> Request:
        return Request("PUT", f"{_comments(base, target, auth)}/{comment}", auth.headers,
                       _body(body, auth))

    def listing(self, base: str, target: Target, auth: Credentials) -> Request:
        return Request("GET", f"{_comments(base, target, auth)}?startAt=0&maxResults=100",
                       auth.headers)

    def page(self, answer: Answer, listing: Request) -> tuple[list[Comment], Request | None]:
        data = answer.data
        comments = [Comment(str(c["id"]), _text(c.get("body"))) for c in data["comments"]]
        seen = int(data.get("startAt", 0)) + len(comments)
        if not comments or seen >= int(data.get("total", 0)):
            return comments, None
        first = Request("GET", listing.url.split("?")[0], listing.headers)
        return comments, with_params(first, {"startAt": str(seen), "maxResults": "100"})

    def link(self, base: str, target: Target, answer: Answer) -> str:
        return f"{base}/browse/{target.number}?focusedCommentId={answer.data.get('id')}"


def _headers(authorization: str) -> tuple[tuple[str, str], ...]:
    return (("Accept", "application/json"), ("Authorization", authorization))


def _comments(base: str, target: Target, auth: Credentials) -> str:
    return f"{base}/rest/api/{_VERSIONS[auth.flavour]}/issue/{target.number}/comment"


def _body(summary: Summary, auth: Credentials) -> dict[str, Any]:
    return {"body": to_adf(summary) if auth.flavour == "cloud" else to_wiki(summary)}


def _text(body: Any) -> str:
    """v2 gives the wiki text, v3 the document: the marker is found in either."""
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
