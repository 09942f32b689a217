"""What rehearse knows of every nopCommerce release: data, not branches (nopcommerce.md §1-6)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum

from rehearse.errors import BadInputError
from rehearse.version import Version

IMAGE_REPOSITORY = "nopcommerceteam/nopcommerce"


class Provider(StrEnum):
    """nopCommerce's `DataProvider` values that rehearse can run (SQL CE is gone since 4.10)."""

    SQLSERVER = "sqlserver"
    MYSQL = "mysql"
    POSTGRESQL = "postgresql"

    @property
    def label(self) -> str:
        return {"sqlserver": "SQL Server", "mysql": "MySQL", "postgresql": "PostgreSQL"}[self.value]


class Mechanism(StrEnum):
    """How a database is upgraded *into* a release line."""

    SQL_SCRIPT = "sql-script"
    APP_MIGRATION = "app-migration"


@dataclass(frozen=True)
class FileFormat:
    """One App_Data file format: where it lives and what it holds."""

    key: str
    path: str
    shape: str


SETTINGS_TXT = FileFormat("settings-txt", "Settings.txt", "`Key: value` lines")
DATA_SETTINGS_JSON = FileFormat(
    "data-settings-json", "dataSettings.json", "DataProvider + DataConnectionString"
)
APPSETTINGS_JSON = FileFormat(
    "appsettings-json", "appsettings.json", "ConnectionStrings section"
)
INSTALLED_PLUGINS_TXT = FileFormat(
    "installed-plugins-txt", "InstalledPlugins.txt", "one name a line"
)
INSTALLED_PLUGINS_JSON = FileFormat(
    "installed-plugins-json", "installedPlugins.json", "array of names"
)
PLUGINS_JSON_NAMES = FileFormat("plugins-json-names", "plugins.json", "InstalledPluginNames")
PLUGINS_JSON = FileFormat(
    "plugins-json", "plugins.json", "InstalledPlugins [{SystemName, Version}]"
)


@dataclass(frozen=True)
class Caveat:
    """A known pitfall of upgrading into a release; `providers` empty means every provider."""

    text: str
    providers: frozenset[Provider] = frozenset()

    def applies_to(self, provider: Provider) -> bool:
        return not self.providers or provider in self.providers


@dataclass(frozen=True)
class ExpectedShrink:
    """Rows a release's migration removes on purpose, named key by key: never a whole table."""

    table: str
    key_group: str
    keys: tuple[str, ...]
    source: str

    def labels(self) -> tuple[str, ...]:
        return tuple(f"{self.table}.{self.key_group}.{key}" for key in self.keys)


# 4.60 moves exactly these customer keys out of GenericAttribute into Customer columns, for
# non-deleted Registered customers (nopcommerce.md §11; #6789 for CustomCustomerAttributes).
CUSTOMER_ATTRIBUTES_460 = ExpectedShrink(
    "GenericAttribute", "Customer",
    ("FirstName", "LastName", "Gender", "Company", "StreetAddress", "StreetAddress2",
     "ZipPostalCode", "City", "County", "Phone", "Fax", "VatNumber", "TimeZoneId", "CountryId",
     "StateProvinceId", "VatNumberStatusId", "CurrencyId", "LanguageId", "TaxDisplayTypeId",
     "DateOfBirth", "CustomCustomerAttributes"),
    "Nop.Data/Migrations/UpgradeTo460/DataMigration.cs (nopcommerce.md §11)")


@dataclass(frozen=True)
class Release:
    """One release line (4.70) and the facts a rehearsal needs about it."""

    line: Version
    runtime: str
    linux_container: bool
    providers: frozenset[Provider]
    settings: FileFormat
    plugin_list: FileFormat
    upgrade: Mechanism
    latest_patch: int | None = None
    requires_trusted_tls: bool = False
    migration_label: str | None = None
    plugin_renames: tuple[tuple[str, str], ...] = ()
    caveats: tuple[Caveat, ...] = ()
    expected_shrinks: tuple[ExpectedShrink, ...] = field(default=())

    @property
    def patches(self) -> range:
        return range(0 if self.latest_patch is None else self.latest_patch + 1)

    @property
    def image_tag(self) -> str:
        """Docker Hub tags are full `X.YY.Z`; 4.20/4.30 tags are uncertain (nopcommerce.md §2)."""
        return str(self.line) if self.latest_patch is None else f"{self.line}.{self.latest_patch}"


_MSSQL = frozenset({Provider.SQLSERVER})
_MSSQL_MYSQL = frozenset({Provider.SQLSERVER, Provider.MYSQL})
_ALL = frozenset(Provider)
_MYSQL = frozenset({Provider.MYSQL})
_NETFX = ".NET Framework 4.5.1"
_FIXED_OR_BY_WEIGHT = "Shipping.FixedOrByWeight"
_CUSTOMIZED_PLUGINS = Caveat(
    "third-party plugins load only if their plugin.json lists the new version (#5530, #5706)"
)


def _v(text: str) -> Version:
    return Version.parse(text)


RELEASES: tuple[Release, ...] = (
    Release(_v("3.70"), _NETFX, False, _MSSQL, SETTINGS_TXT, INSTALLED_PLUGINS_TXT,
            Mechanism.SQL_SCRIPT),
    Release(_v("3.80"), _NETFX, False, _MSSQL, SETTINGS_TXT, INSTALLED_PLUGINS_TXT,
            Mechanism.SQL_SCRIPT),
    Release(_v("3.90"), _NETFX, False, _MSSQL, SETTINGS_TXT, INSTALLED_PLUGINS_TXT,
            Mechanism.SQL_SCRIPT,
            plugin_renames=(("Shipping.FixedRate", _FIXED_OR_BY_WEIGHT),
                            ("Shipping.ByWeight", _FIXED_OR_BY_WEIGHT),
                            ("Tax.FixedRate", "Tax.FixedOrByCountryStateZip"),
                            ("Tax.CountryStateZip", "Tax.FixedOrByCountryStateZip")),
            caveats=(Caveat("old plugin folders of renamed plugins must be deleted (3.80-3.90 "
                            "readme)"),)),
    Release(_v("4.00"), "ASP.NET Core 2.0 on .NET Framework 4.6.1", False, _MSSQL,
            DATA_SETTINGS_JSON, INSTALLED_PLUGINS_JSON, Mechanism.SQL_SCRIPT,
            caveats=(Caveat("3.x plugins and themes do not work on 4.x: they need 4.x builds"),
                     Caveat("file-system pictures move from Content/Images to wwwroot/images"))),
    Release(_v("4.10"), "netcoreapp2.1", False, _MSSQL, DATA_SETTINGS_JSON,
            INSTALLED_PLUGINS_JSON, Mechanism.SQL_SCRIPT,
            plugin_renames=((_FIXED_OR_BY_WEIGHT, "Shipping.FixedByWeightByTotal"),)),
    Release(_v("4.20"), "netcoreapp2.2", True, _MSSQL, DATA_SETTINGS_JSON, PLUGINS_JSON_NAMES,
            Mechanism.SQL_SCRIPT),
    Release(_v("4.30"), "netcoreapp3.1", True, _MSSQL_MYSQL, DATA_SETTINGS_JSON, PLUGINS_JSON,
            Mechanism.SQL_SCRIPT,
            caveats=(Caveat("the 4.20-4.30 script assumes the dbo schema (#4785)"),)),
    Release(_v("4.40"), "net5.0", True, _ALL, DATA_SETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=4, migration_label="4.40.0",
            caveats=(_CUSTOMIZED_PLUGINS,)),
    Release(_v("4.50"), "net6.0", True, _ALL, APPSETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=4, requires_trusted_tls=True,
            migration_label="4.50.0",
            caveats=(_CUSTOMIZED_PLUGINS,
                     Caveat("direct jumps from 4.30 once failed on enum settings (#6098, fixed)"))),
    Release(_v("4.60"), "net7.0", True, _ALL, APPSETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=6, requires_trusted_tls=True,
            migration_label="4.60",
            caveats=(_CUSTOMIZED_PLUGINS,
                     Caveat("customer fields move from GenericAttribute into Customer: "
                            "GenericAttribute shrinks on purpose (#4601)"),
                     Caveat("uploaded images move from the database to wwwroot/images/uploaded"),
                     Caveat("migration order bug with MySqlDateTimeWithPrecisionMigration (#6796)",
                            _MYSQL)),
            # Not Picture: which rows UploadedImagesMigration deletes is not catalogued key by
            # key, so a Picture loss counts against max_row_loss_percent like any table's.
            expected_shrinks=(CUSTOMER_ATTRIBUTES_460,)),
    Release(_v("4.70"), "net8.0", True, _ALL, APPSETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=6, requires_trusted_tls=True,
            migration_label="4.70",
            caveats=(_CUSTOMIZED_PLUGINS,
                     Caveat("dropping a column named over 53 characters failed (#6972)", _MYSQL))),
    Release(_v("4.80"), "net9.0", True, _ALL, APPSETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=9, requires_trusted_tls=True,
            migration_label="4.80",
            caveats=(_CUSTOMIZED_PLUGINS,
                     Caveat("the ACL migration can lose custom role permissions and grant new "
                            "ones to Guests and Vendors (#7563, #7568)"))),
    Release(_v("4.90"), "net9.0", True, _ALL, APPSETTINGS_JSON, PLUGINS_JSON,
            Mechanism.APP_MIGRATION, latest_patch=8, requires_trusted_tls=True,
            migration_label="4.90",
            caveats=(_CUSTOMIZED_PLUGINS,
                     Caveat("the NewsLetterSubscription.TypeId migration can be blocked by index "
                            "IX_NewsLetterSubscription_TypeId and time out on big tables "
                            "(#7966, #7865)"))),
)

_LINES: tuple[Version, ...] = tuple(r.line for r in RELEASES)


def release(version: Version) -> Release:
    """The release line of `version`, or a one-line error naming the nearest known ones."""
    index = bisect.bisect_left(_LINES, version.line)
    if index < len(_LINES) and _LINES[index] == version.line:
        return RELEASES[index]
    raise BadInputError(f"unknown nopCommerce version {version}", hint=_nearest_hint(index))


def _nearest_hint(index: int) -> str:
    if index == 0:
        return f"rehearse knows {_LINES[0]} and later"
    if index == len(_LINES):
        return f"the newest release rehearse knows is {_LINES[-1]}"
    return f"the nearest known releases are {_LINES[index - 1]} and {_LINES[index]}"


def resolve(text: str) -> Version:
    """Parse a version the user typed and check it names a known release (and patch)."""
    version = Version.parse(text)
    found = release(version)
    if version.patch is not None and version.patch not in found.patches:
        if found.latest_patch is None:
            hint = f"{found.line} has no patch releases: write {found.line}"
        else:
            hint = f"{found.line} has patch releases {found.line}.0 to {found.image_tag}"
        raise BadInputError(f"unknown nopCommerce version {version}", hint=hint)
    return version


def lines_after(source: Version, target: Version) -> tuple[Release, ...]:
    """The release lines passed through going from `source` up to `target` (inclusive)."""
    return tuple(r for r in RELEASES if source.line < r.line <= target.line)


def image_for(version: Version) -> str:
    """The official image of a version; a bare line means its newest patch."""
    found = release(version)
    tag = found.image_tag if version.patch is None else str(version)
    return f"{IMAGE_REPOSITORY}:{tag}"


# Microsoft's ASP.NET runtime image per target framework; .NET Core 2.x/3.x live under core/.
_ASPNET_IMAGES = {
    "netcoreapp2.2": "mcr.microsoft.com/dotnet/core/aspnet:2.2",
    "netcoreapp3.1": "mcr.microsoft.com/dotnet/core/aspnet:3.1",
    "net5.0": "mcr.microsoft.com/dotnet/aspnet:5.0",
    "net6.0": "mcr.microsoft.com/dotnet/aspnet:6.0",
    "net7.0": "mcr.microsoft.com/dotnet/aspnet:7.0",
    "net8.0": "mcr.microsoft.com/dotnet/aspnet:8.0",
    "net9.0": "mcr.microsoft.com/dotnet/aspnet:9.0",
}


def aspnet_image(version: Version) -> str:
    """The runtime image to build a version's release package on (images/nopcommerce)."""
    found = release(version)
    if not found.linux_container or found.runtime not in _ASPNET_IMAGES:
        raise BadInputError(f"nopCommerce {found.line} cannot run in a Linux container "
                            f"({found.runtime})", hint="build images of 4.20 or later")
    return _ASPNET_IMAGES[found.runtime]


@dataclass(frozen=True)
class PluginChange:
    """An official plugin dropped from the distribution or renamed in a release (§11)."""

    system_name: str
    line: Version
    source: str
    new_name: str | None = None
    back_in: Version | None = None


# nopcommerce.md §11 "Dropped" and "SystemName changes, no core mapping found".
_DROPPED = tuple(
    PluginChange(name, _v(line), source) for name, line, source in (
        ("Payments.AuthorizeNet", "3.80", "#1484, #2748"),
        ("DiscountRequirement.HasOneProduct", "4.00", "#2546"),
        ("PromotionFeed.Froogle", "4.00", "#2546"),
        ("Payments.PurchaseOrder", "4.00", "#2546"),
        ("Shipping.AustraliaPost", "4.00", "#2546"),
        ("Shipping.CanadaPost", "4.00", "#2546"),
        ("Shipping.USPS", "4.00", "#2546"),
        ("Payments.PayPalDirect", "4.10", "4.10 snapshot, #3195"),
        ("Shipping.FedEx", "4.10", "4.10 snapshot, #3195"),
        ("Payments.WorldpayUS", "4.20", "#3560"),
        ("Payments.Square", "4.30", "nopCommerce-Docs#108"),
        ("Payments.Qualpay", "4.30", "#3705"),
        ("Shipping.ShipStation", "4.50", "#6278 (gone by 4.50.3)"),
        ("Payments.PayPalStandard", "4.60", "#6418"),
        ("Shipping.EasyPost", "4.60", "unverified"),
        ("Payments.CyberSource", "4.70", "#7087"),
        ("Widgets.What3words", "4.80", "#7492"),
        ("Payments.AmazonPay", "4.90", "#7803"),
    ))
REMOVED_PLUGINS: tuple[PluginChange, ...] = (
    *_DROPPED, PluginChange("Widgets.AccessiBe", _v("4.60"), "#6639", back_in=_v("4.80")))
RENAMED_PLUGINS: tuple[PluginChange, ...] = (
    PluginChange("Payments.PayPalSmartPaymentButtons", _v("4.40"), "#4824",
                 "Payments.PayPalCommerce"),
    PluginChange("Misc.Sendinblue", _v("4.70"), "4.70.5 plugin.json, despite #6693", "Misc.Brevo"),
    PluginChange("Widgets.NivoSlider", _v("4.80"), "#7302", "Widgets.Swiper"),
)
# Official plugins every Linux release 4.20-4.90 ships in its image (src/Plugins of each release).
# Partial on purpose: plugins added or dropped in between are judged by their builds instead.
_CORE_PLUGINS = frozenset({
    "DiscountRules.CustomerRoles", "ExternalAuth.Facebook", "Payments.CheckMoneyOrder",
    "Payments.Manual", "Pickup.PickupInStore", "Shipping.FixedByWeightByTotal", "Shipping.UPS",
    "Tax.FixedOrByCountryStateZip", "Tax.Avalara", "Widgets.GoogleAnalytics",
    "ExchangeRate.EcbExchange"})
BUNDLED_SOURCE = "src/Plugins of each release (core set present 4.20-4.90; others not listed)"


def change_of(changes: tuple[PluginChange, ...], name: str,
              version: Version) -> PluginChange | None:
    """The change to `name` that is in force at `version` (a plugin back in a later release is
    no longer removed there)."""
    for change in changes:
        back = change.back_in is not None and version.line >= change.back_in
        if change.system_name == name and change.line <= version.line and not back:
            return change
    return None


def bundled_plugins(version: Version) -> frozenset[str]:
    """The official plugins a version's image ships (the known core; partial, see above)."""
    line = version.line
    named = {c.new_name if c.line <= line else c.system_name for c in RENAMED_PLUGINS
             if c.new_name and (c.line <= line or line >= _SHIPPED_FROM[c.system_name])}
    return _CORE_PLUGINS | frozenset(named)


# Where each renamed plugin's old name first shipped (nopcommerce.md §11; 4.30 for PayPal Smart
# Payment Buttons is uncertain).
_SHIPPED_FROM = {"Payments.PayPalSmartPaymentButtons": _v("4.30"), "Misc.Sendinblue": _v("4.20"),
                 "Widgets.NivoSlider": _v("4.20")}
