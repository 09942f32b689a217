"""GitLab (gitlab.com or self-managed) issue and merge-request notes, REST API v4.

Create: https://docs.gitlab.com/api/notes/#create-new-issue-note
        https://docs.gitlab.com/api/notes/#create-new-merge-request-note
List:   https://docs.gitlab.com/api/notes/#list-project-issue-notes
Update: https://docs.gitlab.com/api/notes/#modify-existing-issue-note
Paging: https://docs.gitlab.com/api/rest/#pagination (Link header, x-next-page)
Rate limits: https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom (RateLimit-Reset)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from rehearse.integrations.api import (
    Answer,
    Comment,
    Credentials,
    Request,
    Target,
    secret,
    with_params,
)
from rehearse.integrations.summary import Summary, to_markdown

_TARGET = re.compile(r"(?P<place>[\w.-]+(?:/[\w.-]+)+)(?P<sign>[#!])(?P<number>[1-9][0-9]{0,9})")
_KINDS = {"#": ("issue", "issues"), "!": ("merge_request", "merge_requests")}


class GitLab:
    name = "gitlab"
    example = "gitlab:GROUP/PROJECT#N (issue) or gitlab:GROUP/PROJECT!N (merge request)"
    base_variable = "CI_API_V4_URL"  # set by GitLab CI
    token_variables: tuple[str, ...] = ("GITLAB_TOKEN",)

    def target(self, text: str, rest: str) -> Target | None:
        found = _TARGET.fullmatch(rest)
        if found is None:
            return None
        return Target(self.name, found["place"], found["number"], text,
                      _KINDS[found["sign"]][0])

    def base(self, given: str | None) -> str:
        base = (given or "https://gitlab.com").rstrip("/")
        return base if base.endswith("/api/v4") else f"{base}/api/v4"

    def credentials(self, env: Mapping[str, str], dry_run: bool) -> Credentials:
        token = secret(env, "GITLAB_TOKEN", dry_run, "a token with the api scope")
        return Credentials((("PRIVATE-TOKEN", token),), "GITLAB_TOKEN", (token,))

    def create(self, base: str, target: Target, body: Summary, auth: Credentials) -> Request:
        return Request("POST", self._notes(base, target), auth.headers,
                       {"body": to_markdown(body)})

    def edit(self, base: str, target: Target, comment: str, body: Summary,
             auth: Credentials) -> Request:
        return Request("PUT", f"{self._notes(base, target)}/{comment}", auth.headers,
                       {"body": to_markdown(body)})

    def listing(self, base: str, target: Target, auth: Credentials) -> Request:
        return Request("GET", f"{self._notes(base, target)}?per_page=100&sort=asc",
                       auth.headers)

    def page(self, answer: Answer, listing: Request) -> tuple[list[Comment], Request | None]:
        comments = [Comment(str(n["id"]), n.get("body") or "") for n in answer.data]
        if answer.next_url:
            return comments, Request("GET", answer.next_url, listing.headers)
        following = answer.headers.get("x-next-page", "")
        first = Request("GET", re.sub(r"&page=\d+", "", listing.url), listing.headers)
        return comments, (with_params(first, {"page": following}) if following else None)

    def link(self, base: str, target: Target, answer: Answer) -> str:
        kind = _KINDS["!" if target.kind == "merge_request" else "#"][1]
        return (f"{base.removesuffix('/api/v4')}/{target.place}/-/{kind}/{target.number}"
                f"#note_{answer.data.get('id')}")

    @staticmethod
    def _notes(base: str, target: Target) -> str:
        kind = _KINDS["!" if target.kind == "merge_request" else "#"][1]
        return (f"{base}/projects/{quote(target.place, safe='')}/{kind}/{target.number}"
                "/notes")
