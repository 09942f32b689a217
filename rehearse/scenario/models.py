"""The scenario's frozen, typed models (`extra="forbid"`) and the checks of each value."""

# No `from __future__ import annotations` here: pydantic would compile every annotation string
# back into a type (a typing.ForwardRef each, ~1 ms in all) when it collects the fields.
import os
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rehearse.catalog import Provider, resolve
from rehearse.console import terminal
from rehearse.database.pick import parse_age
from rehearse.errors import BadInputError
from rehearse.values import MAX_SECONDS, environment, image_name, memory_limit, path_text
from rehearse.version import Version

# rehearse's models use no pydantic plugin, and looking for plugins reads the metadata of every
# installed package when the first model is built (~25 ms of `rehearse check`; Typer does the
# same for its own). A user who set the variable keeps their setting.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
ReportFormat = Literal["json", "markdown", "html", "junit"]


class _Model(BaseModel):
    # Built on first use: validating a Scenario builds one validator for the whole tree instead
    # of one per model at import (the sections' defaults below are made without validating).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Certificate(_Model):
    """A certificate and private key exported with BACKUP CERTIFICATE, for a TDE or encrypted
    .bak (Msg 33111 without it); created in the sandbox before the restore."""

    certificate: Path = Field(description="The certificate file (.cer).")
    private_key: Path = Field(description="Its private key file (.pvk).")
    password: str = Field(description="The private key's password (use ${VAR}); never shown.")

    @field_validator("password")
    @classmethod
    def _secret(cls, value: str) -> str:
        terminal().add_secret(value)  # redacted everywhere, even when written in the file
        return value


class Store(_Model):
    version: str = Field(description="The version the store runs now: 4.50 or 4.50.2.")
    provider: Provider = Field(description="The store's database: sqlserver, mysql or postgresql.")
    backup: Path = Field(description="The store's database backup (.bak, pg_dump, mysqldump), "
                                     "or a glob (/backups/shop-*.bak): the newest match.")
    app_data: Path | None = Field(None, description="A copy of the store's App_Data folder "
                                                    "(default: App_Data in store.site).")
    pictures: Path | None = Field(None, description="wwwroot/images, when pictures are on disk.")
    more_backups: tuple[Path, ...] = Field(
        (), description="Further files of a SQL Server backup: the other stripes of a media set, "
                        "differential and log backups (a list under backup: means the same).")
    certificates: tuple[Certificate, ...] = Field(
        (), description="Certificates a TDE or encrypted SQL Server backup needs.")
    copy_backup: bool = Field(
        False, description="Copy the backup into the SQL Server container (read-only, owned by "
                           "its uid 10001) instead of mounting it: for a file that user cannot "
                           "read. Your file is only read.")

    @model_validator(mode="before")
    @classmethod
    def _backup_list(cls, data: Any) -> Any:
        """`backup: [full.bak, diff.bak, log.trn]` is the first file plus more_backups."""
        if isinstance(data, dict) and isinstance(data.get("backup"), list) and data["backup"]:
            first, *more = data["backup"]
            return {**data, "backup": first, "more_backups": [*more, *data.get("more_backups",
                                                                                 [])]}
        return data
    site: Path | None = Field(None, description="A copy of the store's site folder: its Plugins/, "
                                               "Themes/, pictures and App_Data travel.")
    theme: str | None = Field(None, description="The store's theme, for `rehearse check` (the run "
                                                "reads it from the database).")

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        return str(_version(value))

    _paths = field_validator("backup", "app_data", "pictures", "site", mode="before")(path_text)

    @model_validator(mode="after")
    def _app_data_or_site(self) -> Self:
        if self.app_data is None and self.site is None:
            raise ValueError("name store.app_data or store.site (a copy of the site folder)")
        return self


class Upgrade(_Model):
    plugins: tuple[Path, ...] = Field((), description="Folders of plugin builds for the new "
                                                      "version(s), one folder per plugin inside.")
    theme: Path | None = Field(None, description="The theme's build for the new version.")


class Images(_Model):
    database: str | None = Field(None, description="Database image (default: the official one).")
    nopcommerce: str | None = Field(
        None, description="nopCommerce image; {version} is replaced by each step's version "
                          "(default: nopcommerceteam/nopcommerce:<X.YY.Z>).")
    pull: bool = Field(True, description="Pull images that are not on this machine.")

    _names = field_validator("database", "nopcommerce")(image_name)


class Limits(_Model):
    database_memory: str = Field("4g", description="Memory of the database container: 512m, 4g.")
    store_memory: str = Field("2g", description="Memory of each nopCommerce container.")

    _sizes = field_validator("database_memory", "store_memory")(memory_limit)


class Timeouts(_Model):
    database_start: float = Field(180.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False,
                                  description="Seconds for the database server to get ready.")
    app_start: float = Field(1800.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False,
                             description="Seconds for one app start, migrations included.")


class Admin(_Model):
    email: str
    password: str


class StoreDiff(_Model):
    enabled: bool = Field(True, description="Start the source version first and compare what "
                                            "customers see before and after the upgrade.")
    sample: int = Field(200, ge=1, le=100_000,
                        description="Product pages to compare (categories and topics: a tenth).")
    seed: int = Field(1, description="Seed of the sample, so nightly runs compare the same pages.")
    allow: tuple[str, ...] = Field(
        (), description='Differences that are expected: globs over "PATH FIELD", '
                        'e.g. "* stock" or "/sitemap.xml *".')


class Checks(_Model):
    pages: tuple[str, ...] = Field((), description="Extra paths that must answer 200.")

    @field_validator("pages")
    @classmethod
    def _store_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for page in value:  # only ever the sandboxed store: never another host
            if not page.startswith("/") or page.startswith("//") or not page.isprintable():
                raise ValueError(f"{page!r} is not a path of the store: write it like /cart")
        return value
    search: str | None = Field(None, description="A word /search must find a product for.")
    admin: Admin | None = None
    max_row_loss_percent: float = Field(0.0, ge=0, le=100,
                                        description="Allowed loss of rows per key table.")
    ignore_tables: tuple[str, ...] = ()
    store_diff: StoreDiff = StoreDiff.model_construct()
    second_start: bool = Field(True, description="Start the target once more: it must change "
                                                 "nothing (no migration, no row, no setting).")
    max_backup_age: str | None = Field(None, description="Fail when the backup is older "
                                                         "(26h, 90min, 2d).")

    @field_validator("max_backup_age")
    @classmethod
    def _an_age(cls, value: str | None) -> str | None:
        if value is not None:
            parse_age(value)
        return value


class Attach(_Model):
    """Post the run's summary on a ticket (as `rehearse attach` does) after the reports."""

    to: str = Field(description="The ticket: github:OWNER/REPO#N, gitlab:GROUP/PROJECT#N or !N, "
                                "jira:KEY-N, azure:ORG/PROJECT#N (tokens from the environment).")
    on: Literal["failure", "always"] = Field(
        "failure", description="Post only when the rehearsal did not pass, or after every run.")
    update: bool = Field(True, description="Edit rehearse's earlier comment there instead of "
                                           "adding one each night.")
    base_url: str | None = Field(None, description="The API's address for GitHub Enterprise, "
                                                   "self-managed GitLab, Jira, Azure DevOps "
                                                   "Server.")

    @model_validator(mode="before")
    @classmethod
    def _on_key(cls, data: Any) -> Any:
        """YAML 1.1 reads a bare `on:` key as true."""
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @field_validator("to")
    @classmethod
    def _ticket(cls, text: str) -> str:
        from rehearse.integrations.targets import check  # the services load only when named

        return check(text)


class Report(_Model):
    formats: tuple[ReportFormat, ...] = ("json", "markdown", "html", "junit")
    output: Path = Path("rehearsal-output")
    attach: tuple[Attach, ...] = Field((), description="Tickets the summary goes to.")

    _paths = field_validator("output", mode="before")(path_text)


class History(_Model):
    enabled: bool = Field(True, description="Record this run and compare it with earlier ones.")
    url: str | None = Field(
        None, description="A team's history database (postgresql://user:pass@host/db); "
                          "default: REHEARSE_HISTORY_URL, else SQLite in the user's data folder.")
    store: str | None = Field(None, description="The store's name in the history "
                                                "(default: the scenario file's name).")
    last: int = Field(10, ge=1, description="How many earlier passing runs to compare with.")
    slower_percent: float = Field(50.0, ge=0, description="A step or migration slower than "
                                                          "the median by more is a regression.")
    slower_min_seconds: float = Field(5.0, ge=0, description="… and by at least this much.")
    regressions: Literal["warn", "fail"] = Field(
        "warn", description="Whether a regression against history warns or fails the run.")


class Window(_Model):
    factor: float = Field(1.5, gt=0, description="Safety factor on the measured times.")
    production_speed: float = Field(
        1.0, gt=0, description="Production's speed relative to the sandbox (2 = twice as fast).")
    percentile: float = Field(90.0, ge=0, le=100,
                              description="With history: the percentile of the last runs.")


class Scenario(_Model):
    store: Store
    target: str = Field(description="The version to upgrade to.")
    stepwise: bool = False
    scripts: Path | None = Field(None, description="Folder of nopCommerce's upgrade scripts "
                                                   "(<from>-<to>/upgrade.sql), needed up to 4.30.")
    images: Images = Images.model_construct()
    upgrade: Upgrade = Upgrade.model_construct()
    anonymize: bool = Field(False, description="Replace customers' emails, names, addresses "
                                               "and phones in the sandbox copy.")
    app_environment: dict[str, str] = Field(
        default_factory=dict, description="Extra environment variables for every nopCommerce "
                                          "container (ASPNETCORE_ENVIRONMENT, …).")
    limits: Limits = Limits.model_construct()
    timeouts: Timeouts = Timeouts.model_construct()
    checks: Checks = Checks.model_construct()
    report: Report = Report.model_construct()
    rollback: bool = Field(True, description="After the checks, time the way back: the backup "
                                             "restored, the source version started and asked.")
    history: History = History.model_construct()
    window: Window = Window.model_construct()

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        return str(_version(value))

    _paths = field_validator("scripts", mode="before")(path_text)

    _environment = field_validator("app_environment")(environment)

    @property
    def source_version(self) -> Version:
        return Version.parse(self.store.version)

    @property
    def target_version(self) -> Version:
        return Version.parse(self.target)


def _version(value: str) -> Version:
    try:
        return resolve(str(value))
    except BadInputError as error:
        raise ValueError(f"{error.message} ({error.hint})") from None


def json_schema() -> dict[str, Any]:
    return Scenario.model_json_schema()
