"""The comment a ticket gets: what a reader decides on first, bounded in size, store data shown
as text in every markup, and a link to the full report where the CI run keeps it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rehearse.integrations.jira_markup import to_adf, to_wiki
from rehearse.integrations.summary import MAX_ROWS, full_report, summarize, to_markdown
from tests.unit.integrations.conftest import REPORTS


def report(verdict: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPORTS / verdict / "report.json").read_text())
    return data


def test_a_pass_leads_with_the_verdict_and_the_window_to_book() -> None:
    text = to_markdown(summarize(report("pass"), "/srv/reports/report.html on ci-1"))
    lines = text.splitlines()
    assert lines[0] == "<!-- rehearse:attach store=demo -->"
    assert lines[1].startswith("### ✅ demo: PASS (stand-in, not nopCommerce) — nopCommerce "
                               "4.50 → 4.70 (postgresql)")
    assert ("**Maintenance window: book 1 min: upgrade 8 s, checks 3 s, rollback reserve 8 s, "
            "\u00d71.5**") in lines
    assert "| 4.50 → 4.60 | ✅ pass | 4.2 s | 3 migrations |" in lines
    assert "Checks: 27 passed, 0 failed, 7 warnings, 2 skipped." in lines
    assert "Plugins and theme: 2 of 5 need attention." in lines  # Bolt and CyberSource
    assert not any("Payments.Acme" in line for line in lines)  # it survives: not listed
    assert lines[-1] == "Full report: /srv/reports/report.html on ci-1"


def test_nopcommerces_issue_numbers_do_not_link_to_the_tickets_own_issues() -> None:
    text = to_markdown(summarize(report("pass"), "report.html"))
    assert "dropped from the distribution in 4.70 (nopCommerce issue 7087)" in text
    assert "#7087" not in text


def test_a_failure_lists_each_failed_check_and_the_error_with_its_fix() -> None:
    text = to_markdown(summarize(report("fail"), "https://ci.example/runs/7"))
    assert "- `data.row_counts`: ❌ Product lost 12 of 840 rows" in text
    assert "- `storefront.search`: 💥 /search?q=Levi answered 500" in text
    assert "step 4.60 → 4.70 failed — fix: see logs/store-4.70.log" in text
    assert "Maintenance window" not in text  # a failed run books none
    assert text.rstrip().endswith("<https://ci.example/runs/7>")


def test_a_long_report_is_cut_to_a_readable_comment() -> None:
    data = report("fail")
    data["checks"] = [{"id": f"page.{n}", "status": "fail", "seconds": 0.1,
                       "summary": "x" * 500} for n in range(100)]
    text = to_markdown(summarize(data, "report.html"))
    assert text.count("- `page.") == MAX_ROWS
    assert f"… and {100 - MAX_ROWS} more failed checks." in text
    assert "x" * 200 not in text
    assert len(json.dumps(to_adf(summarize(data, "report.html")))) < 32_767  # Jira's limit


def test_jira_documents_have_no_empty_text_and_wiki_tables_cannot_be_split() -> None:
    summary = summarize(report("fail"), "https://ci.example/runs/7")
    texts = [node for node in _nodes(to_adf(summary)) if node.get("type") == "text"]
    assert texts and all(node["text"] for node in texts)  # ADF refuses empty text nodes
    links = [n for n in texts if n.get("marks", [{}])[0].get("type") == "link"]
    assert links[0]["marks"][0]["attrs"]["href"] == "https://ci.example/runs/7"
    wiki = to_wiki(summary)
    assert "| Payments.<script>alert(1)</script>\\|Acme |" not in wiki
    assert "|Payments.<script>alert(1)</script>\\|Acme|" in wiki
    assert wiki.rstrip().endswith("rehearse:attach store=demo")


def test_the_full_report_link_is_the_ci_run_that_keeps_it(tmp_path: Path) -> None:
    assert full_report(tmp_path, {"GITHUB_SERVER_URL": "https://github.com",
                                  "GITHUB_REPOSITORY": "acme/stores", "GITHUB_RUN_ID": "99"}) == (
        "https://github.com/acme/stores/actions/runs/99")
    assert full_report(tmp_path, {"CI_JOB_URL": "https://git.example/acme/stores/-/jobs/5"}) == (
        "https://git.example/acme/stores/-/jobs/5/artifacts/browse")
    assert full_report(tmp_path, {"SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/",
                                  "SYSTEM_TEAMPROJECT": "Shop", "BUILD_BUILDID": "12"}) == (
        "https://dev.azure.com/acme/Shop/_build/results?buildId=12&view=artifacts")
    assert full_report(tmp_path, {}).startswith(f"{tmp_path.resolve()}/report.html on ")


def _nodes(node: Any) -> list[dict[str, Any]]:
    found = [node] if isinstance(node, dict) else []
    children = node.get("content", []) if isinstance(node, dict) else []
    return found + [n for child in children for n in _nodes(child)]
