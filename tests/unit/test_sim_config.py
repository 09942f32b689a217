"""The stand-in reads App_Data as each version does (nopcommerce.md §3) and fails start-up on an
unreachable Redis (§11): rules tables run on the stand-in's own code."""

from __future__ import annotations

import importlib
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SIM = Path(__file__).resolve().parents[2] / "images" / "sim"
CONNECTION = "Server=db;Port=5432;Database=nop;User Id=u;Password=p;"


@pytest.fixture
def nopsim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(SIM))
    module = importlib.import_module("nopsim")
    monkeypatch.setattr(module, "APP_DATA", str(tmp_path))
    monkeypatch.setattr(module.sim_config, "APP_DATA", str(tmp_path))
    yield module
    for name in ("nopsim", "sim_config", "sim_requests", "sim_tasks"):
        sys.modules.pop(name, None)


APPSETTINGS = json.dumps({"ConnectionStrings": {"ConnectionString": CONNECTION,
                                                "DataProvider": "postgresql"}})
DATA_SETTINGS = json.dumps({"DataProvider": "postgresql", "DataConnectionString": CONNECTION})
SETTINGS_TXT = f"DataProvider: postgresql\nDataConnectionString: {CONNECTION}\n"


@pytest.mark.parametrize(
    ("version", "files", "connection"),
    [("4.40", {"dataSettings.json": DATA_SETTINGS}, CONNECTION),
     ("4.40", {"dataSettings.json": "", "Settings.txt": SETTINGS_TXT}, ""),  # not installed
     ("4.40", {"Settings.txt": SETTINGS_TXT}, CONNECTION),
     ("4.50", {"appsettings.json": APPSETTINGS}, CONNECTION),
     ("4.50", {"appsettings.json": APPSETTINGS, "Settings.txt": ""}, ""),  # wiped
     ("4.60", {"dataSettings.json": DATA_SETTINGS}, CONNECTION)],  # converted once
)
def test_settings_are_read_as_each_version_reads_them(nopsim: ModuleType, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      version: str, files: dict[str, str],
                                                      connection: str) -> None:
    monkeypatch.setattr(nopsim, "VERSION", version)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert nopsim.load_settings()[1] == connection
    if version >= "4.50":
        assert sorted(p.name for p in tmp_path.iterdir()) == ["appsettings.json"]


def test_an_empty_leftover_data_settings_json_crashes_4_50(nopsim: ModuleType, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nopsim, "VERSION", "4.50")
    (tmp_path / "appsettings.json").write_text(APPSETTINGS)
    (tmp_path / "dataSettings.json").write_text("")
    with pytest.raises(SystemExit):
        nopsim.load_settings()


def test_keys_differing_only_in_case_end_the_start(nopsim: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "appsettings.json").write_text('{"HostingConfig": {}, "hostingConfig": {}}')
    with pytest.raises(SystemExit):
        nopsim.start_config()


@pytest.mark.parametrize("listening", [True, False], ids=["reachable", "unreachable"])
def test_redis_must_be_reachable_when_configured(nopsim: ModuleType, listening: bool) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    if listening:
        server.listen()
    else:
        server.close()
    config = {"distributedCacheConfig": {"Enabled": True, "DistributedCacheType": "Redis",
                                         "ConnectionString": f"127.0.0.1:{port},password=x"}}
    try:
        found = nopsim.sim_config.unreachable_redis(config)
    finally:
        server.close()
    assert found == (None if listening else f"127.0.0.1:{port}")
    memory = {"DistributedCacheConfig": {"Enabled": True, "DistributedCacheType": "memory"}}
    assert nopsim.sim_config.unreachable_redis(memory) is None
