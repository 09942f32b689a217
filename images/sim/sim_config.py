"""The parts of App_Data/appsettings.json nopCommerce acts on at start-up, read as .NET
configuration reads them: section and key names in any case (nopcommerce.md §3, §11)."""

import json
import os
import socket

APP_DATA = "/app/App_Data"
REDIS_TYPES = ("redis", "redissynchronizedmemory")  # the latter 4.70+ (§11)


def setting_true(value):
    return value is True or str(value).strip().lower() == "true"


def section(appsettings, name):
    """One section, its keys lower-cased: .NET configuration keys are case-insensitive."""
    for found, value in (appsettings or {}).items():
        if found.lower() == name.lower() and isinstance(value, dict):
            return {k.lower(): v for k, v in value.items()}
    return {}


def load_appsettings():
    """App_Data/appsettings.json as the app reads it; two keys differing only in case are
    the JSON configuration provider's FormatException (a duplicate key), which ends start-up."""
    name = os.path.join(APP_DATA, "appsettings.json")
    if not os.path.exists(name):
        return {}
    with open(name, encoding="utf-8-sig") as stream:
        text = stream.read()
    if not text.strip():
        return {}
    return json.loads(text, object_pairs_hook=_no_duplicates)


def _no_duplicates(pairs):
    seen = {}
    for name, value in pairs:
        if name.lower() in seen:
            raise DuplicateKey(name)
        seen[name.lower()] = name
    return dict(pairs)


class DuplicateKey(ValueError):
    pass


def unreachable_redis(appsettings):
    """The Redis endpoint DistributedCacheConfig names when it cannot be reached, else None.
    Settings are read through RedisCacheManager in StartEngine, so start-up fails (§11, #4659)."""
    cache = section(appsettings, "DistributedCacheConfig")
    kind = str(cache.get("distributedcachetype") or "").lower()
    if not setting_true(cache.get("enabled")) or kind not in REDIS_TYPES:
        return None
    endpoint = str(cache.get("connectionstring") or "").split(",")[0].strip()
    host, _, port = endpoint.rpartition(":")
    if not host:
        host, port = endpoint, "6379"
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=3):
            return None
    except (OSError, ValueError):
        return endpoint or "(no endpoint)"
