"""A team's history in PostgreSQL (the local test image), through the product's own layer."""

from __future__ import annotations

import pytest

from rehearse.catalog import Provider
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import new_password
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import run_service
from tests import images
from tests.nights import assert_history_round_trip

pytestmark = pytest.mark.docker


def test_postgresql_keeps_runs_and_their_parts() -> None:
    engine = ENGINES[Provider.POSTGRESQL]
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(images.POSTGRES, credentials, memory="1g")
    with run_service(spec, new_run_id()) as service:
        end = service.endpoint
        assert_history_round_trip(
            f"postgresql://{credentials.user}:{credentials.password}@{end.host}:{end.port}/"
            f"{credentials.database}")
