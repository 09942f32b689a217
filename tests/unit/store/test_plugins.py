"""Descriptors read per version as nopCommerce's loaders read them (nopcommerce.md §11)."""

from __future__ import annotations

import pytest

from rehearse.store.plugins import (
    Descriptor,
    DescriptorError,
    check_startup,
    read_descriptor,
)
from rehearse.version import Version

VERSIONS = ("3.90", "4.00", "4.40", "4.60", "4.70", "4.90")
DLL = {"Nop.Plugin.Payments.Acme.dll": b"MZ"}


def _json(text: str, name: str = "plugin.json") -> dict[str, bytes]:
    return {name: text.encode(), **DLL}


def _read(files: dict[str, bytes], version: str) -> Descriptor | None:
    return read_descriptor("Payments.Acme", files, Version.parse(version))


def _plain(supported: str) -> str:
    return ('{"SystemName": "Payments.Acme", "Version": "1.0", "FileName": '
            f'"Nop.Plugin.Payments.Acme.dll", "SupportedVersions": {supported}}}')


@pytest.mark.parametrize("version", VERSIONS[1:])
@pytest.mark.parametrize(("supported", "loads"), [
    ('["{v}"]', True), ('["4.6", "4.7", "4.9", "4.0"]', False), ('["{v}.0"]', False),
    ('[" {v}"]', False), ('["2.00"]', False), ("[{v}]", True), ("[]", False),
])
def test_the_version_check_is_whole_string_equality(version: str, supported: str,
                                                     loads: bool) -> None:
    found = _read(_json(_plain(supported.replace("{v}", version))), version)
    assert found is not None and found.loads(Version.parse(version)) is loads


@pytest.mark.parametrize("version", VERSIONS[1:])
def test_json_net_leniency_comments_trailing_commas_any_case_keys(version: str) -> None:
    text = ('{ // a comment\n "systemname": "Payments.Acme", /* block */ "FILENAME": '
            f'"nop.plugin.payments.acme.DLL", "supportedVersions": ["{version}",],}}')
    found = _read(_json(text), version)
    assert found is not None and found.system_name == "Payments.Acme"
    assert found.loads(Version.parse(version))


@pytest.mark.parametrize("version", VERSIONS[1:])
@pytest.mark.parametrize("text", [
    _plain('"4.60"'),  # a string where the list belongs
    _plain('["4.60"]') + " trailing",  # text after the closing brace
    '{"SystemName": "Payments.Acme", ',  # cut short
    _plain("null"),
])
def test_json_net_strictness_stops_the_start(version: str, text: str) -> None:
    with pytest.raises(DescriptorError):
        _read(_json(text), version)


@pytest.mark.parametrize("version", VERSIONS[1:])
def test_a_missing_main_assembly_is_incompatible_on_4x(version: str) -> None:
    found = _read({"plugin.json": _plain(f'["{version}"]').encode()}, version)
    assert found is not None and found.supports(Version.parse(version))
    assert not found.loads(Version.parse(version))


def test_a_missing_main_assembly_stops_3x() -> None:
    with pytest.raises(DescriptorError, match="main assembly"):
        _read({"Description.txt": b"SystemName: Payments.Acme\nFileName: x.dll\n"}, "3.90")


@pytest.mark.parametrize(("version", "seen"), [("3.90", False), ("4.00", True), ("4.40", True),
                                               ("4.60", True), ("4.70", True), ("4.90", True)])
def test_4x_reads_only_plugin_json(version: str, seen: bool) -> None:
    assert (_read(_json(_plain('["4.60"]')), version) is not None) is seen


@pytest.mark.parametrize(("version", "seen"), [("3.90", True), ("4.00", False), ("4.40", False),
                                               ("4.60", False), ("4.70", False), ("4.90", False)])
def test_3x_reads_only_description_txt(version: str, seen: bool) -> None:
    text = ("Group: Payment methods\nSystemName: Payments.Acme\nVersion: 1.00\n"
            "SupportedVersions: 3.80, 3.90\nFileName: Nop.Plugin.Payments.Acme.dll\n")
    found = _read(_json(text, "Description.txt"), version)
    assert (found is not None) is seen
    if found is not None:
        assert found.supported_versions == ("3.80", "3.90") and found.loads(Version(3, 90))


def test_3x_keys_are_case_sensitive_and_no_list_means_2_00() -> None:
    found = _read(_json("systemname: Payments.Acme\nFileName: Nop.Plugin.Payments.Acme.dll",
                        "Description.txt"), "3.90")
    assert found is not None and found.system_name == ""
    assert found.supported_versions == ("2.00",)


@pytest.mark.parametrize(("version", "seen"), [("4.00", False), ("4.40", True), ("4.60", True),
                                               ("4.70", True), ("4.90", True)])
def test_capital_p_plugin_json_is_found_from_4_40(version: str, seen: bool) -> None:
    found = _read(_json(_plain(f'["{version}"]'), "Plugin.json"), version)
    assert (found is not None) is seen


def _descriptor(name: str, supported: str) -> Descriptor:
    return Descriptor(name or "x", name, "1.0", (supported,), "a.dll", True)


@pytest.mark.parametrize("version", VERSIONS)
def test_compatible_duplicates_and_empty_names_stop_every_version(version: str) -> None:
    v = version
    assert check_startup([_descriptor("A", v), _descriptor("A", v)], Version.parse(v))
    assert check_startup([_descriptor("", v)], Version.parse(v))
    assert not check_startup([_descriptor("A", v), _descriptor("B", v)], Version.parse(v))


@pytest.mark.parametrize(("version", "stops"), [("3.90", False), ("4.00", False),
                                                ("4.40", False), ("4.60", True),
                                                ("4.70", True), ("4.90", True)])
def test_incompatible_duplicates_stop_from_4_60(version: str, stops: bool) -> None:
    old = [_descriptor("A", "2.00"), _descriptor("A", "2.00")]
    assert bool(check_startup(old, Version.parse(version))) is stops
    assert bool(check_startup([_descriptor("", "2.00")], Version.parse(version))) is stops
