"""Plain-text tables for the terminal: `plan` and `check` answer without importing Rich."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

GAP = "   "


def table(title: str, rows: Sequence[Sequence[str]]) -> list[str]:
    """A title, the header row (the first), a rule, the other rows; columns padded to fit."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  " + GAP.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    rule = " " + "─" * (sum(widths) + len(GAP) * (len(widths) - 1) + 2)
    return [title, "", lines[0], rule, *lines[1:]]


def wrapped(text: str, first: str, rest: str) -> list[str]:
    """`text` wrapped to the terminal's width, `first` before its first line, `rest` after."""
    width = max(40, shutil.get_terminal_size().columns - 1)
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest)
