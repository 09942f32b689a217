"""One question for the local Docker engine asked over its socket, without importing the Docker
SDK (about 80 ms, most of `rehearse check`'s budget): is this image here?"""

from __future__ import annotations

import os
import socket
from urllib.parse import quote

DEFAULT_SOCKET = "/var/run/docker.sock"
TIMEOUT = 5.0


def has_image(image: str) -> bool | None:
    """Whether the image is on this machine, never pulling it; None without an engine. An
    engine that is not a local socket (DOCKER_HOST=tcp://…) is asked through the SDK."""
    url = os.environ.get("DOCKER_HOST", f"unix://{DEFAULT_SOCKET}")
    if not url.startswith("unix://"):
        from rehearse.sandbox import host

        return host.has_image(image)
    try:
        status = _status(url.removeprefix("unix://"), f"/images/{quote(image, safe='/:@')}/json")
    except (OSError, ValueError):
        return None
    return {200: True, 404: False}.get(status)


def _status(path: str, target: str) -> int:
    """The status of one GET over HTTP/1.0 (the engine closes the connection after it)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as engine:
        engine.settimeout(TIMEOUT)
        engine.connect(path)
        engine.sendall(f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        first = engine.makefile("rb").readline(200).decode("latin-1")
    return int(first.split()[1])  # "HTTP/1.0 404 Not Found"
