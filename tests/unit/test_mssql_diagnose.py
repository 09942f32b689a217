"""Every known SQL Server container failure, recognised from its recorded message or foreseen
before the start from fake files, users and engines."""

from __future__ import annotations

import os
import re
import stat
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse.database.engines.base import Credentials, new_password
from rehearse.database.engines.sqlserver import SqlServer
from rehearse.database.mssql_diagnose import (
    check_architecture,
    check_memory,
    check_readable,
    explain,
    memory_bytes,
    readable_by_server,
)
from rehearse.database.mssql_header import (
    BakVersion,
    check_restorable,
    image_for,
    version_in,
    year_of,
)
from rehearse.errors import BadInputError, EnvironmentNotReadyError, ExitCode

# Messages as the server or the container prints them (error numbers from learn.microsoft.com
# "Database engine events and errors"; the start messages from the mssql-server container log).
RECORDED = [
    ("sqlservr: This program requires a machine with at least 2000 megabytes of memory.\n"
     "/opt/mssql/bin/sqlservr: This program requires a machine with at least 2000 megabytes of "
     "memory.", ExitCode.ENVIRONMENT, "needs at least 2000 MB of memory"),
    ("[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Cannot open backup device "
     "'/backup/store.bak'. Operating system error 5(Access is denied.). (3201)",
     ExitCode.BAD_INPUT, "uid 10001 in the container) cannot read the backup"),
    ("[SQL Server]The database was backed up on a server running version 16.00.4135. That "
     "version is incompatible with this server, which is running version 15.00.4236. Either "
     "restore the database on a server that supports the backup, or use a backup that is "
     "compatible with this server. (3169)", ExitCode.BAD_INPUT,
     "from SQL Server 16.00.4135, newer than the sandbox's 15.00.4236 (Msg 3169)"),
    ("[SQL Server]The media set has 3 media families but only 1 are provided. All members must "
     "be provided. (3132)", ExitCode.BAD_INPUT, "striped over 3 files but only 1 were given"),
    ("[SQL Server]Cannot find server certificate with thumbprint "
     "'0x78FAB5A2A5D593FD3C4E163C90B745F70AB51233'. (33111)", ExitCode.BAD_INPUT,
     "encrypted (TDE or backup encryption) with the certificate "
     "0x78FAB5A2A5D593FD3C4E163C90B745F70AB51233"),
    ("[SQL Server]The log in this backup set begins at LSN 37000000034700001, which is too "
     "recent to apply to the database. (4305)", ExitCode.BAD_INPUT, "the backup chain has a gap"),
    ("ERROR: Unable to set system administrator password: Password validation failed. The "
     "password does not meet SQL Server password policy requirements because it is too short.",
     ExitCode.BAD_INPUT, "refused the sa password"),
    ("SQL Server 2022 will run as non-root by default.\nThe SQL Server End-User License Agreement "
     "(EULA) must be accepted before SQL Server can start.", ExitCode.ENVIRONMENT,
     "ACCEPT_EULA is not set"),
    ("[SQL Server]Full-Text Search is not installed, or a full-text component cannot be loaded. "
     "(7609)", ExitCode.BAD_INPUT, "full-text search, which this SQL Server image does not have"),
    ("exec /opt/mssql/bin/permissions_check.sh: exec format error", ExitCode.ENVIRONMENT,
     "runs on amd64 only"),
]


@pytest.mark.parametrize(("output", "code", "line"), RECORDED,
                         ids=[r[2][:30] for r in RECORDED])
def test_recorded_failures_become_one_clear_line(output: str, code: ExitCode, line: str) -> None:
    error = explain(output)
    assert error is not None and error.exit_code is code
    assert line in error.message and "\n" not in error.message and error.hint


def test_unknown_output_is_left_to_the_generic_message() -> None:
    assert explain("Msg 208, Invalid object name 'Foo'.") is None


@pytest.mark.parametrize(("limit", "ok"), [("4g", True), ("2g", True), ("2000m", True),
                                           ("1999m", False), ("1g", False), ("512M", False)])
def test_memory_limit_below_2000_mb_is_refused_before_start(limit: str, ok: bool) -> None:
    if ok:
        check_memory(limit, None)
        return
    with pytest.raises(BadInputError, match=r"limits.database_memory is .* at least 2000 MB"):
        check_memory(limit, None)


def test_an_engine_with_too_little_memory_is_the_environment() -> None:
    with pytest.raises(EnvironmentNotReadyError, match="Docker engine has 1536 MB"):
        check_memory(None, 1536 << 20)
    check_memory(None, 8 << 30)
    assert memory_bytes("1.5g") == 3 << 29 and memory_bytes("two gigs") is None


def fake_stat(mode: int, uid: int, gid: int) -> os.stat_result:
    return os.stat_result((mode, 0, 0, 1, uid, gid, 0, 0, 0, 0))


FILE, FOLDER = stat.S_IFREG, stat.S_IFDIR


@pytest.mark.parametrize(
    ("file", "folder", "readable"),
    [
        (fake_stat(FILE | 0o644, 1000, 1000), fake_stat(FOLDER | 0o755, 1000, 1000), True),
        (fake_stat(FILE | 0o600, 1000, 1000), fake_stat(FOLDER | 0o755, 1000, 1000), False),
        (fake_stat(FILE | 0o600, 10001, 0), fake_stat(FOLDER | 0o700, 10001, 0), True),
        (fake_stat(FILE | 0o640, 0, 0), fake_stat(FOLDER | 0o750, 0, 0), True),  # group root
        (fake_stat(FILE | 0o640, 0, 1000), fake_stat(FOLDER | 0o755, 0, 0), False),
        (fake_stat(FILE | 0o644, 1000, 1000), fake_stat(FOLDER | 0o700, 1000, 1000), False),
        (fake_stat(FILE | 0o044, 10001, 0), fake_stat(FOLDER | 0o755, 0, 0), False),  # owner bits
        (fake_stat(FILE | 0o644, 1000, 1000), None, True),  # mounted on its own
    ],
)
def test_readability_for_uid_10001(file: os.stat_result, folder: os.stat_result | None,
                                   readable: bool) -> None:
    assert readable_by_server(file, folder) is readable


def test_an_unreadable_backup_is_named_with_the_copy_fix() -> None:
    with pytest.raises(BadInputError, match="uid 10001 .* could not read /srv/store.bak "
                       r"\(mode -rw-------, owner 0\)") as raised:
        check_readable("/srv/store.bak", fake_stat(FILE | 0o600, 0, 0),
                       fake_stat(FOLDER | 0o755, 0, 0))
    assert "install -m 0444 /srv/store.bak" in raised.value.hint  # a copy, never a chmod


@pytest.mark.parametrize("architecture", ["aarch64", "arm64"])
def test_arm64_engines_are_told_the_way_out_before_any_pull(architecture: str) -> None:
    with pytest.raises(EnvironmentNotReadyError, match="amd64 only") as raised:
        check_architecture(architecture)
    assert "emulation" in raised.value.hint and "DOCKER_HOST" in raised.value.hint
    check_architecture("x86_64")


def mtf_head(internal: int, msci_block: int = 3) -> bytes:
    """A .bak's first blocks: MTF's TAPE descriptor, then SQL Server's MSCI block."""
    head = bytearray(512 * 8)
    head[:4] = b"TAPE"
    at = 512 * msci_block
    head[at:at + 4] = b"MSCI"
    head[at + 0xAC:at + 0xAE] = internal.to_bytes(2, "little")
    return bytes(head)


@pytest.mark.parametrize(("internal", "year", "image"),
                         [(869, 2017, "2017-latest"), (904, 2019, "2019-latest"),
                          (957, 2022, "2022-latest"), (998, 2025, "2025-latest"),
                          (852, 2016, "2017-latest"), (661, 2008, "2017-latest")])
def test_version_from_the_files_own_header(internal: int, year: int, image: str) -> None:
    assert version_in(mtf_head(internal)) == BakVersion(internal, year)
    assert year_of(internal) == year and image_for(year).endswith(f":{image}")


def test_no_version_where_the_header_cannot_be_read() -> None:
    assert version_in(b"MSSQLBAK" + bytes(4096)) is None  # not MTF
    assert version_in(b"TAPE" + bytes(4096)) is None  # no MSCI block
    assert version_in(mtf_head(7)) is None  # implausible


def test_a_user_image_older_than_the_backup_is_refused_msg_3169() -> None:
    with pytest.raises(BadInputError, match="from SQL Server 2022 .* is mcr.microsoft.com/mssql/"
                                            r"server:2019-latest \(SQL Server 2019\).*Msg 3169"):
        check_restorable(2022, "mcr.microsoft.com/mssql/server:2019-latest", "store.bak")
    with pytest.raises(BadInputError, match="older than 2008"):
        check_restorable(2005, "mcr.microsoft.com/mssql/server:2022-latest", "store.bak")
    check_restorable(2019, "mcr.microsoft.com/mssql/server:2022-CU14-ubuntu-22.04", "x.bak")


CREDENTIALS = Credentials("sa", "Aa1_p;w}d", "nopcommerce")


def test_the_default_image_follows_a_newer_backup(tmp_path: Path) -> None:
    from rehearse.database.backup import inspect_backup

    tmp_path.chmod(0o755)  # pytest makes it 0700: uid 10001 could not enter it
    bak = tmp_path / "store.bak"
    bak.write_bytes(mtf_head(998))
    spec = SqlServer().service_spec(SqlServer.default_image, CREDENTIALS, "4g",
                                    inspect_backup(bak))
    assert spec.image == "mcr.microsoft.com/mssql/server:2025-latest"
    assert spec.pre_start is not None and spec.explain is not None
    assert spec.env["ACCEPT_EULA"] == "Y"  # the EULA, accepted for the Developer edition


def test_pre_start_checks_run_on_real_files(tmp_path: Path) -> None:
    from rehearse.database.backup import inspect_backup

    tmp_path.chmod(0o755)
    bak = tmp_path / "store.bak"
    bak.write_bytes(mtf_head(957))
    with pytest.raises(BadInputError, match=r"limits.database_memory is 1g"):
        SqlServer().service_spec(SqlServer.default_image, CREDENTIALS, "1g", inspect_backup(bak))
    if os.getuid() != 10001:
        bak.chmod(0o600)
        with pytest.raises(BadInputError, match="could not read"):
            SqlServer().service_spec(SqlServer.default_image, CREDENTIALS, "4g",
                                     inspect_backup(bak))


# Microsoft "Password Policy": at least 8 characters, from three of four categories.
def meets_sql_server_policy(password: str) -> bool:
    categories = [string.ascii_uppercase, string.ascii_lowercase, string.digits]
    found = sum(any(c in cat for c in password) for cat in categories)
    found += bool(re.search(r"[^A-Za-z0-9]", password))
    return len(password) >= 8 and found >= 3


@given(st.integers(min_value=0, max_value=1000))
def test_every_generated_sa_password_meets_the_policy(_: int) -> None:
    assert meets_sql_server_policy(new_password())
    assert not meets_sql_server_policy("password")  # the checker itself can fail


def test_copy_backup_copies_instead_of_mounting_and_skips_the_read_check(tmp_path: Path) -> None:
    from dataclasses import replace

    from rehearse.database.backup import inspect_backup

    tmp_path.chmod(0o700)  # uid 10001 could not enter the folder
    bak = tmp_path / "store.bak"
    bak.write_bytes(mtf_head(957))
    backup = replace(inspect_backup(bak), copy_in=True)
    spec = SqlServer().service_spec(SqlServer.default_image, CREDENTIALS, "4g", backup)
    assert spec.mounts == ()
    (copy,) = spec.copies
    assert (copy.source, copy.target, copy.uid, copy.gid, copy.mode) == (
        str(bak), "/backup/store.bak", 10001, 0, 0o440)


def test_the_copy_in_archive_is_read_only_and_owned_by_the_server(tmp_path: Path) -> None:
    import io
    import tarfile

    from rehearse.sandbox.copyin import Copy, archive_into

    source = tmp_path / "store.bak"
    source.write_bytes(b"TAPE" + bytes(2000))
    source.chmod(0o600)
    before = source.stat()
    stream = io.BytesIO()
    archive_into(stream, Copy(str(source), "/backup/1/store.bak", 10001, 0))
    stream.seek(0)
    with tarfile.open(fileobj=stream) as tar:
        folder, member = tar.getmembers()
        assert (folder.name, folder.isdir()) == ("backup/1", True)
        assert (member.name, member.uid, member.gid, member.mode) == (
            "backup/1/store.bak", 10001, 0, 0o440)
        extracted = tar.extractfile(member)
        assert extracted is not None and extracted.read() == source.read_bytes()
    after = source.stat()
    assert (after.st_mode, after.st_uid, after.st_mtime) == (before.st_mode, before.st_uid,
                                                             before.st_mtime)


def test_the_files_of_a_store_go_in_as_one_archive_of_files_alone() -> None:
    """One put_archive for all of them (each costs the engine ~60 ms); no folder entries, so
    the image's own folders keep their owner and mode."""
    import io
    import tarfile

    from rehearse.sandbox.copyin import files_archive

    stream = io.BytesIO()
    files_archive(stream, (("/app/App_Data/appsettings.json", b"{}"),
                           ("/app/Plugins/Acme/plugin.json", b'{"a": 1}')))
    stream.seek(0)
    with tarfile.open(fileobj=stream) as tar:
        members = tar.getmembers()
        assert [(m.name, m.isfile(), m.mode) for m in members] == [
            ("app/App_Data/appsettings.json", True, 0o644),
            ("app/Plugins/Acme/plugin.json", True, 0o644)]
        extracted = tar.extractfile(members[1])
        assert extracted is not None and extracted.read() == b'{"a": 1}'
