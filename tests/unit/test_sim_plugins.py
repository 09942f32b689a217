"""The stand-in reads plugin descriptors exactly as rehearse predicts nopCommerce does: the
same table of §11 cases through both, so neither can be more lenient than the other."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from rehearse.store.plugins import DescriptorError, check_startup, read_descriptor
from rehearse.version import Version

SIM = Path(__file__).resolve().parents[2] / "images" / "sim" / "sim_plugins.py"
DLL = "Nop.Plugin.Payments.Acme.dll"
VERSIONS = ("4.40", "4.60", "4.70", "4.90")  # the versions the stand-in plays
DESCRIPTORS = {
    "plain": f'{{"SystemName": "Payments.Acme", "FileName": "{DLL}", '
             '"SupportedVersions": ["4.60", "4.70"]}',
    "lenient": f'{{ // note\n "systemname": "Payments.Acme", "FILENAME": "{DLL}",\n'
               ' /* x */ "supportedVersions": [4.60, 4.90,],}',
    "string list": f'{{"SystemName": "Payments.Acme", "FileName": "{DLL}", '
                   '"SupportedVersions": "4.60"}',
    "trailing text": '{"SystemName": "Payments.Acme"} extra',
    "no versions": f'{{"SystemName": "Payments.Acme", "FileName": "{DLL}"}}',
    "near misses": f'{{"SystemName": "Payments.Acme", "FileName": "{DLL}", '
                   '"SupportedVersions": ["4.6", "4.70.0", " 4.90"]}',
    "empty": "",
}


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sim_plugins", SIM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _folder(tmp_path: Path, text: str, name: str = "plugin.json", dll: bool = True) -> Path:
    folder = tmp_path / "Payments.Acme"
    folder.mkdir()
    (folder / name).write_text(text)
    if dll:
        (folder / DLL).write_bytes(b"MZ")
    return folder


def _rehearse(folder: Path, version: str) -> object:
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    try:
        found = read_descriptor(folder.name, files, Version.parse(version))
    except DescriptorError:
        return "throws"
    if found is None:
        return None
    return found.system_name, found.loads(Version.parse(version))


def _sim(sim: ModuleType, folder: Path, version: str) -> object:
    try:
        found = sim.descriptor(str(folder), version)
    except sim.StartupError:
        return "throws"
    if found is None:
        return None
    name, versions, file_name = found
    files = {p.name.lower() for p in folder.iterdir()}
    loads = version in versions and bool(file_name) and file_name.lower() in files
    return name, loads


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", DESCRIPTORS)
def test_both_read_a_descriptor_alike(sim: ModuleType, tmp_path: Path, case: str,
                                      version: str) -> None:
    folder = _folder(tmp_path, DESCRIPTORS[case])
    assert _sim(sim, folder, version) == _rehearse(folder, version)


@pytest.mark.parametrize("version", VERSIONS)
def test_both_see_capital_p_plugin_json_alike(sim: ModuleType, tmp_path: Path,
                                              version: str) -> None:
    folder = _folder(tmp_path, DESCRIPTORS["plain"], "Plugin.json")
    assert _sim(sim, folder, version) == _rehearse(folder, version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("supported", ['["{v}"]', '["2.00"]'])
def test_both_stop_on_duplicates_alike(sim: ModuleType, tmp_path: Path, version: str,
                                       supported: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (f'{{"SystemName": "Payments.Acme", "FileName": "{DLL}", '
            f'"SupportedVersions": {supported.replace("{v}", version)}}}')
    for name in ("A", "B"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "plugin.json").write_text(text)
        (tmp_path / name / DLL).write_bytes(b"MZ")
    monkeypatch.setattr(sim, "PLUGINS", str(tmp_path))
    try:
        sim.load_plugins(version)
        sim_stops = False
    except sim.StartupError:
        sim_stops = True
    found = [read_descriptor(n, {p.name: p.read_bytes() for p in (tmp_path / n).iterdir()},
                             Version.parse(version)) for n in ("A", "B")]
    assert sim_stops is bool(check_startup([f for f in found if f], Version.parse(version)))
