"""App_Data checked before any container starts: the mistakes nopCommerce would trip over, each
named exactly, and no production database address left in anything the sandbox receives
(nopcommerce.md §3)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from rehearse.catalog import Provider
from rehearse.errors import BadInputError
from rehearse.version import Version

Files = dict[str, bytes]
# Linux file names are case-sensitive: nopCommerce finds these spellings only.
CANONICAL = ("appsettings.json", "plugins.json", "dataSettings.json", "Settings.txt",
             "installedPlugins.json", "InstalledPlugins.txt")
TRIVIAL_HOSTS = {"", ".", "localhost", "127.0.0.1", "(local)", "::1"}
COPY_AGAIN = "copy the file again from the store"


class DuplicateKeyError(ValueError):
    pass


def parse_json(files: Files, name: str) -> Any:
    """The JSON of App_Data/`name`; keys differing only in case are the error ASP.NET
    configuration raises ("A duplicate key … was found")."""
    try:
        text = files[name].decode("utf-8-sig")
        return json.loads(text or "{}", object_pairs_hook=_unique_keys)
    except DuplicateKeyError as error:
        raise BadInputError(
            f"App_Data/{name} holds the key {error} twice, in different case: configuration "
            "keys are case-insensitive, so nopCommerce stops with a duplicate-key error",
            hint="keep one of the two and delete the other") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BadInputError(f"App_Data/{name} is not valid JSON ({error})",
                            hint=COPY_AGAIN) from error


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    for key, _ in pairs:
        if key.lower() in seen:
            raise DuplicateKeyError(f"'{seen[key.lower()]}'/'{key}'")
        seen[key.lower()] = key
    return dict(pairs)


def find_key(data: Mapping[str, Any], name: str) -> str | None:
    """The key `name` in any case, as .NET configuration matches it."""
    return next((key for key in data if key.lower() == name.lower()), None)


def check_names(files: Files) -> None:
    for name in files:
        for canonical in CANONICAL:
            if name.lower() == canonical.lower() and name != canonical:
                raise BadInputError(
                    f"App_Data/{name} is not found on Linux, where nopCommerce reads "
                    f"App_Data/{canonical} (file names are case-sensitive there)",
                    hint=f"rename it to {canonical}")


def check_settings_txt(text: str) -> None:
    """≤3.90 reads `DataProvider:` and `DataConnectionString:` case-sensitively (§3)."""
    for line in text.splitlines():
        key = line.partition(":")[0].strip()
        for wanted in ("DataProvider", "DataConnectionString"):
            if key.lower() == wanted.lower() and key != wanted:
                raise BadInputError(
                    f"App_Data/Settings.txt has the key '{key}', but nopCommerce reads only "
                    f"'{wanted}' (keys are case-sensitive in Settings.txt)",
                    hint=f"write it as {wanted}:")


def check_data_settings(data: Mapping[str, Any]) -> None:
    """dataSettings.json names the connection string DataConnectionString up to 4.40 (§3)."""
    if "DataConnectionString" not in data and find_key(data, "ConnectionString"):
        raise BadInputError(
            "App_Data/dataSettings.json has 'ConnectionString', but 4.00-4.40 read "
            "'DataConnectionString' (appsettings.json's ConnectionStrings section came in 4.50)",
            hint="rename the key to DataConnectionString")


def check_no_production_address(files: Files, production: str, provider: Provider,
                                 sandbox: str) -> None:
    """No file handed to the sandbox may still hold the production connection string, its
    password or its server (a later step's "production" is the sandbox's own: skipped)."""
    parts = _connection_parts(production)
    secrets = [production] + [parts[k] for k in ("password", "pwd") if parts.get(k)]
    secrets += [h for h in _hosts(parts) if h.lower() not in TRIVIAL_HOSTS]
    secrets = [s for s in secrets if s not in sandbox]
    for name, content in files.items():
        text = content.decode("utf-8", errors="replace")
        for secret in secrets:
            if len(secret) >= 4 and secret in text:
                raise BadInputError(
                    f"App_Data/{name} still holds the production {provider.label} connection "
                    "string (its server or password); rehearse never hands it to the sandbox",
                    hint=f"remove that setting from App_Data/{name}, or leave the file out")


def _connection_parts(text: str) -> dict[str, str]:
    parts = {}
    for item in text.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            parts[key.strip().lower()] = value.strip()
    return parts


def _hosts(parts: Mapping[str, str]) -> list[str]:
    found = [parts.get(k, "") for k in ("server", "data source", "host", "address")]
    return [re.split(r"[,:]", host.removeprefix("tcp:"))[0] for host in found if host]


def check_environment(env: Mapping[str, str], versions: list[Version]) -> None:
    """app_environment entries nopCommerce parses, validated for each version started."""
    for name, value in env.items():
        lowered = name.lower()
        if lowered in ("connectionstrings__connectionstring", "datasettings__dataconnectionstring"):
            raise BadInputError(
                f"app_environment sets {name}, which would point nopCommerce away from the "
                "sandbox database", hint="remove it: rehearse writes the sandbox's connection")
        if lowered == "datasettings__dataprovider" and Version(4, 40) in \
                {v.line for v in versions}:
            _json_provider(name, value)


def _json_provider(name: str, value: str) -> None:
    """4.40 reads dataSettings__* as JSON: the provider is "postgresql" with quotes, or a number
    (nopcommerce.md §3); a bare word crashes the start."""
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, int) or (isinstance(parsed, str)
                                   and parsed.lower() in {p.value for p in Provider}):
        return
    raise BadInputError(
        f"app_environment {name}={value!r}: nopCommerce 4.40 reads it as JSON, so it must be a "
        "quoted provider name or its number; a bare word stops the start",
        hint=f"write {name}: '\"{value.strip(chr(34))}\"'")
