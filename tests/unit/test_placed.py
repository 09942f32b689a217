"""An engine of another machine cannot bind-mount this machine's folders: what is mounted
read-only is copied in instead (read-only), what is written stays a mount."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.sandbox import host, service
from rehearse.sandbox.copyin import Copy
from rehearse.sandbox.engine import Engine
from rehearse.sandbox.service import Mount, ServiceSpec


@pytest.fixture()
def backups(tmp_path: Path) -> Path:
    (tmp_path / "shop.dump").write_bytes(b"PGDMP")
    (tmp_path / "other-shop.dump").write_bytes(b"PGDMP" * 1000)  # beside it, not needed
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "01.sql").write_text("select 1;")
    (tmp_path / "project" / "data").mkdir()
    (tmp_path / "project" / "data" / "02.sql").write_text("select 2;")
    return tmp_path


def spec(*mounts: Mount) -> ServiceSpec:
    return ServiceSpec(image="db", port=5432, role="database", mounts=mounts)


def on(monkeypatch: pytest.MonkeyPatch, tunnelled: bool) -> None:
    monkeypatch.setattr(host, "engine", lambda: Engine("tcp://10.0.0.2:2375", tunnelled))


def test_a_remote_engine_gets_the_backup_copied_not_its_neighbours(
        backups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, tunnelled=True)
    out = Mount(str(backups / "out"), "/out", read_only=False)
    placed = service.placed(spec(Mount(str(backups), "/backup", only=("shop.dump",)), out))
    assert placed.mounts == (out,)  # written by the container: it stays a mount
    assert placed.copies == (Copy(str(backups / "shop.dump"), "/backup/shop.dump", mode=0o444),)


def test_a_dump_project_folder_is_copied_whole(backups: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, tunnelled=True)
    placed = service.placed(spec(Mount(str(backups / "project"), "/backup")))
    assert sorted(c.target for c in placed.copies) == ["/backup/01.sql", "/backup/data/02.sql"]
    assert {c.mode for c in placed.copies} == {0o444}


def test_an_engine_here_mounts_as_before(backups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, tunnelled=False)
    original = spec(Mount(str(backups), "/backup", only=("shop.dump",)))
    assert service.placed(original) is original
