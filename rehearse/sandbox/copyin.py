"""Files copied into a container instead of mounted. Host files for a server whose user cannot
read the user's file (SQL Server runs as uid 10001): the copy is read-only and owned by that
user; the host file is only read, streamed through a temporary tar file, never loaded whole into
memory. And the files a container needs before it starts (a store's App_Data, plugins, themes,
pictures): one archive for all of them, since each put_archive costs the engine ~60 ms."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

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


_ALL_FILES = "/.rehearse-files"  # names the one transfer of them all (never a real path)


class WithFiles(DockerContainer):
    """A container whose `files` (path in the container, content) go in as one archive between
    its creation and its start, instead of one transfer each (hundreds for a whole store)."""

    def __init__(self, image: str, files: tuple[tuple[str, bytes], ...] = (),
                 **kwargs: Any) -> None:
        super().__init__(image, **kwargs)
        self._files = files
        if files:
            self.with_copy_into_container(b"", _ALL_FILES)

    def _transfer_into_container(self, transferable: Any, destination: str, mode: int) -> None:
        if destination != _ALL_FILES:
            super()._transfer_into_container(transferable, destination, mode)
            return
        with tempfile.TemporaryFile() as archive:
            files_archive(archive, self._files)
            archive.seek(0)
            if not self.get_wrapped_container().put_archive("/", archive):
                raise EnvironmentNotReadyError(
                    f"copying {len(self._files)} files into {self.image} failed",
                    hint="check the Docker engine has room for the store's files")


def files_archive(stream: IO[bytes], files: tuple[tuple[str, bytes], ...],
                  mode: int = 0o644) -> None:
    """The tar put_archive unpacks at /: the files alone, so the folders they land in keep
    the owner and mode the image gave them."""
    with tarfile.open(fileobj=stream, mode="w") as tar:
        for target, content in files:
            info = tarfile.TarInfo(target.lstrip("/"))
            info.size, info.mode = len(content), mode
            tar.addfile(info, io.BytesIO(content))
