"""What makes a generated store look like production rather than a fresh install (nopcommerce.md
§11): SSL on, a www store URL, a second store, www required, the shop closed, captcha on login,
forced MFA, password lifetime, an admin IP list, every task enabled; and its App_Data with
Redis and Azure Blob configured. Test tooling only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

PRODUCTION_HOST = "www.shop.example"
PRODUCTION_SECRET = "production-secret-Zq9"
PRODUCTION_DB_HOST = "db.prod.shop.example"
REDIS = "redis.prod.shop.example:6379,password=redis-secret-Kq1"
AZURE = "DefaultEndpointsProtocol=https;AccountName=shopblob;AccountKey=azure-secret-Pw3"
SECRETS = (PRODUCTION_SECRET, PRODUCTION_DB_HOST, "redis-secret-Kq1", "azure-secret-Pw3",
           "redis.prod.shop.example")

STORES = ((1, "Shop", f"https://{PRODUCTION_HOST}/", "shop.example,www.shop.example"),
          (2, "Outlet", "https://outlet.shop.example/", "outlet.shop.example"))
SETTINGS = (
    ("seosettings.wwwrequirement", "WithWww", 0),
    ("storeinformationsettings.storeclosed", "True", 0),
    ("captchasettings.enabled", "True", 0),
    ("captchasettings.showonloginpage", "True", 0),
    ("captchasettings.showonregistrationpage", "True", 2),
    ("multifactorauthenticationsettings.forcemultifactorauthentication", "True", 0),
    ("securitysettings.adminareaallowedipaddresses", "203.0.113.7;203.0.113.8", 0),
)


def production_sql(quote: str, table: Callable[[str], str] = str) -> list[str]:
    """`table` names a table as the store does (a Windows MySQL dump: lower case)."""
    def q(name: str) -> str:
        return f"{quote}{name}{quote}"

    def t(name: str) -> str:
        return q(table(name))

    statements = [  # storegen made Store and CustomerRole as a fresh install has them
        f"DELETE FROM {t('Store')}",
        f"UPDATE {t('CustomerRole')} SET {q('EnablePasswordLifetime')} = TRUE "
        f"WHERE {q('SystemName')} = 'Administrators'",
        f"UPDATE {t('ScheduleTask')} SET {q('Enabled')} = TRUE",
        f"INSERT INTO {t('GenericAttribute')} ({q('Id')}, {q('EntityId')}, {q('KeyGroup')}, "
        f"{q('Key')}, {q('Value')}, {q('StoreId')}) VALUES (100001, 1, 'Customer', "
        "'SelectedMultiFactorAuthProvider', 'MultiFactorAuth.GoogleAuthenticator', 0)",
    ]
    stores = ", ".join(f"({i}, '{name}', '{url}', TRUE, '{hosts}', {i})"
                       for i, name, url, hosts in STORES)
    columns = ", ".join(q(c) for c in ("Id", "Name", "Url", "SslEnabled", "Hosts", "DisplayOrder"))
    statements.append(f"INSERT INTO {t('Store')} ({columns}) VALUES {stores}")
    settings = ", ".join(f"({100000 + n}, '{name}', '{value}', {store})"
                         for n, (name, value, store) in enumerate(SETTINGS))
    statements.append(f"INSERT INTO {t('Setting')} ({q('Id')}, {q('Name')}, {q('Value')}, "
                      f"{q('StoreId')}) VALUES {settings}")
    return statements


def production_appsettings(provider: str) -> dict[str, Any]:
    """A 4.50+ App_Data/appsettings.json as a production store has it."""
    return {
        "ConnectionStrings": {
            "ConnectionString": f"Server={PRODUCTION_DB_HOST};Database=shop;User Id=shop;"
                                f"Password={PRODUCTION_SECRET}",
            "DataProvider": provider, "SQLCommandTimeout": 600},
        "DistributedCacheConfig": {"DistributedCacheType": "redis", "Enabled": True,
                                   "ConnectionString": REDIS, "SchemaName": "dbo",
                                   "TableName": "DistributedCache"},
        "AzureBlobConfig": {"ConnectionString": AZURE, "ContainerName": "shop",
                            "EndPoint": "https://shopblob.blob.core.windows.net/",
                            "AppendContainerName": True, "StoreDataProtectionKeys": True},
        "WebOptimizer": {"EnableJavaScriptBundling": True, "CdnUrl": "https://cdn.shop.example"},
        "HostingConfig": {"UseProxy": True, "ForwardedProtoHeaderName": "X-Forwarded-Proto",
                          "KnownProxies": "10.0.0.5"},
        "CommonConfig": {"DisplayFullErrorStack": False, "UseSessionStateTempDataProvider": True},
    }


def production_app_data(provider: str) -> dict[str, bytes]:
    plugins = {"InstalledPlugins": [{"SystemName": "Payments.CheckMoneyOrder", "Version": "1.7"}],
               "PluginNamesToInstall": [], "PluginNamesToUninstall": [],
               "PluginNamesToDelete": []}
    return {"appsettings.json": json.dumps(production_appsettings(provider), indent=2).encode(),
            "plugins.json": json.dumps(plugins).encode()}
