"""Collecting raw settings from every source, highest last, remembering where each value came from.

Order, lowest first: preset, YAML files (in the order given: base then overlays), environment
variables, keyword overrides. Mappings are deep-merged, so an overlay or a variable changes one key
without restating its section. Each leaf's source label (``preset:production``, ``file:app.yaml``,
``env:KAFKA_CLIENT_PRODUCER__ACKS``, ``override``) is kept for ``explain_sources`` and for errors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from kafka_client.config._fields import ENV_NESTED_DELIMITER, ENV_PREFIX, env_var_name, resolve
from kafka_client.config._presets import preset_values
from kafka_client.errors import ConfigError, ConfigProblem

OVERRIDE = "override"
PRESET_KEY = "preset"
_ENV_PRESET = ENV_PREFIX + "PRESET"


@dataclass
class MergedSources:
    """The merged raw settings, the source label of each leaf, and problems found while reading."""

    data: dict[str, Any] = field(default_factory=dict)
    origins: dict[tuple[str, ...], str] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)

    def set(self, path: tuple[str, ...], value: Any, label: str) -> None:
        """Deep-merge ``value`` at ``path``, recording ``label`` for every leaf it sets."""
        if not path:
            for key, item in value.items():
                self.set((str(key),), item, label)
            return
        node = self.data
        for depth, part in enumerate(path[:-1], start=1):
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
                self.origins.pop(path[:depth], None)
            node = child
        last = path[-1]
        if isinstance(value, Mapping):
            if not isinstance(node.get(last), dict):
                node[last] = {}
                self.origins.pop(path, None)
            for key, item in value.items():
                self.set((*path, str(key)), item, label)
            return
        node[last] = value
        depth = len(path)
        for recorded in [p for p in self.origins if len(p) > depth and p[:depth] == path]:
            del self.origins[recorded]
        self.origins[path] = label

    def origin_of(self, path: Sequence[str]) -> str | None:
        """The label of the source that set ``path`` (or the section containing it), if any."""
        current = tuple(path)
        while current:
            if current in self.origins:
                return self.origins[current]
            current = current[:-1]
        return None


def read_yaml_file(path: Path, label: str, problems: list[ConfigProblem]) -> dict[str, Any]:
    """Read one YAML file as a mapping; syntax errors become problems (never echoing file content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(ConfigProblem("", "configuration file does not exist", None, "fix the path", label))
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            ConfigProblem(
                "", f"configuration file cannot be read ({type(exc).__name__})", None, "check it", label
            )
        )
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # Only the position and the parser's reason: the excerpt it would quote may hold a secret.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or "syntax error"
        problems.append(
            ConfigProblem("", f"not valid YAML{where}: {reason}", None, "fix the YAML syntax", label)
        )
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(
            ConfigProblem(
                "",
                "the top level of a configuration file must be a mapping of settings",
                f"a value of type {type(data).__name__}",
                "start the file with keys such as 'bootstrap_servers:'",
                label,
            )
        )
        return {}
    return {str(key): value for key, value in data.items()}


def _decode_env_value(root: type[BaseModel], parts: tuple[str, ...], raw: str, label: str) -> Any:
    where = resolve(root, parts)
    if where.kind == "unknown":
        return raw  # validation reports the unknown key, with a did-you-mean hint
    if where.kind == "dict_item" or len(where.parts) < len(parts):
        container = ".".join(where.parts[:-1] if where.kind == "dict_item" else where.parts)
        raise ConfigError(
            [
                ConfigProblem(
                    ".".join(parts),
                    f"'{container}' cannot be set one key per environment variable",
                    None,
                    f"set the whole value as JSON, e.g. {env_var_name(container.split('.'))}="
                    '\'{"key": "value"}\'',
                    label,
                )
            ]
        )
    if where.kind == "leaf" or (where.kind == "list" and not raw.lstrip().startswith("[")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            [
                ConfigProblem(
                    where.dotted,
                    f"is not valid JSON ({exc.msg} at character {exc.pos})",
                    None,
                    'set a JSON object (or list), e.g. \'{"key": "value"}\'',
                    label,
                )
            ]
        ) from None


def _env_entries(
    root: type[BaseModel], env: Mapping[str, str], problems: list[ConfigProblem]
) -> tuple[list[tuple[tuple[str, ...], Any, str]], str | None]:
    entries: list[tuple[tuple[str, ...], Any, str]] = []
    preset: str | None = None
    for name in sorted(env):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        label = f"env:{name}"
        rest = name[len(ENV_PREFIX) :]
        if name.upper() == _ENV_PRESET:
            preset = env[name].strip()
            continue
        parts = tuple(part.lower() for part in rest.split(ENV_NESTED_DELIMITER))
        if not all(parts):
            problems.append(
                ConfigProblem(
                    rest.lower(),
                    "malformed environment variable name",
                    None,
                    f"separate nested keys with a double underscore, e.g. {ENV_PREFIX}PRODUCER__ACKS",
                    label,
                )
            )
            continue
        try:
            entries.append((parts, _decode_env_value(root, parts, env[name], label), label))
        except ConfigError as exc:
            problems.extend(exc.problems)
    return entries, preset


def collect_sources(
    root: type[BaseModel],
    files: Sequence[str | Path],
    preset: str | None,
    env: Mapping[str, str],
    overrides: Mapping[str, Any],
) -> MergedSources:
    """Read every source and merge them in precedence order; problems are collected, not raised."""
    merged = MergedSources()
    layers: list[tuple[str, dict[str, Any]]] = []
    chosen: tuple[str, str] | None = None
    for file in files:
        label = f"file:{file}"
        data = read_yaml_file(Path(file), label, merged.problems)
        if PRESET_KEY in data:
            named = data.pop(PRESET_KEY)
            if isinstance(named, str):
                chosen = (named, label)
            else:
                merged.problems.append(
                    ConfigProblem(
                        PRESET_KEY, "must be a preset name", repr(named), "e.g. preset: production", label
                    )
                )
        layers.append((label, data))
    env_entries, env_preset = _env_entries(root, env, merged.problems)
    if env_preset:
        chosen = (env_preset, f"env:{_ENV_PRESET}")
    if preset is not None:
        chosen = (preset, OVERRIDE)
    if chosen is not None:
        try:
            merged.set((), preset_values(chosen[0], source=chosen[1]), f"preset:{chosen[0]}")
        except ConfigError as exc:
            merged.problems.extend(exc.problems)
    for label, data in layers:
        merged.set((), data, label)
    for parts, value, label in env_entries:
        merged.set(parts, value, label)
    merged.set((), dict(overrides), OVERRIDE)
    for key in [k for k in merged.data if k.startswith("_")]:
        # Leading-underscore keys would reach pydantic-settings as its own options.
        merged.problems.append(
            ConfigProblem(key, f"unknown setting '{key}'", None, "remove it", merged.origin_of((key,)))
        )
        del merged.data[key]
    return merged
