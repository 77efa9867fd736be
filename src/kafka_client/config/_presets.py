"""Named bundles of settings for common situations, kept as plain data.

A preset sits just above the built-in defaults: files, environment variables and keyword overrides
all win over it, so a preset is a starting point, never a cage. Presets are data (not code) so
``kafka-client config show`` can say which value came from which preset, and docs can list them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from kafka_client.config._problems import did_you_mean
from kafka_client.errors import ConfigError, ConfigProblem

_PRESETS: dict[str, dict[str, Any]] = {
    # Restates the production defaults, so `config show` attributes them and they stay pinned.
    "production": {
        "producer": {
            "acks": "all",
            "enable_idempotence": True,
            "delivery_timeout_ms": 120_000,
            "linger_ms": 5,
            "compression": "lz4",
        },
        "consumer": {
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "isolation_level": "read_committed",
            "partition_assignment_strategy": "cooperative-sticky",
        },
        "observability": {"metrics_enabled": True, "tracing_enabled": True, "logging_enabled": True},
    },
    # Fast feedback on a laptop broker: fail fast, no batching delay, quick rebalances, verbose logs.
    "development": {
        "producer": {
            "acks": 1,
            "enable_idempotence": False,
            "linger_ms": 0,
            "compression": "none",
            "delivery_timeout_ms": 30_000,
            "request_timeout_ms": 10_000,
        },
        "consumer": {"session_timeout_ms": 10_000, "heartbeat_interval_ms": 1_000},
        "observability": {"log_level": "DEBUG"},
    },
    # Bigger batches and better compression; durability (acks=all, idempotence) is kept.
    "high-throughput": {
        "producer": {
            "linger_ms": 50,
            "batch_size": 1_000_000,
            "compression": "zstd",
            "queue_buffering_max_messages": 1_000_000,
        },
        "consumer": {"fetch_min_bytes": 65_536, "fetch_max_wait_ms": 500, "max_poll_records": 2_000},
    },
    # Send at once and wait for the leader only; trades duplicate-on-retry protection for latency.
    "low-latency": {
        "producer": {"acks": 1, "enable_idempotence": False, "linger_ms": 0, "compression": "none"},
        "consumer": {"fetch_min_bytes": 1, "fetch_max_wait_ms": 10},
    },
    # API key and secret go in security.sasl.username / password (or password_file).
    "confluent-cloud": {
        "security": {"protocol": "SASL_SSL", "sasl": {"mechanism": "PLAIN"}},
        "consumer": {"session_timeout_ms": 45_000},
    },
    # The token comes from security.sasl.oauth.token_provider (aws-msk-iam-sasl-signer); port 9098.
    "aws-msk-iam": {
        "security": {"protocol": "SASL_SSL", "sasl": {"mechanism": "OAUTHBEARER"}},
    },
    # Password is the namespace connection string; port 9093. Azure closes connections idle 240 s.
    "azure-event-hubs": {
        "security": {"protocol": "SASL_SSL", "sasl": {"mechanism": "PLAIN", "username": "$ConnectionString"}},
        "producer": {"enable_idempotence": False, "compression": "none", "request_timeout_ms": 60_000},
        "consumer": {"session_timeout_ms": 30_000},
        "native": {
            "metadata.max.age.ms": 180_000,
            "connections.max.idle.ms": 180_000,
            "socket.keepalive.enable": True,
        },
        "native_kafka_python": {"metadata_max_age_ms": 180_000},
    },
}

PRESETS: Mapping[str, Mapping[str, Any]] = MappingProxyType(_PRESETS)
"""Every preset by name (read-only); use :func:`preset_values` for a copy to modify."""


def available_presets() -> tuple[str, ...]:
    """The names of the built-in presets, for ``preset=`` and ``preset:`` in YAML."""
    return tuple(_PRESETS)


def preset_values(name: str, *, source: str | None = None) -> dict[str, Any]:
    """A deep copy of the settings a preset sets.

    Raises ``ConfigError`` (path ``preset``, with a did-you-mean hint) for an unknown name; ``source``
    says where the name was given, for the message.
    """
    try:
        return copy.deepcopy(_PRESETS[name])
    except KeyError:
        hint = did_you_mean(name, available_presets()).replace("valid keys here", "available presets")
        raise ConfigError([ConfigProblem("preset", "unknown preset", repr(name), hint, source)]) from None
