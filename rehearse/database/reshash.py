"""Every locale resource as two 64-bit numbers: a key (the hash of its name in lower case, then
its language) and a hash of its value, sorted by key: in two arrays (1.4 million resources cost
about 23 MiB instead of a dict's ~300 MB) or in a temporary file (spill.py, a batch in memory at
a time); the few names a report shows are read again from the database."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from rehearse.database import spill

LANGUAGE_BITS = 16  # the language's index in ResourceHashes.languages
NAME_MASK = (1 << 47) - 1  # the name's hash above it, so that a key stays a positive int64
BUCKET_SHIFT = 47 + LANGUAGE_BITS - 8  # 256 buckets, each sorted on its own: no big list


@dataclass(frozen=True)
class ResourceHashes:
    """Keys ascending, so one name's languages sit side by side; values[i] belongs to keys[i]."""

    languages: tuple[str, ...] = ()
    keys: array[int] = field(default_factory=lambda: array("q"))
    values: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.keys)

    def pairs(self) -> Iterator[tuple[int, int]]:
        return zip(self.keys, self.values, strict=True)

    def close(self) -> None:
        """Nothing to release: the arrays go with the object."""


@dataclass(frozen=True)
class SpilledResources(spill.Spilled):
    """ResourceHashes kept in a temporary file, in key order."""

    languages: tuple[str, ...] = ()


Resources = ResourceHashes | SpilledResources


Group = tuple[int, dict[str, int]]  # a name's hash and its value hash in each language


def name_hash(name: str) -> int:
    """A name's hash made here, where the engine makes none (datasnap.keyed_resources)."""
    digest = hashlib.blake2b(name.lower().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & NAME_MASK


def _keyed(rows: Iterable[tuple[int, int, int]]) -> Iterator[tuple[int, int]]:
    return (((name & NAME_MASK) << LANGUAGE_BITS | index, value) for index, name, value in rows)


def build(languages: Iterable[str], rows: Iterable[tuple[int, int, int]]) -> ResourceHashes:
    """From (language index, name hash, value hash) rows in any order."""
    found = ResourceHashes(())
    for key, value in spill.ascending(_keyed(rows), BUCKET_SHIFT):
        found.keys.append(key)
        found.values.append(value)
    return replace(found, languages=tuple(languages))  # read only after the last row


def spilled(languages: Iterable[str], rows: Iterable[tuple[int, int, int]]) -> SpilledResources:
    """As `build`, kept in a temporary file: memory holds a batch, never the whole."""
    stored = spill.Pairs()
    stored.extend(spill.ascending(_keyed(rows), BUCKET_SHIFT))
    return SpilledResources(stored, tuple(languages))


def build_sorted(languages: Iterable[str],
                 rows: Iterable[Sequence[Sequence[int]]]) -> ResourceHashes:
    """From (key, value hash) rows the engine keyed and sorted, in fetches."""
    found = ResourceHashes(tuple(languages))
    for fetched in rows:
        found.keys.extend(row[0] for row in fetched)
        found.values.extend(row[1] for row in fetched)
    return found


def spilled_sorted(languages: Iterable[str],
                   rows: Iterable[Sequence[Sequence[int]]]) -> SpilledResources:
    """As build_sorted, kept in a temporary file."""
    stored = spill.Pairs()
    for fetched in rows:
        stored.extend_rows(fetched)
    return SpilledResources(stored, tuple(languages))


def of(resources: dict[tuple[str, str], int]) -> ResourceHashes:
    """From a dict (language, name) → value hash: small stores and tests."""
    languages = sorted({language for language, _ in resources})
    index = {language: n for n, language in enumerate(languages)}
    return build(languages, ((index[lang], name_hash(name), value)
                             for (lang, name), value in resources.items()))


def groups(found: Resources) -> Iterator[Group]:
    """Each name once, ascending by hash, with its languages."""
    name, group = -1, dict[str, int]()
    for key, value in found.pairs():
        if key >> LANGUAGE_BITS != name:
            if group:
                yield name, group
            name, group = key >> LANGUAGE_BITS, {}
        group[found.languages[key & 0xFFFF]] = value
    if group:
        yield name, group


def paired(before: Resources,
           after: Resources) -> Iterator[tuple[int, dict[str, int], dict[str, int]]]:
    """A merge over both sides' names: (name hash, before's languages, after's languages)."""
    for name, had, has in spill.merged(groups(before), groups(after)):
        yield name, had or {}, has or {}


def unchanged(before: Resources, after: Resources) -> bool:
    """Every key and value alike, found by comparing the arrays or files whole: what a store
    nothing changed shows, without a merge walk over every name (1.7 s on the 1 GB store)."""
    if before.languages != after.languages:
        return False
    if isinstance(before, ResourceHashes) and isinstance(after, ResourceHashes):
        return before.keys == after.keys and before.values == after.values
    if isinstance(before, SpilledResources) and isinstance(after, SpilledResources):
        return before.stored.same(after.stored)
    return False  # one of each: the merge walk tells


Lookup = Callable[[set[int]], Iterable[tuple[int, str]]]  # wanted name hashes → (hash, name)


def names(stored: Lookup, wanted: set[int]) -> dict[int, str]:
    """The names of the few resources a report shows, found again by their hashes among the
    (name hash, name) pairs `stored` gives for them (datasnap.resource_names: the engine picks
    them out where it hashes, else every name is read); a name no longer stored stays out."""
    found: dict[int, str] = {}
    for hashed_name, name in stored(wanted) if wanted else ():
        hashed = hashed_name & NAME_MASK
        if hashed in wanted:
            found.setdefault(hashed, name)
            if len(found) == len(wanted):
                break
    return found


def named(stored: Lookup, flagged: list[tuple[str, int]], shown: int,
          sep: str = ": ") -> list[str]:
    """"language: name" of the first `shown` flagged (language, name hash), alphabetically
    among the first 200 looked up; a name gone from the database shows as its hash."""
    looked = flagged[:200]
    found = names(stored, {h for _, h in looked})
    return sorted(f"{lang}{sep}{found.get(h, f'#{h:012x}')}" for lang, h in looked)[:shown]
