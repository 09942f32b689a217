"""Before/after comparison of what customers see: recording from nopCommerce's markup, the
seeded sample, the semantic comparison, and the second-start fingerprint."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from lxml import html

from rehearse.checks import storefront
from rehearse.checks.sample import draw
from rehearse.checks.store_diff import Difference, compare, price
from rehearse.database import fingerprint, reshash
from tests.unit.checks.sqlite_store import SqliteStore

# The DefaultClean theme's product page, cut to what the recorder reads
# (ProductTemplate.Simple.cshtml, _ProductPrice.cshtml, _SKU_Man_Gtin_Ven.cshtml).
PRODUCT_PAGE = """<html><body><div class="page product-details-page"><div class="page-body">
<div class="product-essential"><div class="gallery"><div class="picture">
<img src="/images/thumbs/0000021_levis-501_550.jpeg" alt="x"/></div></div>
<div class="overview"><div class="product-name">
  <h1>
     Levi&#39;s   501 &amp; more
  </h1></div>
<div class="additional-details"><div class="sku"><span class="label">SKU:</span>
<span class="value" id="sku-21">LV-501</span></div></div>
<div class="availability"><div class="stock"><span class="label">Availability:</span>
<span class="value">In stock</span></div></div>
<div class="prices"><div class="old-product-price"><label>Old price:</label>
<span>$1,299.00</span></div>
<div class="product-price"><label>Price:</label><span class="price-value-21">
$1,099.50</span></div></div></div></div></div></div>
<div class="product-grid"><div class="product-item"><h2 class="product-title">
<a href="/x">Also bought</a></h2><span class="price-value-99">$1.00</span></div></div>
</body></html>"""


def test_the_product_page_is_read_from_nopcommerces_markup_decoded() -> None:
    page = storefront._product(html.fromstring(PRODUCT_PAGE))
    assert page == {"name": "Levi's 501 & more", "price": "$1,099.50", "old_price": "$1,299.00",
                    "sku": "LV-501", "stock": "In stock",
                    "pictures": ["/images/thumbs/0000021_levis-501_550.jpeg"]}


def test_a_category_page_gives_its_title_products_and_pages() -> None:
    page = storefront._category(html.fromstring(
        '<div class="page category-page"><div class="page-title"><h1>Books &amp; more</h1></div>'
        '<div class="product-item"><h2 class="product-title"><a>A</a></h2></div>'
        '<div class="product-item"><h2 class="product-title"><a>B</a></h2></div>'
        '<div class="pager"><ul><li>1</li><li>2</li></ul></div></div>'))
    assert page == {"title": "Books & more", "products": ["A", "B"], "pages": 2}


@pytest.mark.parametrize(("text", "value"), [
    ("$1,099.50", Decimal("1099.50")), ("1.099,50 €", Decimal("1099.50")),
    ("€ 12", Decimal("12")), ("Price: $0.99", Decimal("0.99")), ("1 234,5 Kč", Decimal("1234.5")),
    ("Call for price", None), (None, None), ("$1,000", Decimal("1000")),
])
def test_prices_compare_as_numbers(text: str | None, value: Decimal | None) -> None:
    assert price(text) == value


def test_only_real_changes_are_differences() -> None:
    before: dict[str, dict[str, Any]] = {
        "/a": {"status": 200, "price": "$10.00", "name": "A", "pictures": ["1.jpg"]},
        "/b": {"status": 200, "products": ["x", "y", "z"]},
        "/gone": {"status": 200}}
    after: dict[str, dict[str, Any]] = {
        "/a": {"status": 200, "price": "$ 10.00", "name": "A", "pictures": ["1.jpg"]},
        "/b": {"status": 200, "products": ["x", "z", "w"]},
        "/gone": {"status": 404}}
    found = compare(before, after)
    assert [d.line() for d in found] == [
        "/b products: 3 items → missing 1: y; new 1: w",
        "/gone status: 200 → 404"]


def test_a_price_change_is_named_with_both_prices() -> None:
    found = compare({"/p": {"status": 200, "price": "$8.99"}},
                    {"/p": {"status": 200, "price": "$18.99"}})
    assert found == [Difference("/p", "price", "$8.99", "$18.99")]


@pytest.mark.parametrize(("pattern", "allowed"), [
    ("* stock", True), ("/p *", True), ("/p", True), ("/q*", False), ("* price", False)])
def test_allow_patterns_are_globs_over_path_and_field(pattern: str, allowed: bool) -> None:
    assert Difference("/p", "stock", "In stock", "Out of stock").allowed_by((pattern,)) is allowed


def _catalogue(products: int) -> SqliteStore:
    db = SqliteStore()
    db.table("Product", '"Id" int, "Name" text, "Deleted" int',
             [(n, f"Widget{n} blue", 0) for n in range(1, products + 1)])
    slugs = [(n, n, "Product", f"p-{n}", int(n % 7 != 0)) for n in range(1, products + 1)]
    slugs += [(100_000 + n, n, "Category", f"c-{n}", 1) for n in range(1, 6)]
    db.table("UrlRecord", '"Id" int, "EntityId" int, "EntityName" text, "Slug" text, '
             '"IsActive" int', slugs)
    return db


def test_the_sample_is_seeded_active_and_bounded() -> None:
    db = _catalogue(5000)
    first, again, other = draw(db, 40, seed=1), draw(db, 40, seed=1), draw(db, 40, seed=2)
    assert first == again and first.products != other.products
    assert len(first.products) == 40 and len(set(first.products)) == 40
    assert all(int(s[2:]) % 7 != 0 for s in first.products)  # inactive slugs never drawn
    assert first.categories == ("c-1", "c-2", "c-3", "c-4", "c-5")[: len(first.categories)]
    assert first.topics == () and first.words and all(w.isalnum() for w in first.words)


def test_a_small_store_is_sampled_whole() -> None:
    sample = draw(_catalogue(12), 200)
    assert sample.products == tuple(f"p-{n}" for n in range(1, 13) if n % 7)


def _resources(rows: list[tuple[int, int, str, str]]) -> SqliteStore:
    db = SqliteStore()
    db.table("LocaleStringResource", '"Id" int, "LanguageId" int, "ResourceName" text, '
             '"ResourceValue" text', rows)
    db.table("Setting", '"Id" int, "Name" text, "Value" text, "StoreId" int',
             [(1, "a.b", "true", 0)])
    return db


def test_the_fingerprint_names_what_a_start_changed() -> None:
    db = _resources([(1, 1, "Admin.A", "A"), (2, 2, "Admin.A", "Ä")])
    before = fingerprint.take(db)
    assert fingerprint.changes(before, fingerprint.take(db), db) == []
    db.execute("UPDATE \"LocaleStringResource\" SET \"ResourceValue\" = 'A' WHERE \"Id\" = 2")
    db.execute("INSERT INTO \"LocaleStringResource\" VALUES (3, 1, 'Toggled', 'x')")
    db.execute("UPDATE \"Setting\" SET \"Value\" = 'false'")
    assert fingerprint.changes(before, fingerprint.take(db), db) == [
        "LocaleStringResource: 2 → 3 rows", "settings changed (1): a.b/0",
        "resources added (1): 1/Toggled", "resources changed (1): 2/Admin.A"]


def test_a_resource_a_start_removed_is_shown_by_hash_when_the_database_lost_its_name() -> None:
    db = _resources([(1, 1, "Admin.A", "A"), (2, 1, "Admin.Gone", "x")])
    before = fingerprint.take(db)
    db.execute("DELETE FROM \"LocaleStringResource\" WHERE \"Id\" = 2")
    gone = reshash.name_hash("Admin.Gone")
    assert fingerprint.changes(before, fingerprint.take(db), db)[1:] == [
        f"resources removed (1): 1/#{gone:012x}"]
