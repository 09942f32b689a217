"""The survival table: one verdict per installed plugin and app step, and the theme's."""

from __future__ import annotations

import json

from rehearse.store.survival import Build, Fate, StoreFiles, deployed, judge, theme_folders
from rehearse.version import Version

V460, V470 = Version(4, 60), Version(4, 70)


def plugin(where: str, name: str, *supported: str, dll: bool = True) -> Build:
    files = {"plugin.json": json.dumps({"SystemName": name, "FileName": f"Nop.Plugin.{name}.dll",
                                        "SupportedVersions": list(supported)}).encode()}
    if dll:
        files[f"Nop.Plugin.{name}.dll"] = b"MZ"
    return Build(where, name, files)


def theme(where: str, name: str) -> Build:
    return Build(where, name, {"theme.json": json.dumps({"SystemName": name}).encode()})


STORE = StoreFiles(
    installed=(("Payments.CheckMoneyOrder", "1.0"), ("Payments.Acme", "1.0"),
               ("Shipping.Old", "1.0"), ("Payments.CyberSource", "1.0"),
               ("Misc.Sendinblue", "1.0"), ("Widgets.Gone", None)),
    plugins=(plugin("site", "Payments.Acme", "4.50"), plugin("upgrade", "Payments.Acme", "4.60"),
             plugin("site", "Shipping.Old", "4.50"), plugin("site", "Payments.CyberSource", "4.60"),
             plugin("site", "Payments.CheckMoneyOrder", "4.50")),
    themes=(theme("site", "Avenue"), theme("upgrade", "Avenue"), theme("site", "DefaultClean")),
    theme="Avenue")


def _fates(store: StoreFiles, steps: tuple[Version, ...]) -> dict[str, list[Fate]]:
    table = judge(store, steps)
    return {p.system_name: [j.fate for _, j in p.steps] for p in table.plugins}


def test_each_installed_plugin_gets_one_verdict_per_step() -> None:
    assert _fates(STORE, (V460, V470)) == {
        "Payments.CheckMoneyOrder": [Fate.BUNDLED, Fate.BUNDLED],
        "Payments.Acme": [Fate.LOADS, Fate.INCOMPATIBLE],
        "Shipping.Old": [Fate.INCOMPATIBLE, Fate.INCOMPATIBLE],
        "Payments.CyberSource": [Fate.LOADS, Fate.REMOVED],
        "Misc.Sendinblue": [Fate.BUNDLED, Fate.RENAMED],
        "Widgets.Gone": [Fate.MISSING, Fate.MISSING],
    }


def test_the_reason_names_the_build_and_the_fix() -> None:
    acme = next(p for p in judge(STORE, (V470,)).plugins if p.system_name == "Payments.Acme")
    judgement = acme.steps[0][1]
    assert "supports 4.60, not 4.70" in judgement.reason
    assert "upload a build that supports 4.70" in judgement.reason


def test_the_build_that_loads_is_deployed_not_the_sites_copy_of_a_bundled_plugin() -> None:
    chosen = {r.build.label for r in deployed(STORE, V460)}
    assert "upgrade/Payments.Acme" in chosen and "site/Payments.Acme" not in chosen
    assert "site/Payments.CheckMoneyOrder" not in chosen


def test_a_broken_descriptor_breaks_the_start() -> None:
    broken = Build("site", "Payments.Acme", {"plugin.json": b'{"SupportedVersions": "4.60"}'})
    store = StoreFiles(STORE.installed, (broken,), STORE.themes, "Avenue")
    table = judge(store, (V460,))
    assert table.breaks and table.startup[0][1]
    assert _fates(store, (V460,))["Payments.Acme"] == [Fate.BREAKS_STARTUP]


def test_an_incompatible_duplicate_breaks_only_from_4_60() -> None:
    twins = (plugin("site", "Payments.Acme", "4.00"),
             Build("site", "Acme2", plugin("site", "Payments.Acme", "4.00").files))
    store = StoreFiles((), twins)
    assert not judge(store, (Version(4, 50),)).breaks
    assert judge(store, (V460,)).breaks


def test_the_theme_loads_with_a_new_build_is_stale_without_and_falls_back_when_missing() -> None:
    assert judge(STORE, (V470,)).theme.steps[0][1].fate is Fate.LOADS
    old = StoreFiles((), (), (theme("site", "Avenue"),), "Avenue")
    assert judge(old, (V470,)).theme.steps[0][1].fate is Fate.STALE
    gone = StoreFiles((), (), (), "Avenue")
    judgement = judge(gone, (V470,)).theme.steps[0][1]
    assert judgement.fate is Fate.FALLS_BACK and "DefaultClean" in judgement.reason


def test_a_theme_without_system_name_breaks_the_start() -> None:
    bad = StoreFiles((), (), (Build("site", "Avenue", {"theme.json": b"{}"}),), "Avenue")
    assert judge(bad, (V470,)).breaks


def test_the_new_theme_build_replaces_the_sites_folder() -> None:
    folders = theme_folders(STORE)
    assert set(folders) == {"Avenue"}
    assert folders["Avenue"] is STORE.themes[1].files


def test_a_broken_new_build_goes_in_as_uploaded_and_breaks_the_start() -> None:
    broken = Build("upgrade", "Payments.Acme", {"plugin.json": b'{"SupportedVersions": "4.70"}'})
    store = StoreFiles(STORE.installed, (*STORE.plugins, broken), STORE.themes, "Avenue")
    chosen = {r.build.label for r in deployed(store, V470)}
    assert "upgrade/Payments.Acme" in chosen and "site/Payments.Acme" not in chosen
    assert judge(store, (V470,)).breaks
    assert _fates(store, (V470,))["Payments.Acme"] == [Fate.BREAKS_STARTUP]


def test_a_leftover_copy_of_a_plugin_folder_breaks_from_4_60() -> None:
    # the 4.50 build, and a copy of the 4.40 one someone kept beside it
    copy = Build("site", "Payments.Bolt.old", plugin("site", "Payments.Bolt", "4.40").files)
    store = StoreFiles((("Payments.Bolt", "1.0"),), (plugin("site", "Payments.Bolt", "4.50"),
                                                     copy))
    assert _fates(store, (Version(4, 50), V460)) == {
        "Payments.Bolt": [Fate.LOADS, Fate.BREAKS_STARTUP]}


def test_theme_json_is_read_with_json_net_leniency_and_strictness() -> None:
    lenient = Build("site", "Avenue", {"theme.json": b'{ // note\n "systemName": "Avenue",}'})
    assert judge(StoreFiles((), (), (lenient,), "Avenue"), (V470,)).theme.steps[0][1].fate \
        is Fate.STALE
    cut = Build("site", "Avenue", {"theme.json": b'{"SystemName": "Avenue"'})
    assert judge(StoreFiles((), (), (cut,), "Avenue"), (V470,)).breaks
