"""The sandbox hooks SQL Server's checks rely on, proven on a local image: files copied in (owner
and mode as asked), a known start failure explained in one line, engine facts before the start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import new_password
from rehearse.errors import BadInputError
from rehearse.sandbox.copyin import Copy
from rehearse.sandbox.host import EngineFacts
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import ServiceSpec, run_service
from tests import images

pytestmark = pytest.mark.docker


def postgres_spec() -> ServiceSpec:
    engine = ENGINES[Provider.POSTGRESQL]
    return engine.service_spec(images.POSTGRES, engine.credentials(new_password()), "1g")


def test_a_copy_is_owned_and_read_only_as_asked(tmp_path: Path) -> None:
    source = tmp_path / "store.bak"
    source.write_bytes(b"TAPE" + b"x" * 100_000)
    source.chmod(0o600)  # only the host's owner may read it
    spec = replace(postgres_spec(), copies=(Copy(str(source), "/backup/2/store.bak", 10001, 0),))
    with run_service(spec, new_run_id()) as service:
        code, output = service.exec(["sh", "-c", "stat -c '%u %g %a %s' /backup/2/store.bak"])
    assert (code, output.strip()) == (0, "10001 0 440 100004")
    assert oct(source.stat().st_mode & 0o777) == "0o600"  # the user's file is unchanged


def test_a_known_start_failure_is_explained_in_one_line() -> None:
    def explain(tail: str) -> Exception | None:
        found = "POSTGRES_PASSWORD must be set" in tail  # the testing image's own words
        return BadInputError("explained: no password") if found else None

    spec = replace(postgres_spec(), env={}, ready_timeout=30.0, explain=explain)
    with pytest.raises(BadInputError, match="explained: no password"), \
            run_service(spec, new_run_id()):
        pass


def test_engine_facts_reach_the_pre_start_check_before_any_container() -> None:
    seen: list[EngineFacts] = []

    def refuse(facts: EngineFacts) -> None:
        seen.append(facts)
        raise BadInputError("refused before the start")

    spec = replace(postgres_spec(), pre_start=refuse)
    with pytest.raises(BadInputError, match="refused before the start"), \
            run_service(spec, new_run_id()):
        pass
    (facts,) = seen
    assert facts.architecture and facts.memory > 0
