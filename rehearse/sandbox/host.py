"""The Docker engine rehearse talks to, and the images it needs to be there."""

from __future__ import annotations

import importlib.util
import io
import os
from dataclasses import dataclass
from functools import cache

import docker
from docker.errors import BuildError, DockerException, ImageNotFound

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import engine as engines
from rehearse.sandbox.engine import Engine

PING_SECONDS = 10


@cache
def client() -> docker.DockerClient:
    _pin_engine()
    try:
        found = docker.from_env()
        found.ping()
    except DockerException as error:
        raise EnvironmentNotReadyError(f"no Docker engine answers ({_first_line(error)})",
                                       hint=_no_engine_hint()) from error
    return found


def _pin_engine() -> None:
    """One engine for every Docker client of this process and its children (engine.pinned)."""
    _apply(engines.pinned(os.environ))


def _apply(changes: dict[str, str | None]) -> None:
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _no_engine_hint() -> str:
    url = engines.current_url()
    if url.startswith("ssh://") and importlib.util.find_spec("paramiko") is None:
        return "ssh:// engines need paramiko (docker's SSH support): pip install paramiko"
    if not engines.is_local(url):
        return (f"check that {url} answers (docker -H {url} info), and DOCKER_TLS_VERIFY, "
                "DOCKER_CERT_PATH or the Docker context")
    return "start Docker (on Debian as root: scripts/host-setup.sh), then re-run"


@cache
def engine() -> Engine:
    """The engine `client()` talks to, and how the host reaches its sandboxes."""
    return engines.current()


def check_engine(target: str) -> None:
    """An engine URL or context name that answers; the user's to fix when it does not."""
    engines.parse_target(target)
    environment = engines.child_environment(target, os.environ)
    _apply({name: None for name, value in engines.pinned(environment).items()
            if name in engines.CA_BUNDLES and value is None})
    try:
        found = docker.from_env(environment=environment, timeout=PING_SECONDS)
        found.ping()
    except DockerException as error:
        raise EnvironmentNotReadyError(
            f"the Docker engine {target} does not answer ({_first_line(error)})",
            hint="check the URL (docker -H URL info), its TLS variables or the context's name",
        ) from error
    found.close()


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


LOCAL_BASE = "rehearse/base:bookworm"


_DOCKERFILE = """\
ARG BASE=debian:bookworm-slim
FROM ${{BASE}}
RUN apt-get update -q \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends {package} \\
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["{package}"]
"""


def build_once(image: str, package: str, variable: str) -> None:
    """Build one of rehearse's own one-package images (images/relay, images/guard) when the
    engine lacks it, from the local base when there is one (no registry)."""
    dockerfile = _DOCKERFILE.format(package=package).encode()
    docker = client()
    try:
        docker.images.get(image)
        return
    except ImageNotFound:
        pass
    base = LOCAL_BASE if docker.images.list(name=LOCAL_BASE) else "debian:bookworm-slim"
    try:
        docker.images.build(fileobj=io.BytesIO(dockerfile), tag=image, rm=True,
                            buildargs={"BASE": base}, labels={"io.rehearse": image})
    except (BuildError, DockerException) as error:
        raise EnvironmentNotReadyError(
            f"cannot build the image {image} ({_first_line(error)})",
            hint=f"make images builds it; or set {variable} to an image with {package}",
        ) from error


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
