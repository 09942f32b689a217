"""The database-level comparisons, on snapshots built by hand and taken from SQLite."""

from __future__ import annotations

import random
from array import array
from decimal import Decimal

from rehearse.checks import data_diff
from rehearse.checks.acl_renames import after_480
from rehearse.checks.context import CheckContext
from rehearse.database import datasnap, reshash
from rehearse.database.datasnap import DataSnapshot, RowHashes
from rehearse.database.storedb import Baseline, Tables
from rehearse.results import Status
from rehearse.version import Version
from tests.unit.checks.sqlite_store import SqliteStore


def _snapshot(rows: dict[int, int] | None = None,
              permissions: dict[str, frozenset[str]] | None = None,
              resources: dict[tuple[str, str], str] | None = None,
              settings: dict[str, str] | None = None) -> DataSnapshot:
    ids = sorted(rows or {})
    catalogue = RowHashes(("Name",), array("q", ids), array("q", [(rows or {})[i] for i in ids]))
    hashed = {key: datasnap.digest((value,)) for key, value in (resources or {}).items()}
    return DataSnapshot(catalogue, RowHashes(), permissions or {}, reshash.of(hashed),
                        settings or {})


def _context(before: DataSnapshot, after: DataSnapshot, source: str = "4.70",
             target: str = "4.80", db: SqliteStore | None = None) -> CheckContext:
    empty = Baseline({}, (), ())
    return CheckContext(None, db or SqliteStore(), Version.parse(source), Version.parse(target),
                        empty, empty, 0, (), (), data_before=before, data_after=after)


def test_changed_and_gone_products_are_listed_by_id() -> None:
    before = _snapshot({1: 10, 2: 20, 3: 30, 4: 40})
    status, _, evidence = data_diff.catalogue(
        _context(before, _snapshot({1: 10, 2: 21, 4: 40, 5: 50})))
    assert status is Status.FAIL
    assert evidence[1:] == ["changed (1): ids 2", "gone (1): ids 3"]


def test_480_renames_are_mapped_before_roles_are_compared() -> None:
    before = _snapshot(permissions={
        "Guests": frozenset({"EnableShoppingCart"}),
        "Managers": frozenset({"ManageProducts", "AccessAdminPanel"})})
    after = _snapshot(permissions={
        "Guests": frozenset({"PublicStore.EnableShoppingCart", "PublicStore.DisplayPrices"}),
        "Managers": frozenset(after_480(frozenset({"ManageProducts"})))})
    status, summary, evidence = data_diff.permissions(_context(before, after))
    assert status is Status.FAIL
    # DisplayPrices did not exist in this store before: a new permission, not a grant.
    assert evidence == ["Managers lost Security.AccessAdminPanel",
                        "Guests: new permission PublicStore.DisplayPrices"]
    assert "4.80's renames mapped" in summary


def test_a_permission_granted_that_existed_before_fails() -> None:
    before = _snapshot(permissions={"Guests": frozenset(), "Registered": frozenset(
        {"DisplayPrices"})})
    after = _snapshot(permissions={"Guests": frozenset({"PublicStore.DisplayPrices"}),
                                   "Registered": frozenset({"PublicStore.DisplayPrices"})})
    _, _, evidence = data_diff.permissions(_context(before, after))
    assert evidence == ["Guests were granted PublicStore.DisplayPrices"]


def test_translations_overwritten_with_english_fail_and_missing_ones_warn() -> None:
    before = _snapshot(resources={("en", "a"): "Cart", ("de", "a"): "Warenkorb"})
    overwritten = _snapshot(resources={("en", "a"): "Cart", ("de", "a"): "Cart"})
    assert data_diff.localization(_context(before, overwritten))[0] is Status.FAIL
    new_key = _snapshot(resources={("en", "a"): "Cart", ("de", "a"): "Warenkorb",
                                   ("en", "b"): "New"})
    db = SqliteStore()  # the names a report shows are read again from the database
    db.table("LocaleStringResource", '"Id" int, "ResourceName" text', [(1, "A"), (2, "B")])
    status, _, evidence = data_diff.localization(_context(before, new_key, db=db))
    assert status is Status.WARN and evidence == ["only in English: de: b"]


def test_settings_the_upgrade_deletes_on_purpose_are_not_listed() -> None:
    before = _snapshot(settings={"commonsettings.usefulltextsearch/0": "True", "a.b/0": "1"})
    after = _snapshot(settings={"a.b/0": "2"})
    status, _, evidence = data_diff.settings(_context(before, after, "4.30", "4.40"))
    assert status is Status.WARN and evidence == ["changed: a.b/0: 1 → 2"]


def test_the_catalogue_is_read_in_id_ranges_whatever_the_columns() -> None:
    db = SqliteStore()
    db.table("Product", '"Id" int, "Name" text, "Price" text, "Deleted" int',
             [(n, f"P{n}", "18.99", 0) for n in range(1, 50_001, 7)])
    first = datasnap.take(db)
    db.execute('UPDATE "Product" SET "Name" = \'Other\' WHERE "Id" = 49995')
    assert first.catalogue.columns == ("Name", "Price", "Deleted")
    assert list(first.catalogue.ids) == list(range(1, 50_001, 7))
    changed = [i for i, (a, b) in enumerate(zip(first.catalogue.hashes,
                                                datasnap.take(db).catalogue.hashes, strict=True))
               if a != b]
    assert [first.catalogue.ids[i] for i in changed] == [49995]


def test_values_hash_as_values_not_as_driver_types() -> None:
    assert datasnap.digest((Decimal("18.9900"),)) == datasnap.digest((Decimal("18.99"),))
    assert datasnap.digest((True, None)) == datasnap.digest((1, None))
    assert datasnap.digest((None,)) != datasnap.digest(("",))


def test_products_gone_within_the_allowed_row_loss_pass_but_changes_never() -> None:
    from dataclasses import replace

    from rehearse.checks.context import CheckSettings

    before = _snapshot({n: n for n in range(1, 21)})
    gone_one = _snapshot({n: n for n in range(2, 21)})
    allowing = replace(_context(before, gone_one), settings=CheckSettings(
        max_row_loss_percent=5))
    assert data_diff.catalogue(allowing)[0] is Status.PASS
    changed = _snapshot({**{n: n for n in range(2, 21)}, 1: 99})
    assert data_diff.catalogue(replace(allowing, data_after=changed))[0] is Status.FAIL
    ignoring = replace(allowing, settings=CheckSettings(ignore_tables=("product",)),
                       data_after=changed)
    assert data_diff.catalogue(ignoring)[0] is Status.SKIP


class _Counting(SqliteStore):
    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def query(self, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
        self.queries += 1
        return super().query(sql)


def test_gaps_in_the_ids_are_stepped_over_not_walked_batch_by_batch() -> None:
    # Slugs of products from 1, of categories from 10,000,001 (as the demo store numbers them),
    # and a dense run across several batches.
    ids = [1, 2, 3, 10_000_001, 10_000_002, *range(20_000_000, 20_000_000 + 2 * datasnap.BATCH + 5)]
    db = _Counting()
    db.table("Product", "Id INTEGER PRIMARY KEY, Name TEXT", [(i, f"p{i}") for i in ids])
    ranges = list(datasnap.id_ranges(db, "Product"))
    assert db.queries <= 2 * len(ranges)  # one MIN/MAX, one MIN per step: never 1,000 batches
    assert len(ranges) == 5
    found = [i for low, high in ranges for i in ids if low <= i <= high]
    assert found == ids  # every row in exactly one range, in order


def _hashes(rows: dict[int, int]) -> RowHashes:
    ids = sorted(rows)
    return RowHashes(("Name",), array("q", ids), array("q", [rows[k] for k in ids]))


def test_rows_are_merged_in_id_order_into_changed_gone_and_new() -> None:
    cases = [
        ({1: 10, 2: 20, 3: 30}, {1: 10, 2: 21, 3: 30}, ([2], [], [])),
        ({1: 10, 2: 20, 3: 30}, {2: 20}, ([], [1, 3], [])),
        ({2: 20}, {1: 10, 2: 20, 5: 50}, ([], [], [1, 5])),
        ({1: 1, 4: 4, 9: 9}, {2: 2, 4: 5, 8: 8, 9: 9, 10: 10}, ([4], [1], [2, 8, 10])),
        ({}, {}, ([], [], [])),
        ({7: 7}, {}, ([], [7], [])),
    ]
    for before, after, expected in cases:
        assert data_diff._rows(_hashes(before), _hashes(after)) == expected, (before, after)


class CountingStore(SqliteStore):
    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def query(self, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
        columns, rows = super().query(sql)
        self.largest = max(self.largest, len(rows))
        return columns, rows


def test_resources_are_read_in_id_ranges_and_kept_as_hashes() -> None:
    db = CountingStore()
    db.table("Language", '"Id" int, "UniqueSeoCode" text', [(1, "en"), (2, "de")])
    rows = [(n, 1 + n % 2, f"Name.{n // 2}", f"value {n // 2}") for n in range(1, 50_001)]
    rows.append((50_001, 3, "Orphan", "a deleted language's"))
    db.table("LocaleStringResource", '"Id" int, "LanguageId" int, "ResourceName" text, '
             '"ResourceValue" text', rows)
    found = datasnap.resources(db, Tables(db.table_names()))
    assert db.largest <= datasnap.BATCH  # never the whole table in one answer
    assert len(found) == 50_000 and list(found.keys) == sorted(found.keys)
    group = dict(reshash.groups(found))[reshash.name_hash("Name.7")]
    assert group == {"en": datasnap.digest(("value 7",)), "de": datasnap.digest(("value 7",))}


def test_many_overwritten_translations_are_counted_and_the_first_named_from_the_database(
) -> None:
    names = [f"Shop.Name{n:02}" for n in range(30)]
    before = _snapshot(resources={**{("en", n.lower()): "E" for n in names},
                                  **{("de", n.lower()): "D" for n in names}})
    after = _snapshot(resources={(lang, n.lower()): "E" for n in names for lang in ("en", "de")})
    db = SqliteStore()
    db.table("LocaleStringResource", '"Id" int, "ResourceName" text',
             [(i, n) for i, n in enumerate(names, 1)])
    status, summary, evidence = data_diff.localization(_context(before, after, db=db))
    assert status is Status.FAIL and summary.startswith("30 translations overwritten")
    assert evidence == [f"overwritten with English: de: {n.lower()}" for n in names[:10]]


def test_the_merge_pairs_each_name_once_whichever_side_has_it() -> None:
    before = reshash.of({("en", "a"): 1, ("de", "a"): 2, ("en", "gone"): 3})
    after = reshash.of({("en", "a"): 1, ("en", "new"): 4})
    found = {name: (had, has) for name, had, has in reshash.paired(before, after)}
    assert found == {reshash.name_hash("a"): ({"en": 1, "de": 2}, {"en": 1}),
                     reshash.name_hash("gone"): ({"en": 3}, {}),
                     reshash.name_hash("new"): ({}, {"en": 4})}


def test_resources_alike_are_unchanged_and_any_difference_is_not() -> None:
    values = {("en", "a"): 1, ("de", "a"): 2, ("en", "b"): 3}
    spilled = [reshash.spilled(("de", "en"), [(1, reshash.name_hash("a"), 1)]) for _ in "ab"]
    cases = [
        (reshash.of(values), reshash.of(values), True),
        (reshash.of(values), reshash.of({**values, ("en", "b"): 4}), False),
        (reshash.of(values), reshash.of({**values, ("en", "c"): 3}), False),
        (reshash.of(values), reshash.of({("en", "a"): 1, ("en", "b"): 3, ("fr", "a"): 2}),
         False),  # the same numbers, another language
        (spilled[0], spilled[1], True),
        (reshash.of({("en", "a"): 1}), spilled[0], False),  # one of each: the merge tells
    ]
    for before, after, expected in cases:
        assert reshash.unchanged(before, after) is expected, (before, after)
    for part in spilled:
        part.close()


def _merged_translations(before: reshash.Resources,
                         after: reshash.Resources) -> tuple[list[tuple[str, int]], ...]:
    """The oracle: what the check found by a merge walk over both sides' names, before it
    asked `before` only for the values equal to English."""
    used = {key & 0xFFFF for key, _ in after.pairs()}
    languages = {after.languages[n] for n in used} - {c for c in after.languages
                                                      if c.lower() == "en"}
    overwritten: list[tuple[str, int]] = []
    missing: list[tuple[str, int]] = []
    for name, had, has in reshash.paired(before, after):
        english = next((v for c, v in has.items() if c.lower() == "en"), None)
        if english is None:
            continue
        overwritten += [(code, name) for code, value in has.items()
                        if code.lower() != "en" and value == english
                        and had.get(code, value) != value]
        missing += [(code, name) for code in languages if code not in has]
    return overwritten, missing


def test_translations_are_found_as_a_merge_of_both_sides_finds_them() -> None:
    chooser = random.Random(7)
    kinds = set()
    for _ in range(200):
        sides = []
        # indices differ by side; a code in capitals is English too (the first one counts)
        for codes in (["en", "de", "fr"], ["de", "en", "nl", "fr", "EN"]):
            chosen = chooser.sample(codes, chooser.randint(1, len(codes)))
            sides.append({(code, f"n{n}"): chooser.choice("EEDX") for n in range(12)
                          for code in chosen if chooser.random() < 0.8})
        before, after = (_snapshot(resources=side).resources for side in sides)
        overwritten, missing, _ = data_diff._translations(before, after)
        assert (overwritten, missing) == _merged_translations(before, after)
        kinds |= {"overwritten"} if overwritten else set()
        kinds |= {"missing"} if missing else set()
    assert kinds == {"overwritten", "missing"}  # the cases met both kinds of finding
