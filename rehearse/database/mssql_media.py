"""Striped media sets and backup chains: which .bak/.trn files restore in which order.

From the rows of RESTORE LABELONLY (MediaSetId, FamilyCount, FamilySequenceNumber) and RESTORE
HEADERONLY (BackupType, Position, FirstLSN, LastLSN, CheckpointLSN, DifferentialBaseLSN), as
documented on learn.microsoft.com "RESTORE Statements - LABELONLY / HEADERONLY (Transact-SQL)".
A missing stripe is Msg 3132 ("The media set has N media families but only M are provided"); a gap
in the log chain is Msg 4305 ("The log in this backup set begins at LSN …, which is too recent").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rehearse.errors import BadInputError

FULL, LOG, DIFFERENTIAL = 1, 2, 5  # HEADERONLY BackupType: 1 database, 2 log, 5 differential


@dataclass(frozen=True)
class MediaSet:
    """The files of one media set, in family order; stripes of one backup share a media set."""

    media_set_id: str
    family_count: int
    files: tuple[str, ...]


@dataclass(frozen=True)
class BackupSet:
    """One backup in a media set (a file can hold several: Position 1, 2, …)."""

    media: MediaSet
    position: int
    kind: int
    first_lsn: int
    last_lsn: int
    checkpoint_lsn: int
    differential_base_lsn: int
    database: str = ""
    encryptor_thumbprint: str = ""
    software_major: int = 0  # SoftwareVersionMajor: 15 = SQL Server 2019, 16 = 2022
    database_backup_lsn: int = 0  # the CheckpointLSN of the full backup it follows

    def based_on(self, full: BackupSet) -> bool:
        """A differential's base is the full whose CheckpointLSN it names (DifferentialBaseLSN,
        or DatabaseBackupLSN where the former is empty)."""
        base = self.differential_base_lsn or self.database_backup_lsn
        return base == full.checkpoint_lsn

    @property
    def name(self) -> str:
        where = " + ".join(self.media.files)
        return where if self.position == 1 else f"{where} (backup {self.position})"


@dataclass(frozen=True)
class Label:
    """One row of RESTORE LABELONLY for one file."""

    file: str
    media_set_id: str
    family_count: int
    family_sequence: int


def rows_as_dicts(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    names = [c.lower() for c in columns]
    return [dict(zip(names, row, strict=False)) for row in rows]


def label(file: str, row: dict[str, Any]) -> Label:
    return Label(file, str(row["mediasetid"]), int(row["familycount"]),
                 int(row["familysequencenumber"]))


def media_sets(labels: Sequence[Label]) -> list[MediaSet]:
    """Group files into media sets; a missing family is named before the server says Msg 3132."""
    found: dict[str, list[Label]] = {}
    for item in labels:
        found.setdefault(item.media_set_id, []).append(item)
    return [_media_set(members) for members in found.values()]


def _media_set(members: list[Label]) -> MediaSet:
    count = members[0].family_count
    by_family = {m.family_sequence: m.file for m in members}
    missing = [n for n in range(1, count + 1) if n not in by_family]
    if missing:
        given = ", ".join(f"{by_family[n]} (family {n})" for n in sorted(by_family))
        raise BadInputError(
            f"a striped backup has {count} files (media families) but only {len(by_family)} are "
            f"given: {given}; family {', '.join(map(str, missing))} is missing (Msg 3132)",
            hint="give every file the backup was striped over (BACKUP … TO DISK = a, DISK = b): "
                 "list them all in store.backup, or put them in one folder")
    files = tuple(by_family[n] for n in range(1, count + 1))
    return MediaSet(members[0].media_set_id, count, files)


def backup_set(media: MediaSet, row: dict[str, Any]) -> BackupSet:
    def lsn(name: str) -> int:
        value = row.get(name)
        return int(value) if value not in (None, "") else 0

    return BackupSet(media, int(row["position"]), int(row["backuptype"]), lsn("firstlsn"),
                     lsn("lastlsn"), lsn("checkpointlsn"), lsn("differentialbaselsn"),
                     str(row.get("databasename") or ""),
                     str(row.get("encryptorthumbprint") or ""),
                     int(row.get("softwareversionmajor") or 0), lsn("databasebackuplsn"))


def restore_chain(sets: Sequence[BackupSet]) -> list[BackupSet]:
    """The newest full backup, its newest differential, then every log backup after it, in order;
    a gap names the files on either side of it."""
    fulls = [s for s in sets if s.kind == FULL]
    if not fulls:
        raise BadInputError("none of the backup files holds a full database backup",
                            hint="add the full backup (.bak) the differential and log backups "
                                 "belong to")
    full = max(fulls, key=lambda s: s.last_lsn)
    diffs = [s for s in sets if s.kind == DIFFERENTIAL and s.based_on(full)]
    chain = [full] + ([max(diffs, key=lambda s: s.last_lsn)] if diffs else [])
    return chain + _logs_after(chain[-1], [s for s in sets if s.kind == LOG])


def _logs_after(base: BackupSet, logs: list[BackupSet]) -> list[BackupSet]:
    later = sorted((s for s in logs if s.last_lsn > base.last_lsn), key=lambda s: s.first_lsn)
    chain: list[BackupSet] = []
    previous, reached = base, base.last_lsn
    for log in later:
        starts_in = log.first_lsn <= reached if not chain else log.first_lsn == reached
        if not starts_in:
            raise BadInputError(
                f"a log backup is missing between {previous.name} (ends at LSN {reached}) and "
                f"{log.name} (starts at LSN {log.first_lsn}): the chain breaks (Msg 4305)",
                hint="add the log backup (.trn) taken between those two, or leave out the "
                     "later log backups to rehearse an older point")
        chain.append(log)
        previous, reached = log, log.last_lsn
    return chain
