"""Loading settings from YAML files, a preset, the environment and overrides, and explaining them."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kafka_client.config._settings import KafkaClientSettings, validate_merged
from kafka_client.config._sources import MergedSources, collect_sources

DEFAULT = "default"


@dataclass(frozen=True)
class SettingsWithSources:
    """Validated settings plus, for every leaf setting, the source its value came from.

    ``sources`` maps a dotted path (``producer.acks``; ``native.<property>`` for native keys) to
    ``default``, ``preset:<name>``, ``file:<path>``, ``env:<VARIABLE>`` or ``override``. A secret read
    from a ``*_file`` reports the source of that ``*_file`` setting.
    """

    settings: KafkaClientSettings
    sources: Mapping[str, str]

    def source_of(self, path: str) -> str:
        """The source of one dotted path; raises ``KeyError`` for a path that is not a leaf setting."""
        return self.sources[path]


def load_settings(
    *yaml_files: str | Path,
    preset: str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> KafkaClientSettings:
    """Load and validate settings from every source; raises one ``ConfigError`` listing all problems.

    Precedence, highest first: ``overrides`` > environment variables (``KAFKA_CLIENT_*``, from ``env``
    or ``os.environ``) > ``yaml_files`` (deep-merged in order: base then overlays) > preset > defaults.
    The preset is ``preset=``, else ``KAFKA_CLIENT_PRESET``, else the last file's top-level ``preset:``.
    ``overrides`` are top-level settings; sections are nested dicts, merged key by key:

    >>> load_settings("base.yaml", "prod.yaml", producer={"linger_ms": 20})  # doctest: +SKIP
    """
    return explain_sources(*yaml_files, preset=preset, env=env, **overrides).settings


def explain_sources(
    *yaml_files: str | Path,
    preset: str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> SettingsWithSources:
    """Like :func:`load_settings`, also telling where each setting's value came from."""
    merged = collect_sources(
        KafkaClientSettings, yaml_files, preset, os.environ if env is None else env, overrides
    )
    settings = validate_merged(merged)
    return SettingsWithSources(settings, dict(_leaf_sources(settings, merged)))


def _leaf_sources(
    model: BaseModel, merged: MergedSources, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    fields = type(model).model_fields
    for name in fields:
        value = getattr(model, name)
        path = (*prefix, name)
        if isinstance(value, BaseModel):
            yield from _leaf_sources(value, merged, path)
        elif isinstance(value, dict) and value:
            for key in value:
                item = (*path, str(key))
                yield ".".join(item), merged.origin_of(item) or DEFAULT
        else:
            origin = merged.origin_of(path)
            secret_file = f"{name}_file"
            if origin is None and secret_file in fields and getattr(model, secret_file) is not None:
                origin = merged.origin_of((*prefix, secret_file))
            yield ".".join(path), origin or DEFAULT
