"""Theme descriptors and the theme nopCommerce renders with (nopcommerce.md §11 Themes):
3.x reads `theme.config` (name = folder), 4.x `theme.json` (SystemName); no version check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rehearse.store.plugins import DescriptorError, Files, json_net
from rehearse.version import Version

if TYPE_CHECKING:
    from rehearse.database.storedb import Database

DEFAULT_THEME = "DefaultClean"  # what every image ships (§2)


@dataclass(frozen=True)
class Theme:
    folder: str
    system_name: str


def read_themes(folders: Mapping[str, Files], version: Version) -> list[Theme]:
    """The themes a version finds; a theme.json without SystemName, or two with one name,
    throws and stops the start (4.x `ThemeProvider`, §11)."""
    themes: list[Theme] = []
    for folder in sorted(folders):
        found = _read_theme(folder, folders[folder], version)
        if found is None:
            continue
        if any(t.system_name.lower() == found.system_name.lower() for t in themes):
            raise DescriptorError(f"Themes/{folder}: theme {found.system_name} is already loaded")
        themes.append(found)
    return themes


def _read_theme(folder: str, files: Files, version: Version) -> Theme | None:
    if version < Version(4, 0):
        return Theme(folder, folder) if "theme.config" in files else None
    # 4.x searches theme.json recursively under the theme's folder (§11).
    path = next((p for p in sorted(files) if p.rsplit("/", 1)[-1] == "theme.json"), None)
    if path is None:
        return None
    text = files[path].decode("utf-8-sig", errors="replace")
    # ThemeProvider deserialises with Json.NET too: the same leniency (§11)
    name = json_net(text or "{}", f"Themes/{folder}/{path}").get("systemname")
    if not isinstance(name, str) or not name.strip():
        raise DescriptorError(f"Themes/{folder}/{path}: the theme has no SystemName")
    return Theme(folder, name.strip())


def rendered_theme(configured: str, themes: list[Theme]) -> str | None:
    """The configured theme when loaded, else the first theme found (`ThemeContext`, §11);
    None when none is: "No theme could be loaded"."""
    for theme in themes:
        if theme.system_name.lower() == configured.lower():
            return theme.system_name
    return themes[0].system_name if themes else None


THEME_SETTING = "storeinformationsettings.defaultstoretheme"  # `ThemeContext` (§11)


def configured_theme(db: Database) -> str | None:
    """The store's theme setting (first store's row first), or None when it has none."""
    from rehearse.database.storedb import Tables  # only a run reads the database: not `check`

    table = Tables(db.table_names()).find("Setting")
    if table is None:
        return None
    _, rows = db.query(f"SELECT {db.quote('Value')} FROM {db.quote(table)} WHERE "
                       f"LOWER({db.quote('Name')}) = '{THEME_SETTING}' ORDER BY "
                       f"{db.quote('StoreId')}")
    return str(rows[0][0]) if rows and rows[0][0] else None
