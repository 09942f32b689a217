"""The trend over the last runs as an inline SVG line chart: no script, nothing fetched."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rehearse.results import TrendRun

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 56, 180, 14, 30
COLOURS = ("#1f2328", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#bc4c00")


def series(runs: Sequence[TrendRun]) -> dict[str, list[float | None]]:
    """`total` and each step's seconds per run (None where a run did not make that step)."""
    names = list(dict.fromkeys(name for run in runs for name, _ in run.steps))
    lines: dict[str, list[float | None]] = {"total": [run.seconds for run in runs]}
    for name in names:
        lines[name] = [dict(run.steps).get(name) for run in runs]
    return lines


def trend_svg(runs: Sequence[TrendRun]) -> str:
    """Oldest run on the left, tonight on the right; empty with fewer than two runs."""
    if len(runs) < 2:
        return ""
    lines = series(runs)
    top = max(v for values in lines.values() for v in values if v is not None) or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="time per run, the last {len(runs)} runs">',
             *_axes(runs, top)]
    for index, (name, values) in enumerate(lines.items()):
        parts += _line(name, values, top, COLOURS[index % len(COLOURS)], index)
    return "\n".join([*parts, "</svg>"])


def _x(index: int, count: int) -> float:
    return LEFT + index * (WIDTH - LEFT - RIGHT) / max(count - 1, 1)


def _y(seconds: float, top: float) -> float:
    return TOP + (1 - seconds / top) * (HEIGHT - TOP - BOTTOM)


def _axes(runs: Sequence[TrendRun], top: float) -> list[str]:
    base, count = HEIGHT - BOTTOM, len(runs)
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#d0d7de"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" font-size="11" text-anchor="end">'
             f'{top:.0f} s</text>',
             f'<text x="{LEFT - 6}" y="{base}" font-size="11" text-anchor="end">0</text>']
    for index in sorted({0, count - 1}):
        label = "tonight" if index == count - 1 else escape(runs[index].started_at[:10])
        parts.append(f'<text x="{_x(index, count):.1f}" y="{HEIGHT - 10}" font-size="11" '
                     f'text-anchor="middle">{label}</text>')
    return parts


def _line(name: str, values: Sequence[float | None], top: float, colour: str,
          index: int) -> list[str]:
    points = [(_x(i, len(values)), _y(v, top)) for i, v in enumerate(values) if v is not None]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    width = 2.5 if index == 0 else 1.5
    legend_y = TOP + 6 + index * 16
    return [f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{path}">'
            f"<title>{escape(name)}</title></polyline>",
            *[f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points],
            f'<text x="{WIDTH - RIGHT + 12}" y="{legend_y}" font-size="11" fill="{colour}">'
            f"{escape(name)}</text>"]
