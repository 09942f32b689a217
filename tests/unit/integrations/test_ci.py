"""`rehearse ci` prints a pipeline each CI system accepts: checked against the system's own JSON
schema, as vendored by check-jsonschema (offline: run in a network namespace of its own where
this machine allows it), with one job per scenario, the JUnit report, the artifacts kept on
failure, and the post to the ticket when a rehearsal fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from rehearse.cli import app

runner = CliRunner()
SCHEMAS = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci",
           "azure": "vendor.azure-pipelines"}


def _offline() -> list[str]:
    """No network: a new namespace has only its own loopback. Where one cannot be made (not
    root, a locked-down container), the schemas' lack of remote references, checked below, is
    what keeps the check offline."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ["unshare", "-n"] if probe.returncode == 0 else []


OFFLINE = _offline()


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "scenarios").mkdir()
    for name in ("shop-eu", "shop.us"):
        (tmp_path / "scenarios" / f"{name}.yaml").write_text("store: {}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ci(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["ci", *args])
    return result.exit_code, result.stdout, result.stderr


def valid(system: str, text: str, folder: Path) -> subprocess.CompletedProcess[str]:
    path = folder / f"{system}.yml"
    path.write_text(text)
    # The default regex engine cannot compile a pattern of the Azure schema; Python's can.
    command = [*OFFLINE, sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
               "--builtin-schema", SCHEMAS[system], str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("system", SCHEMAS)
def test_the_pipeline_passes_the_ci_systems_own_schema(system: str, repository: Path) -> None:
    code, out, err = ci(system, "scenarios/shop-eu.yaml", "scenarios/shop.us.yaml",
                        "--attach", "github:acme/shop#42", "--schedule", "30 1 * * MON-FRI")
    assert code == 0, err
    checked = valid(system, out, repository)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = valid(system, out + "bogus_control: 1\n", repository)  # the schema can say no
    assert broken.returncode == 1, broken.stdout


def test_the_vendored_schemas_need_nothing_from_the_network() -> None:
    import check_jsonschema

    vendor = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
    for name in SCHEMAS.values():
        text = (vendor / f"{name.removeprefix('vendor.')}.json").read_text()
        assert '"$ref":"http' not in text.replace(" ", ""), name


def pipeline(system: str, *extra: str) -> dict[str, Any]:
    code, out, err = ci(system, "scenarios/shop-eu.yaml", "scenarios/shop.us.yaml", *extra)
    assert code == 0, err
    data: dict[str, Any] = yaml.safe_load(out)
    return data


def test_github_runs_each_scenario_keeps_reports_and_posts_on_failure(repository: Path) -> None:
    job = pipeline("github", "--attach", "jira:SHOP-42")["jobs"]["rehearse"]
    assert job["strategy"]["matrix"]["include"] == [
        {"name": "shop-eu", "scenario": "scenarios/shop-eu.yaml"},
        {"name": "shop.us", "scenario": "scenarios/shop.us.yaml"}]
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    assert steps["Rehearse"]["run"] == 'rehearse run "$SCENARIO" --output rehearsal-output'
    assert steps["Rehearse"]["env"]["JIRA_API_TOKEN"] == "${{ secrets.JIRA_API_TOKEN }}"
    assert steps["Test report"]["with"]["report_paths"] == "rehearsal-output/*/junit.xml"
    kept = steps["Keep the reports and logs"]
    assert (kept["if"], kept["with"]["path"]) == ("always()", "rehearsal-output/")
    post = steps["Post the summary on the ticket"]
    assert post["if"] == "failure()"
    assert post["run"] == "rehearse attach rehearsal-output --to jira:SHOP-42 --update"
    assert post["env"]["JIRA_BASE_URL"] == "${{ vars.JIRA_BASE_URL }}"


def test_github_runs_nightly_by_default(repository: Path) -> None:
    data = pipeline("github")
    assert data["on"]["schedule"] == [{"cron": "0 2 * * *"}]
    assert "Post the summary on the ticket" not in str(data)  # no --attach: the scenario's own
    assert data["jobs"]["rehearse"]["steps"][3]["env"]["GITHUB_TOKEN"] == (
        "${{ secrets.GITHUB_TOKEN }}")


def test_gitlab_runs_a_matrix_keeps_artifacts_always_and_posts_when_failed(
        repository: Path) -> None:
    data = pipeline("gitlab", "--attach", "gitlab:acme/shop!7", "--install", "rehearse==0.1.0")
    job = data["rehearse"]
    assert job["parallel"]["matrix"] == [
        {"SCENARIO": ["scenarios/shop-eu.yaml", "scenarios/shop.us.yaml"]}]
    assert job["before_script"][1] == ".rehearse/bin/pip install rehearse==0.1.0"
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"] == {"junit": "rehearsal-output/*/junit.xml"}
    assert job["after_script"] == [
        'if [ "$CI_JOB_STATUS" = failed ]; then .rehearse/bin/rehearse attach rehearsal-output '
        "--to 'gitlab:acme/shop!7' --update; fi"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in data["workflow"]["rules"]


def test_azure_publishes_junit_and_artifacts_always_and_posts_when_failed(
        repository: Path) -> None:
    data = pipeline("azure", "--attach", "azure:acme/Shop#42", "--schedule", "0 3 * * *")
    assert data["schedules"][0]["cron"] == "0 3 * * *"
    job = data["jobs"][0]
    assert job["strategy"]["matrix"] == {
        "shop_eu": {"SCENARIO": "scenarios/shop-eu.yaml", "NAME": "shop-eu"},
        "shop_us": {"SCENARIO": "scenarios/shop.us.yaml", "NAME": "shop.us"}}
    tasks = {step.get("task", step.get("displayName")): step for step in job["steps"]}
    assert tasks["PublishTestResults@2"]["condition"] == "always()"
    assert tasks["PublishTestResults@2"]["inputs"]["testResultsFormat"] == "JUnit"
    assert tasks["PublishPipelineArtifact@1"]["condition"] == "always()"
    post = tasks["Post the summary on the ticket"]
    assert post["condition"] == "failed()"
    assert post["env"] == {"AZURE_DEVOPS_PAT": "$(AZURE_DEVOPS_PAT)"}


@pytest.mark.parametrize(("args", "said", "hint"), [
    (["github", "scenarios/missing.yaml"], "scenario scenarios/missing.yaml does not exist",
     "repository's root"),
    (["github", "scenarios/shop-eu.yaml", "--schedule", "0 2 * *"],
     "schedule '0 2 * *': it has 4 fields, not 5", "0 2 * * *"),
    (["gitlab", "scenarios/shop-eu.yaml", "--schedule", "0 24 * * *"],
     "the hour '24' is not within 0-23", "minute hour"),
    (["azure", "scenarios/shop-eu.yaml", "--schedule", "0 2 * * 5-1"],
     "the day of week '5-1' is a backwards range", "day-of-week"),
    (["azure", "scenarios/shop-eu.yaml", "--attach", "azure:acme"],
     "'azure:acme' is not a valid azure ticket", "azure:ORG/PROJECT#N"),
    (["github", "scenarios/shop-eu.yaml", "other/shop-eu.yaml"],
     "scenarios/shop-eu.yaml and other/shop-eu.yaml share the name 'shop-eu'", "rename one"),
    (["github", sys.executable], f"scenario {sys.executable} is outside this folder",
     "from the root"),
])
def test_bad_input_is_one_error_and_a_hint(args: list[str], said: str, hint: str,
                                            repository: Path) -> None:
    (repository / "other").mkdir()
    (repository / "other" / "shop-eu.yaml").write_text("store: {}\n")
    code, out, err = ci(*args)
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert lines[0] == f"error: {said}" or said in lines[0], err
    assert lines[1].startswith("hint: ") and hint in lines[1]
