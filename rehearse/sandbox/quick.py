"""One question for the local Docker engine asked over its socket, without importing the Docker
SDK (about 80 ms, most of `rehearse check`'s budget): is this image here?"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from urllib.parse import quote

DEFAULT_SOCKET = "/var/run/docker.sock"
TIMEOUT = 5.0


def has_image(image: str) -> bool | None:
    """Whether the image is on this machine, never pulling it; None without an engine. An
    engine that is not a local socket (DOCKER_HOST=tcp://…) is asked through the SDK."""
    url = os.environ.get("DOCKER_HOST", f"unix://{DEFAULT_SOCKET}")
    if not url.startswith("unix://") or _context_named():
        from rehearse.sandbox import host

        return host.has_image(image)
    try:
        status = _status(url.removeprefix("unix://"), f"/images/{quote(image, safe='/:@')}/json")
    except (OSError, ValueError):
        return None
    return {200: True, 404: False}.get(status)


def _context_named() -> bool:
    """A Docker context other than the default chosen by DOCKER_CONTEXT or the CLI's config:
    the SDK (engine.py) reads it; the socket here would be the wrong engine."""
    if "DOCKER_HOST" in os.environ:
        return False  # it outranks any context
    named = os.environ.get("DOCKER_CONTEXT")
    if named is None:
        config = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker") / "config.json"
        try:
            named = json.loads(config.read_text()).get("currentContext")
        except (OSError, ValueError, AttributeError):
            named = None
    return bool(named) and named != "default"


def _status(path: str, target: str) -> int:
    """The status of one GET over HTTP/1.0 (the engine closes the connection after it)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as engine:
        engine.settimeout(TIMEOUT)
        engine.connect(path)
        engine.sendall(f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        first = engine.makefile("rb").readline(200).decode("latin-1")
    return int(first.split()[1])  # "HTTP/1.0 404 Not Found"
