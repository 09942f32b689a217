"""Every core table of each nopCommerce release line from 4.30 on: data, with its source.

Sources (nopSolutions/nopCommerce, read through the code index):
- `src/Libraries/Nop.Data/Migrations/Installation/SchemaMigration.cs` ("Nop.Data base schema"):
  one `Create.TableFor<Entity>()` per table; table names from
  `src/Libraries/Nop.Data/Mapping/BaseNameCompatibility.cs` where they differ from the entity.
- the upgrade migrations that add tables: `UpgradeTo440/SpecificationAttributeGroupingMigration.cs`,
  `UpgradeTo460/VideoMigration.cs`, `UpgradeTo470/SchemaMigration.cs` (#1934),
  `UpgradeTo490/SchemaMigration.cs` (#7390), `MultipleWishlistMigration.cs`,
  `FilterLevelMigration.cs`. 4.50 and 4.80 add no table.
`MigrationVersionInfo` is FluentMigrator's version table, there from 4.30 (nopcommerce.md §5).
"""

from __future__ import annotations

from rehearse.version import Version

_BASE_430 = (
    "AddressAttribute", "AddressAttributeValue", "GenericAttribute", "SearchTerm", "Country",
    "Currency", "MeasureDimension", "MeasureWeight", "StateProvince", "Address", "Affiliate",
    "CustomerAttribute", "CustomerAttributeValue", "Customer", "CustomerPassword",
    "CustomerAddresses", "CustomerRole", "Customer_CustomerRole_Mapping",
    "ExternalAuthenticationRecord", "CheckoutAttribute", "CheckoutAttributeValue",
    "ReturnRequestAction", "ReturnRequest", "ReturnRequestReason", "ProductAttribute",
    "PredefinedProductAttributeValue", "ProductTag", "Product", "ProductTemplate",
    "BackInStockSubscription", "RelatedProduct", "ReviewType", "SpecificationAttribute",
    "ProductAttributeCombination", "Product_ProductAttribute_Mapping", "ProductAttributeValue",
    "Order", "OrderItem", "RewardPointsHistory", "GiftCard", "GiftCardUsageHistory", "OrderNote",
    "RecurringPayment", "RecurringPaymentHistory", "ShoppingCartItem", "Store", "StoreMapping",
    "Language", "LocaleStringResource", "LocalizedProperty", "BlogPost", "BlogComment",
    "Category", "CategoryTemplate", "Product_Category_Mapping", "CrossSellProduct",
    "Manufacturer", "ManufacturerTemplate", "Product_Manufacturer_Mapping",
    "Product_ProductTag_Mapping", "ProductReview", "ProductReviewHelpfulness",
    "ProductReview_ReviewType_Mapping", "SpecificationAttributeOption",
    "Product_SpecificationAttribute_Mapping", "TierPrice", "Warehouse", "DeliveryDate",
    "ProductAvailabilityRange", "Shipment", "ShipmentItem", "ShippingMethod",
    "ShippingMethodRestrictions", "ProductWarehouseInventory", "StockQuantityHistory",
    "Download", "Picture", "PictureBinary", "Product_Picture_Mapping", "Setting", "Discount",
    "Discount_AppliedToCategories", "Discount_AppliedToProducts", "DiscountRequirement",
    "DiscountUsageHistory", "Discount_AppliedToManufacturers", "Forums_PrivateMessage",
    "Forums_Group", "Forums_Forum", "Forums_Topic", "Forums_Post", "Forums_PostVote",
    "Forums_Subscription", "GdprConsent", "GdprLog", "ActivityLogType", "ActivityLog", "Log",
    "Campaign", "EmailAccount", "MessageTemplate", "NewsLetterSubscription", "QueuedEmail",
    "News", "NewsComment", "Poll", "PollAnswer", "PollVotingRecord", "AclRecord",
    "PermissionRecord", "PermissionRecord_Role_Mapping", "UrlRecord", "ScheduleTask",
    "TaxCategory", "TopicTemplate", "Topic", "Vendor", "VendorAttribute", "VendorAttributeValue",
    "VendorNote", "MigrationVersionInfo",
)
# Tables each line's migrations add, and where.
ADDED: tuple[tuple[Version, tuple[str, ...], str], ...] = (
    (Version(4, 40), ("SpecificationAttributeGroup",),
     "UpgradeTo440/SpecificationAttributeGroupingMigration.cs"),
    (Version(4, 60), ("Video", "ProductVideo"), "UpgradeTo460/VideoMigration.cs"),
    (Version(4, 70), ("ProductAttributeCombinationPicture", "ProductAttributeValuePicture"),
     "UpgradeTo470/SchemaMigration.cs (#1934)"),
    (Version(4, 90), ("Menu", "MenuItem", "CustomWishlist", "FilterLevelValue",
                      "FilterLevelValueProductMapping"),
     "UpgradeTo490/SchemaMigration.cs (#7390), MultipleWishlistMigration.cs, "
     "FilterLevelMigration.cs"),
)
FIRST_LISTED = Version(4, 30)


def core_tables(version: Version) -> tuple[str, ...] | None:
    """Every core table a store at `version` holds; None before 4.30 (not catalogued)."""
    if version.line < FIRST_LISTED:
        return None
    added = (name for line, names, _ in ADDED if line <= version.line for name in names)
    return (*_BASE_430, *added)


def all_core_tables() -> frozenset[str]:
    return frozenset(_BASE_430) | {name for _, names, _ in ADDED for name in names}
