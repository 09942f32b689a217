"""Labels that mark every Docker object a rehearsal creates, so nothing is ever lost track of."""

from __future__ import annotations

import secrets

APP = "io.rehearse"
RUN = "io.rehearse.run"
ROLE = "io.rehearse.role"


def new_run_id() -> str:
    return secrets.token_hex(4)


_KEPT: set[str] = set()


def keep(run_id: str) -> None:
    """Leave this run's containers and network up when their blocks exit (`--keep`)."""
    _KEPT.add(run_id)


def is_kept(run_id: str) -> bool:
    return run_id in _KEPT


def labels(run_id: str, role: str) -> dict[str, str]:
    return {APP: "true", RUN: run_id, ROLE: role}


def selector(run_id: str | None = None) -> dict[str, str | list[str] | bool]:
    """A Docker `filters` value matching one run's objects, or every rehearsal's."""
    return {"label": [APP] if run_id is None else [f"{RUN}={run_id}"]}
