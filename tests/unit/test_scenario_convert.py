"""scenario/convert.py takes and refuses what pydantic did, with pydantic's words: each field of
the models against pydantic's own validation of the same type and limits."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from rehearse.scenario import History, Scenario, StoreDiff, Timeouts, Window
from rehearse.scenario.convert import Invalid, convert, model

# What YAML hands over, and what careless hands write.
VALUES: list[Any] = [
    None, True, False, 0, 1, 2, -1, 1.5, 0.0, 1.0, float("inf"), float("-inf"), float("nan"),
    10**30, 2**1100, "", "a", "yes", "no", "On", "1", "0", " 5 ", "5.0", "5.5", "+5", "1_000",
    "1__0", "_1", "1_", "1e3", "0x10", "inf", "nan", "-inf", "Infinity", "٣", "4.50", "json",
    "MySQL", "postgresql", "warn", "always", "/cart", "x\0y", b"yes", b"1.5", b"json",
    b"\xff\xfe", datetime.date(2020, 1, 1), [], ["a"], ["json", "html"], ["/cart", 1],
    ("a",), {"a"}, {}, {"a": "b"}, {"a": 1}, {1: "x"}, {None: "x"}, 604800, 604801, 100000,
    100001, 100, 101, 1e-9, -0.0,
]


def _leaf_fields() -> list[tuple[str, Any, dict[str, Any]]]:
    """Every field of every model whose type holds no model: (name, type, limits)."""
    found, todo, seen = [], [Scenario], set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for field in dataclasses.fields(cls):
            inner = [a for a in (field.type, *getattr(field.type, "__args__", ()))
                     if isinstance(a, type) and dataclasses.is_dataclass(a)]
            if inner:
                todo += inner
            else:
                found.append((f"{cls.__name__}.{field.name}", field.type, dict(field.metadata)))
    return sorted(found, key=lambda f: f[0])


def _outcome(run: Any) -> tuple[str, ...]:
    try:
        return ("ok", repr(run()))
    except ValidationError as error:
        first = error.errors()[0]
        return ("error", repr(tuple(first["loc"])), first["type"], first["msg"])
    except Invalid as error:
        return ("error", repr(error.loc), error.kind, error.message)


@pytest.mark.parametrize(("name", "kind", "limits"), _leaf_fields(), ids=lambda v: str(v))
def test_each_field_takes_and_refuses_what_pydantic_does(name: str, kind: Any,
                                                         limits: dict[str, Any]) -> None:
    pydantic = TypeAdapter(Annotated[kind, Field(**limits)])  # type: ignore[call-overload]
    for value in VALUES:
        expected = _outcome(lambda v=value: pydantic.validate_python(v))
        assert _outcome(lambda v=value: convert(kind, v, (), limits)) == expected, (name, value)


@pytest.mark.parametrize("data", [
    {}, {"x": 1}, {1: 2}, {None: 2}, {"sample": 0, "x": 1}, {"seed": "a", "sample": "b"},
    {"enabled": "no", "sample": "5", "allow": ["* stock"]}, [], "sample", None, 5,
    {"factor": 0, "percentile": 101}, {"database_start": ".inf", "app_start": 0},
])
@pytest.mark.parametrize("cls", [StoreDiff, Timeouts, Window, History])
def test_a_section_refuses_unknown_keys_and_names_the_first_problem_as_pydantic_does(
        cls: type, data: Any) -> None:
    pydantic = _as_pydantic_model(cls)
    assert _outcome(lambda: dataclasses.asdict(model(cls, data))) == _outcome(
        lambda: pydantic.model_validate(data).model_dump())


def _as_pydantic_model(cls: type) -> type[BaseModel]:
    """The section as a pydantic model with the same fields, limits and defaults: what the
    scenario was before convert.py (a section without rules of its own)."""
    fields: dict[str, Any] = {
        f.name: (f.type, Field(f.default, **f.metadata)) for f in dataclasses.fields(cls)}
    return create_model(cls.__name__, __config__=ConfigDict(extra="forbid"), **fields)


def test_missing_keys_are_named_in_the_models_order() -> None:
    with pytest.raises(Invalid) as caught:
        model(Scenario, {"target": "4.70"})
    assert (caught.value.loc, caught.value.kind) == (("store",), "missing")
    with pytest.raises(Invalid) as caught:
        model(Scenario, {"store": {"provider": "mysql"}})
    assert (caught.value.loc, caught.value.kind) == (("store", "version"), "missing")


def test_defaults_are_the_models_own() -> None:
    made = model(Scenario, {"store": {"version": "4.50", "provider": "mysql", "backup": "b.sql",
                                      "site": "site"}, "target": "4.70"})
    assert made.timeouts == Timeouts() and made.app_environment == {}
    assert made.store.backup == Path("b.sql") and made.target == "4.70"
