"""How far a restore is: pg_restore's items against the archive's listing, or the bytes dd
has fed the mysql client against the file's size."""

from __future__ import annotations

import re
from collections.abc import Callable

# `pg_restore --verbose` names each item once it starts (serial part) or finishes (parallel).
_ITEM = re.compile(r"^pg_restore: (?:processing|finished) item (\d+) ")
# `dd status=progress`: "1048576 bytes (1.0 MB, 1.0 MiB) copied, 1 s, 1.0 MB/s", then a summary.
_BYTES = re.compile(r"^(\d+) bytes .*copied")
# The parallel MySQL restore's script: "fed N" after each range it hands to a client.
_FED = re.compile(r"^fed (\d+)$")
_NOISE = re.compile(r"^pg_restore: (?:processing|launching|finished) item |^fed \d+$|"
                    r"^pg_restore: (?:creating|connecting|executing) |"
                    r"^\d+ bytes .*copied|^\d+\+\d+ records (?:in|out)$")
STEP = 5  # percent between reports: a CI log gets twenty lines, not hundreds


def archive_items(listing: str) -> int:
    """Items in `pg_restore -l` output: its lines that start with the item's number."""
    return sum(1 for line in listing.splitlines() if line[:1].isdigit())


class _Steps:
    def __init__(self, total: int, report: Callable[[int], None]) -> None:
        self._total, self._report = max(total, 1), report
        self._reported = 0

    def _done(self, amount: int) -> None:
        percent = min(100, amount * 100 // self._total)
        if percent >= self._reported + STEP:
            self._reported = percent - percent % STEP
            self._report(self._reported)

    def finished(self) -> None:
        """The tool exited 0: the restore is whole, even where its log fell short (pg_restore's
        parallel workers can interleave two lines into one, and an item's line is lost)."""
        if self._reported < 100:
            self._reported = 100
            self._report(100)


class ItemProgress(_Steps):
    """Feed it pg_restore's lines; it reports the percentage every STEP percent."""

    def __init__(self, total: int, report: Callable[[int], None]) -> None:
        super().__init__(total, report)
        self._items: set[str] = set()

    def feed(self, line: str) -> None:
        found = _ITEM.match(line)
        if found is not None:
            self._items.add(found.group(1))
            self._done(len(self._items))


class BytesProgress(_Steps):
    """Feed it dd's progress lines; it reports the percentage every STEP percent."""

    def feed(self, line: str) -> None:
        found = _BYTES.match(line.strip())
        if found is not None:
            self._done(int(found.group(1)))


class FedProgress(_Steps):
    """Feed it the parallel restore's lines; it adds up the bytes handed to the clients."""

    def __init__(self, total: int, report: Callable[[int], None]) -> None:
        super().__init__(total, report)
        self._fed = 0

    def feed(self, line: str) -> None:
        found = _FED.match(line.strip())
        if found is not None:
            self._fed += int(found.group(1))
            self._done(self._fed)


def without_progress(output: str) -> str:
    """The output with the progress lines taken out, so errors stand out."""
    return "\n".join(line for line in output.splitlines() if not _NOISE.match(line.strip()))
