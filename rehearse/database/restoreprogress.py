"""How far pg_restore is, from its verbose output against the archive's item count."""

from __future__ import annotations

import re
from collections.abc import Callable

# `pg_restore --verbose` names each item once it starts (serial part) or finishes (parallel).
_ITEM = re.compile(r"^pg_restore: (?:processing|finished) item (\d+) ")
_NOISE = re.compile(r"^pg_restore: (?:processing|launching|finished) item |"
                    r"^pg_restore: (?:creating|connecting|executing) ")
STEP = 5  # percent between reports: a CI log gets twenty lines, not hundreds


def archive_items(listing: str) -> int:
    """Items in `pg_restore -l` output: its lines that start with the item's number."""
    return sum(1 for line in listing.splitlines() if line[:1].isdigit())


class ItemProgress:
    """Feed it pg_restore's lines; it calls `report` with the percentage every STEP percent."""

    def __init__(self, total: int, report: Callable[[int], None]) -> None:
        self._total, self._report = max(total, 1), report
        self._done: set[str] = set()
        self._reported = 0

    def feed(self, line: str) -> None:
        found = _ITEM.match(line)
        if found is None:
            return
        self._done.add(found.group(1))
        percent = min(100, len(self._done) * 100 // self._total)
        if percent >= self._reported + STEP:
            self._reported = percent - percent % STEP
            self._report(self._reported)


def without_progress(output: str) -> str:
    """The output with the verbose progress lines taken out, so errors stand out."""
    return "\n".join(line for line in output.splitlines() if not _NOISE.match(line))
