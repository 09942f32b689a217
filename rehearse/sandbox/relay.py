"""The one door into a sandbox: a tiny relay on an ordinary bridge and on the rehearsal's
internal network, publishing on 127.0.0.1 and forwarding to one service by name.

Containers on an `--internal` network have no route out and get no published ports
(docker-offline.md, "Internal networks"): only the relay has a route, and it only forwards in.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from docker.errors import BuildError, DockerException, ImageNotFound

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import host
from rehearse.sandbox.labels import is_kept, labels

RELAY_IMAGE = os.environ.get("REHEARSE_RELAY_IMAGE", "rehearse/relay:1")
LOCAL_BASE = "rehearse/base:bookworm"
_DOCKERFILE = b"""\
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update -q \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends socat \\
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["socat"]
"""


def ensure_relay_image() -> None:
    """Build the relay image once, from the local base when there is one (no registry)."""
    docker = host.client()
    try:
        docker.images.get(RELAY_IMAGE)
        return
    except ImageNotFound:
        pass
    base = LOCAL_BASE if docker.images.list(name=LOCAL_BASE) else "debian:bookworm-slim"
    try:
        docker.images.build(fileobj=io.BytesIO(_DOCKERFILE), tag=RELAY_IMAGE, rm=True,
                            buildargs={"BASE": base}, labels={"io.rehearse": "relay"})
    except (BuildError, DockerException) as error:
        raise EnvironmentNotReadyError(
            f"cannot build the relay image {RELAY_IMAGE} ({error})",
            hint="make images builds it; or set REHEARSE_RELAY_IMAGE to an image with socat",
        ) from error


@contextmanager
def door(run_id: str, role: str, target: str, port: int, network: str) -> Iterator[int]:
    """A 127.0.0.1 port on the host that reaches `target:port` inside `network`."""
    ensure_relay_image()
    docker = host.client()
    relay = docker.containers.run(  # type: ignore[call-overload]  # None: any free port
        RELAY_IMAGE, [f"TCP-LISTEN:{port},fork,reuseaddr", f"TCP:{target}:{port}"],
        name=f"rehearse-{run_id}-{role}-door", detach=True, network="bridge",
        labels=labels(run_id, f"{role}-door"), ports={f"{port}/tcp": ("127.0.0.1", None)},
        mem_limit="64m")
    try:
        docker.networks.get(network).connect(relay)
        relay.reload()
        yield int(relay.attrs["NetworkSettings"]["Ports"][f"{port}/tcp"][0]["HostPort"])
    finally:
        if not is_kept(run_id):
            with suppress(DockerException):
                relay.remove(force=True)
