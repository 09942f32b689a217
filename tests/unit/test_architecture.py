"""Each outside library has one home (STYLE.md habit 1); the domain knows nothing of Docker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "rehearse"

HOMES = {
    "typer": ("cli.py",),
    "click": (),
    "docker": ("sandbox/",),
    "testcontainers": ("sandbox/",),
    "psycopg": ("database/engines/postgresql.py",),
    "pymysql": ("database/engines/mysql.py",),
    "pyodbc": ("database/engines/sqlserver.py",),
    "yaml": ("scenario/", "integrations/pipelines.py"),  # reads scenarios; writes pipelines
    "httpx": ("store/app.py", "checks/pages.py", "checks/storefront.py", "checks/web.py",
              "checks/survival.py", "integrations/client.py"),
    "lxml": ("checks/storefront.py",),
    "jinja2": ("report/",),
    "rich": ("console.py", "report/", "progress.py"),
    "pydantic": ("scenario/models.py",),  # the JSON Schema; convert.py reads the YAML
    "sqlalchemy": ("history/",),
    "alembic": ("history/",),
}
# The domain: versions, plans, scripts, checks of data, results. Nothing of Docker or drivers.
PURE = ("version.py", "catalog.py", "catalog_tables.py", "planner.py", "errors.py", "results.py",
        "status.py", "database/sqlbatches.py", "database/storedb.py", "database/scriptrun.py",
        "database/neutralize.py", "database/production.py", "store/appdata.py",
        "store/startup.py", "checks/data.py", "checks/context.py", "database/backupset.py",
        "database/mssql_header.py", "database/mssql_media.py", "database/mssql_tsql.py",
        "database/mssql_restore.py", "database/mssql_diagnose.py", "database/fulltext.py",
        "values.py", "store/plugins.py", "store/themes.py", "store/survival.py", "store/site.py",
        "checks/preflight.py", "window.py", "history/records.py", "history/compare.py",
        "database/restoreprogress.py")
STDLIB = {"rehearse", "__future__", "bisect", "gzip", "dataclasses", "enum", "functools", "re",
          "itertools", "typing", "collections", "json", "pathlib", "time", "os", "stat",
          "shutil", "math", "statistics"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))
# Ticket services build requests and read answers; only integrations/client.py sends them.
PURE += tuple(f"integrations/{name}.py" for name in (
    "api", "summary", "jira_markup", "targets", "github", "gitlab", "jira", "azure"))
STDLIB |= {"base64", "datetime", "email", "html", "socket", "urllib", "collections"}
# A real store made safe (issue 12): pure too.
PURE += ("database/storesafe.py", "store/intake.py", "store/outside.py", "store/preflight.py")
# The scenario's YAML becomes its models without pydantic (issue 17 §3: `check` starts fast).
PURE += ("scenario/convert.py",)
STDLIB |= {"contextlib", "operator", "types"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_libraries_are_imported_only_in_their_home(path: Path) -> None:
    relative = str(path.relative_to(PACKAGE))
    for library in _imports(path) & HOMES.keys():
        assert relative.startswith(HOMES[library]), f"{relative} imports {library}"


@pytest.mark.parametrize("name", PURE)
def test_the_domain_imports_only_the_standard_library_and_itself(name: str) -> None:
    outside = _imports(PACKAGE / name) - STDLIB
    assert not outside, f"{name} imports {outside}"


def _rehearse_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.startswith("rehearse")}


@pytest.mark.parametrize("name", PURE)
def test_the_domain_does_not_reach_into_docker_or_drivers(name: str) -> None:
    container_side = ("rehearse.sandbox", "rehearse.database.engines", "rehearse.store.app",
                      "rehearse.database.restore", "rehearse.lifecycle", "rehearse.phases")
    reached = {m for m in _rehearse_imports(PACKAGE / name)
               if any(m == side or m.startswith(f"{side}.") for side in container_side)}
    assert not reached, f"{name} imports {reached}"


def test_the_cli_starts_without_the_heavy_libraries() -> None:
    """`rehearse --help` and `plan` answer at once: database drivers, Docker, the history's
    SQLAlchemy, HTTP, templates and models are imported only by the command that uses them."""
    import subprocess
    import sys

    heavy = ("sqlalchemy", "alembic", "docker", "testcontainers", "psycopg", "pymysql",
             "pyodbc", "httpx", "jinja2", "lxml", "pydantic", "yaml")
    probe = ("import sys, rehearse.cli, rehearse.commands.plan\n"
             "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert not set(heavy) & set(loaded)


# What `plan` and `check` must answer without (issue 17 §3): Rich, pydantic, Jinja2, HTTP,
# Docker, the drivers, the history's database. `check` reads the scenario's YAML, and converts
# it without pydantic (scenario/convert.py); pydantic is for `rehearse schema` only.
NOT_FOR_PLAN = ("rich", "pydantic", "pydantic_core", "annotated_types", "jinja2", "httpx",
                "lxml", "docker", "testcontainers", "requests", "psycopg", "pymysql", "pyodbc",
                "sqlalchemy", "alembic", "yaml", "markdown_it")
NOT_FOR_CHECK = tuple(m for m in NOT_FOR_PLAN if m != "yaml")
_LOADED = ("import sys\n"
           "from rehearse.cli import main\n"
           "sys.argv = ['rehearse', *sys.argv[2:]]\n"
           "try:\n    main()\n"
           "except SystemExit as done:\n    code = done.code\n"
           "top = sorted({m.split('.')[0] for m in sys.modules})\n"
           "with open(SYS_FILE, 'w') as out:\n"
           "    out.write(f'{code}\\n' + '\\n'.join(top))")


def _modules_of(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """The command run as users run it (the real entry point, in a fresh interpreter); the
    top-level modules it had loaded when it exited."""
    import subprocess
    import sys

    found = tmp_path / "modules.txt"
    probe = _LOADED.replace("SYS_FILE", repr(str(found)))
    subprocess.run([sys.executable, "-c", probe, "-", *args], capture_output=True, text=True,
                   check=True, cwd=PACKAGE.parent)
    code, *modules = found.read_text().split()
    return int(code), set(modules)


@pytest.mark.parametrize("args", [
    ("plan", "--from", "4.40", "--to", "4.70", "--stepwise", "--provider", "postgresql"),
    ("plan", "--from", "3.90", "--to", "4.80", "--format", "json"),
    ("plan", "--from", "4.50", "--to", "4.70", "--format", "markdown"),
    ("--help",), ("plan", "--help"),
])
def test_plan_and_help_load_none_of_the_heavy_libraries(tmp_path: Path,
                                                         args: tuple[str, ...]) -> None:
    code, loaded = _modules_of(tmp_path, *args)
    assert code == 0
    assert not loaded & set(NOT_FOR_PLAN), sorted(loaded & set(NOT_FOR_PLAN))


@pytest.mark.parametrize("form", ["table", "json", "markdown"])
def test_check_loads_only_what_reading_the_scenario_needs(tmp_path: Path, form: str) -> None:
    from tests.unit.test_cli_check import scenario

    path = scenario(tmp_path)
    code, loaded = _modules_of(tmp_path, "check", str(path), "--format", form)
    assert code == 0  # it really judged the store, survival table and all
    assert "yaml" in loaded  # the control: the scenario was read in this process
    assert not loaded & set(NOT_FOR_CHECK), sorted(loaded & set(NOT_FOR_CHECK))
