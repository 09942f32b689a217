"""GitHub (and GitHub Enterprise Server) issue and pull-request comments, REST API 2022-11-28.

Pull requests take their conversation comments through the issues API.
Create: https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
List:   https://docs.github.com/en/rest/issues/comments#list-issue-comments
Update: https://docs.github.com/en/rest/issues/comments#update-an-issue-comment
Rate limits: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from rehearse.integrations.api import Answer, Comment, Credentials, Request, Target, secret
from rehearse.integrations.summary import Summary, to_markdown

_TARGET = re.compile(r"(?P<place>[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})"
                     r"#(?P<number>[1-9][0-9]{0,9})")
_PUBLIC = "https://api.github.com"


class GitHub:
    name = "github"
    example = "github:OWNER/REPO#N"
    base_variable = "GITHUB_API_URL"  # set by GitHub Actions, GHES included
    token_variables: tuple[str, ...] = ("GITHUB_TOKEN",)

    def target(self, text: str, rest: str) -> Target | None:
        found = _TARGET.fullmatch(rest)
        return found and Target(self.name, found["place"], found["number"], text)

    def base(self, given: str | None) -> str:
        """GitHub Enterprise Server answers under https://HOST/api/v3."""
        base = (given or _PUBLIC).rstrip("/")
        parts = urlsplit(base)
        bare_host = parts.path in ("", "/") and parts.hostname != "api.github.com"
        return f"{base}/api/v3" if bare_host else base

    def credentials(self, env: Mapping[str, str], dry_run: bool) -> Credentials:
        token = secret(env, "GITHUB_TOKEN", dry_run, "a token that may write issues")
        return Credentials((("Accept", "application/vnd.github+json"),
                            ("Authorization", f"Bearer {token}"),
                            ("X-GitHub-Api-Version", "2022-11-28")), "GITHUB_TOKEN", (token,))

    def create(self, base: str, target: Target, body: Summary, auth: Credentials) -> Request:
        return Request("POST", f"{self._issue(base, target)}/comments", auth.headers,
                       {"body": to_markdown(body)})

    def edit(self, base: str, target: Target, comment: str, body: Summary,
             auth: Credentials) -> Request:
        return Request("PATCH", f"{base}/repos/{target.place}/issues/comments/{comment}",
                       auth.headers, {"body": to_markdown(body)})

    def listing(self, base: str, target: Target, auth: Credentials) -> Request:
        return Request("GET", f"{self._issue(base, target)}/comments?per_page=100",
                       auth.headers)

    def page(self, answer: Answer, listing: Request) -> tuple[list[Comment], Request | None]:
        comments = [Comment(str(c["id"]), c.get("body") or "") for c in answer.data]
        following = answer.next_url and Request("GET", answer.next_url, listing.headers)
        return comments, following or None

    def link(self, base: str, target: Target, answer: Answer) -> str:
        return str(answer.data.get("html_url", ""))

    @staticmethod
    def _issue(base: str, target: Target) -> str:
        return f"{base}/repos/{target.place}/issues/{target.number}"
