from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.integrations.fake_service import FakeService, fake_service

REPORTS = Path(__file__).parents[2] / "fixtures" / "reports"
_OUTSIDE = ("GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_RUN_ID", "GITHUB_REPOSITORY",
            "GITLAB_TOKEN", "CI_API_V4_URL", "CI_JOB_URL", "JIRA_BASE_URL", "JIRA_EMAIL",
            "JIRA_API_TOKEN", "JIRA_PAT", "AZURE_DEVOPS_PAT", "AZURE_DEVOPS_URL",
            "SYSTEM_COLLECTIONURI", "BUILD_BUILDID", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
            "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: no token, CI address or proxy of the machine running them."""
    for name in _OUTSIDE:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def service() -> Iterator[FakeService]:
    with fake_service() as running:
        yield running


@pytest.fixture
def failed_run(tmp_path: Path) -> Path:
    folder = tmp_path / "20261202-020004-5be1f00d"
    folder.mkdir()
    (folder / "report.json").write_text((REPORTS / "fail" / "report.json").read_text())
    return folder
