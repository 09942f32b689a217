"""Plugin descriptors read exactly as each version's loader reads them (nopcommerce.md §11):
3.x `Description.txt`, 4.00+ `plugin.json` with Json.NET's leniency and its strictness."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rehearse.version import Version

Files = Mapping[str, bytes]  # one plugin folder: {path inside the folder: content}
_FOUR = Version(4, 0)
# 3.x keeps a plugin without SupportedVersions as a 2.00 plugin: it never loads (§11).
_NO_VERSIONS = ("2.00",)


class DescriptorError(Exception):
    """A descriptor the loader throws on: the whole store stops starting (§11)."""


@dataclass(frozen=True)
class Descriptor:
    folder: str
    system_name: str
    version: str
    supported_versions: tuple[str, ...]
    file_name: str
    has_main_file: bool

    def supports(self, version: Version) -> bool:
        # `SupportedVersions.Contains(CURRENT_VERSION, InvariantCultureIgnoreCase)`: whole-string
        # equality with "4.60", no prefix, range or trimming (§11, every release's loader).
        current = str(version.line)
        return any(v.lower() == current for v in self.supported_versions)

    def loads(self, version: Version) -> bool:
        return self.supports(version) and self.has_main_file


def descriptor_name(version: Version) -> str:
    return "Description.txt" if version < _FOUR else "plugin.json"


def find_descriptor(files: Files, version: Version) -> str | None:
    """The descriptor file this version's loader sees in one plugin folder (top level only)."""
    wanted = descriptor_name(version)
    if wanted in files:
        return wanted
    if version >= Version(4, 40):  # 4.40+ searches case-insensitively, also on Linux (§11)
        return next((p for p in files if "/" not in p and p.lower() == wanted.lower()), None)
    return None


def read_descriptor(folder: str, files: Files, version: Version) -> Descriptor | None:
    """None when this version sees no descriptor (the folder is invisible, no warning)."""
    name = find_descriptor(files, version)
    if name is None:
        return None
    text = files[name].decode("utf-8-sig", errors="replace")
    fields = _description_txt(text) if version < _FOUR else _plugin_json(text, f"{folder}/{name}")
    file_name = fields.get("filename") or ""
    has_main = bool(file_name) and any(
        p.lower() == file_name.lower() for p in files if "/" not in p)
    if version < _FOUR and not has_main:
        # 3.x: "The plugin … does not have main assembly file" thrown at start (§11).
        raise DescriptorError(f"{folder}: main assembly {file_name or '(no FileName)'} is missing")
    return Descriptor(folder, fields.get("systemname") or "", fields.get("version") or "",
                      tuple(fields.get("supportedversions") or ()), file_name, has_main)


def _description_txt(text: str) -> dict[str, Any]:
    """`Key: value` lines, keys case-sensitive; versions split on `,` and trimmed (3.90)."""
    keys = {"SystemName": "systemname", "Version": "version", "FileName": "filename",
            "SupportedVersions": "supportedversions"}
    found: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in keys:
            found[keys[key.strip()]] = value.strip()
    versions = [v.strip() for v in str(found.get("supportedversions", "")).split(",") if v.strip()]
    found["supportedversions"] = versions or list(_NO_VERSIONS)
    return found


_STRING_FIELDS = ("group", "friendlyname", "systemname", "version", "author", "filename",
                  "description")


def _plugin_json(text: str, where: str) -> dict[str, Any]:
    """Json.NET: comments, trailing commas and any-case keys pass; wrong types throw (§11)."""
    if not text.strip():
        return {"supportedversions": []}  # an empty file: an empty descriptor (4.x loader)
    data = json_net(text, where)
    for key in _STRING_FIELDS:
        if isinstance(data.get(key), (dict, list)):
            raise DescriptorError(f"{where}: {key} must be a string")
    versions = data.get("supportedversions", list(_NO_VERSIONS))
    if not isinstance(versions, list) or any(isinstance(v, (dict, list)) for v in versions):
        raise DescriptorError(f"{where}: SupportedVersions must be a list of versions")
    data["supportedversions"] = [str(v) for v in versions if v is not None] or list(_NO_VERSIONS)
    return data


def json_net(text: str, where: str) -> dict[str, Any]:
    """An object as Json.NET binds it: keys in any case, numbers as their text."""
    try:
        data = json.loads(_lenient(text), parse_float=str, parse_int=str,
                          object_pairs_hook=lambda pairs: {k.lower(): v for k, v in pairs})
    except ValueError as error:
        raise DescriptorError(f"{where}: not readable JSON ({error})") from None
    if not isinstance(data, dict):
        raise DescriptorError(f"{where}: not a JSON object")
    return data


_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def _lenient(text: str) -> str:
    """Drop what Json.NET skips and Python's json refuses: comments and trailing commas."""
    return _TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)


def check_startup(descriptors: list[Descriptor], version: Version) -> list[tuple[str, str]]:
    """(SystemName, why) of what stops the store starting beyond unreadable descriptors: an
    empty or duplicate SystemName of a compatible plugin; from 4.60 of any (Dictionary.Add, §11)."""
    counted = descriptors if version >= Version(4, 60) else [
        d for d in descriptors if d.loads(version)]
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for found in counted:
        name = found.system_name.strip()
        if not name:
            problems.append((name, f"{found.folder}: the descriptor has no SystemName"))
        elif name.lower() in seen:
            problems.append((name, f"{found.folder}: SystemName {name} is used by another "
                                   "plugin folder"))
        seen.add(name.lower())
    return problems
