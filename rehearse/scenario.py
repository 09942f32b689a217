"""Scenario files: the only YAML reader. YAML becomes frozen, typed models; nothing past this
module sees a dict. Errors name the file, the line, the key path and what is expected."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ReportFormat = Literal["json", "markdown", "html", "junit"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    def _app_data_or_site(self) -> Store:
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
    store_diff: StoreDiff = StoreDiff()
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
    images: Images = Images()
    upgrade: Upgrade = Upgrade()
    anonymize: bool = Field(False, description="Replace customers' emails, names, addresses "
                                               "and phones in the sandbox copy.")
    app_environment: dict[str, str] = Field(
        default_factory=dict, description="Extra environment variables for every nopCommerce "
                                          "container (ASPNETCORE_ENVIRONMENT, …).")
    limits: Limits = Limits()
    timeouts: Timeouts = Timeouts()
    checks: Checks = Checks()
    report: Report = Report()
    rollback: bool = Field(True, description="After the checks, time the way back: the backup "
                                             "restored, the source version started and asked.")
    history: History = History()
    window: Window = Window()

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


def load(path: Path) -> Scenario:
    text = _read(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise BadInputError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})",
                            hint="check the indentation and quoting around that line") from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path}: a scenario is a mapping of keys (store, target, …)",
                            hint="see scenarios/demo.yaml, or `rehearse schema`")
    try:
        scenario = Scenario.model_validate(_expand(data, path))
    except ValidationError as error:
        raise _first_error(error, path, text) from None
    return _resolved(scenario, path.parent)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"scenario {path} does not exist",
                            hint="give the path of a scenario YAML (see scenarios/)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"scenario {path} cannot be read ({error})",
                            hint="save it as a UTF-8 text file") from None


def _expand(value: Any, path: Path) -> Any:
    """`${VAR}` from the environment, so secrets never sit in the file."""
    if isinstance(value, dict):
        return {k: _expand(v, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, path) for v in value]
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: _variable(m.group(1), path), value)
    return value


def _variable(name: str, path: Path) -> str:
    if name not in os.environ:
        raise BadInputError(f"{path}: ${{{name}}} is used but not set in the environment",
                            hint=f"export {name}=… before running rehearse")
    value = os.environ[name]
    terminal().add_secret(value)  # values from the environment are redacted everywhere
    return value


def _first_error(error: ValidationError, path: Path, text: str) -> BadInputError:
    first = error.errors()[0]
    keys = [str(part) for part in first["loc"]]
    line = _line_of(text, first["loc"])
    where = f"{path}:{line}" if line else str(path)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key is missing"
    hint = "see `rehearse schema` for every key and what it takes"
    if first["type"] == "enum":
        hint = f"expected one of: {first.get('ctx', {}).get('expected', '')}"
    return BadInputError(f"{where}: {'.'.join(keys)}: {message}", hint=hint)


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of a key path in the YAML text (the nearest existing parent)."""
    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == str(part)]
            if not found:
                break
            line, node = found[0][0].start_mark.line + 1, found[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _resolved(scenario: Scenario, base: Path) -> Scenario:
    """Relative paths are relative to the scenario file."""
    def fix(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else (base / p).resolve())

    def fixed(p: Path) -> Path:
        return base / p if not p.is_absolute() else p

    certificates = tuple(c.model_copy(update={"certificate": fixed(c.certificate).resolve(),
                                              "private_key": fixed(c.private_key).resolve()})
                         for c in scenario.store.certificates)
    store = scenario.store.model_copy(update={
        "backup": fix(scenario.store.backup), "app_data": fix(scenario.store.app_data),
        "pictures": fix(scenario.store.pictures), "certificates": certificates,
        "more_backups": tuple(fixed(p).resolve() for p in scenario.store.more_backups),
        "site": fix(scenario.store.site)})
    report = scenario.report.model_copy(update={"output": fix(scenario.report.output)})
    upgrade = scenario.upgrade.model_copy(update={
        "plugins": tuple(fix(p) for p in scenario.upgrade.plugins),
        "theme": fix(scenario.upgrade.theme)})
    return scenario.model_copy(update={"store": store, "report": report, "upgrade": upgrade,
                                       "scripts": fix(scenario.scripts)})
