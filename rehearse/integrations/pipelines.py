"""Nightly pipelines for GitHub Actions, GitLab CI and Azure Pipelines: one job per scenario (a
matrix) that installs rehearse, rehearses on the runner's Docker engine, publishes junit.xml as
the CI system's test report, keeps the reports and logs as artifacts even when the run fails,
and posts the summary on the ticket when it fails. Plain data, dumped as YAML.

GitHub Actions: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions
GitLab CI:      https://docs.gitlab.com/ci/yaml/ (schedules are set in the project, not the file:
                https://docs.gitlab.com/ci/pipelines/schedules/)
Azure:          https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from shlex import quote
from typing import Any

import yaml

from rehearse.integrations.targets import TARGETS

OUTPUT = "rehearsal-output"
JUNIT = f"{OUTPUT}/*/junit.xml"
PYTHON = "3.12"
FILES = {"github": ".github/workflows/rehearse.yml", "gitlab": ".gitlab-ci.yml",
         "azure": "azure-pipelines.yml"}
# The API address each CI system already gives its jobs.
_GIVEN = {"github": {"GITHUB_API_URL"}, "gitlab": {"CI_API_V4_URL"}, "azure": set()}


@dataclass(frozen=True)
class Job:
    name: str  # from the scenario's file name: the matrix leg, the artifact
    scenario: str  # its path in the repository


@dataclass(frozen=True)
class Pipeline:
    system: str
    jobs: tuple[Job, ...]
    schedule: str
    install: str  # what pip installs
    attach: str | None = None  # the ticket a failure is posted to

    def variables(self) -> tuple[tuple[str, bool], ...]:
        """(name, is a secret) of what posting needs: the CI system's own ticket service, and
        the --attach target's (a scenario's report.attach to those works too)."""
        services = {self.system} | ({self.attach.partition(":")[0]} if self.attach else set())
        found = [(v, True) for s in sorted(services) for v in TARGETS[s].token_variables]
        found += [(TARGETS[s].base_variable, False) for s in sorted(services)
                  if TARGETS[s].base_variable not in _GIVEN[self.system]]
        return tuple(found)

    def attach_command(self, rehearse: str = "rehearse") -> str:
        return f"{rehearse} attach {OUTPUT} --to {quote(self.attach or '')} --update"


def render(pipeline: Pipeline) -> str:
    data = _BUILDERS[pipeline.system](pipeline)
    header = [f"# rehearse nightly: save as {FILES[pipeline.system]}",
              *(f"# {line}" for line in _NOTES[pipeline.system](pipeline))]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    return "\n".join(header) + "\n" + body


def _github(p: Pipeline) -> dict[str, Any]:
    env = {name: f"${{{{ {'secrets' if hidden else 'vars'}.{name} }}}}"
           for name, hidden in p.variables()}
    steps: list[dict[str, Any]] = [
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5", "with": {"python-version": PYTHON}},
        {"name": "Install rehearse", "run": f"python -m pip install {quote(p.install)}"},
        {"name": "Rehearse", "run": f'rehearse run "$SCENARIO" --output {OUTPUT}',
         "env": {"SCENARIO": "${{ matrix.scenario }}", **env}},
        {"name": "Summary", "if": "always()",
         "run": f'cat {OUTPUT}/*/report.md >> "$GITHUB_STEP_SUMMARY" || true'},
        {"name": "Test report", "if": "always()", "uses": "mikepenz/action-junit-report@v5",
         "with": {"report_paths": JUNIT, "check_name": "rehearse ${{ matrix.name }}"}},
        {"name": "Keep the reports and logs", "if": "always()",
         "uses": "actions/upload-artifact@v4",
         "with": {"name": "rehearsal-${{ matrix.name }}", "path": f"{OUTPUT}/",
                  "if-no-files-found": "warn", "retention-days": 30}}]
    if p.attach:
        steps.append({"name": "Post the summary on the ticket", "if": "failure()",
                      "run": p.attach_command(), "env": dict(env)})
    matrix = {"include": [{"name": j.name, "scenario": j.scenario} for j in p.jobs]}
    return {"name": "rehearse nightly",
            "on": {"schedule": [{"cron": p.schedule}], "workflow_dispatch": {}},
            "permissions": {"contents": "read", "checks": "write", "issues": "write",
                            "pull-requests": "write"},
            "jobs": {"rehearse": {
                "name": "rehearse ${{ matrix.name }}", "runs-on": "ubuntu-latest",
                "timeout-minutes": 360,
                "strategy": {"fail-fast": False, "matrix": matrix}, "steps": steps}}}


def _gitlab(p: Pipeline) -> dict[str, Any]:
    rehearse = ".rehearse/bin/rehearse"
    job: dict[str, Any] = {
        "stage": "rehearse", "timeout": "6h",
        "parallel": {"matrix": [{"SCENARIO": [j.scenario for j in p.jobs]}]},
        "before_script": ["python3 -m venv .rehearse",
                          f".rehearse/bin/pip install {quote(p.install)}"],
        "script": [f'{rehearse} run "$SCENARIO" --output {OUTPUT}'],
        "artifacts": {"when": "always", "name": "rehearsal-$CI_JOB_NAME_SLUG",
                      "expire_in": "30 days", "paths": [f"{OUTPUT}/"],
                      "reports": {"junit": JUNIT}}}
    if p.attach:
        job["after_script"] = [
            f'if [ "$CI_JOB_STATUS" = failed ]; then {p.attach_command(rehearse)}; fi']
    return {"workflow": {"rules": [{"if": '$CI_PIPELINE_SOURCE == "schedule"'},
                                   {"if": '$CI_PIPELINE_SOURCE == "web"'}]},
            "stages": ["rehearse"], "rehearse": job}


def _azure(p: Pipeline) -> dict[str, Any]:
    env = {name: f"$({name})" for name, hidden in p.variables() if hidden}
    steps: list[dict[str, Any]] = [
        {"checkout": "self"},
        {"task": "UsePythonVersion@0", "inputs": {"versionSpec": PYTHON}},
        {"script": f"python -m pip install {quote(p.install)}", "displayName": "Install rehearse"},
        {"script": f'rehearse run "$(SCENARIO)" --output {OUTPUT}', "displayName": "Rehearse",
         "env": env},
        {"task": "PublishTestResults@2", "condition": "always()", "displayName": "Test report",
         "inputs": {"testResultsFormat": "JUnit", "testResultsFiles": JUNIT,
                    "testRunTitle": "rehearse $(NAME)", "failTaskOnFailedTests": False}},
        {"task": "PublishPipelineArtifact@1", "condition": "always()",
         "displayName": "Keep the reports and logs",
         "inputs": {"targetPath": OUTPUT, "artifact": "rehearsal-$(NAME)"}}]
    if p.attach:
        steps.append({"script": p.attach_command(), "condition": "failed()",
                      "displayName": "Post the summary on the ticket", "env": dict(env)})
    legs = {re.sub(r"\W", "_", j.name): {"SCENARIO": j.scenario, "NAME": j.name} for j in p.jobs}
    return {"trigger": "none", "pr": "none",
            "schedules": [{"cron": p.schedule, "displayName": "rehearse nightly",
                           "branches": {"include": ["main"]}, "always": "true"}],
            "jobs": [{"job": "rehearse", "timeoutInMinutes": "360",
                      "pool": {"vmImage": "ubuntu-latest"},
                      "strategy": {"matrix": legs}, "steps": steps}]}


def _github_notes(p: Pipeline) -> list[str]:
    names = [name for name, _ in p.variables() if name != "GITHUB_TOKEN"]
    return [f"runs {p.schedule} (UTC) and on demand; each scenario its own job on a hosted "
            "runner's Docker engine.",
            *([f"Set as repository secrets/variables: {', '.join(names)}."] if names else [])]


def _gitlab_notes(p: Pipeline) -> list[str]:
    return [f"GitLab keeps schedules out of the file: add one under Build > Pipeline schedules "
            f"with cron '{p.schedule}' (UTC).",
            "Needs a runner whose jobs reach a Docker engine on their own host (the shell "
            "executor) and python3 >= 3.11; add its tags: to the job.",
            f"Set as CI/CD variables (mask the tokens): {', '.join(n for n, _ in p.variables())}."]


def _azure_notes(p: Pipeline) -> list[str]:
    secrets = [name for name, hidden in p.variables() if hidden]
    return [f"runs {p.schedule} (UTC) on main (edit branches: for another default branch).",
            f"Define as secret pipeline variables: {', '.join(secrets)}."]


_BUILDERS: dict[str, Callable[[Pipeline], dict[str, Any]]] = {
    "github": _github, "gitlab": _gitlab, "azure": _azure}
_NOTES: dict[str, Callable[[Pipeline], list[str]]] = {
    "github": _github_notes, "gitlab": _gitlab_notes, "azure": _azure_notes}
