"""Before and after, compared as customers would: text decoded and whitespace normalised (the
recorder does both), prices as numbers, lists by what was added and what went missing."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from typing import Any

Recording = dict[str, dict[str, Any]]
PRICE_FIELDS = frozenset({"price", "old_price"})
_NUMBER = re.compile(r"\d[\d.,\s]*")
LISTED = 3  # items named per list difference


@dataclass(frozen=True)
class Difference:
    path: str
    field: str
    before: str
    after: str

    def line(self) -> str:
        return f"{self.path} {self.field}: {self.before} → {self.after}"

    def allowed_by(self, patterns: tuple[str, ...]) -> bool:
        """`allow` entries are globs over "PATH FIELD", e.g. "* stock" or "/blog*"."""
        subject = f"{self.path} {self.field}"
        return any(fnmatchcase(subject, p) or fnmatchcase(self.path, p) for p in patterns)


def price(text: str | None) -> Decimal | None:
    """"$1,234.50" → 1234.50; "1.234,50 €" → 1234.50 (the last separator with two digits after
    it is the decimal one)."""
    found = _NUMBER.search(text or "")
    if found is None:
        return None
    digits = re.sub(r"\s", "", found.group()).rstrip(".,")
    decimal = re.search(r"[.,](\d{1,2})$", digits)
    whole = re.sub(r"[.,]", "", digits[: decimal.start()] if decimal else digits)
    try:
        return Decimal(f"{whole}.{decimal.group(1)}" if decimal else whole)
    except InvalidOperation:
        return None


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _list_change(before: list[Any], after: list[Any]) -> str:
    gone = [str(v) for v in before if v not in after]
    new = [str(v) for v in after if v not in before]
    parts = []
    if gone:
        parts.append(f"missing {len(gone)}: {', '.join(gone[:LISTED])}")
    if new:
        parts.append(f"new {len(new)}: {', '.join(new[:LISTED])}")
    return "; ".join(parts) or "same items, other order"


def _field(path: str, field: str, before: Any, after: Any) -> Difference | None:
    if field in PRICE_FIELDS:
        if price(before) == price(after):
            return None
    elif before == after:
        return None
    if isinstance(before, list) and isinstance(after, list):
        return Difference(path, field, f"{len(before)} items", _list_change(before, after))
    if isinstance(before, dict) and isinstance(after, dict):
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        shown = ", ".join(f"{k} {before.get(k)}→{after.get(k)}" for k in changed[:LISTED])
        return Difference(path, field, f"{len(changed)} changed", shown)
    return Difference(path, field, _shown(before), _shown(after))


def compare(before: Recording, after: Recording) -> list[Difference]:
    found: list[Difference] = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old is None or new is None:
            found.append(Difference(path, "page", "recorded" if old else "absent",
                                    "recorded" if new else "absent"))
            continue
        for field in sorted(old.keys() | new.keys(), key=lambda f: (f != "status", f)):
            difference = _field(path, field, old.get(field), new.get(field))
            if difference is not None:
                found.append(difference)
    return found


def to_json(differences: list[Difference], allowed: list[Difference], pages: int) -> str:
    return json.dumps({"pages": pages, "differences": [asdict(d) for d in differences],
                       "allowed": [asdict(d) for d in allowed]}, indent=2,
                      ensure_ascii=False) + "\n"
