"""nopCommerce version numbers: `4.7`, `4.70` and `4.70.5` all name releases of 4.70."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from rehearse.errors import BadInputError

_PATTERN = re.compile(r"^\s*v?(\d+)\.(\d{1,2})(?:\.(\d+))?\s*$")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A release line (`4.70`) or one patch release of it (`4.70.5`)."""

    major: int
    minor: int
    patch: int | None = None

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _PATTERN.match(text)
        if match is None:
            raise BadInputError(
                f"not a nopCommerce version: {text!r}",
                hint="write it as 4.70 or 4.70.5 (4.7 also means 4.70)",
            )
        major, minor, patch = match.groups()
        # nopCommerce minors are two digits: "4.7" is 4.70, as people say it.
        minor_number = int(minor) * 10 if len(minor) == 1 else int(minor)
        return cls(int(major), minor_number, None if patch is None else int(patch))

    @property
    def line(self) -> Version:
        """The release line this version belongs to (the patch dropped)."""
        return Version(self.major, self.minor)

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, -1 if self.patch is None else self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor:02d}"
        return base if self.patch is None else f"{base}.{self.patch}"
