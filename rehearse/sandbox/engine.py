"""Which Docker engine rehearse talks to, and whether it runs on this machine.

Any engine the Docker SDK reaches: `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`),
`DOCKER_CONTEXT` or the CLI's current context, `unix://`, `tcp://` and `ssh://`. A port an engine
publishes on its 127.0.0.1 is that engine's loopback: on this machine only when the engine runs
here (docker-offline.md, "A second Docker engine"). Elsewhere the host is tunnelled in through the
engine's own API connection (tunnel.py), so nothing of the sandbox is published anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from docker.context import ContextAPI
from docker.errors import DockerException
from docker.utils import kwargs_from_env

from rehearse.errors import BadInputError

SCHEMES = ("unix", "tcp", "ssh", "npipe", "http", "https")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# `published` or `tunnel`: how the host reaches the sandbox, whatever the URL says (an engine in a
# VM behind a tcp://localhost forward publishes on the VM's loopback, not this machine's).
ACCESS = "REHEARSE_ENGINE_ACCESS"
DEFAULT_URL = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Engine:
    url: str
    tunnelled: bool  # the host reaches sandbox ports through the API, not published ports


def parse_url(url: str) -> str:
    """An engine URL as the SDK takes it; a bad one is the user's to fix."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise BadInputError(f"engine {url!r} is not a Docker engine URL",
                            hint="give unix:///var/run/docker.sock, tcp://HOST:2376 or "
                                 "ssh://USER@HOST (or a Docker context's name)")
    if parts.scheme in ("unix", "npipe"):
        if not parts.path:
            raise BadInputError(f"engine {url!r} names no socket",
                                hint="give the socket's path: unix:///var/run/docker.sock")
    elif not parts.hostname:
        raise BadInputError(f"engine {url!r} names no host",
                            hint="give the host: tcp://HOST:2376 or ssh://USER@HOST")
    return url


def parse_target(target: str) -> str:
    """An engine URL, or the name of an existing Docker context."""
    if "://" in target:
        return parse_url(target)
    try:
        found = ContextAPI.get_context(target)
    except DockerException as error:
        raise BadInputError(f"the Docker context {target!r} cannot be read ({error})",
                            hint="check it with `docker context inspect`") from error
    if found is None:
        raise BadInputError(f"engine {target!r} is neither a URL nor a Docker context",
                            hint="give tcp://HOST:2376, ssh://USER@HOST, unix:///PATH or a name "
                                 "from `docker context ls`")
    return target


def is_local(url: str) -> bool:
    """Whether ports the engine publishes on its 127.0.0.1 are this machine's 127.0.0.1."""
    parts = urlsplit(url)
    return parts.scheme in ("unix", "npipe") or (
        parts.scheme in ("tcp", "http", "https") and parts.hostname in LOOPBACK)


def current_url(environment: Mapping[str, str] | None = None) -> str:
    """The engine `docker.from_env()` connects to: DOCKER_HOST, else the context's endpoint."""
    env = os.environ if environment is None else environment
    found = kwargs_from_env(environment=dict(env)).get("base_url")
    if not found:
        try:
            found = ContextAPI.kwargs_from_context(environment=dict(env)).get("base_url")
        except DockerException as error:
            raise BadInputError(f"the Docker context cannot be read ({error})",
                                hint="check DOCKER_CONTEXT and `docker context ls`") from error
    return str(found or DEFAULT_URL)


def current(environment: Mapping[str, str] | None = None) -> Engine:
    env = os.environ if environment is None else environment
    url = current_url(env)
    access = env.get(ACCESS, "")
    if access not in ("", "published", "tunnel"):
        raise BadInputError(f"{ACCESS}={access!r} is not a way to reach the sandbox",
                            hint=f"set {ACCESS} to published or tunnel, or unset it")
    tunnelled = access == "tunnel" if access else not is_local(url)
    return Engine(url, tunnelled)


# requests gives these precedence over a client's own CA (its merge of environment settings):
# with them set, as on many machines, every TLS engine fails verification against the wrong CA.
CA_BUNDLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def pinned(environment: Mapping[str, str]) -> dict[str, str | None]:
    """Variables to set (None: to remove) so that every Docker client of the process agrees on
    the engine: ours, testcontainers' (which takes a context's host alone, losing its TLS
    files) and child processes'. A context becomes DOCKER_HOST and, with TLS, DOCKER_CERT_PATH
    (the context's folder holds ca.pem, cert.pem and key.pem)."""
    changes: dict[str, str | None] = {}
    if not environment.get("DOCKER_HOST"):
        changes |= _from_context(environment.get("DOCKER_CONTEXT"))
    merged = {**environment, **changes}
    if merged.get("DOCKER_CERT_PATH") or merged.get("DOCKER_TLS_VERIFY"):
        changes |= {name: None for name in CA_BUNDLES if name in environment}
    return changes


def _from_context(name: str | None) -> dict[str, str | None]:
    try:
        context = ContextAPI.get_context(name)
    except DockerException:
        return {}  # docker.from_env says what is wrong with it
    if context is None and name:  # the docker CLI refuses it too; never the local engine instead
        raise BadInputError(f"DOCKER_CONTEXT names {name!r}, which is not a Docker context",
                            hint="check it with `docker context ls`, or unset DOCKER_CONTEXT")
    if context is None or context.Name == "default" or not context.Host:
        return {}
    found: dict[str, str | None] = {"DOCKER_HOST": str(context.Host), "DOCKER_CONTEXT": None}
    tls = context.TLSConfig
    if tls is not None and tls.ca_cert:
        found["DOCKER_CERT_PATH"] = os.path.dirname(str(tls.ca_cert))
        if tls.verify:
            found["DOCKER_TLS_VERIFY"] = "1"
    return found


def child_environment(target: str, environment: Mapping[str, str]) -> dict[str, str]:
    """The environment of a rehearsal run on `target`: an engine URL (with the TLS variables
    given), or a context's name (which carries its own TLS files)."""
    if "://" in target:
        return {**_without(environment, ("DOCKER_HOST", "DOCKER_CONTEXT")), "DOCKER_HOST": target}
    return {**_without(environment, ENGINE_VARIABLES), "DOCKER_CONTEXT": target}


ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")


def _without(environment: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k not in names}
