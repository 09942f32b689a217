"""The command line: global options, the error boundary, one small function per command."""

import signal
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from rehearse import collector, console
from rehearse.catalog import Provider
from rehearse.commands.formats import CheckFormat, CiSystem, HistoryFormat, PlanFormat
from rehearse.errors import ExitCode, RehearseError, Terminated


class _Converted:
    """A value converted as Typer would, without the pydantic TypeAdapter Typer builds for each
    parameter on first use: pydantic's import alone costs `plan` more than its whole budget."""

    def __init__(self, convert: Callable[[str], object]) -> None:
        self._convert = convert

    def coerce(self, value: Any, param: Any, ctx: typer.Context) -> Any:
        if value is None or (isinstance(value, (list, tuple)) and not value):
            return () if param.multiple else None
        try:
            if param.multiple:
                return [self._convert(item) for item in value]
            return self._convert(value)
        except ValueError as error:
            raise typer.BadParameter(str(error), ctx=ctx, param=param) from error


def _choice(kind: type[Enum]) -> Callable[[str], object]:
    def convert(value: str) -> object:
        for member in kind:
            if value in (member.value, member):
                return member
        allowed = ", ".join(repr(m.value) for m in kind)
        raise ValueError(f"{value!r} is not one of {allowed}.")
    return convert


def _flag(value: str) -> bool:
    if isinstance(value, bool):
        return value
    if value.lower() in ("1", "true", "yes", "on", "y", "t"):
        return True
    if value.lower() in ("0", "false", "no", "off", "n", "f"):
        return False
    raise ValueError(f"{value!r} is not a valid boolean.")


def _converter(annotation: object) -> Callable[[str], object] | None:
    if annotation is bool:
        return _flag
    if annotation in (str, list[str]):
        return str
    if annotation is Path:
        return Path
    if annotation is int:
        return int
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation)
    return None  # anything else: Typer's own conversion


def _convert_cheaply(params: list[Any]) -> None:
    # Typer (0.2x) keeps each parameter's converter in `_runtime_param`, built on first use.
    # Should a release rename these, getattr finds nothing and Typer converts as before: slower,
    # still correct, and test_architecture's import checks say so.
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        convert = _converter(getattr(descriptor, "annotation", None))
        if convert is not None and getattr(param, "_runtime_param", "") is None:
            param._runtime_param = _Converted(convert)


class _Commands(TyperGroup):
    """The app's group: its own and each chosen command's options get `_Converted`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _convert_cheaply(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _convert_cheaply(command.get_params(ctx))
        return command


app = typer.Typer(
    name="rehearse",
    cls=_Commands,
    help="Rehearse a nopCommerce upgrade in disposable containers before touching production.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold passwords
    add_completion=False,
    rich_markup_mode=None,  # plain help: Rich's import alone is a third of the budget
)


@app.callback()
def _global_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show details.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and results.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
    color: Annotated[bool, typer.Option(help="Colour output (NO_COLOR is honoured).")] = True,
) -> None:
    console.configure(console.Options(verbose=verbose, quiet=quiet, debug=debug, color=color))


def _run(command: Callable[[], ExitCode]) -> NoReturn:
    """The one error boundary: expected errors become `error:`/`hint:` and a fixed exit code."""
    collector.settle()  # the command module and its libraries are imported by now
    out = console.terminal()
    try:
        code = command()
    except RehearseError as error:
        import logging

        logging.getLogger("rehearse").debug("command failed", exc_info=True)
        out.error(error.message, error.hint)
        code = error.exit_code
    except KeyboardInterrupt as stop:
        out.error("interrupted", hint="nothing was left running: run the same command again")
        code = ExitCode.TERMINATED if isinstance(stop, Terminated) else ExitCode.INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the boundary turns surprises into exit code 4
        if out.options.debug:
            import traceback

            out.write(traceback.format_exc())
        out.error(f"internal error: {type(error).__name__}: {error}",
                  hint="re-run with --debug for the traceback, and report it")
        code = ExitCode.INTERNAL
    raise typer.Exit(int(code))


_HOST_ACCESS = typer.Option(
    "--allow-host-access",
    help="Run even where the sandbox cannot be blocked from this host's own services (not "
         "root, no iptables/nft); the report says so.")


@app.command("plan")
def plan_command(
    source: Annotated[str, typer.Option(
        "--from", help="The store's version now: 4.40, 4.4 or 4.40.2.")],
    target: Annotated[str, typer.Option("--to", help="The version to upgrade to.")],
    provider: Annotated[Provider, typer.Option(help="The store's database.")] = Provider.SQLSERVER,
    stepwise: Annotated[bool, typer.Option(
        "--stepwise", help="From 4.40 on, start every version in between (finds which one breaks).",
    )] = False,
    output: Annotated[PlanFormat, typer.Option("--format", help="How to print the plan.")] = (
        PlanFormat.TABLE),
) -> None:
    """Print the upgrade path from one nopCommerce version to another."""
    from rehearse.commands.plan import plan

    _run(lambda: plan(source, target, provider, stepwise, output))


@app.command("inspect")
def inspect_command(
    backup: Annotated[Path, typer.Argument(help="The store's backup: .bak, pg_dump or mysqldump.")],
    provider: Annotated[Optional[Provider], typer.Option(  # noqa: UP045 - Typer needs Optional
        help="The database the store runs on (checked against the backup).")] = None,
    version: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--version", help="The version the store runs (checked against the data).")] = None,
    image: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Database image to restore into (default: the official one).")] = None,
    memory: Annotated[str, typer.Option(help="Memory limit of the database container.")] = "4g",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    allow_host_access: Annotated[bool, _HOST_ACCESS] = False,
) -> None:
    """Restore a backup into a throwaway database and report the store's version and data."""
    from rehearse.commands.inspect import inspect

    _run(lambda: inspect(backup, provider, version, image, memory, as_json, allow_host_access))


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(help="The scenario YAML (see scenarios/).")],
    keep: Annotated[bool, typer.Option(
        "--keep", help="Leave the sandbox running afterwards, to look around.")] = False,
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045 - Typer needs Optional
        help="Folder for the reports (default: the scenario's report.output).")] = None,
    formats: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--format", help="Report formats: json, markdown, html, junit (repeatable).")] = None,
    allow_host_access: Annotated[bool, _HOST_ACCESS] = False,
    as_is: Annotated[bool, typer.Option(
        "--as-is", help="Keep SSL, store URLs/hosts, www and closed-store settings (for a "
                        "sandbox behind the store's own TLS proxy).")] = False,
) -> None:
    """Rehearse the upgrade a scenario describes, check the result, write the reports."""
    from rehearse.commands.run import run

    _run(lambda: run(scenario, keep, output, tuple(formats) if formats else None,
                     allow_host_access, as_is))


@app.command("attach")
def attach_command(
    report_dir: Annotated[Path, typer.Argument(
        help="A run's report folder, or the folder of runs (its newest run).")],
    to: Annotated[str, typer.Option(
        "--to", help="github:OWNER/REPO#N, gitlab:GROUP/PROJECT#N or !N, jira:KEY-N, "
                     "azure:ORG/PROJECT#N.")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the request (token redacted); send nothing.")] = False,
    update: Annotated[bool, typer.Option(
        "--update", help="Edit rehearse's earlier comment on the ticket instead of adding one.",
    )] = False,
    base_url: Annotated[Optional[str], typer.Option(  # noqa: UP045 - Typer needs Optional
        "--base-url", help="The API's address: https://HOST/api/v3 (GitHub Enterprise), "
                           "https://HOST (GitLab, Jira), https://HOST/tfs (Azure DevOps Server).",
    )] = None,
) -> None:
    """Post a rehearsal's summary as a comment on its change ticket."""
    from rehearse.commands.attach import attach

    _run(lambda: attach(report_dir, to, dry_run, update, base_url))


@app.command("ci")
def ci_command(
    system: Annotated[CiSystem, typer.Argument(help="The CI system.")],
    scenarios: Annotated[list[Path], typer.Argument(help="The scenarios, one job each.")],
    schedule: Annotated[str, typer.Option(
        help="When, as five-field cron in UTC.")] = "0 2 * * *",
    install: Annotated[str, typer.Option(
        help="What pip installs: a version (rehearse==0.1.0), a wheel, or a git URL.")] = (
        "rehearse"),
    attach: Annotated[Optional[str], typer.Option(  # noqa: UP045 - Typer needs Optional
        help="Post the summary on this ticket when a rehearsal fails (see attach --to).",
    )] = None,
) -> None:
    """Print a nightly pipeline that rehearses each scenario, keeps the reports and publishes
    the test results."""
    from rehearse.commands.ci import ci

    _run(lambda: ci(system, scenarios, schedule, install, attach))


@app.command("fleet")
def fleet_command(
    scenarios: Annotated[list[Path], typer.Argument(help="The stores' scenario files.")],
    engines: Annotated[list[str], typer.Option(
        "--engine", help="A Docker engine: tcp://HOST:2376, ssh://USER@HOST, unix:///PATH or a "
                         "context's name (repeatable).")],
    parallel: Annotated[int, typer.Option(help="Rehearsals at once on each engine.")] = 1,
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045 - Typer needs Optional
        help="Folder for the index and one report folder per store.")] = None,
    allow_host_access: Annotated[bool, _HOST_ACCESS] = False,
) -> None:
    """Rehearse many stores across Docker engines; one report each and an index of them all."""
    from rehearse.commands.fleet import run_fleet

    _run(lambda: run_fleet(tuple(scenarios), tuple(engines), parallel, output,
                           allow_host_access))


@app.command("check")
def check_command(
    scenario: Annotated[Path, typer.Argument(help="The scenario YAML (see scenarios/).")],
    output: Annotated[CheckFormat, typer.Option("--format", help="How to print the result.")] = (
        CheckFormat.TABLE),
) -> None:
    """Judge without starting anything: inputs, App_Data, images, disk, plugin survival."""
    from rehearse.commands.check import check

    _run(lambda: check(scenario, output))


@app.command("history")
def history_command(
    store: Annotated[Optional[str], typer.Option(  # noqa: UP045 - Typer needs Optional
        help="Only this store's runs (history.store, default the scenario file's name).")] = None,
    last: Annotated[int, typer.Option(help="How many runs to show.")] = 20,
    output: Annotated[HistoryFormat, typer.Option("--format", help="How to print them.")] = (
        HistoryFormat.TABLE),
    url: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="The history database (default: REHEARSE_HISTORY_URL, else SQLite in the "
             "user's data folder).")] = None,
) -> None:
    """Show recorded rehearsals, newest first, with each step's time and trend."""
    from rehearse.commands.history import history

    _run(lambda: history(store, last, output, url))


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of scenario files, for editors."""
    from rehearse.commands.schema import schema

    _run(schema)


@app.command("clean")
def clean_command(
    run_id: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--run", help="Only this run's containers and networks.")] = None,
) -> None:
    """Remove what rehearsals left behind (after --keep, or a killed run)."""
    from rehearse.commands.clean import clean

    _run(lambda: clean(run_id))


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main() -> None:
    # SIGTERM (docker stop, CI cancelling a job) tears down like Ctrl-C does.
    signal.signal(signal.SIGTERM, _terminate)
    collector.hold()
    try:
        app()
    finally:
        collector.settle()  # --help and usage errors run no command
