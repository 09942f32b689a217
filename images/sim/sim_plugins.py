"""nopsim's plugins, themes and admin warnings, by nopCommerce's own rules. Every rule cites
nopcommerce.md §11 (plugins, themes) or the nopCommerce file it was read from.

Test hook:  a theme folder holding Views/nopsim-stale-view has a view that no longer compiles
            (stands in for a stale .cshtml, #5310): its pages answer 500 and write a Log row.
"""

import json
import os
import re

PLUGINS = "/app/Plugins"
THEMES = "/app/Themes"
STALE_VIEW = "Views/nopsim-stale-view"
THEME_SETTING = "storeinformationsettings.defaultstoretheme"
NOT_LOADED = []  # (SystemName, kind): kind "version" or "assembly" (PluginIncompatibleType)


class StartupError(Exception):
    """What nopCommerce throws while loading plugins or themes: the whole start aborts."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def key(version):
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


# Json.NET skips comments and trailing commas (§11); Python's json does not.
TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def json_net(text, where):
    lenient = TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    try:
        # Numbers are read as their text: [4.60] binds to "4.60" (Json.NET ReadAsString, §11).
        data = json.loads(lenient, parse_float=str, parse_int=str,
                          object_pairs_hook=lambda pairs: {k.lower(): v for k, v in pairs})
    except ValueError as error:  # text after "}", a cut-off file: JsonReaderException
        raise StartupError("Newtonsoft.Json.JsonReaderException", f"{where}: {error}")
    if not isinstance(data, dict):
        raise StartupError("Newtonsoft.Json.JsonSerializationException", f"{where}: not an object")
    return data


def descriptor(folder, version):
    """(SystemName, SupportedVersions, FileName) of one plugin folder, or None when the loader
    sees no plugin.json there: only the top level, any case from 4.40 (`PluginsInfo`, §11)."""
    names = os.listdir(folder)
    wanted = [n for n in names if n == "plugin.json" or (key(version) >= key("4.40")
                                                          and n.lower() == "plugin.json")]
    if not wanted:
        return None
    with open(os.path.join(folder, wanted[0]), encoding="utf-8-sig") as stream:
        text = stream.read()
    if not text.strip():  # GetPluginDescriptorFromText: empty text, empty descriptor
        return "", [], ""
    data = json_net(text, f"{folder}/{wanted[0]}")
    versions = data.get("supportedversions", ["2.00"])  # none means 2.00: never loads (§11)
    if not isinstance(versions, list) or any(isinstance(v, (dict, list)) for v in versions):
        raise StartupError("Newtonsoft.Json.JsonSerializationException",
                           f"{folder}: Error converting value to type 'System.Collections."
                           "Generic.IList`1[System.String]'. Path 'SupportedVersions'")
    return (str(data.get("systemname") or ""), [str(v) for v in versions if v is not None]
            or ["2.00"], str(data.get("filename") or ""))


def load_plugins(version):
    """Load /app/Plugins as `PluginsInfo` does (4.60+; ApplicationPartManagerExtensions before):
    SupportedVersions must hold "4.70" exactly, the FileName DLL must sit in the folder (§11)."""
    NOT_LOADED.clear()
    seen = set()
    for name in sorted(os.listdir(PLUGINS)) if os.path.isdir(PLUGINS) else []:
        folder = os.path.join(PLUGINS, name)
        found = descriptor(folder, version) if os.path.isdir(folder) else None
        if found is None:
            continue
        system_name, versions, file_name = found
        files = {f.lower() for f in os.listdir(folder)}
        kind = None
        if version.lower() not in [v.lower() for v in versions]:
            kind = "version"
        elif not file_name or file_name.lower() not in files:
            kind = "assembly"
        if kind is None or key(version) >= key("4.60"):
            # Dictionary.Add: an empty or repeated SystemName throws; from 4.60 incompatible
            # plugins are added too (§11).
            if not system_name.strip() or system_name.lower() in seen:
                raise StartupError("System.ArgumentException", "An item with the same key has "
                                   f"already been added. Key: {system_name} ({folder})")
            seen.add(system_name.lower())
        if kind is not None:
            NOT_LOADED.append((system_name, kind))  # kept in plugins.json, not logged (§11)


def warnings_html(version):
    """/Admin/Common/Warnings lines (`CommonModelFactory`): 4.00-4.60 PluginNotLoaded, 4.70+
    PluginNotCompatibleWithCurrentVersion / PluginMainAssemblyNotFound (UpgradeTo470 locales)."""
    lines = []
    for name, kind in NOT_LOADED:
        if key(version) < key("4.70"):
            text = f"'{name}' plugin is not compatible or cannot be loaded."
        elif kind == "assembly":
            text = f"{name}: The main assembly isn't found. Hence this plugin can't be loaded."
        else:
            text = (f"{name}: The plugin isn't compatible with the current version. Hence this "
                    "plugin can't be loaded.")
        # Razor encodes the apostrophe as &#x27;
        lines.append('<div class="alert alert-warning">'
                     f"{text.replace(chr(39), '&#x27;')}</div>")
    return "".join(lines) or '<div class="alert alert-success">No warnings</div>'


THEMES_FOUND = []  # (folder, SystemName) in the order the provider found them


def load_themes(version):
    """`ThemeProvider`: theme.json searched under each theme folder; no SystemName or a repeated
    one throws (§11). 4.90 reads themes after start: there it is logged, not fatal."""
    THEMES_FOUND.clear()
    for folder in sorted(os.listdir(THEMES)) if os.path.isdir(THEMES) else []:
        path = _theme_json(os.path.join(THEMES, folder))
        if path is None:
            continue
        with open(path, encoding="utf-8-sig") as stream:
            data = json_net(stream.read() or "{}", path)  # ThemeProvider uses Json.NET too
        name = data.get("systemname")
        if not name or any(n.lower() == str(name).lower() for _, n in THEMES_FOUND):
            raise StartupError("System.Exception", f"A theme with SystemName '{name}' is "
                               f"invalid or already loaded ({path})")
        THEMES_FOUND.append((folder, str(name)))


def _theme_json(folder):
    for root, _, files in sorted(os.walk(folder)):
        if "theme.json" in files:
            return os.path.join(root, "theme.json")
    return None


def startup(version, log):
    """Plugins load while services are configured: a failure aborts the start. Themes too,
    except on 4.90 where a broken theme.json is logged by AppStartedConsumer (§11)."""
    load_plugins(version)
    try:
        load_themes(version)
    except StartupError as error:
        if key(version) < key("4.90"):
            raise
        log("fail", "Nop.Web.Framework.Events.AppStartedConsumer", error.message)


def working_theme(store):
    """The configured theme when loaded, else the first one found (`ThemeContext`, §11)."""
    configured = None
    table = store.t("Setting")
    if table is not None:
        rows = store.rows(f"SELECT {store.c('Value')} FROM {table} WHERE "
                          f"LOWER({store.c('Name')}) = %s", (THEME_SETTING,))
        configured = rows[0][0] if rows else None
    for folder, name in THEMES_FOUND:
        if configured and name.lower() == str(configured).lower():
            return folder, name
    return THEMES_FOUND[0] if THEMES_FOUND else (None, None)


def stylesheet(store):
    folder, name = working_theme(store)
    if name is None:
        return ""
    return f'<link href="/Themes/{name}/Content/css/styles.css" rel="stylesheet" />'


def view_failure(store):
    """Views compile on first render (4.30+ AddRazorRuntimeCompilation): a stale one is a 500
    and a Log row "One or more compilation failures occurred" (#5310, #4088)."""
    folder, name = working_theme(store)
    if folder is None or not os.path.exists(os.path.join(THEMES, folder, STALE_VIEW)):
        return None
    return (f"One or more compilation failures occurred:\n/Themes/{name}/Views/Shared/"
            "_Root.Head.cshtml(12,34): error CS1061: 'IThemeContext' does not contain a "
            "definition for 'WorkingThemeName'")


def customer_login(store, email, password):
    """A customer signs in as nopCommerce checks it (`CustomerRegistrationService.ValidateCustomer`):
    active, not deleted, the newest CustomerPassword matches (format 0 = clear text); the admin
    area needs the Administrators role. Returns True for an administrator."""
    if store is None or not email:
        return False
    tables = [store.t(n) for n in ("Customer", "CustomerPassword", "CustomerRole",
                                   "Customer_CustomerRole_Mapping")]
    if None in tables:
        return False
    customer, passwords, roles, mapping = tables
    found = store.rows(f"SELECT {store.c('Id')} FROM {customer} WHERE LOWER({store.c('Email')}) "
                       f"= %s AND {store.c('Active')} = %s AND {store.c('Deleted')} = %s",
                       (email.lower(), True, False))
    if not found:
        return False
    rows = store.rows(f"SELECT {store.c('Password')}, {store.c('PasswordFormatId')} FROM "
                      f"{passwords} WHERE {store.c('CustomerId')} = %s ORDER BY "
                      f"{store.c('CreatedOnUtc')} DESC, {store.c('Id')} DESC", (found[0][0],))
    if not rows or rows[0][1] != 0 or rows[0][0] != password:
        return False  # hashed and encrypted formats are not played: rehearse writes clear text
    admin = store.rows(f"SELECT 1 FROM {mapping} m JOIN {roles} r ON r.{store.c('Id')} = "
                       f"m.{store.c('CustomerRole_Id')} WHERE m.{store.c('Customer_Id')} = %s "
                       f"AND r.{store.c('SystemName')} = %s", (found[0][0], "Administrators"))
    return bool(admin)
