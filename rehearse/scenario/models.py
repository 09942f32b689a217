"""The scenario's frozen, typed models: the one home of its shape. `convert.py` turns YAML into
them (limits from each field's metadata, each model's own `RULES`); pydantic reads the same
fields only for the JSON Schema, so `check` and `run` start without importing it."""

# No `from __future__ import annotations`: convert.py reads each field's type as an object.
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from rehearse.catalog import Provider, resolve
from rehearse.console import terminal
from rehearse.database.pick import parse_age
from rehearse.errors import BadInputError
from rehearse.values import (
    MAX_SECONDS,
    environment,
    image_name,
    memory_limit,
    path_text,
    path_texts,
)
from rehearse.version import Version

ReportFormat = Literal["json", "markdown", "html", "junit"]


@dataclass(frozen=True)
class Rules:
    """A model's own checks, beside the types and limits of its fields. Each raises ValueError
    with what is wrong; `before` ones see the YAML value, the others the converted one."""

    before: Callable[[Any], Any] | None = None  # the whole mapping, before any field
    fields_before: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    fields: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    after: Callable[[Any], None] | None = None  # the finished model


class _Model:
    RULES: ClassVar[Rules] = Rules()
    # What pydantic reads for the JSON Schema: unknown keys are errors (convert.py says so too).
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


def _field(description: str | None = None, default: Any = MISSING, **limits: float) -> Any:
    """A field, its description and limits (gt, ge, le; allow_inf_nan) as pydantic names them."""
    about = {} if description is None else {"description": description}
    return field(default=default, metadata={**about, **limits})


def _version(value: str) -> str:
    try:
        return str(resolve(str(value)))
    except BadInputError as error:
        raise ValueError(f"{error.message} ({error.hint})") from None


def _secret(value: str) -> str:
    terminal().add_secret(value)  # redacted everywhere, even when written in the file
    return value


@dataclass(frozen=True, kw_only=True)
class Certificate(_Model):
    """A certificate and private key exported with BACKUP CERTIFICATE, for a TDE or encrypted
    .bak (Msg 33111 without it); created in the sandbox before the restore."""

    certificate: Path = _field("The certificate file (.cer).")
    private_key: Path = _field("Its private key file (.pvk).")
    password: str = _field("The private key's password (use ${VAR}); never shown.")

    RULES: ClassVar[Rules] = Rules(fields={"password": _secret})


def _backup_list(data: Any) -> Any:
    """`backup: [full.bak, diff.bak, log.trn]` is the first file plus more_backups."""
    if isinstance(data, dict) and isinstance(data.get("backup"), list) and data["backup"]:
        first, *more = data["backup"]
        return {**data, "backup": first, "more_backups": [*more, *data.get("more_backups", [])]}
    return data


def _app_data_or_site(store: "Store") -> None:
    if store.app_data is None and store.site is None:
        raise ValueError("name store.app_data or store.site (a copy of the site folder)")


@dataclass(frozen=True, kw_only=True)
class Store(_Model):
    version: str = _field("The version the store runs now: 4.50 or 4.50.2.")
    provider: Provider = _field("The store's database: sqlserver, mysql or postgresql.")
    backup: Path = _field("The store's database backup (.bak, pg_dump, mysqldump), or a glob "
                          "(/backups/shop-*.bak): the newest match.")
    app_data: Path | None = _field("A copy of the store's App_Data folder (default: App_Data in "
                                   "store.site).", None)
    pictures: Path | None = _field("wwwroot/images, when pictures are on disk.", None)
    more_backups: tuple[Path, ...] = _field(
        "Further files of a SQL Server backup: the other stripes of a media set, differential "
        "and log backups (a list under backup: means the same).", ())
    certificates: tuple[Certificate, ...] = _field(
        "Certificates a TDE or encrypted SQL Server backup needs.", ())
    copy_backup: bool = _field(
        "Copy the backup into the SQL Server container (read-only, owned by its uid 10001) "
        "instead of mounting it: for a file that user cannot read. Your file is only read.",
        False)
    site: Path | None = _field("A copy of the store's site folder: its Plugins/, Themes/, "
                               "pictures and App_Data travel.", None)
    theme: str | None = _field("The store's theme, for `rehearse check` (the run reads it from "
                               "the database).", None)

    RULES: ClassVar[Rules] = Rules(
        before=_backup_list, after=_app_data_or_site, fields={"version": _version},
        fields_before=dict.fromkeys(("backup", "app_data", "pictures", "site"), path_text))


@dataclass(frozen=True, kw_only=True)
class Upgrade(_Model):
    plugins: tuple[Path, ...] = _field("Folders of plugin builds for the new version(s), one "
                                       "folder per plugin inside.", ())
    theme: Path | None = _field("The theme's build for the new version.", None)

    RULES: ClassVar[Rules] = Rules(fields_before={"plugins": path_texts, "theme": path_text})


@dataclass(frozen=True, kw_only=True)
class Images(_Model):
    database: str | None = _field("Database image (default: the official one).", None)
    nopcommerce: str | None = _field(
        "nopCommerce image; {version} is replaced by each step's version (default: "
        "nopcommerceteam/nopcommerce:<X.YY.Z>).", None)
    pull: bool = _field("Pull images that are not on this machine.", True)

    RULES: ClassVar[Rules] = Rules(fields=dict.fromkeys(("database", "nopcommerce"), image_name))


@dataclass(frozen=True, kw_only=True)
class Limits(_Model):
    database_memory: str = _field("Memory of the database container: 512m, 4g.", "4g")
    store_memory: str = _field("Memory of each nopCommerce container.", "2g")

    RULES: ClassVar[Rules] = Rules(
        fields=dict.fromkeys(("database_memory", "store_memory"), memory_limit))


@dataclass(frozen=True, kw_only=True)
class Timeouts(_Model):
    database_start: float = _field("Seconds for the database server to get ready.", 180.0,
                                   gt=0, le=MAX_SECONDS, allow_inf_nan=False)
    app_start: float = _field("Seconds for one app start, migrations included.", 1800.0,
                              gt=0, le=MAX_SECONDS, allow_inf_nan=False)


@dataclass(frozen=True, kw_only=True)
class Admin(_Model):
    email: str = _field()
    password: str = _field()


@dataclass(frozen=True, kw_only=True)
class StoreDiff(_Model):
    enabled: bool = _field("Start the source version first and compare what customers see "
                           "before and after the upgrade.", True)
    sample: int = _field("Product pages to compare (categories and topics: a tenth).", 200,
                         ge=1, le=100_000)
    seed: int = _field("Seed of the sample, so nightly runs compare the same pages.", 1)
    allow: tuple[str, ...] = _field('Differences that are expected: globs over "PATH FIELD", '
                                    'e.g. "* stock" or "/sitemap.xml *".', ())


def _store_paths(value: tuple[str, ...]) -> tuple[str, ...]:
    for page in value:  # only ever the sandboxed store: never another host
        if not page.startswith("/") or page.startswith("//") or not page.isprintable():
            raise ValueError(f"{page!r} is not a path of the store: write it like /cart")
    return value


def _an_age(value: str | None) -> str | None:
    if value is not None:
        parse_age(value)
    return value


@dataclass(frozen=True, kw_only=True)
class Checks(_Model):
    pages: tuple[str, ...] = _field("Extra paths that must answer 200.", ())
    search: str | None = _field("A word /search must find a product for.", None)
    admin: Admin | None = _field(default=None)
    max_row_loss_percent: float = _field("Allowed loss of rows per key table.", 0.0, ge=0, le=100)
    ignore_tables: tuple[str, ...] = _field(default=())
    store_diff: StoreDiff = _field(default=StoreDiff())
    second_start: bool = _field("Start the target once more: it must change nothing (no "
                                "migration, no row, no setting).", True)
    max_backup_age: str | None = _field("Fail when the backup is older (26h, 90min, 2d).", None)

    RULES: ClassVar[Rules] = Rules(fields={"pages": _store_paths, "max_backup_age": _an_age})


def _on_key(data: Any) -> Any:
    """YAML 1.1 reads a bare `on:` key as true."""
    if isinstance(data, dict) and True in data:
        data = {("on" if k is True else k): v for k, v in data.items()}
    return data


def _ticket(text: str) -> str:
    from rehearse.integrations.targets import check  # the services load only when named

    return check(text)


@dataclass(frozen=True, kw_only=True)
class Attach(_Model):
    """Post the run's summary on a ticket (as `rehearse attach` does) after the reports."""

    to: str = _field("The ticket: github:OWNER/REPO#N, gitlab:GROUP/PROJECT#N or !N, jira:KEY-N, "
                     "azure:ORG/PROJECT#N (tokens from the environment).")
    on: Literal["failure", "always"] = _field(
        "Post only when the rehearsal did not pass, or after every run.", "failure")
    update: bool = _field("Edit rehearse's earlier comment there instead of adding one each "
                          "night.", True)
    base_url: str | None = _field("The API's address for GitHub Enterprise, self-managed "
                                  "GitLab, Jira, Azure DevOps Server.", None)

    RULES: ClassVar[Rules] = Rules(before=_on_key, fields={"to": _ticket})


@dataclass(frozen=True, kw_only=True)
class Report(_Model):
    formats: tuple[ReportFormat, ...] = _field(default=("json", "markdown", "html", "junit"))
    output: Path = _field(default=Path("rehearsal-output"))
    attach: tuple[Attach, ...] = _field("Tickets the summary goes to.", ())

    RULES: ClassVar[Rules] = Rules(fields_before={"output": path_text})


@dataclass(frozen=True, kw_only=True)
class History(_Model):
    enabled: bool = _field("Record this run and compare it with earlier ones.", True)
    url: str | None = _field(
        "A team's history database (postgresql://user:pass@host/db); default: "
        "REHEARSE_HISTORY_URL, else SQLite in the user's data folder.", None)
    store: str | None = _field("The store's name in the history (default: the scenario file's "
                               "name).", None)
    last: int = _field("How many earlier passing runs to compare with.", 10, ge=1)
    slower_percent: float = _field("A step or migration slower than the median by more is a "
                                   "regression.", 50.0, ge=0)
    slower_min_seconds: float = _field("… and by at least this much.", 5.0, ge=0)
    regressions: Literal["warn", "fail"] = _field(
        "Whether a regression against history warns or fails the run.", "warn")


@dataclass(frozen=True, kw_only=True)
class Window(_Model):
    factor: float = _field("Safety factor on the measured times.", 1.5, gt=0)
    production_speed: float = _field(
        "Production's speed relative to the sandbox (2 = twice as fast).", 1.0, gt=0)
    percentile: float = _field("With history: the percentile of the last runs.", 90.0,
                               ge=0, le=100)


@dataclass(frozen=True, kw_only=True)
class Scenario(_Model):
    store: Store = _field()
    target: str = _field("The version to upgrade to.")
    stepwise: bool = _field(default=False)
    scripts: Path | None = _field("Folder of nopCommerce's upgrade scripts (<from>-<to>/"
                                  "upgrade.sql), needed up to 4.30.", None)
    images: Images = _field(default=Images())
    upgrade: Upgrade = _field(default=Upgrade())
    anonymize: bool = _field("Replace customers' emails, names, addresses and phones in the "
                             "sandbox copy.", False)
    app_environment: dict[str, str] = field(default_factory=dict, metadata={
        "description": "Extra environment variables for every nopCommerce container "
                       "(ASPNETCORE_ENVIRONMENT, …)."})
    limits: Limits = _field(default=Limits())
    timeouts: Timeouts = _field(default=Timeouts())
    checks: Checks = _field(default=Checks())
    report: Report = _field(default=Report())
    rollback: bool = _field("After the checks, time the way back: the backup restored, the "
                            "source version started and asked.", True)
    history: History = _field(default=History())
    window: Window = _field(default=Window())

    RULES: ClassVar[Rules] = Rules(fields={"target": _version, "app_environment": environment},
                                   fields_before={"scripts": path_text})

    @property
    def source_version(self) -> Version:
        return Version.parse(self.store.version)

    @property
    def target_version(self) -> Version:
        return Version.parse(self.target)


def json_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter  # only `rehearse schema` needs it

    return TypeAdapter(Scenario).json_schema()
