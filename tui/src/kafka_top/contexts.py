"""Named clusters ("contexts"): several clusters in one kafka-top configuration file.

A file with a top-level ``contexts:`` mapping defines contexts; any other ``--config`` file is a plain
``kafka_client`` settings file, applied under every context::

    current_context: local
    contexts:
      local:
        bootstrap_servers: localhost:9092
      prod-eu:
        production: true              # shown in red; read-only unless read_only: false
        settings_files: [prod.yaml]   # kafka_client settings files, relative to this file
        security: {protocol: SASL_SSL}  # or settings inline (they win over the environment)

Without contexts there is one, ``default``, built from the files, the environment and
``--bootstrap-servers``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kafka_client.config import KafkaClientSettings, load_settings

__all__ = ["ClusterContext", "ContextError", "ContextSet", "load_contexts"]

DEFAULT_CONTEXT = "default"
_OWN_KEYS = ("production", "read_only", "settings_files")


class ContextError(ValueError):
    """A contexts file or ``--context`` choice that cannot be used (a usage error: exit code 2)."""


@dataclass(frozen=True)
class ClusterContext:
    """One cluster kafka-top can show: its name, client settings, and how carefully to treat it."""

    name: str
    settings: KafkaClientSettings
    production: bool = False
    read_only: bool = False

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(self.settings.bootstrap_servers)


@dataclass(frozen=True)
class ContextSet:
    """Every context known, in file order, and the one to start with."""

    contexts: tuple[ClusterContext, ...]
    current: str

    def get(self, name: str) -> ClusterContext:
        for context in self.contexts:
            if context.name == name:
                return context
        raise ContextError(f"unknown context {name!r}; known: {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.contexts]

    @classmethod
    def single(cls, settings: KafkaClientSettings, name: str = DEFAULT_CONTEXT) -> ContextSet:
        """One context, for a quick start or a test."""
        return cls((ClusterContext(name, settings),), name)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContextError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ContextError(f"{path} is not valid YAML: {exc}") from exc


def _context(
    name: str,
    body: Any,
    base_files: Sequence[Path],
    folder: Path,
    overrides: Mapping[str, Any],
) -> ClusterContext:
    if not isinstance(body, Mapping):
        raise ContextError(f"context {name!r} must be a mapping of settings")
    production = bool(body.get("production", False))
    read_only = bool(body.get("read_only", production))
    files = body.get("settings_files", [])
    if isinstance(files, str):
        files = [files]
    own_files = [p if p.is_absolute() else folder / p for p in (Path(f) for f in files)]
    inline = {k: v for k, v in body.items() if k not in _OWN_KEYS}
    settings = load_settings(*base_files, *own_files, **{**inline, **overrides})
    return ClusterContext(str(name), settings, production, read_only)


def load_contexts(
    config_files: Sequence[str | Path] = (),
    *,
    bootstrap_servers: str | None = None,
    context: str | None = None,
) -> ContextSet:
    """Contexts from ``--config`` files; ``bootstrap_servers`` overrides the starting context's servers.

    Raises :class:`ContextError` for an unusable file or an unknown ``context``, and the library's
    ``ConfigError`` for invalid settings.
    """
    paths = [Path(f) for f in config_files]
    contexts_files: list[tuple[Path, Mapping[str, Any]]] = []
    base_files: list[Path] = []
    for path in paths:
        loaded = _read_yaml(path)
        if isinstance(loaded, Mapping) and "contexts" in loaded:
            contexts_files.append((path, loaded))
        else:
            base_files.append(path)
    overrides: dict[str, Any] = {}
    if bootstrap_servers:
        overrides["bootstrap_servers"] = bootstrap_servers
    if not contexts_files:
        if context is not None:
            raise ContextError(
                f"--context {context} needs a --config file with a 'contexts:' section; none was given"
            )
        return ContextSet.single(load_settings(*base_files, **overrides))

    bodies: dict[str, tuple[Any, Path]] = {}
    first_current: str | None = None
    for path, loaded in contexts_files:
        section = loaded["contexts"]
        if not isinstance(section, Mapping) or not section:
            raise ContextError(f"{path}: 'contexts' must map context names to settings")
        for name, body in section.items():
            bodies[str(name)] = (body, path.parent)
        if first_current is None and loaded.get("current_context") is not None:
            first_current = str(loaded["current_context"])
    current = context or first_current or next(iter(bodies))
    if current not in bodies:
        raise ContextError(f"unknown context {current!r}; known: {', '.join(bodies)}")
    built = tuple(
        _context(name, body, base_files, folder, overrides if name == current else {})
        for name, (body, folder) in bodies.items()
    )
    return ContextSet(built, current)
