"""The report's trend chart: inline SVG the report draws itself, one line per step and total."""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree

from rehearse.report.chart import series, trend_svg
from rehearse.report.rehearsal import to_html
from rehearse.results import PhaseResult, Rehearsal, Status, TrendRun, Verdict

SVG = "{http://www.w3.org/2000/svg}"
RUNS = (TrendRun("2026-11-28T02:00:00+00:00", 100.0, (("4.50 → 4.60", 40.0),)),
        TrendRun("2026-11-29T02:00:00+00:00", 120.0, (("4.50 → 4.60", 60.0),
                                                       ("<4.60 → 4.70>", 20.0))),
        TrendRun("2026-11-30T02:00:00+00:00", 240.0, (("4.50 → 4.60", 180.0),)))


def test_each_step_and_the_total_is_a_series_with_gaps_where_a_run_had_no_such_step() -> None:
    assert series(RUNS) == {"total": [100.0, 120.0, 240.0], "4.50 → 4.60": [40.0, 60.0, 180.0],
                            "<4.60 → 4.70>": [None, 20.0, None]}


def test_the_chart_is_well_formed_svg_with_a_line_and_a_legend_per_series() -> None:
    root = ElementTree.fromstring(trend_svg(RUNS))
    lines = root.findall(f"{SVG}polyline")
    assert [line.find(f"{SVG}title").text for line in lines] == [  # type: ignore[union-attr]
        "total", "4.50 → 4.60", "<4.60 → 4.70>"]
    total = [tuple(map(float, p.split(","))) for p in lines[0].attrib["points"].split()]
    assert total[-1][1] < total[0][1]  # tonight's 240 s is drawn higher than 100 s
    assert len(lines[2].attrib["points"].split()) == 1
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "tonight" in texts and "2026-11-28" in texts and "240 s" in texts


def test_one_run_draws_no_chart() -> None:
    assert trend_svg(RUNS[:1]) == ""


def test_the_html_report_embeds_the_chart_and_no_script() -> None:
    rehearsal = Rehearsal("r1", "s.yaml", "4.50", "4.60", "postgresql", False,
                          "2026-11-30T02:00:00+00:00", 240.0, Verdict.PASS,
                          (PhaseResult("upgrade", Status.PASS, 180.0),), trend=RUNS)
    html = to_html(rehearsal, {})
    assert "Trend: the last 3 runs" in html and "<svg" in html and "<polyline" in html
    assert "&lt;4.60 → 4.70&gt;" in html and "<script" not in html
    assert "<svg" not in to_html(replace(rehearsal, trend=()), {})
