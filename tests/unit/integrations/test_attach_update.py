"""--update finds rehearse's own earlier comment by its marker, through every page of the
ticket's comments as each API pages them, and edits it instead of adding another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from tests.unit.integrations.fake_service import FakeService

runner = CliRunner()
OURS = "<!-- rehearse:attach store=demo -->\nlast night"
OTHER_STORE = "<!-- rehearse:attach store=demo-eu -->\nanother store"


def update(service: FakeService, folder: Path, to: str) -> tuple[int, str]:
    result = runner.invoke(app, ["attach", str(folder), "--to", to, "--update",
                                 "--base-url", service.url])
    return result.exit_code, result.stderr


def requests(service: FakeService) -> list[tuple[str, str]]:
    return [(seen.method, seen.path) for seen in service.seen]


def test_github_follows_the_link_header_and_patches_its_comment(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    listing = "/api/v3/repos/acme/shop/issues/42/comments?per_page=100"
    service.reply("GET", listing, 200, [{"id": 11, "body": "LGTM"}],
                  {"Link": f'<{service.url}{listing}&page=2>; rel="next", '
                           f'<{service.url}{listing}&page=2>; rel="last"'})
    service.reply("GET", f"{listing}&page=2", 200,
                  [{"id": 77, "body": OURS}, {"id": 78, "body": OTHER_STORE}])
    service.reply("PATCH", "/api/v3/repos/acme/shop/issues/comments/77", 200,
                  {"id": 77, "html_url": "https://ghe.example/acme/shop/issues/42#c77"})
    code, err = update(service, failed_run, "github:acme/shop#42")
    assert code == 0, err
    assert requests(service) == [("GET", listing), ("GET", f"{listing}&page=2"),
                                 ("PATCH", "/api/v3/repos/acme/shop/issues/comments/77")]
    assert "Product lost 12 of 840 rows" in service.seen[-1].body["body"]
    assert "updated rehearse's comment on github:acme/shop#42" in err


def test_gitlab_follows_x_next_page_and_puts_its_note(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-t0ken")
    notes = "/api/v4/projects/acme%2Fshop/merge_requests/9/notes"
    service.reply("GET", f"{notes}?per_page=100&sort=asc", 200,
                  [{"id": 1, "body": OURS}], {"x-next-page": "2"})
    service.reply("GET", f"{notes}?per_page=100&sort=asc&page=2", 200,
                  [{"id": 2, "body": OURS}], {"x-next-page": ""})
    service.reply("PUT", f"{notes}/2", 200, {"id": 2})
    code, err = update(service, failed_run, "gitlab:acme/shop!9")
    assert code == 0, err
    assert requests(service)[-1] == ("PUT", f"{notes}/2")  # the newest of ours
    assert len(service.seen) == 3


def test_jira_pages_by_start_at_and_finds_the_marker_in_the_document(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_EMAIL", "ops@shop.example")
    monkeypatch.setenv("JIRA_API_TOKEN", "atl-t0ken")
    comments = "/rest/api/3/issue/SHOP-42/comment"
    ours = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "rehearse:attach store=demo"}]}]}
    service.reply("GET", f"{comments}?startAt=0&maxResults=100", 200,
                  {"startAt": 0, "maxResults": 1, "total": 2,
                   "comments": [{"id": "10000", "body": _adf("Please rehearse first")}]})
    service.reply("GET", f"{comments}?startAt=1&maxResults=100", 200,
                  {"startAt": 1, "maxResults": 1, "total": 2,
                   "comments": [{"id": "10001", "body": ours}]})
    service.reply("PUT", f"{comments}/10001", 200, {"id": "10001"})
    code, err = update(service, failed_run, "jira:SHOP-42")
    assert code == 0, err
    assert requests(service)[-1] == ("PUT", f"{comments}/10001")
    assert service.seen[-1].body["body"]["type"] == "doc"


def test_azure_follows_the_continuation_token_and_patches_its_comment(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_DEVOPS_PAT", "azp-t0ken")
    comments = "/acme/Shop/_apis/wit/workItems/42/comments"
    version = "api-version=7.1-preview.4"
    service.reply("GET", f"{comments}?$top=200&{version}", 200,
                  {"totalCount": 2, "count": 1, "continuationToken": "c2",
                   "comments": [{"id": 4, "text": "rehearse:attach store=demo-eu"}]})
    service.reply("GET", f"{comments}?$top=200&{version}&continuationToken=c2", 200,
                  {"totalCount": 2, "count": 1,
                   "comments": [{"id": 5, "text": "old\n\nrehearse:attach store=demo\n"}]})
    service.reply("PATCH", f"{comments}/5?format=markdown&{version}", 200, {"id": 5})
    code, err = update(service, failed_run, "azure:acme/Shop#42")
    assert code == 0, err
    assert requests(service)[-1] == ("PATCH", f"{comments}/5?format=markdown&{version}")
    assert service.seen[-1].body["text"].rstrip().endswith("rehearse:attach store=demo")


def test_without_an_earlier_comment_update_adds_one(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    issue = "/api/v3/repos/acme/shop/issues/42/comments"
    service.reply("GET", f"{issue}?per_page=100", 200, [{"id": 78, "body": OTHER_STORE}])
    service.reply("POST", issue, 201, {"id": 79, "html_url": "https://ghe.example/c79"})
    code, err = update(service, failed_run, "github:acme/shop#42")
    assert code == 0, err
    assert requests(service) == [("GET", f"{issue}?per_page=100"), ("POST", issue)]
    assert "posted the summary to" in err


def _adf(text: str) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
