"""Split T-SQL scripts into batches as sqlcmd does: `GO [n]` alone on a line (nopcommerce.md §6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# sqlcmd: GO, any case, alone on its line save blanks and tabs, an optional count, and an
# optional trailing comment. The 3.70-3.80 script has " GO", later ones "GO\t".
_SEPARATOR = re.compile(r"^[ \t]*go(?:[ \t]+(\d+))?[ \t]*(?:--.*)?\r?\n?$", re.IGNORECASE)
BOM = "\ufeff"


@dataclass(frozen=True)
class Batch:
    """One batch: its SQL, where it stands in the file (1-based lines), and how often to run it."""

    number: int
    sql: str
    first_line: int
    last_line: int
    repeat: int = 1
    separator: str = ""

    @property
    def is_blank(self) -> bool:
        return not _strip_comments(self.sql).strip()

    def head(self, lines: int = 3) -> str:
        return "\n".join(self.sql.strip("\n").splitlines()[:lines])


def split(script: str) -> list[Batch]:
    """Every batch, blank ones included, so that joining `sql + separator` gives the script back."""
    batches: list[Batch] = []
    current: list[str] = []
    first = 1
    for number, (line, is_separator) in enumerate(_classified(script), start=1):
        if not is_separator:
            current.append(line)
            continue
        match = _SEPARATOR.match(line)
        repeat = int(match.group(1)) if match and match.group(1) else 1
        batches.append(Batch(len(batches) + 1, "".join(current), first, max(first, number - 1),
                             repeat, line))
        current, first = [], number + 1
    if current or not batches:
        last = first + max(len(current) - 1, 0)
        batches.append(Batch(len(batches) + 1, "".join(current), first, last))
    return batches


def runnable(script: str) -> list[Batch]:
    """The batches worth sending to a server: a leading BOM dropped, blank batches left out."""
    return [b for b in split(script.removeprefix(BOM)) if not b.is_blank]


def _classified(script: str) -> Iterator[tuple[str, bool]]:
    """Each line, and whether it is a separator (never inside a comment, string or identifier)."""
    scanner = _Scanner()
    for line in script.splitlines(keepends=True):
        if scanner.in_code and _SEPARATOR.match(line):
            yield line, True
        else:
            scanner.feed(line)
            yield line, False


_CLOSERS = {"'": "'", '"': '"', "[": "]"}


class _Scanner:
    """Tracks whether the text so far ends inside a block comment or a quoted run."""

    def __init__(self) -> None:
        self.comment_depth = 0  # T-SQL block comments nest
        self.closer = ""

    @property
    def in_code(self) -> bool:
        return self.comment_depth == 0 and not self.closer

    def feed(self, line: str) -> None:
        i = 0
        while i < len(line):
            i = self._step(line, i)

    def _step(self, line: str, i: int) -> int:
        pair = line[i:i + 2]
        if self.closer:
            if line[i] == self.closer:
                # A doubled closer ('' or ]]) is an escaped character, not the end.
                if line[i + 1:i + 2] == self.closer:
                    return i + 2
                self.closer = ""
            return i + 1
        if pair == "/*":
            self.comment_depth += 1
            return i + 2
        if self.comment_depth:
            if pair == "*/":
                self.comment_depth -= 1
                return i + 2
            return i + 1
        if pair == "--":
            return len(line)
        self.closer = _CLOSERS.get(line[i], "")
        return i + 1


def _strip_comments(sql: str) -> str:
    without_blocks = re.sub(r"/\*.*?\*/", "", sql, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", "", without_blocks)
