"""A .bak's SQL Server version, read from the file itself before any container starts.

A .bak is Microsoft Tape Format (MTF 1.00a: a `TAPE` block, then 512-byte-aligned descriptor
blocks). SQL Server's own configuration block, `MSCI`, holds the database's internal version (the
`DatabaseVersion` column of RESTORE HEADERONLY) as a little-endian uint16 at offset 0xAC (read the
same way by JaCoB1123/sql-backup-version). Where it cannot be read (a compressed or foreign
layout), the version comes from RESTORE HEADERONLY in the container instead.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import BadInputError

BLOCK = 512
_SCAN_BLOCKS = 128
_VERSION_AT = 0xAC
IMAGE = "mcr.microsoft.com/mssql/server"

# Internal database version -> SQL Server release ("SQL Server internal database versions",
# sqlserverbuilds; Microsoft "Compatibility certification" lists 2008 as the oldest backup that
# 2017-2025 restore).
_RELEASES = ((539, 2000), (611, 2005), (655, 2008), (660, 2008), (706, 2012), (782, 2014),
             (852, 2016), (869, 2017), (895, 2019), (950, 2022), (998, 2025))
# Linux images exist from 2017 (mcr.microsoft.com/mssql/server tags <year>-latest).
IMAGE_YEARS = (2017, 2019, 2022, 2025)
OLDEST_RESTORABLE = 2008
# RESTORE HEADERONLY SoftwareVersionMajor -> release (13 = 2016 … 17 = 2025).
MAJOR_YEARS = {8: 2000, 9: 2005, 10: 2008, 11: 2012, 12: 2014, 13: 2016, 14: 2017, 15: 2019,
               16: 2022, 17: 2025}
_TAG_YEAR = re.compile(r":(20\d\d)(?:\D|$)")


@dataclass(frozen=True)
class BakVersion:
    internal: int
    year: int


def read_version(path: Path) -> BakVersion | None:
    """The backup's database version from its MSCI block; None where it cannot be read."""
    with path.open("rb") as stream:
        head = stream.read(BLOCK * _SCAN_BLOCKS)
    return version_in(head)


def version_in(head: bytes) -> BakVersion | None:
    if not head.startswith(b"TAPE"):
        return None
    for offset in range(BLOCK, len(head) - _VERSION_AT - 1, BLOCK):
        if head[offset:offset + 4] == b"MSCI":
            internal = int.from_bytes(head[offset + _VERSION_AT:offset + _VERSION_AT + 2],
                                      "little")
            return BakVersion(internal, year_of(internal)) if 500 <= internal < 2000 else None
    return None


def year_of(internal: int) -> int:
    floors = [floor for floor, _ in _RELEASES]
    return _RELEASES[max(bisect.bisect_right(floors, internal) - 1, 0)][1]


def image_for(year: int) -> str:
    """The official image of the backup's release, or the oldest newer one (none before 2017)."""
    newer = [y for y in IMAGE_YEARS if y >= year]
    return f"{IMAGE}:{(newer[0] if newer else IMAGE_YEARS[-1])}-latest"


def image_year(image: str) -> int | None:
    found = _TAG_YEAR.search(image)
    return int(found.group(1)) if found else None


def check_restorable(year: int, image: str, backup: str) -> None:
    """Msg 3169 before it happens: a backup restores only on its own release or a newer one."""
    if year < OLDEST_RESTORABLE:
        raise BadInputError(
            f"backup {backup} is from SQL Server {year}: no SQL Server on Linux restores backups "
            f"older than {OLDEST_RESTORABLE}",
            hint="restore it on SQL Server 2008-2016 (Windows), back it up again, and use that")
    running = image_year(image)
    if running is not None and running < year:
        raise BadInputError(
            f"backup {backup} is from SQL Server {year} but images.database is {image} "
            f"(SQL Server {running}): the restore would fail with Msg 3169",
            hint=f"set images.database to {image_for(year)}, or leave it unset")
