"""A scenario's `report.attach` posts after the reports are written, when `on` says so, to the
`base_url` it names, editing its earlier comment when `update` says so; a post that fails is a
warning and never the rehearsal's verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rehearse.console import Options, configure
from rehearse.errors import BadInputError
from rehearse.integrations.attach import after_run
from rehearse.scenario import load
from tests.unit.integrations.conftest import REPORTS
from tests.unit.integrations.fake_service import FakeService

SCENARIO = """\
store:
  version: "4.50"
  provider: postgresql
  backup: shop.dump
  app_data: App_Data
target: "4.70"
report:
  attach:
{attach}
"""
ISSUE = "/api/v3/repos/acme/shop/issues/42/comments"


def attachments(tmp_path: Path, attach: str) -> Any:
    path = tmp_path / "demo.yaml"
    path.write_text(SCENARIO.format(attach=attach), encoding="utf-8")
    return load(path).report.attach


def report(verdict: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPORTS / verdict / "report.json").read_text())
    return data


def test_on_failure_posts_only_a_run_that_did_not_pass(
        tmp_path: Path, service: FakeService, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    items = attachments(tmp_path, f"    - to: github:acme/shop#42\n"
                                  f"      on: failure\n      update: false\n"
                                  f"      base_url: {service.url}")
    out = configure(Options())
    after_run(items, report("pass"), tmp_path, out)
    assert service.seen == []
    service.reply("POST", ISSUE, 201, {"id": 1, "html_url": "https://ghe.example/c1"})
    after_run(items, report("fail"), tmp_path, out)
    assert [(s.method, s.path) for s in service.seen] == [("POST", ISSUE)]  # no search
    assert "posted the summary to github:acme/shop#42: https://ghe.example/c1" in (
        capsys.readouterr().err)


def test_always_with_update_edits_the_earlier_comment_after_a_pass(
        tmp_path: Path, service: FakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    items = attachments(tmp_path, f"    - {{to: 'github:acme/shop#42', on: always, "
                                  f"base_url: '{service.url}'}}")  # update is the default
    assert (items[0].on, items[0].update) == ("always", True)
    service.reply("GET", f"{ISSUE}?per_page=100", 200,
                  [{"id": 9, "body": "<!-- rehearse:attach store=demo -->"}])
    service.reply("PATCH", "/api/v3/repos/acme/shop/issues/comments/9", 200, {"id": 9})
    after_run(items, report("pass"), tmp_path, configure(Options()))
    assert service.seen[-1].method == "PATCH"
    assert "demo: PASS" in service.seen[-1].body["body"]


def test_a_failed_post_is_a_warning_and_the_next_ticket_still_gets_its_comment(
        tmp_path: Path, service: FakeService, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-t0ken")
    items = attachments(tmp_path, f"    - {{to: 'github:acme/shop#42', update: false, "
                                  f"base_url: '{service.url}'}}\n"
                                  f"    - {{to: 'gitlab:acme/shop#7', update: false, "
                                  f"base_url: '{service.url}'}}")
    service.reply("POST", ISSUE, 401, {"message": "Bad credentials"})
    service.reply("POST", "/api/v4/projects/acme%2Fshop/issues/7/notes", 201, {"id": 3})
    after_run(items, report("fail"), tmp_path, configure(Options()))
    err = capsys.readouterr().err
    assert ("warning: the summary was not posted to github:acme/shop#42: github did not accept "
            "the token in GITHUB_TOKEN (401: Bad credentials)") in " ".join(err.split())
    assert "ghp_t0ken" not in err
    assert len(service.seen) == 2


def test_a_malformed_ticket_stops_the_scenario_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as raised:
        attachments(tmp_path, "    - to: github:acme/shop")
    assert "demo.yaml:9: report.attach.0.to: 'github:acme/shop' is not a valid github ticket" in (
        raised.value.message)
    with pytest.raises(BadInputError, match=r"report\.attach\.0\.on"):
        attachments(tmp_path, "    - {to: 'jira:SHOP-1', on: sometimes}")


def test_a_run_posts_its_own_result_after_writing_the_reports(
        tmp_path: Path, service: FakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    from rehearse.commands.run import _attach
    from rehearse.results import CheckResult, PhaseResult, Rehearsal, Status, Verdict

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_t0ken")
    path = tmp_path / "nightly-shop.yaml"
    path.write_text(SCENARIO.format(attach=f"    - {{to: 'github:acme/shop#42', update: false, "
                                           f"base_url: '{service.url}'}}"), encoding="utf-8")
    result = Rehearsal("5be1f00d", str(path), "4.50", "4.70", "postgresql", False,
                       "2026-12-02T02:00:04+00:00", 95.0, Verdict.FAIL,
                       (PhaseResult("checks", Status.FAIL, 3.0),),
                       checks=(CheckResult("data.row_counts", Status.FAIL, 0.2,
                                           "Product lost 12 of 840 rows"),))
    service.reply("POST", ISSUE, 201, {"id": 1, "html_url": "https://ghe.example/c1"})
    configure(Options())
    _attach(load(path), result, tmp_path)
    text = service.seen[0].body["body"]
    assert text.startswith("<!-- rehearse:attach store=nightly-shop -->")
    assert "nightly-shop: FAIL" in text and "Product lost 12 of 840 rows" in text
