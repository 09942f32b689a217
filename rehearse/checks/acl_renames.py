"""4.80 replaced every permission with finer ones: `AclMigration` hands each old permission's roles
to its new permissions, then deletes the old one (4.80.8 Nop.Web.Framework/Migrations/UpgradeTo480/
AclMigration.cs; new names from Nop.Services/Security/StandardPermission.cs: "{Group}.{Name}").
Comparing roles' permissions across 4.80 maps the old names through this table first."""

from __future__ import annotations


def _names(group: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{group}.{name}" for name in names)


_CRUD = ("View", "CreateEditDelete")

RENAMED_IN_480: dict[str, tuple[str, ...]] = {
    "AccessAdminPanel": _names("Security", "AccessAdminPanel"),
    "AllowCustomerImpersonation": _names("Customers", "CustomersImpersonation"),
    "ManageProducts": _names("Catalog", "ProductsView", "ProductsCreateEditDelete",
                             "ProductsImportExport") + _names("Reports", "LowStock"),
    "ManageCategories": _names("Catalog", "CategoriesCreateEditDelete",
                               "CategoriesImportExport", "CategoriesView"),
    "ManageManufacturers": _names("Catalog", "ManufacturerCreateEditDelete",
                                  "ManufacturerImportExport", "ManufacturerView"),
    "ManageProductReviews": _names("Catalog", *(f"ProductReviews{s}" for s in _CRUD)),
    "ManageProductTags": _names("Catalog", *(f"ProductTags{s}" for s in _CRUD)),
    "ManageAttributes": _names("Catalog", *(f"{kind}Attributes{s}" for kind in
                                            ("Product", "Checkout", "Specification")
                                            for s in _CRUD)),
    "ManageCustomers": _names("Customers", "CustomersCreateEditDelete", "CustomersImportExport",
                              "CustomersView", "CustomerRolesView",
                              "CustomerRolesCreateEditDelete", "GDPRManage")
    + _names("Reports", "RegisteredCustomers", "CustomersByNumberOfOrders",
             "CustomersByOrderTotal"),
    "ManageVendors": _names("Customers", *(f"Vendors{s}" for s in _CRUD)),
    "ManageCurrentCarts": _names("Orders", "CurrentCartsManage"),
    "ManageOrders": _names("Orders", "OrdersView", "OrdersCreateEditDelete", "OrdersImportExport",
                           "ShipmentsCreateEditDelete", "ShipmentsView")
    + _names("Reports", "Bestsellers", "ProductsNeverPurchased"),
    "SalesSummaryReport": _names("Reports", "SalesSummary"),
    "ManageRecurringPayments": _names("Orders", *(f"RecurringPayments{s}" for s in _CRUD)),
    "ManageGiftCards": _names("Orders", *(f"GiftCards{s}" for s in _CRUD)),
    "ManageReturnRequests": _names("Orders", *(f"ReturnRequests{s}" for s in _CRUD)),
    "OrderCountryReport": _names("Reports", "CountrySales"),
    "ManageAffiliates": _names("Promotions", *(f"Affiliates{s}" for s in _CRUD)),
    "ManageCampaigns": _names("Promotions", "CampaignsCreateEdit", "CampaignsDelete",
                              "CampaignsSendEmails", "CampaignsView"),
    "ManageDiscounts": _names("Promotions", *(f"Discounts{s}" for s in _CRUD)),
    "ManageNewsletterSubscribers": _names("Promotions", "SubscribersCreateEditDelete",
                                          "SubscribersImportExport", "SubscribersView"),
    "ManagePolls": _names("ContentManagement", *(f"Polls{s}" for s in _CRUD)),
    "ManageNews": _names("ContentManagement", *(f"News{c}{s}" for c in ("Comments", "")
                                                for s in _CRUD)),
    "ManageBlog": _names("ContentManagement", *(f"Blog{c}{s}" for c in ("Comments", "")
                                                for s in _CRUD)),
    "ManageTopics": _names("ContentManagement", *(f"Topics{s}" for s in _CRUD)),
    "ManageForums": _names("ContentManagement", *(f"Forums{s}" for s in _CRUD)),
    "ManageMessageTemplates": _names("ContentManagement",
                                     *(f"MessageTemplates{s}" for s in _CRUD)),
    **{old: _names("Configuration", old) for old in (
        "ManageWidgets", "ManageCountries", "ManageLanguages", "ManageSettings",
        "ManagePaymentMethods", "ManageExternalAuthenticationMethods",
        "ManageMultifactorAuthenticationMethods", "ManageTaxSettings",
        "ManageShippingSettings", "ManageCurrencies", "ManageACL", "ManageEmailAccounts",
        "ManageStores", "ManagePlugins")},
    "ManageActivityLog": _names("Customers", "ActivityLogDelete", "ActivityLogManageTypes",
                                "ActivityLogView"),
    **{old: _names("System", old) for old in (
        "ManageSystemLog", "ManageMessageQueue", "ManageMaintenance", "ManageScheduleTasks",
        "ManageAppSettings", "HtmlEditor.ManagePictures")},
    **{old: _names("PublicStore", old) for old in (
        "DisplayPrices", "EnableShoppingCart", "EnableWishlist", "PublicStoreAllowNavigation",
        "AccessClosedStore")},
    "EnableMultiFactorAuthentication": _names("Security", "EnableMultiFactorAuthentication"),
}


def after_480(names: frozenset[str]) -> frozenset[str]:
    """A role's permissions as 4.80's AclMigration leaves them (unknown names stay as they are)."""
    return frozenset(new for name in names for new in RENAMED_IN_480.get(name, (name,)))
