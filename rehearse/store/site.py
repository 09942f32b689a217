"""The store's site folder and the operator's new builds, read (never written) into what the
survival table and the app steps need: plugin and theme builds, pictures, App_Data."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from rehearse.errors import BadInputError
from rehearse.store.survival import Build, StoreFiles
from rehearse.version import Version

SITE = "site"


class FolderFiles(Mapping[str, bytes]):
    """A folder as {relative path: bytes}, read on access: plugin folders hold big DLLs and
    most of them are only ever listed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._names = tuple(str(p.relative_to(root)) for p in sorted(root.rglob("*"))
                            if p.is_file())
        self._known = frozenset(self._names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        return (self.root / name).read_bytes()

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def pictures_folder(site: Path, version: Version) -> Path:
    """Pictures on disk: `Content/Images` before 4.00, `wwwroot/images` after (§11)."""
    return site / ("Content/Images" if version < Version(4, 0) else "wwwroot/images")


def app_data_folder(app_data: Path | None, site: Path | None) -> Path:
    if app_data is not None:
        return app_data
    assert site is not None, "scenario.py requires store.app_data or store.site"
    return site / "App_Data"


def builds(folder: Path, where: str) -> tuple[Build, ...]:
    """The plugin (or theme) folders inside `folder`; a folder that is itself one build counts
    as one."""
    if not folder.is_dir():
        raise BadInputError(f"folder {folder} does not exist",
                            hint="check the path in the scenario (relative to the scenario file)")
    if any((folder / name).is_file() for name in ("plugin.json", "theme.json")):
        return (Build(where if where == SITE else folder.parent.name, folder.name,
                      FolderFiles(folder)),)
    return tuple(Build(where, sub.name, FolderFiles(sub))
                 for sub in sorted(folder.iterdir()) if sub.is_dir())


def store_files(site: Path | None, upgrade_plugins: tuple[Path, ...], upgrade_theme: Path | None,
                installed: tuple[tuple[str, str | None], ...], theme: str | None) -> StoreFiles:
    plugins: tuple[Build, ...] = ()
    themes: tuple[Build, ...] = ()
    if site is not None and (site / "Plugins").is_dir():
        plugins = builds(site / "Plugins", SITE)
    if site is not None and (site / "Themes").is_dir():
        themes = builds(site / "Themes", SITE)
    for folder in upgrade_plugins:
        plugins += builds(folder, folder.name)
    if upgrade_theme is not None:
        themes += builds(upgrade_theme, upgrade_theme.name)
    return StoreFiles(installed, plugins, themes, theme)
