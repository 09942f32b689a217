"""The command line: global options, the error boundary, one small function per command."""

from __future__ import annotations

import logging
import signal
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from rehearse import console
from rehearse.catalog import Provider
from rehearse.commands.formats import CheckFormat, HistoryFormat, PlanFormat
from rehearse.errors import ExitCode, RehearseError, Terminated

app = typer.Typer(
    name="rehearse",
    help="Rehearse a nopCommerce upgrade in disposable containers before touching production.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold passwords
    add_completion=False,
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
    out = console.terminal()
    try:
        code = command()
    except RehearseError as error:
        logging.getLogger("rehearse").debug("command failed", exc_info=True)
        out.error(error.message, error.hint)
        code = error.exit_code
    except KeyboardInterrupt as stop:
        out.error("interrupted", hint="nothing was left running: run the same command again")
        code = ExitCode.TERMINATED if isinstance(stop, Terminated) else ExitCode.INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the boundary turns surprises into exit code 4
        if out.options.debug:
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
    app()
