from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

from rehearse.report import rehearsal as report
from rehearse.results import (
    CheckResult,
    ImagesUsed,
    MigrationTiming,
    PhaseResult,
    Rehearsal,
    Status,
    StepResult,
    Verdict,
)

SECRET = "Aa1_generated-password"


def sample(verdict: Verdict = Verdict.FAIL) -> Rehearsal:
    return Rehearsal(
        run_id="ab12cd34", scenario="scenarios/demo.yaml", source="4.50", target="4.70",
        provider="postgresql", stepwise=True, started_at="2026-11-24T17:00:00+00:00",
        seconds=754.2, verdict=verdict,
        phases=(PhaseResult("restore", Status.PASS, 120.0),
                PhaseResult("upgrade", Status.FAIL, 600.0, "4.60 failed <script>"),
                PhaseResult("teardown", Status.PASS, 2.0)),
        steps=(StepResult("4.50", "4.60", "app-migration", Status.FAIL, 600.0,
                          "nopCommerce 4.60 failed to start",
                          (MigrationTiming("UpgradeTo460.DataMigration", None),),
                          ("settings: dataSettings.json → appsettings.json",), "store-4.60.log"),),
        checks=(CheckResult("data.rows", Status.FAIL, 0.1, "Product lost 5 of 100 rows",
                            ("Product: 100 → 95",)),
                CheckResult("page.home", Status.PASS, 0.05, "/ answers 200")),
        backup={"path": "/b/store.dump", "sha256_before": "abc", "sha256_after": "abc",
                "unchanged": "true"},
        error=f"4.60 failed, password {SECRET}", hint="read the log")


def test_json_is_versioned_and_names_verdict_steps_and_checks() -> None:
    data = json.loads(report.to_json(sample()))
    assert data["schema_version"] == report.SCHEMA_VERSION
    assert (data["verdict"], data["from"], data["to"]) == ("fail", "4.50", "4.70")
    assert data["steps"][0]["from"] == "4.50" and data["steps"][0]["seconds"] == 600.0
    assert [(c["id"], c["status"]) for c in data["checks"]] == [
        ("data.rows", "fail"), ("page.home", "pass")]


def test_markdown_puts_the_verdict_first_and_shows_failed_evidence() -> None:
    text = report.to_markdown(sample())
    lines = text.splitlines()
    assert lines[0] == "# Upgrade rehearsal: nopCommerce 4.50 → 4.70 (postgresql)"
    assert lines[2] == "**Verdict: FAIL — the upgrade broke something**"
    assert "Total time: **12 min 34 s**" in text
    assert "    Product: 100 → 95" in text


def test_junit_has_a_case_per_step_and_check() -> None:
    suite = ElementTree.fromstring(report.to_junit(sample()).split("\n", 1)[1])
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["step 4.50 → 4.60", "data.rows", "page.home"]
    assert suite.get("failures") == "2" and suite.get("tests") == "3"
    assert cases[1].find("failure") is not None
    assert cases[2].find("failure") is None


def test_html_is_one_escaped_file_with_the_verdict_and_logs() -> None:
    html = report.to_html(sample(), {"store-4.60.log": "Unhandled exception <boom>"})
    assert "FAIL — the upgrade broke something" in html
    assert "&lt;boom&gt;" in html and "<boom>" not in html
    assert "&lt;script&gt;" in html or "<script>" not in html
    assert "<link " not in html and "src=" not in html  # self-contained


def test_every_written_file_is_redacted(tmp_path: Path) -> None:
    written = report.write(sample(), tmp_path, ("json", "markdown", "html", "junit"),
                           {"store-4.60.log": f"connecting with {SECRET}"},
                           lambda text: text.replace(SECRET, "********"))
    assert {p.name for p in written} == {"report.json", "report.md", "report.html", "junit.xml"}
    for path in [*written, tmp_path / "logs" / "store-4.60.log"]:
        assert SECRET not in path.read_text(), path


def test_markdown_shows_store_data_as_text_never_as_html() -> None:
    from dataclasses import replace

    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> | cell'
    rehearsal = replace(sample(), error=hostile, checks=(
        CheckResult("page.product", Status.FAIL, 0.1, hostile, (hostile,)),),
        steps=(StepResult("4.50", "4.60", "app-migration", Status.FAIL, 1.0, hostile),),
        safety=(hostile,), exposure=hostile)
    text = report.to_markdown(rehearsal)
    outside_code = "\n".join(line for line in text.splitlines() if not line.startswith("    "))
    assert "<script>" not in outside_code and "<img" not in outside_code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside_code
    assert "\\| cell" in outside_code  # a pipe cannot split a table row
    assert f"    {hostile}" in text  # evidence: an indented code block, shown as written


def test_redaction_happens_before_encoding_and_knows_encoded_forms(tmp_path: Path) -> None:
    from rehearse.console import Terminal

    secret = "Zq9x&<>\"' \\é"
    terminal = Terminal()
    terminal.add_secret(secret)
    written = report.write(replace_error(sample(), f"failed with {secret}"), tmp_path,
                           ("json", "markdown", "html", "junit"), {}, terminal.redact)
    for path in written:
        text = path.read_text()
        assert "Zq9x" not in text and "********" in text, path


def replace_error(rehearsal: Rehearsal, error: str) -> Rehearsal:
    from dataclasses import replace

    check = replace(rehearsal.checks[0], summary=error)
    return replace(rehearsal, error=error, checks=(check, *rehearsal.checks[1:]))


def test_scrubbed_keeps_statuses_what_they_are() -> None:
    found = report.scrubbed(sample(), lambda text: text)
    assert found.verdict is sample().verdict
    assert all(c.status is o.status for c, o in zip(found.checks, sample().checks, strict=True))


def test_scrubbed_redacts_every_string_of_a_result() -> None:
    found = report.scrubbed(sample(), lambda text: text.replace("4.60", "x"))
    assert "4.60" not in report.to_json(found)
    assert found.steps[0].target == "x" and found.phases[1].detail == "x failed <script>"


def imaged(stand_in: bool) -> Rehearsal:
    """A run whose step names its images; the app image labelled a stand-in or not."""
    database = ImagesUsed("postgres:15", "PostgreSQL 15.4")
    used = ImagesUsed("postgres:15", "PostgreSQL 15.4", "nopcommerceteam/nopcommerce:4.60.6",
                      "sha256:feed", stand_in)
    step = StepResult("4.50", "4.60", "app-migration", Status.PASS, 60.0, "3 migrations",
                      images=used)
    warn = CheckResult("data.rows", Status.WARN, 0.1, "GenericAttribute keys moved",
                       ("GenericAttribute: 10 → 6",))
    return replace(sample(Verdict.PASS), steps=(step,), checks=(warn,), database=database,
                   warnings=("warning: production runs MySQL 8.0.36, the sandbox MariaDB 11.8",))


def test_every_format_names_images_and_digest_and_the_stand_in_only_by_label() -> None:
    for stand_in in (True, False):
        rehearsal = imaged(stand_in)
        texts = {"json": report.to_json(rehearsal), "md": report.to_markdown(rehearsal),
                 "html": report.to_html(rehearsal, {}), "junit": report.to_junit(rehearsal)}
        for name, text in texts.items():
            assert "nopcommerceteam/nopcommerce:4.60.6" in text, name
            assert "sha256:feed" in text and "PostgreSQL 15.4" in text, name
            assert ("stand-in, not nopCommerce" in text) is stand_in, name
        assert json.loads(texts["json"])["stand_in"] is stand_in
    markdown = report.to_markdown(imaged(True))
    assert "**Verdict: PASS — the upgrade rehearsed cleanly (stand-in, not nopCommerce)**" in (
        markdown)
    assert "- ✅ restore (2 min 0 s) — database postgres:15 (PostgreSQL 15.4)" in markdown


def test_junit_shows_warnings_as_a_property_and_a_system_out_line() -> None:
    suite = ElementTree.fromstring(report.to_junit(imaged(False)))
    case = next(c for c in suite.iter("testcase") if c.get("name") == "data.rows")
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties["warning"] == "GenericAttribute keys moved"
    assert case.findtext("system-out", "").startswith("warning: GenericAttribute keys moved")
    suite_out = suite.find("system-out")
    assert suite_out is not None and "production runs MySQL 8.0.36" in (suite_out.text or "")
    assert any(p.get("name") == "warning" for p in suite.find("properties") or [])
