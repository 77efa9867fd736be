"""Turning everything that can be wrong with a configuration into :class:`ConfigProblem` lists.

pydantic reports problems as ``ValidationError``; ours carry a dotted field path, the offending value
(redacted when secret), a hint with the fix, and where the value came from. Cross-field checks inside
the models collect their own problems and hand them through pydantic as one custom error, so that a
single ``ConfigError`` lists every problem in every section.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from kafka_client.config._fields import REDACTED, ResolvedPath, env_var_name, resolve
from kafka_client.errors import ConfigProblem

PROBLEMS_ERROR_TYPE = "kafka_client_config_problems"
OriginLookup = Callable[[Sequence[str]], "str | None"]

_MAX_VALUE_CHARS = 120

_TYPE_HINTS = {
    "int_parsing": "use a whole number, e.g. 1000",
    "int_type": "use a whole number, e.g. 1000",
    "int_from_float": "use a whole number, e.g. 1000",
    "float_parsing": "use a number, e.g. 5.0",
    "float_type": "use a number, e.g. 5.0",
    "bool_parsing": "use true or false",
    "bool_type": "use true or false",
    "string_type": "use a text value (quote it in YAML if it looks like a number or a boolean)",
    "string_too_short": "use a non-empty value, or remove the setting",
    "list_type": "use a list, or a comma-separated string",
    "dict_type": "use a mapping of key: value pairs",
    "model_type": "use a mapping of key: value pairs",
    "model_attributes_type": "use a mapping of key: value pairs",
    "callable_type": "use a function, or a 'module:attribute' import string",
    "path_type": "use a file path",
}


def show_value(value: object, *, secret: bool = False) -> str:
    """Render a value for a problem message: a short repr, or the redaction marker for secrets."""
    if secret or isinstance(value, SecretStr):
        return repr(REDACTED)
    if isinstance(value, Path):
        value = str(value)
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def problem(
    path: str, message: str, hint: str, value: object = None, *, secret: bool = False, show: bool = True
) -> ConfigProblem:
    """Build a problem with a (relative) dotted path; a ``None`` value or ``show=False`` leaves it out."""
    shown = show_value(value, secret=secret) if show and value is not None else None
    return ConfigProblem(path=path, message=message, value=shown, hint=hint)


def raise_if_problems(problems: Sequence[ConfigProblem]) -> None:
    """Hand problems found by a model validator to pydantic, which collects them with its own."""
    if problems:
        raise PydanticCustomError(
            PROBLEMS_ERROR_TYPE,
            "{count} configuration problem(s)",
            {"count": len(problems), "problems": tuple(problems)},
        )


def did_you_mean(key: str, candidates: Sequence[str]) -> str:
    """A hint naming the closest valid key, or listing the valid keys when none is close."""
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if "." in key:
        return (
            "native client properties go under 'native:' (librdkafka) or 'native_kafka_python:'; "
            f"valid keys here: {', '.join(candidates)}"
        )
    return f"valid keys here: {', '.join(candidates)}"


def _prefixed(prefix: Sequence[str], relative: str) -> str:
    return ".".join([*prefix, relative] if relative else prefix)


def _hint_for(err: ErrorDetails, where: ResolvedPath) -> str:
    ctx = err.get("ctx") or {}
    if "hint" in ctx:
        return str(ctx["hint"])
    kind = err["type"]
    if kind == "missing":
        return f"set '{where.dotted}' in a YAML file, or {env_var_name(where.parts)}"
    if kind == "literal_error":
        return f"use one of: {ctx.get('expected')}"
    if kind in _TYPE_HINTS:
        return _TYPE_HINTS[kind]
    message = err["msg"]
    if message.startswith("Input should be "):
        return "use a value " + message.removeprefix("Input should be ")
    return "see docs/configuration.md for the accepted values"


_TYPE_NAMES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def _type_name(tag: str) -> str:
    tag = tag.removeprefix("constrained-")
    return _TYPE_NAMES.get(tag, tag)


def _field_problem(errors: list[ErrorDetails], where: ResolvedPath, origin: OriginLookup) -> ConfigProblem:
    first = errors[0]
    kind = first["type"]
    source = origin(where.parts)
    if kind == "extra_forbidden":
        candidates = list(where.parent.model_fields) if where.parent is not None else []
        key = where.parts[-1]
        hint = did_you_mean(key, candidates)
        if "__" in key:
            hint += "; keyword overrides are nested dicts, e.g. producer={'acks': 1}"
        return ConfigProblem(where.dotted, f"unknown setting '{key}'", None, hint, source)
    if kind == "missing":
        return ConfigProblem(where.dotted, "required setting is missing", None, _hint_for(first, where))
    value_input = first.get("input")
    if where.kind in ("model", "dict"):
        # A whole section given as the wrong type may hold secrets: name its type only.
        value = f"a value of type {type(value_input).__name__}"
    else:
        value = show_value(value_input, secret=where.secret)
    if len(errors) > 1:
        accepted = sorted({_type_name(str(err["loc"][-1])) for err in errors})
        return ConfigProblem(
            where.dotted,
            "value does not match any accepted type",
            value,
            f"use one of these types: {', '.join(accepted)}",
            source,
        )
    return ConfigProblem(where.dotted, first["msg"], value, _hint_for(first, where), source)


def problems_from_validation_error(
    exc: ValidationError, root: type[BaseModel], origin: OriginLookup | None = None
) -> list[ConfigProblem]:
    """Convert a pydantic ``ValidationError`` into problems; secrets are never copied out of it."""
    lookup: OriginLookup = origin or (lambda _parts: None)
    # Errors at one path (the members of a union) become one problem; pydantic's order is kept.
    entries: dict[object, tuple[ResolvedPath, list[ErrorDetails]]] = {}
    for index, err in enumerate(exc.errors(include_url=False)):
        where = resolve(root, err["loc"])
        key = index if err["type"] == PROBLEMS_ERROR_TYPE else where.parts
        entries.setdefault(key, (where, []))[1].append(err)
    problems: list[ConfigProblem] = []
    for where, errors in entries.values():
        if errors[0]["type"] != PROBLEMS_ERROR_TYPE:
            problems.append(_field_problem(errors, where, lookup))
            continue
        for found in (errors[0].get("ctx") or {})["problems"]:
            path = _prefixed(where.parts, found.path)
            source = found.source or lookup(tuple(path.split(".")))
            problems.append(replace(found, path=path, source=source))
    return problems
