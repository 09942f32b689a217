"""Azure DevOps (Boards) work item comments, REST api-version 7.1-preview.4, in Markdown.

Add:    https://learn.microsoft.com/en-us/rest/api/azure/devops/wit/comments/add-work-item-comment?view=azure-devops-rest-7.1
        (POST {org}/{project}/_apis/wit/workItems/{id}/comments?format=markdown)
List:   https://learn.microsoft.com/en-us/rest/api/azure/devops/wit/comments/get-comments?view=azure-devops-rest-7.1
        ($top, continuationToken)
Update: https://learn.microsoft.com/en-us/rest/api/azure/devops/wit/comments/update-comment?view=azure-devops-rest-7.1
PAT:    https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate
        (basic auth, empty user name)
Limits: https://learn.microsoft.com/en-us/azure/devops/integrate/concepts/rate-limits (Retry-After)
"""

from __future__ import annotations

import re
from base64 import b64encode
from collections.abc import Mapping
from urllib.parse import quote

from rehearse.integrations.api import (
    REDACTED,
    Answer,
    Comment,
    Credentials,
    Request,
    Target,
    secret,
    with_params,
)
from rehearse.integrations.summary import Summary, to_markdown

_TARGET = re.compile(r"(?P<place>[A-Za-z0-9][A-Za-z0-9._-]*/[^/#]+)#(?P<number>[1-9][0-9]{0,9})")
_VERSION = "7.1-preview.4"


class Azure:
    name = "azure"
    example = "azure:ORG/PROJECT#N"
    base_variable = "AZURE_DEVOPS_URL"  # Azure DevOps Server: https://HOST/tfs
    token_variables: tuple[str, ...] = ("AZURE_DEVOPS_PAT",)

    def target(self, text: str, rest: str) -> Target | None:
        found = _TARGET.fullmatch(rest)
        return found and Target(self.name, found["place"], found["number"], text)

    def base(self, given: str | None) -> str:
        return (given or "https://dev.azure.com").rstrip("/")

    def credentials(self, env: Mapping[str, str], dry_run: bool) -> Credentials:
        token = secret(env, "AZURE_DEVOPS_PAT", dry_run, "a PAT with Work Items read & write")
        pair = b64encode(f":{token}".encode()).decode()
        shown = REDACTED if token == REDACTED else pair
        return Credentials((("Accept", "application/json"), ("Authorization", f"Basic {shown}")),
                           "AZURE_DEVOPS_PAT", (token, pair))

    def create(self, base: str, target: Target, body: Summary, auth: Credentials) -> Request:
        return Request("POST", f"{_comments(base, target)}?format=markdown&api-version={_VERSION}",
                       auth.headers, {"text": to_markdown(body, hidden_marker=False)})

    def edit(self, base: str, target: Target, comment: str, body: Summary,
             auth: Credentials) -> Request:
        return Request("PATCH", f"{_comments(base, target)}/{comment}?format=markdown"
                                f"&api-version={_VERSION}",
                       auth.headers, {"text": to_markdown(body, hidden_marker=False)})

    def listing(self, base: str, target: Target, auth: Credentials) -> Request:
        return Request("GET", f"{_comments(base, target)}?$top=200&api-version={_VERSION}",
                       auth.headers)

    def page(self, answer: Answer, listing: Request) -> tuple[list[Comment], Request | None]:
        data = answer.data
        comments = [Comment(str(c["id"]), c.get("text") or "") for c in data["comments"]]
        token = data.get("continuationToken")
        first = Request("GET", re.sub(r"&continuationToken=[^&]*", "", listing.url),
                        listing.headers)
        return comments, (with_params(first, {"continuationToken": token}) if token else None)

    def link(self, base: str, target: Target, answer: Answer) -> str:
        org, project = target.place.split("/", 1)
        return f"{base}/{org}/{quote(project)}/_workitems/edit/{target.number}"


def _comments(base: str, target: Target) -> str:
    org, project = target.place.split("/", 1)
    return (f"{base}/{quote(org)}/{quote(project)}/_apis/wit/workItems/{target.number}"
            "/comments")
