"""SQL Server chains, stripes and encrypted backups, over recorded server answers.

The rows are shaped as learn.microsoft.com documents them: "RESTORE Statements - LABELONLY"
(MediaSetId, FamilyCount, FamilySequenceNumber) and "RESTORE Statements - HEADERONLY" (BackupType
1 database, 2 log, 5 differential; Position; FirstLSN, LastLSN, CheckpointLSN, DifferentialBaseLSN
as numeric(25,0), which pyodbc returns as Decimal; SoftwareVersionMajor; EncryptorThumbprint)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rehearse.database.mssql_restore import SERVER_MAJOR_SQL, restore_database
from rehearse.database.mssql_tsql import Certificate, transfer_for
from rehearse.errors import BadInputError

GOLDEN = Path(__file__).parents[1] / "fixtures" / "sqlserver"
LABEL_COLUMNS = ["MediaName", "MediaSetId", "FamilyCount", "FamilySequenceNumber",
                 "MediaFamilyId", "MediaSequenceNumber", "SoftwareName", "IsCompressed"]
HEADER_COLUMNS = ["BackupName", "BackupType", "Position", "DatabaseName", "FirstLSN", "LastLSN",
                  "CheckpointLSN", "DatabaseBackupLSN", "DifferentialBaseLSN",
                  "SoftwareVersionMajor", "SoftwareVersionMinor", "IsCopyOnly",
                  "BackupTypeDescription", "EncryptorThumbprint"]
FILELIST_COLUMNS = ["LogicalName", "PhysicalName", "Type", "FileGroupName", "FileId",
                    "TDEThumbprint"]
FILELIST = [("nopCommerce", r"C:\SQL\nop.mdf", "D", "PRIMARY", 1, None),
            ("nopCommerce_log", r"C:\SQL\nop_log.ldf", "L", None, 2, None)]
MEDIA = {  # file -> media set id, family count, family sequence
    "/backup/full.bak": ("A1", 1, 1), "/backup/diff.bak": ("B2", 1, 1),
    "/backup/log1.trn": ("C3", 1, 1), "/backup/log2.trn": ("D4", 1, 1),
    "/backup/old_full.bak": ("E5", 1, 1), "/backup/stripe1.bak": ("F6", 3, 1),
    "/backup/stripe2.bak": ("F6", 3, 2), "/backup/stripe3.bak": ("F6", 3, 3),
}


def header(kind: int, first: int, last: int, checkpoint: int, base: int = 0,
           major: int = 16, thumbprint: str | None = None) -> tuple[Any, ...]:
    description = {1: "Database", 2: "Transaction Log", 5: "Database Differential"}[kind]
    database_backup = Decimal(base) if kind == 5 else Decimal(0)
    return ("nop", kind, 1, "nopCommerce", Decimal(first), Decimal(last), Decimal(checkpoint),
            database_backup, Decimal(base) if base else None, major, 0, 0, description,
            thumbprint)


HEADERS = {
    "/backup/full.bak": header(1, 1000, 1200, 1100),
    "/backup/old_full.bak": header(1, 100, 300, 200),
    "/backup/diff.bak": header(5, 1500, 1700, 1600, base=1100),
    "/backup/log1.trn": header(2, 1150, 1800, 1100),
    "/backup/log2.trn": header(2, 1800, 2500, 1100),
    "/backup/stripe1.bak": header(1, 1000, 1200, 1100),
}


class RecordedMaster:
    """`master` as the server answers it; records every statement it is sent."""

    def __init__(self, server_major: int = 16, headers: dict[str, tuple[Any, ...]] | None = None,
                 filelist: list[tuple[Any, ...]] | None = None) -> None:
        self.sent: list[str] = []
        self.server_major = server_major
        self.headers = headers or HEADERS
        self.filelist = filelist or FILELIST

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.sent.append(sql)
        device = sql.split("DISK = N'")[1].split("'")[0] if "DISK" in sql else ""
        if sql.startswith("RESTORE LABELONLY"):
            media_set, count, sequence = MEDIA[device]
            return LABEL_COLUMNS, [("", media_set, count, sequence, "x", 1, "Microsoft SQL "
                                    "Server", 0)]
        if sql.startswith("RESTORE HEADERONLY"):
            return HEADER_COLUMNS, [self.headers[device]]
        if sql.startswith("RESTORE FILELISTONLY"):
            return FILELIST_COLUMNS, self.filelist
        assert sql == SERVER_MAJOR_SQL
        return ["major"], [(self.server_major,)]

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        self.sent.append(sql)
        return []


def restore(devices: list[str], master: RecordedMaster | None = None,
            certificates: tuple[Certificate, ...] = ()) -> tuple[list[str], RecordedMaster]:
    master = master or RecordedMaster()
    return restore_database(master, "nopcommerce", devices, certificates, "Aa1_key"), master


def golden(name: str, statements: list[str]) -> None:
    assert "\n\n".join(statements) + "\n" == (GOLDEN / f"{name}.sql").read_text()


def test_a_chain_restores_full_then_newest_differential_then_logs_norecovery_until_last() -> None:
    devices = ["/backup/log2.trn", "/backup/old_full.bak", "/backup/diff.bak",
               "/backup/full.bak", "/backup/log1.trn"]  # any order, an older full among them
    statements, _ = restore(devices)
    golden("chain_full_diff_logs", statements)


def test_a_striped_backup_is_restored_from_all_its_files_in_family_order() -> None:
    statements, _ = restore(["/backup/stripe3.bak", "/backup/stripe1.bak", "/backup/stripe2.bak"])
    golden("stripes_full", statements)


def test_a_missing_stripe_is_named_before_any_restore() -> None:
    with pytest.raises(BadInputError, match=r"3 files \(media families\) but only 2 are given: "
                       r"/backup/stripe1.bak \(family 1\), /backup/stripe3.bak \(family 3\); "
                       r"family 2 is missing \(Msg 3132\)") as raised:
        restore(["/backup/stripe1.bak", "/backup/stripe3.bak"])
    assert "store.backup" in raised.value.hint


def test_a_gap_in_the_log_chain_names_the_files_on_either_side() -> None:
    with pytest.raises(BadInputError, match=r"a log backup is missing between /backup/full.bak "
                       r"\(ends at LSN 1200\) and /backup/log2.trn \(starts at LSN 1800\)"):
        restore(["/backup/full.bak", "/backup/log2.trn"])


def test_without_a_full_backup_nothing_is_restored() -> None:
    master = RecordedMaster()
    with pytest.raises(BadInputError, match="none of the backup files holds a full"):
        restore(["/backup/diff.bak", "/backup/log1.trn"], master)
    assert not [s for s in master.sent if s.startswith("RESTORE DATABASE")]


def test_a_backup_from_a_newer_server_is_refused_before_restore() -> None:
    master = RecordedMaster(server_major=15)  # a 2019 image; the backup says 16 (2022)
    with pytest.raises(BadInputError, match=r"SQL Server 2022 \(version 16\), newer than the "
                       r"sandbox's 2019: RESTORE would fail with Msg 3169") as raised:
        restore(["/backup/full.bak"], master)
    assert "mssql/server:2022-latest" in raised.value.hint
    assert not [s for s in master.sent if s.startswith("RESTORE DATABASE")]


def test_an_encrypted_backup_without_certificates_is_named_before_restore() -> None:
    encrypted = {**HEADERS, "/backup/full.bak": header(1, 1000, 1200, 1100,
                                                        thumbprint="0x9C1F")}
    with pytest.raises(BadInputError, match=r"encrypted with the certificate 0x9C1F.*Msg 33111"):
        restore(["/backup/full.bak"], RecordedMaster(headers=encrypted))


def test_certificates_are_created_first_from_the_users_files() -> None:
    encrypted = {**HEADERS, "/backup/full.bak": header(1, 1000, 1200, 1100,
                                                        thumbprint="0x9C1F")}
    certificate = Certificate("rehearse_certificate_1",
                              "/var/opt/mssql/rehearse-certificates/1.cer",
                              "/var/opt/mssql/rehearse-certificates/1.pvk", "it's secret")
    _, master = restore(["/backup/full.bak"], RecordedMaster(headers=encrypted), (certificate,))
    golden("tde_certificates", master.sent[:2])
    assert master.sent[2].startswith("RESTORE LABELONLY")  # before any header is read


def test_a_differential_of_another_full_backup_is_left_out() -> None:
    other = {**HEADERS, "/backup/diff.bak": header(5, 1500, 1700, 1600, base=200)}
    statements, _ = restore(["/backup/full.bak", "/backup/diff.bak"],
                            RecordedMaster(headers=other))
    assert len(statements) == 1 and "full.bak" in statements[0]


def test_a_tde_database_without_certificates_is_named_from_filelistonly() -> None:
    tde = [(*row[:5], "0x4C2A9E") for row in FILELIST]
    master = RecordedMaster(filelist=tde)
    with pytest.raises(BadInputError, match=r"encrypted with TDE \(certificate 0x4C2A9E\).*"
                                            r"Msg 33111"):
        restore(["/backup/full.bak"], master)
    assert not [s for s in master.sent if s.startswith("RESTORE DATABASE")]


def test_every_restore_of_a_chain_reads_with_sized_buffers() -> None:
    devices = ["/backup/full.bak", "/backup/diff.bak", "/backup/log1.trn", "/backup/log2.trn"]
    master = RecordedMaster()
    statements = restore_database(master, "nopcommerce", devices, (), "Aa1_key",
                                  transfer=transfer_for(4 << 30))
    sized = ",\n    BUFFERCOUNT = 64,\n    MAXTRANSFERSIZE = 4194304"
    assert len(statements) == 4
    assert all(statement.endswith("STATS = 5" + sized) for statement in statements)
    unsized, _ = restore(devices)
    assert [statement.replace(sized, "") for statement in statements] == unsized
