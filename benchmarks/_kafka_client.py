"""This library's Producer/Consumer and AsyncProducer/AsyncConsumer, in each configuration measured."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from benchmarks._measure import STAMP, Stopwatch, latency_result, rss_mb, value_bytes
from benchmarks.spec import RunSpec

OBSERVABILITY_OFF = {
    "metrics_enabled": False,
    "tracing_enabled": False,
    "logging_enabled": False,
    "statistics_interval_ms": 0,
}
"""Everything the library can turn off (docs/metrics.md, docs/tracing.md, docs/logging.md)."""

PLUGINS: dict[str, dict[str, Any]] = {
    "kafka-client-metrics": {**OBSERVABILITY_OFF, "metrics_enabled": True, "statistics_interval_ms": 5000},
    "kafka-client-tracing": {**OBSERVABILITY_OFF, "tracing_enabled": True},
    "kafka-client-logging": {**OBSERVABILITY_OFF, "logging_enabled": True},
}
"""One observability plugin on, the others off: its cost per message is its CPU over the bare client's. The
metrics plugin includes librdkafka's statistics (every 5 s, the default), which feed its broker metrics."""

VARIANTS: dict[str, dict[str, Any]] = {
    "kafka-client": {"backend": "confluent"},
    "kafka-client-bare": {"backend": "confluent", "observability": OBSERVABILITY_OFF},
    **{name: {"backend": "confluent", "observability": plugin} for name, plugin in PLUGINS.items()},
    "kafka-client-sdk": {"backend": "confluent"},
    "kafka-client-kafka-python": {"backend": "kafka-python"},
    "kafka-client-async": {"backend": "confluent"},
}
"""Settings per contender; ``kafka-client-sdk`` also installs an OpenTelemetry SDK before building."""


def _settings(spec: RunSpec, role: str) -> Any:
    from kafka_client.config import load_settings

    if spec.contender == "kafka-client-sdk":
        from benchmarks._otel import SAMPLE_RATIO, NullSpanExporter
        from kafka_client.observability.tracing import configure_tracing

        configure_tracing("bench", NullSpanExporter(), sample_ratio=SAMPLE_RATIO)
    extra: dict[str, Any] = {"consumer": {"group_id": spec.group}} if role == "consumer" else {}
    return load_settings(
        preset=None if spec.preset == "default" else spec.preset,
        bootstrap_servers=spec.bootstrap,
        client_id="bench-kafka-client",
        **VARIANTS[spec.contender],
        **extra,
    )


def produce(spec: RunSpec) -> dict[str, Any]:
    """Send ``spec.messages`` values: ``ff`` discards the futures and flushes, ``await`` waits on each."""
    if spec.contender == "kafka-client-async":
        return asyncio.run(_produce_async(spec))
    from kafka_client import Producer

    errors: list[Exception] = []
    settings = _settings(spec, "producer")
    if spec.mode == "ff" and settings.backend == "confluent":
        # configured like raw fire-and-forget: librdkafka reports failed deliveries only
        settings = settings.model_copy(
            update={"producer": settings.producer.model_copy(update={"delivery_reports": "errors"})}
        )
    producer: Producer[bytes, bytes] = Producer(settings, on_error=errors.append)
    value, topic, count = value_bytes(spec.size), spec.topic, spec.messages
    send = producer.send
    if spec.mode == "ff":
        producer.produce(topic, b"warm-up")  # connected, producer id acquired: not timed
        assert producer.flush(30) == 0
    else:
        send(topic, b"warm-up").result(30)
    watch = Stopwatch()
    watch.start()
    if spec.mode == "ff":
        fire = producer.produce  # fire-and-forget: no future per message
        for _ in range(count):
            fire(topic, value)
        left = producer.flush(120)
    else:
        futures = [send(topic, value) for _ in range(count)]
        for future in futures:
            future.result(120)
        left = 0
    result = watch.stop(count, spec.size)
    producer.close()
    assert left == 0, f"{left} undelivered"
    assert not errors, errors[:3]
    return result


async def _produce_async(spec: RunSpec) -> dict[str, Any]:
    from kafka_client import AsyncProducer

    errors: list[Exception] = []
    value, topic, count = value_bytes(spec.size), spec.topic, spec.messages
    settings = _settings(spec, "producer")
    if spec.mode == "ff" and settings.backend == "confluent":
        settings = settings.model_copy(
            update={"producer": settings.producer.model_copy(update={"delivery_reports": "errors"})}
        )
    async with AsyncProducer(settings, on_error=errors.append) as producer:
        if spec.mode == "ff":
            producer.produce(topic, b"warm-up")  # connected, producer id acquired: not timed
            assert await producer.flush(30) == 0
        else:
            await producer.send(topic, b"warm-up")
        send = producer.produce if spec.mode == "ff" else producer.send
        watch = Stopwatch()
        watch.start()
        futures = []
        for index in range(count):
            future = send(topic, value)
            if future is not None:
                futures.append(future)
            if not index & 1023:
                await asyncio.sleep(0)  # an application yields now and then; reports reach the loop
        if spec.mode == "ff":
            left = await producer.flush(120)
        else:
            await asyncio.gather(*futures)
            left = 0
        result = watch.stop(count, spec.size)
    assert left == 0, f"{left} undelivered"
    assert not errors, errors[:3]
    return result


def consume(spec: RunSpec) -> dict[str, Any]:
    """Read ``spec.messages`` in batches (``bytes`` or the ``json`` deserializer), committing after each."""
    if spec.contender == "kafka-client-async":
        return asyncio.run(_consume_async(spec))
    from kafka_client import Consumer

    deserializer = "json" if spec.fmt == "json" else None
    consumer: Consumer[Any, Any] = Consumer(
        _settings(spec, "consumer"), topics=[spec.topic], value_deserializer=deserializer
    )
    count, got, checksum = spec.messages, 0, 0
    watch = Stopwatch()
    while got < count:
        batch = consumer.consume_batch(min(500, count - got), 1.0)
        if not batch:
            continue
        if got == 0:
            watch.start()
        for message in batch:
            checksum += len(message.value)
        got += len(batch)
    result = watch.stop(got, spec.size)
    consumer.close()
    return {**result, "checksum": checksum}


async def _consume_async(spec: RunSpec) -> dict[str, Any]:
    from kafka_client import AsyncConsumer

    deserializer = "json" if spec.fmt == "json" else None
    settings = _settings(spec, "consumer")
    count, got, checksum = spec.messages, 0, 0
    watch = Stopwatch()
    async with AsyncConsumer(settings, topics=[spec.topic], value_deserializer=deserializer) as consumer:
        while got < count:
            batch = await consumer.consume_batch(min(500, count - got), 1.0)
            if not batch:
                continue
            if got == 0:
                watch.start()
            for message in batch:
                checksum += len(message.value)
            got += len(batch)
        result = watch.stop(got, spec.size)
    return {**result, "checksum": checksum}


def latency(spec: RunSpec) -> dict[str, Any]:
    """End-to-end latency at ``spec.rate`` msg/s: ``send()`` here, ``for message in consumer`` beside."""
    from benchmarks._pacing import paced_send
    from kafka_client import Consumer, Producer

    total = int(spec.rate * spec.duration_s)
    consumer: Consumer[bytes, bytes] = Consumer(_settings(spec, "consumer"), topics=[spec.topic])
    latencies: list[int] = []
    warm: set[int] = set()
    first = threading.Event()
    done = threading.Event()

    def receive() -> None:
        clock = time.perf_counter_ns
        for message in consumer:
            value = message.value
            if value[8:9] == b"W":
                warm.add(message.partition)
                if len(warm) >= spec.partitions:
                    first.set()
                continue
            latencies.append(clock() - STAMP.unpack_from(value)[0])
            if len(latencies) == total:
                break
        done.set()

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    errors: list[Exception] = []
    with Producer(_settings(spec, "producer"), on_error=errors.append) as producer:
        send = producer.send

        def send_one(value: bytes) -> None:
            send(spec.topic, value)

        sent, elapsed = paced_send(send_one, spec, first, done)
    consumer.stop()  # ends the iteration if messages are missing (the assertion below says so)
    thread.join(30)
    consumer.close()
    assert len(latencies) == total, (len(latencies), total)
    assert not errors, errors[:3]
    return latency_result(latencies, sent, elapsed)


def footprint(spec: RunSpec) -> dict[str, Any]:
    """Import time of ``kafka_client`` and its Producer, then RSS after one delivered message."""
    started = time.perf_counter()
    import kafka_client

    producer_class = kafka_client.Producer
    import_ms = (time.perf_counter() - started) * 1000
    with producer_class(_settings(spec, "producer")) as producer:
        producer.send(spec.topic, value_bytes(spec.size)).result(30)
        rss = rss_mb()
    return {"import_ms": import_ms, "rss_mb": rss}
