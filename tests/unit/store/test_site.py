"""The site folder in scenarios: what it replaces, where its pictures are, what is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.errors import BadInputError
from rehearse.scenario import load
from rehearse.store.site import app_data_folder, builds, pictures_folder, store_files
from rehearse.version import Version
from tests.sitegen import PluginBuild, write_builds

SITE = """\
store: {version: "4.50", provider: postgresql, backup: shop.dump, site: site}
target: "4.70"
upgrade: {plugins: [new-a, new-b], theme: theme/Avenue}
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return load(path)


def test_a_site_stands_in_for_app_data_and_paths_are_relative(tmp_path: Path) -> None:
    scenario = _load(tmp_path, SITE)
    store = scenario.store  # type: ignore[attr-defined]
    assert store.app_data is None and store.site == tmp_path / "site"
    assert app_data_folder(store.app_data, store.site) == tmp_path / "site" / "App_Data"
    upgrade = scenario.upgrade  # type: ignore[attr-defined]
    assert upgrade.plugins == (tmp_path / "new-a", tmp_path / "new-b")
    assert upgrade.theme == tmp_path / "theme" / "Avenue"


def test_a_store_without_app_data_or_site_is_refused(tmp_path: Path) -> None:
    text = SITE.replace(", site: site", "")
    with pytest.raises(BadInputError, match=r"store\.app_data or store\.site"):
        _load(tmp_path, text)


def test_app_data_wins_over_the_sites() -> None:
    assert app_data_folder(Path("/a"), Path("/site")) == Path("/a")


@pytest.mark.parametrize(("version", "folder"), [("3.90", "Content/Images"),
                                                 ("4.00", "wwwroot/images"),
                                                 ("4.70", "wwwroot/images")])
def test_pictures_live_where_each_version_keeps_them(version: str, folder: str) -> None:
    assert pictures_folder(Path("/site"), Version.parse(version)) == Path("/site") / folder


def test_a_folder_of_builds_or_one_build(tmp_path: Path) -> None:
    write_builds((PluginBuild("Payments.A", ("4.70",)), PluginBuild("Payments.B", ("4.70",))),
                 tmp_path / "new")
    assert [b.label for b in builds(tmp_path / "new", "new")] == ["new/Payments.A",
                                                                 "new/Payments.B"]
    assert [b.label for b in builds(tmp_path / "new" / "Payments.A", "x")] == ["new/Payments.A"]
    with pytest.raises(BadInputError):
        builds(tmp_path / "missing", "missing")


def test_big_files_are_listed_not_read(tmp_path: Path) -> None:
    build = PluginBuild("Payments.A", ("4.70",))
    write_builds((build,), tmp_path / "site" / "Plugins")
    found = store_files(tmp_path / "site", (), None, (("Payments.A", None),), None).plugins[0]
    (tmp_path / "site" / "Plugins" / "Payments.A" / build.dll).unlink()
    assert build.dll in found.files  # listed when read; content only read on access
