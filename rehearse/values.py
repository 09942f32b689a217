"""Checks of single scenario values (memory sizes, paths, image names, environment names),
shared with the command-line options that take the same values. Each raises ValueError with
what is wrong and how to write it."""

from __future__ import annotations

import re
from typing import Any

from rehearse.errors import BadInputError

# Below this neither a database server nor nopCommerce starts; Docker itself refuses under 6m.
MIN_MEMORY_MIB = 128
MAX_SECONDS = 7 * 24 * 3600
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_MIB = {"": 1 / 1024**2, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024**2}
# Docker's image reference grammar (distribution/reference), {version}/{tag} filled in first.
_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*(?::\d+)?/)?"
_IMAGE = re.compile(rf"{_HOST}{_PART}(?:/{_PART})*(?::\w[\w.-]{{0,127}})?"
                    r"(?:@sha256:[a-f0-9]{64})?")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def memory_limit(value: str) -> str:
    """A memory limit as Docker takes it ("1536m"), from 512m, 1.5g, 2GiB or 2048MB."""
    found = _SIZE.fullmatch(str(value).strip())
    if found is None:
        raise ValueError(f"{value!r} is not a memory size: write it like 512m or 2g")
    mib = float(found[1]) * _MIB[found[2].lower()]
    if mib < MIN_MEMORY_MIB:
        unit = "" if found[2] else " (a number without a unit is bytes)"
        raise ValueError(f"{value} is too little memory{unit}: give at least {MIN_MEMORY_MIB}m")
    if mib > 1024**3:
        raise ValueError(f"{value} is more memory than any machine has: write it like 2g")
    return f"{int(mib)}m"


def option_memory(option: str, value: str) -> str:
    """`memory_limit` for a command-line option."""
    try:
        return memory_limit(value)
    except ValueError as error:
        raise BadInputError(f"{option}: {error}", hint="write it like 512m or 2g") from None


def path_text(value: Any) -> Any:
    text = str(value)
    if "\0" in text:
        raise ValueError("a path cannot contain a NUL character")
    if any(len(part.encode()) > 255 for part in text.split("/")) or len(text) > 4096:
        raise ValueError("that path is longer than a file system allows")
    return value


def path_texts(value: Any) -> Any:
    """path_text for each of a list of paths (a single one is refused later, as any bad list)."""
    if isinstance(value, list | tuple):
        for item in value:
            path_text(item)
    return value


def image_name(value: str | None) -> str | None:
    probe = None if value is None else value.replace("{version}", "4.70").replace("{tag}", "4.70.0")
    if probe is not None and not _IMAGE.fullmatch(probe):
        raise ValueError(f"{value!r} is not an image name: write it like postgres:16 or "
                         "registry.example.com/shop/nopcommerce:{version}")
    return value


def environment(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        if not _ENV_NAME.fullmatch(name) or "\0" in text:
            raise ValueError(f"{name!r}: an environment variable is NAME: value, the name "
                             "of letters, digits and _")
    return value
