"""The backup read once for its SHA-256, on a thread beside the restore (the page cache serves the
engine and the hash), and a cheap proof at the end that nothing wrote to it since check inputs:
each file's size, mtime, ctime, inode and device. The ctime cannot be set from user space: any
write, truncation, rename over it or `touch` moves it (POSIX stat, st_ctim)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.database.backup import Backup, file_sha256, folder_files, sha256

COMPARED = "size, mtime, ctime and inode of each file, as at check inputs"
FileStamp = tuple[str, int, int, int, int, int]


@dataclass(frozen=True)
class Stamp:
    files: tuple[FileStamp, ...]


def covered(backup: Backup) -> list[Path]:
    """Every file the backup's SHA-256s cover: the file, a folder's files, a chain's parts."""
    found = folder_files(backup.path) if backup.path.is_dir() else [backup.path]
    return found + [part for part in backup.parts if part not in found]


def stamp(backup: Backup) -> Stamp:
    """Raises OSError when a file has gone."""
    stamps = []
    for path in covered(backup):
        info = path.stat()
        stamps.append((str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                       info.st_ino, info.st_dev))
    return Stamp(tuple(stamps))


@dataclass
class Digests:
    """The backup's SHA-256 (a folder's from its files') and each part's, by name."""

    whole: str = ""
    parts: dict[str, str] = field(default_factory=dict)


def digests(backup: Backup, stop: threading.Event | None = None) -> Digests:
    """Each file read once, even when the whole's and the parts' digests both need it."""
    known: dict[Path, str] = {}

    def of_file(path: Path) -> str:
        if path not in known:
            known[path] = file_sha256(path, stop.is_set if stop else lambda: False)
        return known[path]

    whole = sha256(backup.path, of_file)
    parts = {part.name: of_file(part) for part in backup.parts}
    return Digests(whole, parts)


@contextmanager
def digested_alongside(backup: Backup) -> Iterator[Digests]:
    """Hash on a thread for the length of the block; the Digests are filled in when the block
    ends well, left empty when it fails (the hash is stopped, not waited for) or a file cannot
    be read (the stamp at the end still says whether it was written to)."""
    found, stop = Digests(), threading.Event()

    def work() -> None:
        with suppress(OSError):
            result = digests(backup, stop)
            found.whole, found.parts = result.whole, result.parts

    thread = threading.Thread(target=work, name="backup-sha256", daemon=True)
    thread.start()
    try:
        yield found
    except BaseException:
        stop.set()
        thread.join()
        found.whole, found.parts = "", {}
        raise
    thread.join()
