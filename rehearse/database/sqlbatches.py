"""Split T-SQL scripts into batches exactly as sqlcmd does: `GO [count]` alone on a line.

Sources: Microsoft's "SQL Server Utilities Statements - GO" page (GO [count], count "is a positive
integer", a statement cannot share GO's line but a comment can, no `;` after GO) and go-sqlcmd's
pkg/sqlcmd (batch.go, commands.go goCommand) — nopcommerce.md §6 for the scripts' own variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

BOM = "\ufeff"
# Lines end at LF or CRLF only: a lone CR, a form feed, U+0085, U+2028/2029 stay inside a line, so
# line numbers are the ones an editor shows (str.splitlines() would count them as line ends).
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
# A line is a GO command when GO (any case, after blanks) is not the start of a longer name
# (`GOTO label`, `GO_table`); the 3.70-3.80 script has " GO", later ones "GO\t" (§6).
_GO = re.compile(r"[ \t]*go(?![\w@#$])(.*)\Z", re.IGNORECASE | re.DOTALL)
# What may follow GO: an optional count of ASCII digits, then an optional `--` comment.
_GO_TAIL = re.compile(r"[ \t]*(?:([0-9]+)[ \t]*)?(?:--.*)?\Z", re.DOTALL)
# sqlcmd accepts any int count; nopCommerce's 23 scripts use none. A count repeats the whole batch,
# so `GO 100000` (a typo for a separator) would hold the sandbox for hours: 1000 is far above any
# real use (loops that seed rows) and still finishes in minutes for a one-statement batch.
MAX_REPEAT = 1000


class SeparatorError(ValueError):
    """A `GO` line sqlcmd rejects ("Syntax error at line N near command 'GO'")."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Batch:
    """One batch: its SQL, where it stands in the file (1-based lines), how often to run it, and
    its first line of SQL outside comments (0 when it holds only comments)."""

    number: int
    sql: str
    first_line: int
    last_line: int
    repeat: int = 1
    separator: str = ""
    code_line: int = 0

    @property
    def is_empty(self) -> bool:
        # go-sqlcmd appends no whitespace-only line and sends nothing for an empty batch
        # (goCommand: `if query == "" { return nil }`); a comment-only batch is not empty: sent.
        return not self.sql.strip()

    @property
    def first_sql(self) -> tuple[int, str]:
        """The line number and text shown for this batch: its first line of SQL, else of text."""
        lines = _LINE.findall(self.sql)
        wanted = self.code_line or next(
            (self.first_line + n for n, line in enumerate(lines) if line.strip()), self.first_line)
        text = lines[wanted - self.first_line] if lines else ""
        return wanted, text.strip()


def split(script: str) -> list[Batch]:
    """Every batch, empty ones included, so that joining `sql + separator` gives the script back."""
    batches: list[Batch] = []
    current: list[str] = []
    first, code_line = 1, 0
    for number, (line, repeat, has_code) in enumerate(_classified(script), start=1):
        if repeat is None:
            current.append(line)
            code_line = code_line or (number if has_code else 0)
            continue
        batches.append(Batch(len(batches) + 1, "".join(current), first, max(first, number - 1),
                             repeat, line, code_line))
        current, first, code_line = [], number + 1, 0
    if current or not batches:
        last = first + max(len(current) - 1, 0)
        batches.append(Batch(len(batches) + 1, "".join(current), first, last,
                             code_line=code_line))
    return batches


def runnable(script: str) -> list[Batch]:
    """The batches sqlcmd sends, numbered 1..n as sent: a leading BOM dropped, empty ones left out.

    Raises SeparatorError for a GO line sqlcmd rejects, before any batch could be sent."""
    sent = [b for b in split(script.removeprefix(BOM)) if not b.is_empty]
    return [Batch(n, b.sql, b.first_line, b.last_line, b.repeat, b.separator, b.code_line)
            for n, b in enumerate(sent, start=1)]


def repeat_of(line: str, number: int) -> int | None:
    """The count of a GO line (1 without one); None when the line is not a GO command."""
    content = line.removesuffix("\n")
    if line.endswith("\n"):
        content = content.removesuffix("\r")
    command = _GO.match(content)
    if command is None:
        return None
    tail = _GO_TAIL.match(command.group(1))
    if tail is None:
        raise SeparatorError(number, f"{content.strip()!r} is not a GO sqlcmd accepts: GO takes "
                                     "only an optional count and an optional -- comment")
    count = int(tail.group(1) or 1)
    if not 1 <= count <= MAX_REPEAT:
        raise SeparatorError(number, f"{content.strip()!r}: the count must be 1 to {MAX_REPEAT}")
    return count


def _classified(script: str) -> Iterator[tuple[str, int | None, bool]]:
    """Each line, its GO count when it is a separator (never inside a comment, string or
    identifier), and whether it holds SQL outside comments."""
    scanner = _Scanner()
    for number, line in enumerate(_LINE.findall(script), start=1):
        repeat = repeat_of(line, number) if scanner.in_code else None
        yield line, repeat, False if repeat is not None else scanner.feed(line)


_CLOSERS = {"'": "'", '"': '"', "[": "]"}


class _Scanner:
    """Tracks whether the text so far ends inside a block comment or a quoted run."""

    def __init__(self) -> None:
        self.comment_depth = 0  # T-SQL block comments nest
        self.closer = ""
        self.code = False

    @property
    def in_code(self) -> bool:
        return self.comment_depth == 0 and not self.closer

    def feed(self, line: str) -> bool:
        """Read one line; whether it held SQL (a string counts, a comment does not)."""
        self.code = bool(self.closer)
        i = 0
        while i < len(line):
            i = self._step(line, i)
        return self.code

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
        if pair == "--":  # a line comment ends the line, whatever it holds (`--/*` opens nothing)
            return len(line)
        self.code = self.code or not line[i].isspace()
        self.closer = _CLOSERS.get(line[i], "")
        return i + 1
