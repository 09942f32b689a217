"""Reading a nopCommerce container's console: migrations, readiness, failure (nopcommerce.md §5).

nopCommerce prints nothing itself; ASP.NET Core and FluentMigrator do, in the console format
`level: Category[id]` followed by an indented message line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MIGRATING = re.compile(r"(?:\d+:\s*)?(?P<name>[\w.]+?)\s+migrating\b")
_MIGRATED = re.compile(r"(?:\d+:\s*)?(?P<name>[\w.]+?)\s+migrated\b")
_READY = ("Now listening on:", "Application started")
_FAILED = ("Unhandled exception", "Rolling back transaction",
           "An error occurred executing the following sql", "Failed to load configuration")


@dataclass
class Migration:
    name: str
    started: float
    finished: float | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.finished is None else self.finished - self.started


@dataclass
class Startup:
    """What the console said so far; fed line by line with the time each was seen."""

    migrations: list[Migration] = field(default_factory=list)
    ready: bool = False
    failures: list[str] = field(default_factory=list)

    def feed(self, line: str, at: float) -> None:
        text = line.strip()
        if (match := _MIGRATING.search(text)) is not None:
            self.migrations.append(Migration(match.group("name"), at))
        elif (match := _MIGRATED.search(text)) is not None:
            self._finish(match.group("name"), at)
        if any(signal in text for signal in _FAILED):
            self.failures.append(text)
        elif not self.failures and any(signal in text for signal in _READY):
            self.ready = True

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    @property
    def running_migration(self) -> str | None:
        unfinished = [m.name for m in self.migrations if m.finished is None]
        return unfinished[-1] if unfinished else None

    def failure_summary(self) -> str:
        """The most telling failure line: the exception beats the rollback notice."""
        for line in self.failures:
            if line.startswith("Unhandled exception"):
                return line
        return self.failures[0] if self.failures else ""

    def _finish(self, name: str, at: float) -> None:
        for migration in reversed(self.migrations):
            if migration.name == name and migration.finished is None:
                migration.finished = at
                return
