"""Plain validated data -> the model's frozen dataclasses, driven by their type hints.

Keys map to fields by name ("ephemeral-storage" -> ephemeral_storage, "except" -> except_).
The data was validated by the schema first, so this only converts; it does not check, except
for one thing the schema cannot see: a field the dataclass requires that the merged settings do
not hold (a key deleted from defaults.yaml that every service inherits) is a MissingSetting,
with the key path of the mapping it is missing from, never a TypeError.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import keyword
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any


class MissingSetting(Exception):
    """A field a dataclass requires is not in the mapping at path."""

    def __init__(self, path: tuple[str | int, ...], key: str):
        super().__init__(f"{key} missing at {path}")
        self.path = path
        self.key = key


def build(cls: type, data: Mapping[str, Any], /, at: tuple[str | int, ...] = (), **extra: Any) -> Any:
    """An instance of dataclass cls from data (found at key path `at`); extra supplies fields the data does not hold."""
    hints = _hints(cls)
    values: dict[str, Any] = dict(extra)
    for key, value in data.items():
        name = _field_name(key)
        if name in hints and name not in values:
            values[name] = convert(hints[name], value, at + (key,))
    for name in _required(cls):
        if name not in values:
            raise MissingSetting(at, name.removesuffix("_"))
    return cls(**values)


def convert(hint: Any, value: Any, at: tuple[str | int, ...] = ()) -> Any:
    """value converted to the type hint (dataclass, tuple, mapping, optional, scalar)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert_union(options, value, at)
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        return tuple(convert(item_hint, item, at + (index,)) for index, item in enumerate(value))
    if origin in (dict, collections.abc.Mapping):
        _key_hint, value_hint = typing.get_args(hint)
        return {str(key): convert(value_hint, item, at + (key,)) for key, item in value.items()}
    if dataclasses.is_dataclass(hint):
        return build(hint, value, at)
    if hint is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # quantities written as bare numbers: cpu: 2
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _convert_union(options: list[Any], value: Any, at: tuple[str | int, ...]) -> Any:
    if len(options) == 1:
        return convert(options[0], value, at)
    for option in options:  # e.g. int | str: keep the value's own type
        if isinstance(option, type) and isinstance(value, option):
            return value
    return convert(options[0], value, at)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _required(cls: type) -> tuple[str, ...]:
    """The init fields of cls without a default."""
    return tuple(
        field.name
        for field in dataclasses.fields(cls)
        if field.init and field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    )


def _field_name(key: str) -> str:
    name = key.replace("-", "_").replace(".", "_")
    return name + "_" if keyword.iskeyword(name) else name
