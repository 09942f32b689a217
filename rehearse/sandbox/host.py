"""The Docker engine rehearse talks to, and the images it needs to be there."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import docker
from docker.errors import DockerException, ImageNotFound

from rehearse.errors import EnvironmentNotReadyError


@cache
def client() -> docker.DockerClient:
    try:
        found = docker.from_env()
        found.ping()
    except DockerException as error:
        raise EnvironmentNotReadyError(
            f"no Docker engine answers ({_first_line(error)})",
            hint="start Docker (on Debian as root: scripts/host-setup.sh), then re-run",
        ) from error
    return found


@dataclass(frozen=True)
class EngineFacts:
    """What a database image needs to know of the engine before it starts."""

    architecture: str  # x86_64, aarch64, …
    memory: int  # bytes


def engine_facts() -> EngineFacts:
    info = client().info()
    return EngineFacts(str(info.get("Architecture", "")), int(info.get("MemTotal") or 0))


def ensure_image(image: str, pull: bool = True) -> None:
    """Check the image is local; pull it when allowed, else say how to get it."""
    try:
        client().images.get(image)
        return
    except ImageNotFound:
        if not pull:
            raise _missing(image, "") from None
    except DockerException as error:  # a name the engine refuses, say
        raise _missing(image, f" ({_first_line(error)})") from error
    try:
        client().images.pull(image)
    except DockerException as error:
        raise _missing(image, f": pulling failed ({_first_line(error)})") from error


def _missing(image: str, why: str) -> EnvironmentNotReadyError:
    return EnvironmentNotReadyError(
        f"image {image} is not on this machine{why}",
        hint="build or load it (make images builds the local test images), "
             "or name another image in the scenario",
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def image_facts(image: str) -> tuple[str, dict[str, str]]:
    """A local image's digest (its registry digest when it has one, else its ID) and labels."""
    try:
        found = client().images.get(image)
    except DockerException:
        return "", {}
    digests = found.attrs.get("RepoDigests") or []
    digest = str(digests[0]).split("@", 1)[-1] if digests else str(found.id)
    return digest, dict(found.labels or {})


def has_image(image: str) -> bool | None:
    """Whether the image is on this machine, without pulling it; None without an engine."""
    try:
        client().images.get(image)
    except ImageNotFound:
        return False
    except EnvironmentNotReadyError:
        return None
    return True
