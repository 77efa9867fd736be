"""How every client class accepts its settings: an object, a mapping, keyword overrides, or files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kafka_client.config import KafkaClientSettings


def resolve_settings(
    settings: KafkaClientSettings | Mapping[str, Any] | None,
    overrides: Mapping[str, Any],
    files: tuple[str | Path, ...] = (),
) -> KafkaClientSettings:
    """One settings object from whatever the caller gave; always through the configuration system.

    ``Producer(settings)`` uses it as is (overrides are then merged on top and re-validated);
    ``Producer(**overrides)`` and ``Producer({"bootstrap_servers": ...})`` go through ``load_settings`` so
    environment variables, presets and validation apply.
    """
    from kafka_client.config import KafkaClientSettings, load_settings

    if isinstance(settings, KafkaClientSettings):
        if not overrides and not files:
            return settings
        base = settings.model_dump(exclude_unset=True)
        return load_settings(*files, **_deep_merge(base, dict(overrides)))
    merged = _deep_merge(dict(settings or {}), dict(overrides))
    return load_settings(*files, **merged)


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), dict(value))
        else:
            out[key] = value
    return out


def client_from_config(cls: Any, files: tuple[str | Path, ...], kwargs: dict[str, Any]) -> Any:
    """``cls.from_config(*files, **kwargs)`` for every client class: the client's own keyword options
    (serializers, hooks, ``observers``, ...) go to its constructor, everything else is a setting override."""
    import inspect

    from kafka_client.config import load_settings

    options = {
        name
        for name, param in inspect.signature(cls.__init__).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    }
    client_args = {name: kwargs.pop(name) for name in list(kwargs) if name in options}
    return cls(load_settings(*files, **kwargs), **client_args)
