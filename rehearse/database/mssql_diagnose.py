"""Every known way a .bak restore fails in the Linux SQL Server container, as one clear line:
checked before the container starts where the facts allow, recognised in its output otherwise."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from os import stat_result

from rehearse.errors import BadInputError, EnvironmentNotReadyError, RehearseError

SERVER_UID, SERVER_GID = 10001, 0  # the 2019+ images run as mssql (uid 10001, group root)
MIN_MEMORY_MB = 2000  # sqlservr: "requires a machine with at least 2000 megabytes of memory"
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*", re.IGNORECASE)
AMD64 = ("x86_64", "amd64")

_COPY_HINT = ("set store.copy_backup: true (rehearse copies it into the container, read-only "
              "and owned by uid 10001; your file is only read), or copy it yourself where uid "
              "10001 can read it (`install -m 0444 {path} <folder>/`, folder mode 0755)")


ARM64_HINT = ("use amd64 emulation (Docker Desktop: Rosetta / QEMU) or an amd64 Docker engine "
              "through DOCKER_HOST")
_BAD, _ENV = BadInputError, EnvironmentNotReadyError


@dataclass(frozen=True)
class Known:
    """A server or container message, what it means ({0}, {1}: its groups) and what to do."""

    pattern: str
    kind: type[RehearseError]
    message: str
    hint: str


KNOWN: tuple[Known, ...] = (
    # Microsoft, "Quickstart: Run SQL Server Linux container images with Docker": 2 GB at least.
    Known(r"requires a machine with at least (\d+) megabytes of memory", _ENV,
          "SQL Server stopped at start: it needs at least {0} MB of memory",
          "set limits.database_memory to 2g or more, and give Docker that much"),
    # Msg 3201 "Cannot open backup device … Operating system error 5(Access is denied.)".
    Known(r"Operating system error 5\s*\(\s*Access is denied", _BAD,
          "SQL Server (uid 10001 in the container) cannot read the backup: Operating system "
          "error 5 (Access is denied, Msg 3201)", _COPY_HINT.format(path="the backup")),
    # Msg 3169.
    Known(r"backed up on a server running version (\d+(?:\.\d+)*).*?incompatible with this server, "
          r"which is running version (\d+(?:\.\d+)*)", _BAD,
          "the backup comes from SQL Server {0}, newer than the sandbox's {1} (Msg 3169)",
          "set images.database to an image at least that new "
          "(mcr.microsoft.com/mssql/server:<year>-latest), or leave it unset"),
    # Msg 3132.
    Known(r"media set has (\d+) media families but only (\d+) are provided", _BAD,
          "the backup is striped over {0} files but only {1} were given (Msg 3132)",
          "list every stripe in store.backup, or give their folder"),
    # Msg 33111.
    Known(r"Cannot find server certificate with thumbprint '?(0x[0-9A-F]+)", _BAD,
          "the backup is encrypted (TDE or backup encryption) with the certificate {0}, which "
          "the sandbox lacks (Msg 33111)",
          "add the certificate and its private key under store.certificates (files exported "
          "with BACKUP CERTIFICATE … TO FILE … WITH PRIVATE KEY)"),
    # Msg 4305 / 3117: a log or differential that does not follow on.
    Known(r"(Msg 4305|too recent to apply to the database|no files are ready to rollforward)",
          _BAD, "the backup chain has a gap: a differential or log backup does not follow the "
                "one before it (Msg 4305/3117)", "give every log backup since the full one"),
    # The container's log when MSSQL_SA_PASSWORD breaks the password policy.
    Known(r"Password validation failed", _BAD,
          "SQL Server refused the sa password: it does not meet its password policy",
          "use 8+ characters from three of: upper case, lower case, digits, symbols "
          "(Microsoft \"Password Policy\")"),
    Known(r"End-User License Agreement \(EULA\) must be accepted", _ENV,
          "SQL Server did not start: ACCEPT_EULA is not set",
          "report this: rehearse sets ACCEPT_EULA=Y"),
    # Msg 7609: the Linux image has no full-text component (mssql-server-fts is separate).
    Known(r"(Msg 7609|Full-Text Search is not installed)", _BAD,
          "the store uses full-text search, which this SQL Server image does not have "
          "(Msg 7609)",
          "rehearse turns commonsettings.usefulltextsearch off in the sandbox copy; if this "
          "comes from a search page, the store's own full-text setting was still on"),
    Known(r"exec format error|no matching manifest for linux/arm64", _ENV,
          "the SQL Server image runs on amd64 only, and this Docker engine is arm64",
          ARM64_HINT),
)


def explain(output: str) -> RehearseError | None:
    """The known failure in a server's or container's output, as one line; None if unknown."""
    for known in KNOWN:
        found = re.search(known.pattern, output, re.IGNORECASE | re.DOTALL)
        if found:
            return known.kind(known.message.format(*found.groups()), hint=known.hint)
    return None


def memory_bytes(text: str) -> int | None:
    found = _SIZE.fullmatch(text)
    if not found:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def check_memory(limit: str | None, engine_total: int | None) -> None:
    """Before the start: the container limit and the engine's memory both reach 2000 MB."""
    limit_bytes = memory_bytes(limit) if limit else None
    if limit_bytes is not None and limit_bytes < MIN_MEMORY_MB << 20:
        raise BadInputError(
            f"limits.database_memory is {limit}, but SQL Server needs at least 2000 MB: it would "
            "stop at start", hint="set limits.database_memory to 2g or more (4g is the default)")
    if engine_total is not None and engine_total < MIN_MEMORY_MB << 20:
        raise EnvironmentNotReadyError(
            f"the Docker engine has {engine_total >> 20} MB of memory; SQL Server needs 2000 MB",
            hint="give Docker more memory (Docker Desktop: Settings > Resources)")


def readable_by_server(file: stat_result, folder: stat_result | None) -> bool:
    """Whether uid 10001 (group 0) can open the file in the mounted folder (None: the file
    itself is mounted)."""
    return _allows(file, stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH) and (
        folder is None or _allows(folder, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH))


def _allows(info: stat_result, user: int, group: int, other: int) -> bool:
    if info.st_uid == SERVER_UID:
        return bool(info.st_mode & user)
    if info.st_gid == SERVER_GID:
        return bool(info.st_mode & group)
    return bool(info.st_mode & other)


def check_readable(path: str, file: stat_result, folder: stat_result | None) -> None:
    if not readable_by_server(file, folder):
        raise BadInputError(
            f"SQL Server runs as uid 10001 in its container and could not read {path} "
            f"(mode {stat.filemode(file.st_mode)}, owner {file.st_uid}): RESTORE would fail "
            "with Operating system error 5", hint=_COPY_HINT.format(path=path))


def check_architecture(architecture: str) -> None:
    """mssql/server images are published for linux/amd64 only."""
    if architecture.lower() not in AMD64:
        raise EnvironmentNotReadyError(
            f"the Docker engine is {architecture}; the SQL Server image runs on amd64 only",
            hint=ARM64_HINT)
