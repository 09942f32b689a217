"""`rehearse attach` posts through each service's documented REST API (the pages are cited in
each service's module): method, path, headers and body shape checked by a service on
127.0.0.1 that answers as the API documents."""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from tests.unit.integrations.fake_service import FakeService

runner = CliRunner()


def attach(service: FakeService, folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["attach", str(folder), *args, "--base-url", service.url])
    return result.exit_code, result.stdout, result.stderr


def _basic(pair: str) -> str:
    return "Basic " + b64encode(pair.encode()).decode()


def _markdown(body: Any) -> str:
    text = body.get("body") or body.get("text")
    assert isinstance(text, str)
    assert "&lt;script&gt;" in text and "<script>" not in text  # store data shows as text
    assert "Payments.&lt;script&gt;alert(1)&lt;/script&gt;\\|Acme" in text  # cannot split a cell
    return text


def _adf(body: Any) -> str:
    document = body["body"]
    assert document["type"] == "doc" and document["version"] == 1
    kinds = [node["type"] for node in document["content"]]
    assert kinds[0] == "heading" and "table" in kinds and "bulletList" in kinds
    return json.dumps(document, ensure_ascii=False)


def _wiki(body: Any) -> str:
    text = body["body"]
    assert isinstance(text, str) and text.startswith("h3. ")
    assert "||Step||Result||Time||Detail||" in text
    assert "Payments.<script>alert(1)</script>\\|Acme" in text  # wiki renders no HTML
    return str(text)


# Per service: target, environment, the request the API documents, its answer, the link.
CASES: dict[str, tuple[str, dict[str, str], str, str, dict[str, str], Callable[[Any], str],
                       int, dict[str, Any], str]] = {
    "github": (
        "github:acme/shop#42", {"GITHUB_TOKEN": "ghp_t0ken"},
        "POST", "/api/v3/repos/acme/shop/issues/42/comments",
        {"authorization": "Bearer ghp_t0ken", "accept": "application/vnd.github+json",
         "x-github-api-version": "2022-11-28"}, _markdown,
        201, {"id": 1, "html_url": "https://ghe.example/acme/shop/issues/42#issuecomment-1"},
        "https://ghe.example/acme/shop/issues/42#issuecomment-1"),
    "gitlab issue": (
        "gitlab:acme/web/shop#7", {"GITLAB_TOKEN": "glpat-t0ken"},
        "POST", "/api/v4/projects/acme%2Fweb%2Fshop/issues/7/notes",
        {"private-token": "glpat-t0ken"}, _markdown,
        201, {"id": 301, "noteable_iid": 7}, "/acme/web/shop/-/issues/7#note_301"),
    "gitlab merge request": (
        "gitlab:acme/shop!9", {"GITLAB_TOKEN": "glpat-t0ken"},
        "POST", "/api/v4/projects/acme%2Fshop/merge_requests/9/notes",
        {"private-token": "glpat-t0ken"}, _markdown,
        201, {"id": 302, "noteable_iid": 9}, "/acme/shop/-/merge_requests/9#note_302"),
    "jira cloud": (
        "jira:SHOP-42", {"JIRA_EMAIL": "ops@shop.example", "JIRA_API_TOKEN": "atl-t0ken"},
        "POST", "/rest/api/3/issue/SHOP-42/comment",
        {"authorization": _basic("ops@shop.example:atl-t0ken"), "accept": "application/json"},
        _adf, 201, {"id": "10001"}, "/browse/SHOP-42?focusedCommentId=10001"),
    "jira server": (
        "jira:SHOP-42", {"JIRA_PAT": "pat-t0ken"},
        "POST", "/rest/api/2/issue/SHOP-42/comment",
        {"authorization": "Bearer pat-t0ken"}, _wiki,
        201, {"id": "10002"}, "/browse/SHOP-42?focusedCommentId=10002"),
    "azure": (
        "azure:acme/Shop Floor#42", {"AZURE_DEVOPS_PAT": "azp-t0ken"},
        "POST", "/acme/Shop%20Floor/_apis/wit/workItems/42/comments?format=markdown"
                "&api-version=7.1-preview.4",
        {"authorization": _basic(":azp-t0ken")}, _markdown,
        200, {"id": 5, "workItemId": 42, "version": 1}, "/acme/Shop%20Floor/_workitems/edit/42"),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_service_gets_the_documented_request(
        case: str, service: FakeService, failed_run: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    to, env, method, path, headers, body_text, status, answer, link = CASES[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    service.reply(method, path, status, answer)
    code, out, err = attach(service, failed_run, "--to", to)
    assert code == 0, err
    [seen] = service.seen
    assert (seen.method, seen.path) == (method, path)
    assert headers.items() <= seen.headers.items()
    assert seen.headers["content-type"] == "application/json"
    text = body_text(seen.body)
    for fact in ("demo: FAIL", "4.50 → 4.70", "Product lost 12 of 840 rows", "data.row_counts",
                 "breaks-startup", "rehearse:attach store=demo", "report.html"):
        assert fact in text, fact
    assert out.strip().endswith(link)
    assert "posted the summary to" in err
    assert not any(token in out + err for token in env.values() if "@" not in token)


@pytest.mark.parametrize(("service", "given", "api"), [
    ("github", None, "https://api.github.com"),
    ("github", "https://ghe.shop.example", "https://ghe.shop.example/api/v3"),
    ("github", "https://ghe.shop.example/api/v3/", "https://ghe.shop.example/api/v3"),
    ("gitlab", None, "https://gitlab.com/api/v4"),
    ("gitlab", "https://git.shop.example", "https://git.shop.example/api/v4"),
    ("gitlab", "https://git.shop.example/api/v4", "https://git.shop.example/api/v4"),
    ("azure", None, "https://dev.azure.com"),
    ("azure", "https://tfs.shop.example/tfs/", "https://tfs.shop.example/tfs"),
])
def test_enterprise_and_self_managed_servers_answer_under_their_api_root(
        service: str, given: str | None, api: str) -> None:
    from rehearse.integrations.targets import TARGETS

    assert TARGETS[service].base(given) == api


def test_the_newest_run_of_a_folder_of_runs_is_posted(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    older = failed_run.parent / "20261201-020004-0ld0ld00"
    older.mkdir()
    (older / "report.json").write_text(json.dumps({"verdict": "pass", "run_id": "0ld0ld00"}))
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-t0ken")
    service.reply("POST", "/api/v4/projects/acme%2Fshop/issues/7/notes", 201, {"id": 1})
    code, _, err = attach(service, failed_run.parent, "--to", "gitlab:acme/shop#7")
    assert code == 0, err
    assert "5be1f00d" in service.seen[0].body["body"]
    assert failed_run.name in err
