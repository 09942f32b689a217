"""Data that must survive, compared at the database before and after the upgrade: the catalogue
and URL slugs row by row, each role's permissions, translations and settings."""

from __future__ import annotations

from functools import partial
from operator import countOf
from typing import Any

from rehearse.checks.acl_renames import after_480
from rehearse.checks.context import CheckContext, Outcome
from rehearse.database import customers460, datasnap, reshash, spill
from rehearse.database.datasnap import Rows
from rehearse.database.reshash import Resources
from rehearse.results import Status
from rehearse.version import Version

SHOWN = 10
DEFAULT_LANGUAGE = "en"
# Settings an upgrade deletes on purpose, with the migration that does it.
EXPECTED_SETTING_CHANGES: dict[Version, tuple[str, ...]] = {
    # 4.40 UpgradeTo440/SettingMigration.cs deletes the full-text settings (nopcommerce.md §11).
    Version(4, 40): ("commonsettings.usefulltextsearch", "commonsettings.fulltextmode"),
}


def _rows(before: Rows, after: Rows) -> tuple[list[int], list[int], list[int]]:
    """Ids changed, gone and new: a merge over both sides in id order, read a batch at a time
    when spilled (no dict of 700,000 rows, nor both sides whole in memory)."""
    changed: list[int] = []
    gone: list[int] = []
    new: list[int] = []
    for row_id, had, has in spill.merged(before.pairs(), after.pairs()):
        if has is None:
            gone.append(row_id)
        elif had is None:
            new.append(row_id)
        elif had != has:
            changed.append(row_id)
    return changed, gone, new


def _ids(label: str, ids: list[int]) -> list[str]:
    if not ids:
        return []
    more = f" … and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return [f"{label} ({len(ids)}): ids {', '.join(map(str, ids[:SHOWN]))}{more}"]


def _sides(context: CheckContext, part: str) -> tuple[Any, Any] | None:
    """Before and after of one part of the snapshot; None when the store had none of it."""
    before, after = context.data_before, context.data_after
    if before is None or after is None or not getattr(before, part):
        return None
    return getattr(before, part), getattr(after, part)


def _graded(evidence: list[str], failed: Any, warned: Any, passed: str) -> Outcome:
    """FAIL with `failed` when it is a text, else WARN with `warned`, else PASS."""
    if failed:
        return Status.FAIL, str(failed), evidence
    if warned:
        return Status.WARN, str(warned), evidence
    return Status.PASS, passed, evidence


def _ignored(context: CheckContext, table: str) -> bool:
    return table.lower() in {t.lower() for t in context.settings.ignore_tables}


def _gone_allowed(context: CheckContext, gone: list[int], total: int) -> list[int]:
    """Rows gone within checks.max_row_loss_percent are the rows check's business, not a fail."""
    within = 100.0 * len(gone) / max(total, 1) <= context.settings.max_row_loss_percent
    return [] if within else gone


def catalogue(context: CheckContext) -> Outcome:
    pair = _sides(context, "catalogue")
    if pair is None or _ignored(context, "Product"):
        return Status.SKIP, "no catalogue to compare (or Product in checks.ignore_tables)", []
    before, after = pair
    changed, gone, _ = _rows(before, after)
    evidence = [f"compared {len(before)} products on {', '.join(before.columns)}"]
    evidence += _ids("changed", changed) + _ids("gone", gone)
    gone = _gone_allowed(context, gone, len(before))
    if changed or gone:
        return (Status.FAIL, f"{len(changed)} products changed and {len(gone)} gone "
                             f"({', '.join(before.columns)})", evidence)
    return Status.PASS, f"all {len(before)} products kept name, SKU, prices, stock", evidence


def slugs(context: CheckContext) -> Outcome:
    pair = _sides(context, "slugs")
    if pair is None or _ignored(context, "UrlRecord"):
        return Status.SKIP, "no URL records to compare (or UrlRecord in checks.ignore_tables)", []
    changed, gone, _ = _rows(*pair)
    evidence = _ids("changed", changed) + _ids("gone", gone)
    gone = _gone_allowed(context, gone, len(pair[0]))
    if changed or gone:
        return (Status.FAIL, f"{len(changed) + len(gone)} URL slugs changed or gone: old links "
                             "and search results break", evidence)
    return Status.PASS, f"all {len(pair[0])} URL slugs kept", evidence


def permissions(context: CheckContext) -> Outcome:
    pair = _sides(context, "permissions")
    if pair is None:
        return Status.SKIP, "no permissions to compare", []
    crosses_480 = context.source.line < Version(4, 80) <= context.target.line
    before = {role: after_480(names) if crosses_480 else names
              for role, names in pair[0].items()}
    known = frozenset().union(*before.values())
    granted, lost, new = [], [], []
    for role in sorted(before.keys() | pair[1].keys()):
        had, has = before.get(role, frozenset()), pair[1].get(role, frozenset())
        granted += [f"{role} were granted {p}" for p in sorted(has - had) if p in known]
        new += [f"{role}: new permission {p}" for p in sorted(has - had) if p not in known]
        lost += [f"{role} lost {p}" for p in sorted(had - has)]
    evidence = granted + lost + new[:SHOWN]
    note = " (4.80's renames mapped)" if crosses_480 else ""
    return _graded(evidence,
                   (granted or lost) and f"{len(granted)} permissions granted and {len(lost)} "
                                         f"taken away{note}",
                   new and f"{len(new)} new permissions granted by the upgrade{note}",
                   f"every role kept exactly its permissions{note}")


def _translations(before: Resources,
                  after: Resources) -> tuple[list[tuple[str, int]], list[tuple[str, int]],
                                                  set[str]]:
    """(language, name hash) overwritten with English and only in English, and the languages
    other than English: a walk over the names after, a name's languages at a time; before is
    asked only for the values equal to English after (one pass, no merge of both sides)."""
    used = {key & 0xFFFF for key, _ in after.pairs()}  # a language with no resource: not shown
    english = tuple(c for c in after.languages if c.lower() == DEFAULT_LANGUAGE)
    languages = {after.languages[n] for n in used} - set(english)
    as_english: list[tuple[str, int, int]] = []  # (language, name hash, the English value)
    missing: list[tuple[str, int]] = []
    for name, has in reshash.groups(after):
        value = _english_value(has, english)
        if value is None:
            continue
        if countOf(has.values(), value) > 1:  # most names: no other language reads the same
            as_english += [(code, name, value) for code, v in has.items()
                           if v == value and code not in english]
        if not languages <= has.keys():
            missing += [(code, name) for code in languages if code not in has]
    return _changed_before(before, as_english), missing, languages


def _english_value(has: dict[str, int], english: tuple[str, ...]) -> int | None:
    """The value of the first English code `has` holds, in its order (one code: a lookup)."""
    if len(english) == 1:
        return has.get(english[0])
    return next((v for c, v in has.items() if c in english), None)


def _changed_before(before: Resources,
                    as_english: list[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """Those of `as_english` whose value before was another: a translation now overwritten
    (one new since, or English already, is not). A language code listed twice reads as
    reshash.groups reads it: its last index that holds the name."""
    indices: dict[str, list[int]] = {}
    for n, code in enumerate(before.languages):
        indices.setdefault(code, []).append(n)
    keys = {(code, name): [name << reshash.LANGUAGE_BITS | n for n in indices.get(code, ())]
            for code, name, _ in as_english}
    wanted = {key for found in keys.values() for key in found}
    had = {key: value for key, value in before.pairs() if key in wanted} if wanted else {}

    def value_before(code: str, name: int) -> int | None:
        return next((had[key] for key in reversed(keys[code, name]) if key in had), None)

    return [(code, name) for code, name, value in as_english
            if value_before(code, name) not in (None, value)]


def localization(context: CheckContext) -> Outcome:
    pair = _sides(context, "resources")
    if pair is None:
        return Status.SKIP, "no locale resources to compare", []
    overwritten, missing, languages = _translations(*pair)
    stored = partial(datasnap.resource_names, context.db)
    evidence = [f"overwritten with English: {line.lower()}" for line in reshash.named(
        stored, overwritten, SHOWN)]
    evidence += [f"only in English: {line.lower()}" for line in reshash.named(
        stored, missing, SHOWN)]
    return _graded(evidence,
                   overwritten and f"{len(overwritten)} translations overwritten with English",
                   missing and f"{len(missing)} resources exist in English only (customers "
                               "see the raw key)",
                   f"translations kept in {len(languages)} other languages")


def settings(context: CheckContext) -> Outcome:
    pair = _sides(context, "settings")
    if pair is None:
        return Status.SKIP, "no settings to compare", []
    before, after = pair
    expected = {name for line, names in EXPECTED_SETTING_CHANGES.items()
                if context.source.line < line <= context.target.line for name in names}
    removed = sorted(k for k in before if k not in after and k.split("/")[0] not in expected)
    changed = sorted(k for k in before if k in after and before[k] != after[k]
                     and k.split("/")[0] not in expected)
    evidence = [f"removed: {k}" for k in removed[:SHOWN]]
    evidence += [f"changed: {k}: {before[k][:60]} → {after[k][:60]}" for k in changed[:SHOWN]]
    if removed or changed:
        return (Status.WARN, f"the upgrade removed {len(removed)} and changed {len(changed)} "
                             "settings", evidence)
    return Status.PASS, "no setting removed or changed beyond the expected ones", evidence


def customers_460(context: CheckContext) -> Outcome:
    moved = context.customers_before
    if moved is None:
        return Status.SKIP, "the upgrade does not cross 4.60's customer move", []
    found = customers460.problems(context.db, moved)
    evidence = [f"{len(moved.slots)} customer attributes of registered customers before 4.60",
                *found]
    if found:
        return (Status.FAIL, "4.60's customer move did not carry every attribute into the "
                             "Customer columns", evidence)
    return (Status.PASS, f"all {len(moved.slots)} customer attributes are in the Customer "
                         "columns, none left behind", evidence)
