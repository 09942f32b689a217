"""Reading a scenario file: YAML, `${VAR}` from the environment, paths relative to the file,
and the first validation error as one line naming the file, the line and the key path."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from rehearse.console import terminal
from rehearse.errors import BadInputError
from rehearse.scenario.convert import Invalid, model
from rehearse.scenario.models import Scenario

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
        scenario: Scenario = model(Scenario, _expand(data, path))
    except Invalid as error:
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


def _first_error(error: Invalid, path: Path, text: str) -> BadInputError:
    keys = [str(part) for part in error.loc]
    line = _line_of(text, error.loc)
    where = f"{path}:{line}" if line else str(path)
    message = error.message.removeprefix("Value error, ")
    if error.kind == "extra_forbidden":
        message = "unknown key"
    elif error.kind == "missing":
        message = "required key is missing"
    hint = "see `rehearse schema` for every key and what it takes"
    if error.kind == "enum":
        hint = f"expected one of: {error.expected}"
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
    def fix(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    def fix_any(p: Path | None) -> Path | None:
        return None if p is None else fix(p)

    def fixed(p: Path) -> Path:
        return base / p if not p.is_absolute() else p

    certificates = tuple(replace(c, certificate=fixed(c.certificate).resolve(),
                                 private_key=fixed(c.private_key).resolve())
                         for c in scenario.store.certificates)
    store = replace(
        scenario.store, backup=fix(scenario.store.backup),
        app_data=fix_any(scenario.store.app_data), pictures=fix_any(scenario.store.pictures),
        certificates=certificates,
        more_backups=tuple(fixed(p).resolve() for p in scenario.store.more_backups),
        site=fix_any(scenario.store.site))
    report = replace(scenario.report, output=fix(scenario.report.output))
    upgrade = replace(scenario.upgrade, plugins=tuple(fix(p) for p in scenario.upgrade.plugins),
                      theme=fix_any(scenario.upgrade.theme))
    return replace(scenario, store=store, report=report, upgrade=upgrade,
                   scripts=fix_any(scenario.scripts))
