"""YAML values into the scenario's models, by the models' own field types, limits and rules.
Conversions and error wording follow pydantic's lax mode (tests/unit/test_scenario_convert.py
holds each leaf type against pydantic), without importing it: pydantic cost `check` ~80 ms."""

from __future__ import annotations

import dataclasses
import math
import operator
import re
import types
from collections.abc import Callable
from contextlib import suppress
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

Location = tuple[str | int, ...]


class Invalid(Exception):
    """The first thing wrong, as pydantic names it: where, the kind, the message, what fits."""

    def __init__(self, loc: Location, kind: str, message: str, expected: str | None = None):
        super().__init__(message)
        self.loc, self.kind, self.message, self.expected = loc, kind, message, expected


_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}
_INT_TEXT = re.compile(r"\s*([+-]?\d+)(?:\.0*)?\s*")
# In pydantic's order (NaN fails them all: the upper limit is named).
_LIMITS = {"le": ("less_than_equal", "less than or equal to", operator.le),
           "ge": ("greater_than_equal", "greater than or equal to", operator.ge),
           "gt": ("greater_than", "greater than", operator.gt)}
_I64 = range(-(2**63), 2**63)


def model(cls: type, data: Any, loc: Location = ()) -> Any:
    """`data` as an instance of the dataclass `cls`; Invalid at the first problem."""
    rules = cls.RULES  # type: ignore[attr-defined]
    if rules.before is not None:
        data = _rule(rules.before, data, loc)
    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        raise Invalid(loc, "model_type",
                      f"Input should be a valid dictionary or instance of {cls.__name__}")
    values = {}
    fields = dataclasses.fields(cls)
    for found in fields:
        if found.name in data:
            values[found.name] = _value(found, data[found.name], rules, (*loc, found.name))
        elif found.default is dataclasses.MISSING and found.default_factory is dataclasses.MISSING:
            raise Invalid((*loc, found.name), "missing", "Field required")
    names = {f.name for f in fields}
    for key in data:
        if not isinstance(key, str):
            raise Invalid((*loc, _key(key)), "invalid_key", "Keys should be strings")
        if key not in names:
            raise Invalid((*loc, key), "extra_forbidden", "Extra inputs are not permitted")
    made = cls(**values)
    if rules.after is not None:
        _rule(rules.after, made, loc)
    return made


def _value(found: dataclasses.Field[Any], value: Any, rules: Any, loc: Location) -> Any:
    if found.name in rules.fields_before:
        value = _rule(rules.fields_before[found.name], value, loc)
    value = convert(found.type, value, loc, found.metadata)
    if found.name in rules.fields:
        value = _rule(rules.fields[found.name], value, loc)
    return value


def _key(key: Any) -> str | int:
    return key if isinstance(key, (str, int)) else str(key)


def _rule(rule: Callable[[Any], Any], value: Any, loc: Location) -> Any:
    try:
        return rule(value)
    except (ValueError, AssertionError) as error:
        raise Invalid(loc, "value_error", f"Value error, {error}") from None


def convert(kind: Any, value: Any, loc: Location, limits: Any = None) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):  # only ever `X | None` in the models
        if value is None:
            return None
        (inner,) = [a for a in get_args(kind) if a is not type(None)]
        return convert(inner, value, loc, limits)
    if origin is tuple:
        return _tuple(get_args(kind)[0], value, loc)
    if origin is dict:
        return _mapping(value, loc)
    if origin is Literal:
        return _choice(get_args(kind), value, loc, "literal_error")
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return model(kind, value, loc)
    if isinstance(kind, type) and issubclass(kind, Enum):
        member = _choice(tuple(m.value for m in kind), _text_of(value), loc, "enum")
        return kind(member)
    return _SCALARS[kind](value, loc, limits or {})


def _tuple(item: Any, value: Any, loc: Location) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple, set,
                                                                          frozenset)):
        raise Invalid(loc, "tuple_type", "Input should be a valid tuple")
    return tuple(convert(item, v, (*loc, n)) for n, v in enumerate(value))


def _mapping(value: Any, loc: Location) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Invalid(loc, "dict_type", "Input should be a valid dictionary")
    return {_text(k, (*loc, _key(k), "[key]"), {}): _text(v, (*loc, _key(k)), {})
            for k, v in value.items()}


def _text_of(value: Any) -> Any:
    """Bytes (YAML's !!binary) are read as text, as pydantic does; undecodable ones fail."""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _choice(allowed: tuple[Any, ...], value: Any, loc: Location, kind: str) -> Any:
    if value in allowed:
        return value
    expected = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
    raise Invalid(loc, kind, f"Input should be {expected}", expected)


def _text(value: Any, loc: Location, limits: dict[str, Any]) -> str:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            raise Invalid(loc, "string_unicode", "Input should be a valid string, unable to "
                                                 "parse raw data as a unicode string") from None
    raise Invalid(loc, "string_type", "Input should be a valid string")


def _flag(value: Any, loc: Location, limits: dict[str, Any]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _text_of(value)
    if isinstance(text, str):
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
    elif not isinstance(value, int) or value not in _I64:
        raise Invalid(loc, "bool_type", "Input should be a valid boolean")
    raise Invalid(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret "
                                       "input")


def _whole(value: Any, loc: Location, limits: dict[str, Any]) -> int:
    number = _integer(value, loc)
    _limited(number, loc, limits)
    return number


def _integer(value: Any, loc: Location) -> int:
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(loc, "finite_number", "Input should be a finite number")
        if not value.is_integer():
            raise Invalid(loc, "int_from_float", "Input should be a valid integer, got a number "
                                                 "with a fractional part")
        return int(value)
    text = _text_of(value)
    if not isinstance(text, str):
        raise Invalid(loc, "int_type", "Input should be a valid integer")
    if text.isascii():
        try:
            return int(text)
        except ValueError:
            pass  # "5.0" still is one
    return int(_digits(text, loc))


def _digits(text: str, loc: Location) -> str:
    """The whole number of "5.0" (pydantic takes it); anything else is no integer."""
    found = _INT_TEXT.fullmatch(text) if text.isascii() else None
    if found is None:
        raise Invalid(loc, "int_parsing", "Input should be a valid integer, unable to parse "
                                          "string as an integer")
    return found[1]


def _number(value: Any, loc: Location, limits: dict[str, Any]) -> float:
    number = _float(value, loc)
    if not limits.get("allow_inf_nan", True) and not math.isfinite(number):
        raise Invalid(loc, "finite_number", "Input should be a finite number")
    _limited(number, loc, limits)
    return number


def _float(value: Any, loc: Location) -> float:
    text = _text_of(value)
    if isinstance(text, str):
        with suppress(ValueError):
            if text.isascii():
                return float(text)
        raise Invalid(loc, "float_parsing", "Input should be a valid number, unable to parse "
                                            "string as a number")
    if isinstance(value, (int, float)):
        with suppress(OverflowError):  # an integer past float's range
            return float(value)
    raise Invalid(loc, "float_type", "Input should be a valid number")


def _limited(number: float | int, loc: Location, limits: dict[str, Any]) -> None:
    for name, (kind, words, holds) in _LIMITS.items():
        if name in limits and not holds(number, limits[name]):
            raise Invalid(loc, kind, f"Input should be {words} {limits[name]}")


def _path(value: Any, loc: Location, limits: dict[str, Any]) -> Path:
    if isinstance(value, (str, Path)):
        return Path(value)
    raise Invalid(loc, "path_type", "Input is not a valid path for <class 'pathlib.Path'>")


_SCALARS: dict[Any, Callable[[Any, Location, dict[str, Any]], Any]] = {
    str: _text, bool: _flag, int: _whole, float: _number, Path: _path}
