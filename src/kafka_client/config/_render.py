"""Showing settings and native configurations safely: plain data with every secret redacted.

Used by ``kafka-client config show`` and by anything that logs a configuration. Redaction happens
here, on the way out, so the settings objects keep their real values for the clients.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr

from kafka_client.config._fields import REDACTED, is_secret_key


def _callable_name(value: object) -> str:
    module = getattr(value, "__module__", None) or "?"
    qualname = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{module}:{qualname}"


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return REDACTED
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if is_secret_key(k) and v is not None else _plain(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, type) or callable(value):
        return _callable_name(value)
    return f"<{type(value).__qualname__} object>"


def redacted_settings(settings: BaseModel) -> dict[str, Any]:
    """Settings as plain YAML/JSON-safe data: secrets as ``'**********'``, paths as strings, and
    callables (a token provider) as their ``module:qualname``."""
    data: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        data[name] = redacted_settings(value) if isinstance(value, BaseModel) else _plain(value)
    return data


def redact_native_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A native (librdkafka or kafka-python) configuration safe to print or log.

    Values of secret properties (``sasl.password``, ``ssl_password``, ...) become ``'**********'``;
    objects such as an ``oauth_cb`` or assignor classes become their names.
    """
    return {
        str(key): REDACTED if is_secret_key(key) and v is not None else _plain(v) for key, v in config.items()
    }


def _scalar(value: Any) -> str:
    # Non-ASCII is escaped: some characters (U+0085) would otherwise be read back as line breaks.
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000).strip()
    return text.removesuffix("\n...").strip()


def _yaml_lines(
    data: Mapping[str, Any], sources: Mapping[str, str], prefix: tuple[str, ...]
) -> Iterator[str]:
    indent = "  " * len(prefix)
    for key, value in data.items():
        path = (*prefix, key)
        if isinstance(value, Mapping) and value:
            yield f"{indent}{_scalar(key)}:"
            yield from _yaml_lines(value, sources, path)
            continue
        source = sources.get(".".join(path))
        comment = f"  # from {source}" if source else ""
        yield f"{indent}{_scalar(key)}: {_scalar(value)}{comment}"


def render_settings_yaml(data: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> str:
    """Render plain settings data as YAML, each leaf followed by ``# from <source>`` when known.

    ``data`` is normally :func:`redacted_settings` output and ``sources`` the ``sources`` of a
    :class:`SettingsWithSources`; the result parses back to ``data``.
    """
    return "\n".join(_yaml_lines(data, sources or {}, ())) + "\n"
