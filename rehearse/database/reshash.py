"""Every locale resource as two 64-bit numbers: a key (the hash of its name, then its language)
and a hash of its value, in two arrays sorted by key. 1.4 million resources cost about 23 MiB
instead of a dict's ~300 MB; the few names a report shows are read again from the database."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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


Group = tuple[int, dict[str, int]]  # a name's hash and its value hash in each language


def name_hash(name: str) -> int:
    digest = hashlib.blake2b(name.lower().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & NAME_MASK


def build(languages: Iterable[str], rows: Iterable[tuple[int, str, int]]) -> ResourceHashes:
    """From (language index, name, value hash) rows in any order."""
    buckets = [(array("q"), array("q")) for _ in range(256)]
    for index, name, value in rows:
        key = name_hash(name) << LANGUAGE_BITS | index
        keys, values = buckets[key >> BUCKET_SHIFT]
        keys.append(key)
        values.append(value)
    found = ResourceHashes(tuple(languages))
    for keys, values in buckets:
        for key, value in sorted(zip(keys, values, strict=True)):
            found.keys.append(key)
            found.values.append(value)
        del keys[:], values[:]  # freed bucket by bucket: the peak stays one copy
    return found


def of(resources: dict[tuple[str, str], int]) -> ResourceHashes:
    """From a dict (language, name) → value hash: small stores and tests."""
    languages = sorted({language for language, _ in resources})
    index = {language: n for n, language in enumerate(languages)}
    return build(languages, ((index[lang], name, value)
                             for (lang, name), value in resources.items()))


def groups(found: ResourceHashes) -> Iterator[Group]:
    """Each name once, ascending by hash, with its languages."""
    keys, i = found.keys, 0
    while i < len(keys):
        name, group = keys[i] >> LANGUAGE_BITS, {}
        while i < len(keys) and keys[i] >> LANGUAGE_BITS == name:
            group[found.languages[keys[i] & 0xFFFF]] = found.values[i]
            i += 1
        yield name, group


def paired(before: ResourceHashes,
           after: ResourceHashes) -> Iterator[tuple[int, dict[str, int], dict[str, int]]]:
    """A merge over both sides' names: (name hash, before's languages, after's languages)."""
    old, new = groups(before), groups(after)
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a[0] < b[0]):
            yield a[0], a[1], {}
            a = next(old, None)
        elif b is not None and (a is None or b[0] < a[0]):
            yield b[0], {}, b[1]
            b = next(new, None)
        elif a is not None and b is not None:
            yield a[0], a[1], b[1]
            a, b = next(old, None), next(new, None)


def names(stored: Iterable[str], wanted: set[int]) -> dict[int, str]:
    """The names of the few resources a report shows, found again among the `stored` ones
    (read from the database, batch by batch); a name no longer stored stays out."""
    found: dict[int, str] = {}
    for name in stored if wanted else ():
        hashed = name_hash(name)
        if hashed in wanted:
            found.setdefault(hashed, name)
            if len(found) == len(wanted):
                break
    return found


def named(stored: Iterable[str], flagged: list[tuple[str, int]], shown: int,
          sep: str = ": ") -> list[str]:
    """"language: name" of the first `shown` flagged (language, name hash), alphabetically
    among the first 200 looked up; a name gone from the database shows as its hash."""
    looked = flagged[:200]
    found = names(stored, {h for _, h in looked})
    return sorted(f"{lang}{sep}{found.get(h, f'#{h:012x}')}" for lang, h in looked)[:shown]
