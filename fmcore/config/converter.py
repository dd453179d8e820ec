"""A strict cattrs converter, and structuring that reports every problem with its place.

Strict means no silent coercion: ``2.5`` is not an ``int``, ``"3"`` is not a number, ``1`` is not a
``bool``. Problems come back as :class:`~fmcore.errors.ConfigIssue` records (``$.network.width: …``),
all of them at once, including the attrs validators of every field.
"""

from __future__ import annotations

import pathlib
import typing
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence, list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from fmcore.errors import ConfigIssue, did_you_mean


class _Mismatch(Exception):
    def __init__(self, expected: str, value: Any):
        super().__init__(f"expected {expected}, got {describe(value)}")


def describe(value: Any) -> str:
    """A value with its TOML-ish type, e.g. ``string 'abc'`` or ``float 2.5``."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
             tuple: "array", dict: "table", type(None): "null"}
    kind = names.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Mismatch("an integer", value)
    return value


def _float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Mismatch("a number", value)
    return float(value)


def _str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Mismatch("a string", value)
    return value


def _bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Mismatch("true or false", value)
    return value


def _path(value: Any, _: type) -> pathlib.Path:
    return pathlib.Path(_str(value, str))


def _literal_hook(literal: Any) -> Any:
    choices = typing.get_args(literal)

    def structure(value: Any, _: type) -> Any:
        if value in choices and type(value) in {type(c) for c in choices}:
            return value
        shown = ", ".join(repr(c) for c in choices)
        words = [c for c in choices if isinstance(c, str)]
        hint = did_you_mean(value, words) if isinstance(value, str) else ""
        raise ValueError(f"expected one of {shown}, got {describe(value)}{hint}")

    return structure


def _sequence_hook(tp: Any, converter: cattrs.Converter) -> Any:
    """Arrays only: a string or a table is not silently iterated into a list."""
    is_tuple = typing.get_origin(tp) is tuple or tp is tuple
    factory = homogenous_tuple_structure_factory if is_tuple else list_structure_factory
    inner = factory(tp, converter)

    def structure(value: Any, _: type) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Mismatch("an array", value)
        return inner(value, tp)

    return structure


def make_converter() -> cattrs.Converter:
    """The converter used for every settings class."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for tp, hook in ((int, _int), (float, _float), (str, _str), (bool, _bool),
                     (pathlib.Path, _path)):
        converter.register_structure_hook(tp, hook)
    converter.register_structure_hook_factory(
        lambda tp: typing.get_origin(tp) is Literal, _literal_hook
    )
    converter.register_structure_hook_factory(is_sequence, _sequence_hook)
    converter.register_unstructure_hook(pathlib.Path, str)
    return converter


CONVERTER = make_converter()


def structure(data: Any, cls: type, place: str) -> tuple[Any, list[ConfigIssue]]:
    """Build settings class ``cls`` from ``data``; ``(obj, [])`` or ``(None, issues)``."""
    if not isinstance(data, Mapping):
        return None, [ConfigIssue(place, f"expected a table, got {describe(data)}")]
    was_disabled = attrs.validators.get_disabled()
    attrs.validators.set_disabled(True)  # validators run below, each on its own, to report all
    try:
        obj = CONVERTER.structure(dict(data), cls)
    except BaseValidationError as exc:
        issues = _issues(exc, place)
        return None, issues + _validate_fields(data, cls, place, {i.place for i in issues})
    except (ValueError, TypeError) as exc:  # raised by the class's own __attrs_post_init__
        return None, [ConfigIssue(place, str(exc))]
    finally:
        attrs.validators.set_disabled(was_disabled)
    issues = _validate(obj, place)
    return (None, issues) if issues else (obj, [])


def _validate_fields(data: Mapping[str, Any], cls: type, place: str, reported: set[str]) -> list[ConfigIssue]:
    """When a table did not build, still run the validators of the settings that did."""
    issues = []
    for field in attrs.fields(cls):
        here = f"{place}.{field.name}"
        if field.validator is None or field.name not in data or here in reported:
            continue
        try:
            value = CONVERTER.structure(data[field.name], field.type)
        except Exception:  # reported (or hidden behind another error) already
            continue
        issues += _check(field, None, value, here)
    return issues


def _check(field: attrs.Attribute, obj: Any, value: Any, here: str) -> list[ConfigIssue]:
    try:
        field.validator(obj, field, value)  # type: ignore[misc]
    except (ValueError, TypeError) as exc:
        message = str(exc.args[0] if exc.args else exc).removesuffix(f": {value!r}")
        return [ConfigIssue(here, f"invalid value {value!r}: {message}")]
    return []


def _validate(obj: Any, place: str) -> list[ConfigIssue]:
    """Run every field's validator (recursing into nested settings), collecting all failures."""
    issues = []
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        here = f"{place}.{field.name}"
        if field.validator is not None:
            issues += _check(field, obj, value, here)
        if attrs.has(type(value)) and not _is_spec(value):  # a chosen component validated itself
            issues += _validate(value, here)
    return issues


def _is_spec(value: Any) -> bool:
    from fmcore.config.spec import ComponentSpec

    return isinstance(value, ComponentSpec)


def _issues(exc: BaseException, place: str) -> list[ConfigIssue]:
    if isinstance(exc, BaseValidationError):
        found = []
        for sub in exc.exceptions:
            here = place
            for note in getattr(sub, "__notes__", []):
                if isinstance(note, AttributeValidationNote):
                    here = f"{place}.{note.name}"
                elif isinstance(note, IterableValidationNote):
                    here = f"{place}[{note.index}]"
            found += _issues(sub, here)
        return found
    nested = getattr(exc, "issues", None)
    if nested is not None:  # issues inside a chosen component, placed relative to its field
        return [ConfigIssue(place + issue.place, issue.message) for issue in nested]
    if isinstance(exc, ForbiddenExtraKeysError):
        names = [f.name for f in attrs.fields(exc.cl)]
        listing = ", ".join(names) if names else "none"
        return [
            ConfigIssue(f"{place}.{key}", f"unknown setting{did_you_mean(key, names)} "
                        f"(settings: {listing})")
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        return [ConfigIssue(place, "required setting is missing")]
    return [ConfigIssue(place, str(exc))]


def unstructure(obj: Any) -> dict[str, Any]:
    """Settings as a plain table (``None`` values dropped: TOML has no null)."""
    return _drop_none(CONVERTER.unstructure(obj))


def config_default(field: attrs.Attribute) -> Any:
    """A setting's default as a config would write it (``attrs.NOTHING`` for a required one)."""
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return default if default is attrs.NOTHING else _drop_none(CONVERTER.unstructure(default))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value
