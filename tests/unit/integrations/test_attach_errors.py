"""Every way a post can go wrong is one `error:` line and one `hint:` line: a bad token, a
missing ticket, a rate limit with its reset time, a refused connection, a missing variable, a
malformed target. Never the token; exit 2 for what the user fixes, 3 for the service's state."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from tests.unit.integrations.fake_service import FakeService

runner = CliRunner()
TOKEN = "ghp_s3cret-t0ken"
ISSUE = "/api/v3/repos/acme/shop/issues/42/comments"
NOTES = "/api/v4/projects/acme%2Fshop/issues/7/notes"
RESET = 1_900_000_000  # 2030-03-17 17:46:40 UTC


def attach(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["attach", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


def one_error(err: str) -> tuple[str, str]:
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), (
        err)
    assert TOKEN not in err
    return lines[0], lines[1]


@pytest.mark.parametrize(("status", "body", "headers", "code", "said", "hint"), [
    (401, {"message": "Bad credentials"}, {}, 2,
     "github did not accept the token in GITHUB_TOKEN (401: Bad credentials)", "GITHUB_TOKEN"),
    (403, {"message": "Resource not accessible by integration"}, {}, 2,
     "the token in GITHUB_TOKEN may not comment on github:acme/shop#42 (403", "write access"),
    (404, {"message": "Not Found"}, {}, 2, "github:acme/shop#42 was not found (404", "private"),
    (403, {"message": "API rate limit exceeded"},
     {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(RESET)}, 3,
     "github rate limit reached (403: API rate limit exceeded); it resets at "
     "2030-03-17 17:46:40 UTC", "after that time"),
    (429, {"message": "secondary rate limit"}, {"retry-after": "120"}, 3,
     "github rate limit reached (429: secondary rate limit); it resets at ", "(in 2 min)"),
    (502, None, {}, 3, "github failed (502)", "try again later"),
    (422, {"message": "Validation Failed"}, {}, 2,
     "github refused the comment on github:acme/shop#42 (422: Validation Failed)", "--dry-run"),
])
def test_a_refused_github_post_is_one_line_with_a_hint(
        status: int, body: object, headers: dict[str, str], code: int, said: str, hint: str,
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    service.reply("POST", ISSUE, status, body, headers)
    exit_code, out, err = attach(failed_run, "--to", "github:acme/shop#42",
                                 "--base-url", service.url)
    error, advice = one_error(err)
    assert exit_code == code
    assert said in error
    assert hint in error + advice
    assert out == ""


def test_gitlab_says_when_its_rate_limit_resets(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    service.reply("POST", NOTES, 429, {"message": "Retry later"},
                  {"RateLimit-Remaining": "0", "RateLimit-Reset": str(RESET)})
    code, _, err = attach(failed_run, "--to", "gitlab:acme/shop#7", "--base-url", service.url)
    error, _ = one_error(err)
    assert code == 3
    assert "gitlab rate limit reached (429: Retry later); it resets at 2030-03-17 17:46:40" in error


def test_jira_cloud_rate_limit_and_its_bad_token(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_EMAIL", "ops@shop.example")
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    comment = "/rest/api/3/issue/SHOP-42/comment"
    service.reply("POST", comment, 401, {"errorMessages": ["Client must be authenticated"]})
    code, _, err = attach(failed_run, "--to", "jira:SHOP-42", "--base-url", service.url)
    assert code == 2
    assert "token in JIRA_API_TOKEN (401: Client must be authenticated)" in one_error(err)[0]


def test_a_refused_connection_names_the_host_and_the_base_url(
        failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with socket.socket() as probe:  # a port on this host that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = attach(failed_run, "--to", "github:acme/shop#42",
                          "--base-url", f"http://127.0.0.1:{port}")
    error, hint = one_error(err)
    assert code == 3
    assert f"github at 127.0.0.1:{port} refused the connection" in error
    assert "--base-url" in hint


@pytest.mark.parametrize(("to", "env", "said", "hint"), [
    ("github:acme/shop#42", {}, "GITHUB_TOKEN is not set", "export GITHUB_TOKEN="),
    ("gitlab:acme/shop!3", {}, "GITLAB_TOKEN is not set", "export GITLAB_TOKEN="),
    ("azure:acme/Shop#1", {}, "AZURE_DEVOPS_PAT is not set", "export AZURE_DEVOPS_PAT="),
    # Azure Pipelines leaves an undefined variable that a step maps as $(NAME).
    ("azure:acme/Shop#1", {"AZURE_DEVOPS_PAT": "$(AZURE_DEVOPS_PAT)"},
     "AZURE_DEVOPS_PAT is not set", "export AZURE_DEVOPS_PAT="),
    ("jira:SHOP-1", {"JIRA_BASE_URL": "http://127.0.0.1:9"},
     "JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT", "export JIRA_EMAIL"),
    ("jira:SHOP-1", {"JIRA_PAT": TOKEN}, "jira needs the site's address", "JIRA_BASE_URL"),
    ("github:acme/shop", {"GITHUB_TOKEN": TOKEN}, "'github:acme/shop' is not a valid github ticket",
     "github:OWNER/REPO#N"),
    ("gitlab:shop#7", {}, "is not a valid gitlab ticket", "GROUP/PROJECT!N"),
    ("jira:shop-42", {}, "is not a valid jira ticket", "jira:KEY-N"),
    ("trello:acme/shop#4", {}, "names no ticket: it starts with one of github:, gitlab:, jira:, "
     "azure:", "github:acme/shop#42"),
    ("acme/shop#42", {}, "names no ticket", "gitlab:acme/shop!7"),
])
def test_bad_input_is_exit_2_before_any_request(
        to: str, env: dict[str, str], said: str, hint: str, failed_run: Path,
        service: FakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = attach(failed_run, "--to", to)
    error, advice = one_error(err)
    assert code == 2
    assert said in error and hint in advice
    assert service.seen == []


def test_a_web_page_instead_of_the_api_is_named(
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    service.reply("GET", "/api/v4/projects/acme%2Fshop/issues/7/notes?per_page=100&sort=asc",
                  200, {"sign_in": "/users/sign_in"})
    code, _, err = attach(failed_run, "--to", "gitlab:acme/shop#7", "--update",
                          "--base-url", service.url)
    error, hint = one_error(err)
    assert code == 3
    assert f"gitlab at {service.url.removeprefix('http://')} answered with no comment list" in (
        error)
    assert "the API's address" in hint
    code, _, err = attach(failed_run, "--to", "gitlab:acme/shop#7", "--base-url", "git.example")
    assert code == 2 and "'git.example' is no address of gitlab's API" in one_error(err)[0]


def test_a_folder_without_a_report_is_exit_2(tmp_path: Path) -> None:
    code, _, err = attach(tmp_path, "--to", "github:acme/shop#42", "--dry-run")
    error, hint = one_error(err)
    assert code == 2 and "holds no report.json" in error and "--format json" in hint
    code, _, err = attach(tmp_path / "missing", "--to", "github:acme/shop#42", "--dry-run")
    assert code == 2 and "is not a folder" in one_error(err)[0]


def test_the_reset_time_reads_every_documented_header() -> None:
    from rehearse.integrations.api import Answer, rate_limit_reset

    now = datetime(2030, 3, 17, 17, 0, tzinfo=UTC)
    for headers in ({"x-ratelimit-reset": str(RESET)}, {"ratelimit-reset": str(RESET)},
                    {"x-ratelimit-reset": "2030-03-17T17:46:40Z"},
                    {"retry-after": "2800"}, {"retry-after": "Sun, 17 Mar 2030 17:46:40 GMT"}):
        assert rate_limit_reset(Answer(429, headers, None), now) == (
            "2030-03-17 17:46:40 UTC (in 47 min)"), headers
    assert rate_limit_reset(Answer(403, {"x-ratelimit-remaining": "12"}, None), now) is None
