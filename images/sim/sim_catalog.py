"""The storefront pages of the stand-in, in nopCommerce's own markup (DefaultClean theme), so the
page comparison reads them exactly as it reads the real store:
- product page: Views/Product/ProductTemplate.Simple.cshtml with _ProductPrice.cshtml
  (`price-value-<id>`, `old-product-price`), _SKU_Man_Gtin_Ven.cshtml (`sku` > `value`),
  _Availability.cshtml (`stock` > `value`);
- product boxes on the home page, category pages and search: Views/Shared/_ProductBox.cshtml
  (`product-item` > `product-title`); categories page 6 products a page by default
  (CatalogSettings.DefaultCategoryPageSize), with a `pager`;
- topic pages: Views/Topic/TopicDetails.cshtml (`page-title`, `page-body`).
Prices are shown in the store's primary currency, US dollars, as "$1,234.50"."""

import html
import math

CATEGORY_PAGE_SIZE = 6
HOME_PRODUCTS = 8
IN_STOCK, OUT_OF_STOCK = "In stock", "Out of stock"  # Products.Availability.InStock/OutOfStock


def money(value):
    return f"${float(value):,.2f}"


def columns(store, table):
    """The columns a table has: stores of other versions lack some (OldPrice is old, though)."""
    if table not in store.columns:
        name = store.t(table)
        store.columns[table] = set() if not store.has(table) else {
            c for c in store.column_names(name)}
    return store.columns[table]


def product_box(store, product_id, name, price, old_price, slug):
    prices = f'<span class="price actual-price">{money(price)}</span>'
    if old_price:
        prices = f'<span class="price old-price">{money(old_price)}</span>' + prices
    return (f'<div class="item-box"><div class="product-item" data-productid="{product_id}">'
            f'<div class="details"><h2 class="product-title"><a href="/{html.escape(slug)}">'
            f'{html.escape(name)}</a></h2><div class="prices">{prices}</div></div></div></div>')


def _product_fields(store):
    have = columns(store, "Product")
    old = store.c("OldPrice") if "OldPrice" in have else "NULL"
    stock = store.c("StockQuantity") if "StockQuantity" in have else "1"
    return (f"{store.c('Id')}, {store.c('Name')}, {store.c('Price')}, {old}, {stock}, "
            f"{store.c('Sku')}")


def _slug_of(store, entity, entity_id):
    rows = store.rows(f"SELECT {store.c('Slug')} FROM {store.t('UrlRecord')} WHERE "
                      f"{store.c('EntityName')} = %s AND {store.c('EntityId')} = %s",
                      (entity, entity_id))
    return rows[0][0] if rows else str(entity_id)


def boxes(store, where="", args=(), limit=HOME_PRODUCTS, offset=0):
    rows = store.rows(f"SELECT {_product_fields(store)} FROM {store.t('Product')} WHERE "
                      f"{store.c('Deleted')} = %s {where} ORDER BY {store.c('Id')} "
                      f"LIMIT {int(limit)} OFFSET {int(offset)}", (False, *args))
    return "".join(product_box(store, r[0], r[1], r[2], r[3], _slug_of(store, "Product", r[0]))
                   for r in rows)


def grid(items):
    return f'<div class="product-grid"><div class="item-grid">{items}</div></div>'


def home(store):
    return ('<div class="page home-page"><div class="page-body"><div class="product-grid '
            'home-page-product-grid"><div class="title"><strong>Featured products</strong></div>'
            f'<div class="item-grid">{boxes(store)}</div></div></div></div>')


def search(store, word):
    found = boxes(store, f"AND LOWER({store.c('Name')}) LIKE %s", (f"%{word.lower()}%",), 20) \
        if word else ""
    return (f'<div class="page search-page"><div class="search-results">'
            f'{grid(found) if found else "No products were found that matched your criteria."}'
            '</div></div>')


def product(store, product_id):
    rows = store.rows(f"SELECT {_product_fields(store)} FROM {store.t('Product')} "
                      f"WHERE {store.c('Id')} = %s", (product_id,))
    if not rows:
        return None
    pid, name, price, old_price, stock, sku = rows[0]
    old = (f'<div class="old-product-price"><label>Old price:</label><span>{money(old_price)}'
           '</span></div>') if old_price else ""
    return rows[0][1], (
        '<div class="page product-details-page"><div class="page-body"><div class="product-essential">'
        f'<div class="gallery"><div class="picture"><img src="/images/thumbs/default-image_550.png" '
        f'alt="{html.escape(name)}"/></div></div><div class="overview">'
        f'<div class="product-name"><h1>{html.escape(name)}</h1></div>'
        f'<div class="additional-details"><div class="sku"><span class="label">SKU:</span>'
        f'<span class="value" id="sku-{pid}">{html.escape(str(sku))}</span></div></div>'
        f'<div class="availability"><div class="stock"><span class="label">Availability:</span>'
        f'<span class="value">{IN_STOCK if stock and stock > 0 else OUT_OF_STOCK}</span></div></div>'
        f'<div class="prices">{old}<div class="product-price"><label>Price:</label>'
        f'<span class="price-value-{pid}">{money(price)}</span></div></div>'
        '</div></div></div></div>')


def category(store, category_id, page):
    rows = store.rows(f"SELECT {store.c('Name')} FROM {store.t('Category')} "
                      f"WHERE {store.c('Id')} = %s", (category_id,))
    mapping = store.t("Product_Category_Mapping")
    if not rows or not store.has("Product_Category_Mapping"):
        return None
    inside = (f"AND {store.c('Id')} IN (SELECT {store.c('ProductId')} FROM {mapping} "
              f"WHERE {store.c('CategoryId')} = %s)")
    (count,) = store.rows(f"SELECT COUNT(*) FROM {store.t('Product')} WHERE "
                          f"{store.c('Deleted')} = %s {inside}", (False, category_id))[0]
    pages = math.ceil(count / CATEGORY_PAGE_SIZE)
    pager = "".join(f'<li class="individual-page"><a href="?pagenumber={n}">{n}</a></li>'
                    for n in range(1, pages + 1)) if pages > 1 else ""
    items = boxes(store, inside, (category_id,), CATEGORY_PAGE_SIZE,
                  (page - 1) * CATEGORY_PAGE_SIZE)
    name = rows[0][0]
    return name, (f'<div class="page category-page"><div class="page-title"><h1>'
                  f'{html.escape(name)}</h1></div><div class="page-body">{grid(items)}'
                  f'<div class="pager"><ul>{pager}</ul></div></div></div>')


def topic(store, topic_id):
    table = store.t("Topic")
    if not store.has("Topic"):
        return None
    rows = store.rows(f"SELECT {store.c('Title')}, {store.c('Body')} FROM {table} "
                      f"WHERE {store.c('Id')} = %s", (topic_id,))
    if not rows:
        return None
    title, body = rows[0]
    # The body is the store's own HTML, rendered raw by nopCommerce (@Html.Raw(Model.Body)).
    return title, (f'<div class="page topic-page"><div class="page-title"><h1>'
                   f'{html.escape(title or "")}</h1></div><div class="page-body">{body or ""}'
                   '</div></div>')
