"""What exactly an image name pointed at: its digest, for the run history."""

from __future__ import annotations

from docker.errors import DockerException

from rehearse.errors import RehearseError
from rehearse.sandbox import host


def digest(name: str) -> str:
    """The registry digest (or local image id) of a local image; "" when unknown."""
    try:
        image = host.client().images.get(name)
    except (DockerException, RehearseError):
        return ""
    digests = image.attrs.get("RepoDigests") or []
    return str(digests[0]) if digests else str(image.id or "")
