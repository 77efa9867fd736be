"""Who is measured: each contender's description and the function that runs each kind of case."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.spec import RunSpec

BASELINE = "confluent"
"""Every ratio in the report is against this contender, measured in the same run."""


@dataclass(frozen=True)
class Contender:
    """A client set-up under test; ``runners`` maps a case kind to ``module:function``.

    ``scale`` shrinks the message count of a slow contender per case kind (a run still lasts seconds),
    so a full run fits in minutes; rates do not depend on the count once a run lasts that long.
    """

    name: str
    description: str
    runners: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)

    def messages(self, kind: str, count: int) -> int:
        """How many of a case's ``count`` messages this contender sends or reads."""
        return max(1, int(count * self.scale.get(kind, 1.0)))

    def runner(self, kind: str) -> Callable[[RunSpec], dict[str, Any]]:
        """The function measuring a case of ``kind`` (its module is imported only now)."""
        target, _, extra = self.runners[kind].partition("+")
        module, _, name = target.partition(":")
        function = getattr(importlib.import_module(f"benchmarks.{module}"), name)
        if extra == "traced":
            return functools.partial(function, traced=True)
        return function  # type: ignore[no-any-return]


PLUGIN_NAMES = ("metrics", "tracing", "logging")
"""The observability plugins measured one at a time (``kafka-client-<plugin>``)."""

_PURE_PYTHON_SCALE = {"produce": 0.25, "consume": 0.25}
_LIBRARY = {kind: f"_kafka_client:{kind}" for kind in ("produce", "consume", "latency", "footprint")}

CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        Contender(
            "confluent",
            "raw confluent-kafka, configured like the library (fire-and-forget: error-only delivery reports)",
            {kind: f"_confluent:{kind}" for kind in ("produce", "consume", "latency", "footprint")},
        ),
        Contender(
            "confluent-otel",
            "confluent-kafka + opentelemetry-instrumentation-confluent-kafka (SDK, 1% sampled, no export)",
            {"produce": "_confluent:produce+traced", "consume": "_confluent:consume+traced"},
            scale={"produce": 0.25},
        ),
        Contender("kafka-client", "this library, confluent backend, default observability", _LIBRARY),
        Contender(
            "kafka-client-bare",
            "this library, confluent backend, metrics/tracing/logging/statistics off",
            _LIBRARY,
        ),
        *(
            Contender(
                f"kafka-client-{plugin}",
                f"this library, confluent backend, only its {plugin} plugin on (the plugin cost table)",
                {kind: _LIBRARY[kind] for kind in ("produce", "consume")},
            )
            for plugin in PLUGIN_NAMES
        ),
        Contender(
            "kafka-client-sdk",
            "this library with an OpenTelemetry SDK configured (1% sampling, null exporter)",
            {kind: _LIBRARY[kind] for kind in ("produce", "consume")},
            scale={"produce": 0.25},
        ),
        Contender(
            "kafka-client-async",
            "this library's AsyncProducer / AsyncConsumer, confluent backend, default observability",
            {kind: _LIBRARY[kind] for kind in ("produce", "consume")},
        ),
        Contender(
            "kafka-client-kafka-python",
            "this library on the kafka-python backend, default observability",
            _LIBRARY,
            scale=_PURE_PYTHON_SCALE,
        ),
        Contender(
            "kafka-python",
            "raw kafka-python, configured like the library",
            {
                "produce": "_pure_python:produce_kafka_python",
                "consume": "_pure_python:consume_kafka_python",
                "footprint": "_pure_python:footprint_kafka_python",
            },
            scale=_PURE_PYTHON_SCALE,
        ),
        Contender(
            "aiokafka",
            "raw aiokafka (acks=all, idempotence, linger like the library; no lz4 codec installed)",
            {
                "produce": "_pure_python:produce_aiokafka",
                "consume": "_pure_python:consume_aiokafka",
                "footprint": "_pure_python:footprint_aiokafka",
            },
        ),
    )
}
"""Every contender, in the order they run within a round."""


def parse_contenders(text: str | None) -> list[Contender]:
    """Contenders named in a comma-separated list (all when empty), in the canonical order."""
    if not text:
        return list(CONTENDERS.values())
    wanted = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in CONTENDERS]
    if unknown:
        raise ValueError(f"unknown contender(s) {unknown}; choose from {', '.join(CONTENDERS)}")
    return [contender for name, contender in CONTENDERS.items() if name in wanted]
