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
    "psycopg": ("engines/postgresql.py",),
    "pymysql": ("engines/mysql.py",),
    "pyodbc": ("engines/sqlserver.py",),
    "yaml": ("scenario.py",),
}
PURE = ("version.py", "catalog.py", "planner.py", "errors.py")


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


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_libraries_are_imported_only_in_their_home(path: Path) -> None:
    relative = str(path.relative_to(PACKAGE))
    for library in _imports(path) & HOMES.keys():
        assert relative.startswith(HOMES[library]), f"{relative} imports {library}"


@pytest.mark.parametrize("name", PURE)
def test_the_domain_imports_only_the_standard_library_and_itself(name: str) -> None:
    outside = _imports(PACKAGE / name) - {"rehearse", "__future__", "bisect", "dataclasses",
                                          "enum", "functools", "re", "itertools", "typing"}
    assert not outside, f"{name} imports {outside}"
