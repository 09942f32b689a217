"""appsettings.json sections that point outside the sandbox, turned off per version; every other
section kept as the store had it (nopcommerce.md §11, "appsettings pointing outside")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rehearse.version import Version

Section = dict[str, Any]
Settings = dict[str, Any]


def _key(section: Section, name: str) -> str | None:
    return next((k for k in section if k.lower() == name.lower()), None)


def _get(section: Section, name: str) -> Any:
    found = _key(section, name)
    return section[found] if found is not None else None


def _set(section: Section, name: str, value: Any, label: str, changes: list[str],
         shown: str | None = None) -> None:
    found = _key(section, name) or name
    old = section.get(found)
    section[found] = value
    changes.append(f"appsettings {label}.{found}: {shown or _shown(old)} → {_shown(value)}")


def distributed_cache(section: Section, changes: list[str]) -> None:
    """DistributedCacheConfig: Redis or another SQL Server → the in-process memory cache (4.40+);
    unreachable Redis fails the start (§11, #4659)."""
    kind = str(_get(section, "DistributedCacheType") or "").lower()
    if _get(section, "Enabled") is not True and str(_get(section, "Enabled")).lower() != "true":
        return
    if kind == "memory":
        return
    _set(section, "DistributedCacheType", "memory", "DistributedCacheConfig", changes)
    if _get(section, "ConnectionString"):
        _set(section, "ConnectionString", "", "DistributedCacheConfig", changes, "(set)")


def azure_blob(section: Section, changes: list[str]) -> None:
    """AzureBlobConfig 4.40-4.80 is on whenever its ConnectionString is set (§11)."""
    if _get(section, "ConnectionString"):
        _set(section, "ConnectionString", "", "AzureBlobConfig", changes, "(set)")


def cdn(section: Section, changes: list[str]) -> None:
    """WebOptimizer.CdnUrl: bundles served from the store's CDN, out of the sandbox's reach."""
    if _get(section, "CdnUrl"):
        _set(section, "CdnUrl", "", "WebOptimizer", changes)


def outgoing_proxy(section: Section, changes: list[str]) -> None:
    """ProxySettings: the store's outgoing HTTP proxy, which the sandbox cannot reach."""
    if _get(section, "Enabled") is True or str(_get(section, "Enabled")).lower() == "true":
        _set(section, "Enabled", False, "ProxySettings", changes)


SECTIONS: dict[str, Callable[[Section, list[str]], None]] = {
    "DistributedCacheConfig": distributed_cache,
    "AzureBlobConfig": azure_blob,
    "WebOptimizer": cdn,
    "ProxySettings": outgoing_proxy,
}


def keep_inside(settings: Settings, target: Version) -> list[str]:
    """Rewrite `settings` (App_Data/appsettings.json, 4.40+) in place; the changes made."""
    changes: list[str] = []
    if target.line < Version(4, 40):
        return changes  # ≤4.30 keep appsettings.json in the app root, replaced by the package
    for name, fix in SECTIONS.items():
        found = _key(settings, name)
        if found is not None and isinstance(settings[found], dict):
            fix(settings[found], changes)
    return changes


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    return str(value).lower() if isinstance(value, bool) else str(value)
