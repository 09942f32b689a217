"""--dry-run prints the request a post would send, with the token redacted, and sends nothing."""

from __future__ import annotations

import json
from base64 import b64encode
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehearse.cli import app
from tests.unit.integrations.fake_service import FakeService

runner = CliRunner()


@pytest.mark.parametrize(("to", "env", "secrets", "auth_line"), [
    ("github:acme/shop#42", {"GITHUB_TOKEN": "ghp_s3cret"}, ["ghp_s3cret"],
     "Authorization: Bearer ********"),
    ("gitlab:acme/shop!9", {"GITLAB_TOKEN": "glpat-s3cret"}, ["glpat-s3cret"],
     "PRIVATE-TOKEN: ********"),
    ("jira:SHOP-42", {"JIRA_EMAIL": "ops@shop.example", "JIRA_API_TOKEN": "atl-s3cret"},
     ["atl-s3cret", b64encode(b"ops@shop.example:atl-s3cret").decode()],
     "Authorization: Basic ********"),
    ("azure:acme/Shop#42", {"AZURE_DEVOPS_PAT": "azp-s3cret"},
     ["azp-s3cret", b64encode(b":azp-s3cret").decode()], "Authorization: Basic ********"),
])
def test_the_request_is_shown_with_the_token_redacted_and_not_sent(
        to: str, env: dict[str, str], secrets: list[str], auth_line: str,
        service: FakeService, failed_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["attach", str(failed_run), "--to", to, "--dry-run",
                                 "--base-url", service.url])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"POST {service.url}/")
    assert auth_line in out.splitlines()
    assert not any(s in out + result.stderr for s in secrets)
    body = json.loads(out[out.index("\n{") + 1:])
    assert "Product lost 12 of 840 rows" in json.dumps(body, ensure_ascii=False)
    assert "dry run: nothing was sent" in result.stderr
    assert service.seen == []


def test_with_update_it_says_how_it_finds_and_edits_its_comment(
        service: FakeService, failed_run: Path) -> None:
    result = runner.invoke(app, ["attach", str(failed_run), "--to", "github:acme/shop#42",
                                 "--dry-run", "--update"])
    assert result.exit_code == 0, result.stderr  # no token needed to look
    lines = result.stdout.splitlines()
    assert "https://api.github.com/repos/acme/shop/issues/42/comments?per_page=100" in lines[0]
    assert "'rehearse:attach store=demo'" in lines[0]
    assert "PATCH https://api.github.com/repos/acme/shop/issues/comments/{comment_id}" in lines[1]
    assert "POST https://api.github.com/repos/acme/shop/issues/42/comments" in lines
    assert "Authorization: Bearer ********" in lines
