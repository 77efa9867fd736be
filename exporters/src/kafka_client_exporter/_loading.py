"""Loading :class:`ExporterSettings` from YAML files, ``KAFKA_CLIENT_EXPORTER_*`` variables and overrides.

Precedence, highest first: overrides (the command line) > environment > YAML files (deep-merged in
order) > defaults, as for the library's settings, with the same YAML reader and the same problem
reports (path, value, hint, and the source that set it).
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kafka_client.config._problems import PROBLEMS_ERROR_TYPE, did_you_mean, show_value
from kafka_client.config._sources import MergedSources, read_yaml_file
from kafka_client.errors import ConfigError, ConfigProblem
from kafka_client_exporter._settings import ENV_PREFIX, ExporterSettings

__all__ = ["load_exporter_settings"]

_NESTED = "__"


def load_exporter_settings(
    *yaml_files: str | Path, env: Mapping[str, str] | None = None, **overrides: Any
) -> ExporterSettings:
    """Load and validate the exporter's settings; raises one ``ConfigError`` listing every problem.

    >>> load_exporter_settings("exporter.yaml", port=9400)  # doctest: +SKIP
    """
    environ = os.environ if env is None else env
    merged = MergedSources()
    for file in yaml_files:
        label = f"file:{file}"
        merged.set((), read_yaml_file(Path(file), label, merged.problems), label)
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        parts = tuple(p.lower() for p in name[len(ENV_PREFIX) :].split(_NESTED))
        label = f"env:{name}"
        if not all(parts):
            merged.problems.append(
                ConfigProblem(
                    name, "malformed environment variable name", None, f"e.g. {ENV_PREFIX}GROUPS__DENY", label
                )
            )
            continue
        try:
            merged.set(parts, _decode(parts, environ[name]), label)
        except ValueError as exc:
            merged.problems.append(ConfigProblem(".".join(parts), str(exc), None, "set valid JSON", label))
    merged.set((), dict(overrides), "override")
    try:
        settings = ExporterSettings.model_validate(merged.data, context={"env": environ})
    except ValidationError as exc:
        raise ConfigError([*merged.problems, *_problems(exc, merged)]) from None
    if merged.problems:
        raise ConfigError(merged.problems)
    return settings


def _field_annotation(parts: Sequence[str]) -> Any:
    model: type[BaseModel] | None = ExporterSettings
    annotation: Any = None
    for part in parts:
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = _model_of(annotation)
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _decode(parts: Sequence[str], raw: str) -> Any:
    """A variable's value: JSON for lists, mappings and sections; the raw text for everything else
    (pydantic converts numbers and booleans; a single regex is accepted where a list is expected)."""
    annotation = _field_annotation(parts)
    origin = typing.get_origin(annotation)
    structured = origin in (list, dict) or _model_of(annotation) is not None
    if not structured or (origin is list and not raw.lstrip().startswith("[")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = ExporterSettings
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        args = typing.get_args(annotation)
        model = _model_of(annotation) or next((a for a in args if _model_of(a)), None)
    return model


def _problems(exc: ValidationError, merged: MergedSources) -> list[ConfigProblem]:
    """Pydantic's errors as problems: dotted path (list positions included), hint and source."""
    out: list[ConfigProblem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = ".".join(str(part) for part in loc)
        source = merged.origin_of(tuple(str(part) for part in loc))
        kind = err["type"]
        if kind == PROBLEMS_ERROR_TYPE:
            for found in (err.get("ctx") or {})["problems"]:
                full = f"{path}.{found.path}" if found.path else path
                # A cluster's keys reach load_settings as overrides: name where they really came from.
                origin = source if found.source in (None, "override") else found.source
                out.append(replace(found, path=full, source=origin))
        elif kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            hint = did_you_mean(str(loc[-1]), list(model.model_fields)) if model is not None else None
            out.append(ConfigProblem(path, f"unknown setting '{loc[-1]}'", None, hint, source))
        elif kind == "missing":
            out.append(ConfigProblem(path, "required setting is missing", None, _where_to_set(loc), source))
        else:
            value = err.get("input")
            shown = f"a value of type {type(value).__name__}" if isinstance(value, dict | list) else None
            ctx = err.get("ctx") or {}
            if kind == "literal_error":
                hint = f"use one of: {ctx.get('expected')}"
            else:
                hint = str(ctx.get("hint", "see docs/exporter.md for the accepted values"))
            message = err["msg"].removeprefix("Value error, ")
            out.append(ConfigProblem(path, message, shown or show_value(value), hint, source))
    return out


def _where_to_set(loc: Sequence[str | int]) -> str:
    top = str(loc[0])
    if any(isinstance(part, int) for part in loc):
        return f"set it in the YAML file (or the whole '{top}' list as JSON in {ENV_PREFIX}{top.upper()})"
    dotted = ".".join(str(part) for part in loc)
    return f"set '{dotted}' in the YAML file, or {ENV_PREFIX}{_NESTED.join(str(p).upper() for p in loc)}"
