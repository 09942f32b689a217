"""Labels that mark every Docker object a rehearsal creates, so nothing is ever lost track of."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

APP = "io.rehearse"
RUN = "io.rehearse.run"
ROLE = "io.rehearse.role"
# Who made it: a rehearsal whose process is gone (kill -9) left orphans the next run may sweep.
OWNER = "io.rehearse.owner"
# Optional: which job started it (a CI job, a test session), from REHEARSE_SESSION.
SESSION = "io.rehearse.session"
KEPT_DIR = Path(os.environ.get("REHEARSE_STATE_DIR", Path.home() / ".cache" / "rehearse")) / "kept"


def new_run_id() -> str:
    return secrets.token_hex(4)


_KEPT: set[str] = set()


def keep(run_id: str) -> None:
    """Leave this run's containers and network up when their blocks exit (`--keep`), and
    remember it, so later runs do not take them for orphans."""
    _KEPT.add(run_id)
    KEPT_DIR.mkdir(parents=True, exist_ok=True)
    (KEPT_DIR / run_id).touch()


def kept_on_purpose(run_id: str) -> bool:
    return (KEPT_DIR / run_id).exists()


def forget_kept(run_id: str | None = None) -> None:
    for marker in KEPT_DIR.glob(run_id or "*"):
        marker.unlink(missing_ok=True)


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(value: str) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    hostname, _, pid = value.rpartition(":")
    if hostname != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_kept(run_id: str) -> bool:
    return run_id in _KEPT


def labels(run_id: str, role: str) -> dict[str, str]:
    found = {APP: "true", RUN: run_id, ROLE: role, OWNER: owner()}
    session = os.environ.get("REHEARSE_SESSION")
    if session:
        found[SESSION] = session
    return found


def selector(run_id: str | None = None) -> dict[str, str | list[str] | bool]:
    """A Docker `filters` value matching one run's objects, or every rehearsal's."""
    return {"label": [APP] if run_id is None else [f"{RUN}={run_id}"]}
