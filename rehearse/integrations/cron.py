"""A five-field cron schedule, as GitHub Actions, GitLab and Azure Pipelines take it, checked
before it goes into a pipeline: a typo would otherwise surface only when the night never comes."""

from __future__ import annotations

import re

from rehearse.errors import BadInputError

NIGHTLY = "0 2 * * *"
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (name, lowest, highest, names for 0.. or 1..)
_FIELDS: tuple[tuple[str, int, int, list[str]], ...] = (
    ("minute", 0, 59, []), ("hour", 0, 23, []), ("day of month", 1, 31, []),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))
_ITEM = re.compile(r"(?P<range>\*|(?P<low>\w+)(?:-(?P<high>\w+))?)(?:/(?P<step>\d+))?")


def schedule(text: str) -> str:
    fields = text.split()
    if len(fields) != 5:
        raise _bad(text, f"it has {len(fields)} fields, not 5")
    for value, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        for item in value.split(","):
            problem = _item(item, low, high, names)
            if problem:
                raise _bad(text, f"the {name} {item!r} {problem}")
    return " ".join(fields)


def _item(item: str, low: int, high: int, names: list[str]) -> str:
    found = _ITEM.fullmatch(item)
    if found is None or found["step"] == "0":
        return "is not a value, a range or a step"
    numbers: list[int] = []
    for end in (e for e in (found["low"], found["high"]) if e is not None):
        number = _number(end, low, names)
        if number is None or not low <= number <= high:
            return f"is not within {low}-{high}"
        numbers.append(number)
    return "is a backwards range" if numbers != sorted(numbers) else ""


def _number(text: str, low: int, names: list[str]) -> int | None:
    if text.isdigit():
        return int(text)
    upper = text.upper()
    return names.index(upper) + low if upper in names else None


def _bad(text: str, problem: str) -> BadInputError:
    return BadInputError(f"schedule {text!r}: {problem}",
                         hint=f"five fields: minute hour day-of-month month day-of-week, e.g. "
                              f"'{NIGHTLY}' (every night at 02:00 UTC)")
