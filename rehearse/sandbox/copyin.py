"""Host files copied into a container instead of mounted: for a server whose user cannot read the
user's file (SQL Server runs as uid 10001). The copy is read-only and owned by that user; the
host file is only read, streamed through a temporary tar file, never loaded whole into memory."""

from __future__ import annotations

import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from docker.errors import DockerException
from testcontainers.core.container import DockerContainer

from rehearse.errors import EnvironmentNotReadyError


@dataclass(frozen=True)
class Copy:
    source: str
    target: str
    uid: int = 0
    gid: int = 0
    mode: int = 0o440  # read-only, even for its owner


def folder_copies(source: str, target: str, only: tuple[str, ...] = ()) -> tuple[Copy, ...]:
    """A mount's worth of copies: the files `only` names under `source` (all when empty), each
    read-only for anyone in the container, as a read-only bind mount of them would be."""
    folder = Path(source)
    if folder.is_file():  # a single file mounted on its own
        return (Copy(source, target, mode=0o444),)
    names = only or tuple(str(p.relative_to(folder)) for p in sorted(folder.rglob("*"))
                          if p.is_file())
    return tuple(Copy(str(folder / name), str(PurePosixPath(target) / name), mode=0o444)
                 for name in names)


def archive_into(stream: IO[bytes], copy: Copy) -> None:
    """Write the tar that put_archive unpacks at /: the target's folder, then the file."""
    with tarfile.open(fileobj=stream, mode="w") as tar, open(copy.source, "rb") as source:
        folder = tarfile.TarInfo(str(PurePosixPath(copy.target).parent).lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        info = tarfile.TarInfo(copy.target.lstrip("/"))
        info.size = os.fstat(source.fileno()).st_size
        info.uid, info.gid, info.mode = copy.uid, copy.gid, copy.mode
        tar.addfile(info, source)


def copy_in(container: DockerContainer, copy: Copy) -> None:
    with tempfile.TemporaryFile() as archive:
        archive_into(archive, copy)
        archive.seek(0)
        try:
            container.get_wrapped_container().put_archive("/", archive)
        except DockerException as error:
            raise EnvironmentNotReadyError(
                f"copying {copy.source} into the container failed ({error})",
                hint="check the Docker engine has room for a copy of the backup") from error
