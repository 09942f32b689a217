"""Last night's backup found by itself: the newest readable match of store.backup's glob."""

from __future__ import annotations

import glob
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rehearse.database.backup import Backup, inspect_backup
from rehearse.database.backupset import inspect_backup_set
from rehearse.errors import BadInputError, RehearsalFailedError

_GLOB = re.compile(r"[*?\[]")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Unreadable:
    path: Path
    why: str


@dataclass(frozen=True)
class BackupPick:
    backup: Backup
    pattern: str
    matches: int
    age_seconds: float
    unreadable: tuple[Unreadable, ...] = ()

    def facts(self) -> dict[str, str]:
        """For the report's backup section."""
        return {"age": age_text(self.age_seconds), "age_seconds": f"{self.age_seconds:.0f}",
                "pattern": self.pattern, "matches": str(self.matches),
                "unreadable": "; ".join(f"{u.path} ({u.why})" for u in self.unreadable)}


def is_glob(path: Path) -> bool:
    """A pattern, unless a file of that very name exists (brackets are legal in names)."""
    return bool(_GLOB.search(str(path))) and not path.exists()


def pick_backup(pattern: Path, now: float | None = None) -> BackupPick:
    """The backup itself, or for a glob the newest match (by modification time) rehearse reads."""
    now = time.time() if now is None else now
    if not is_glob(pattern):
        backup = inspect_backup_set(pattern)  # a file, or a MySQL dump project folder
        return BackupPick(backup, str(pattern), 1, now - pattern.stat().st_mtime)
    candidates = sorted((Path(p) for p in glob.glob(str(pattern))), key=_mtime, reverse=True)
    if not candidates:
        raise BadInputError(f"no backup matches {pattern}",
                            hint="check store.backup's folder and pattern (the newest match by "
                                 "modification time is rehearsed)")
    unreadable: list[Unreadable] = []
    for path in candidates:
        try:
            backup = _readable(path)
        except BadInputError as error:
            unreadable.append(Unreadable(path, error.message.removeprefix(f"backup {path} ")))
        else:
            return BackupPick(backup, str(pattern), len(candidates), now - _mtime(path),
                              tuple(unreadable))
    raise BadInputError(f"none of the {len(candidates)} backups matching {pattern} can be read: "
                        f"{unreadable[0].path} {unreadable[0].why}",
                        hint="take the backup again, or fix its permissions")


def require_fresh(pick: BackupPick, max_age: str | None) -> None:
    """A nightly job that silently rehearses last month's backup is worse than none."""
    if max_age is None or pick.age_seconds <= parse_age(max_age):
        return
    raise RehearsalFailedError(
        f"the newest backup {pick.backup.path} is {age_text(pick.age_seconds)} old, older than "
        f"checks.max_backup_age ({max_age})",
        hint="check that last night's backup job ran and wrote where store.backup points")


def parse_age(text: str) -> float:
    """`26h`, `90min`, `2d` as seconds."""
    found = _AGE.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not an age: write a number and a unit (s, min, h, d, w), "
                         "e.g. 26h")
    return float(found.group(1)) * _UNITS[found.group(2)]


def age_text(seconds: float) -> str:
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _readable(path: Path) -> Backup:
    if path.is_symlink() and not path.exists():
        raise BadInputError(f"backup {path} is a link to a file that is gone")
    if path.is_dir():
        raise BadInputError(f"backup {path} is a folder")
    try:
        return inspect_backup(path)
    except OSError as error:
        raise BadInputError(f"backup {path} cannot be read ({error.strerror})") from error


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # a dangling link still sorts, by the link's own time
        return path.lstat().st_mtime
