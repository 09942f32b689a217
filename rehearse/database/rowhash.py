"""A row's hash computed by the database engine itself, so that a snapshot reads two numbers per
row instead of every compared value: on the 1 GB bench store a catalogue snapshot went from
5.7 s to 0.9 s, the locale resources (keyed and sorted by the engine) from 6.7 s to 1.9 s
(issue 17 §2). Each engine gives its
SQL as templates (Hashing); this module only puts them together. The hashes are compared only
with hashes the same engine made in the same rehearsal, never across engines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a compared column reads as text, the same whatever type a version gave it."""

    TEXT = "text"
    NUMBER = "number"  # 18.9900 in decimal(18,4) and 18.99 in decimal(18,2) are one price
    INTEGER = "integer"
    BOOLEAN = "boolean"  # 0 or 1: boolean on PostgreSQL, bit or tinyint(1) elsewhere


Column = tuple[str, Kind]  # a column's name and kind


@dataclass(frozen=True)
class Hashing:
    """An engine's SQL, each template with one `{}` for the expression it wraps."""

    text: str
    number: str
    integer: str
    boolean: str
    present: str  # the value marked as present, and NULL as a marker of its own
    separator: str  # between two values of a row
    joined: str  # around the values and separators
    digest: str  # a 64-bit integer hash of a text
    lower: str
    bigint: str  # a literal beyond 32 bits, typed as a 64-bit integer (T-SQL makes it numeric)

    def row(self, quoted: Sequence[tuple[str, Kind]]) -> str:
        """The hash of the (quoted column, kind) values, NULL told apart from an empty text."""
        shown = {Kind.TEXT: self.text, Kind.NUMBER: self.number, Kind.INTEGER: self.integer,
                 Kind.BOOLEAN: self.boolean}
        values = [self.present.format(shown[kind].format(column)) for column, kind in quoted]
        return self.digest.format(self.joined.format(self.separator.join(values)))

    def name(self, quoted: str) -> str:
        """The hash of a text column's value in lower case (resource names)."""
        return self.digest.format(self.lower.format(self.text.format(quoted)))

    def masked(self, hashed: str, mask: int) -> str:
        """A hash's `mask`ed bits."""
        return f"({hashed} & {self.bigint.format(mask)})"

    def key(self, name: str, mask: int, bits: int, low: str) -> str:
        """A hash's `mask`ed bits shifted left by `bits`, and `low` below them."""
        return f"{self.masked(name, mask)} * {1 << bits} + {low}"

