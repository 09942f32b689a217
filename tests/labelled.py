"""The Docker objects this test session created: its rehearsals carry its REHEARSE_SESSION label
(set in conftest), so other sessions on the same engine never count."""

from __future__ import annotations

import os

from rehearse.sandbox import host
from rehearse.sandbox.labels import SESSION


def mine() -> dict[str, list[str]]:
    return {"label": [f"{SESSION}={os.environ['REHEARSE_SESSION']}"]}


def labelled_ids() -> set[str]:
    docker = host.client()
    return ({str(c.id) for c in docker.containers.list(all=True, filters=mine(), sparse=True)}
            | {str(n.id) for n in docker.networks.list(filters=mine())})
