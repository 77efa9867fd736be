"""Raw confluent-kafka, bare or wrapped by opentelemetry-instrumentation-confluent-kafka."""

from __future__ import annotations

import threading
import time
from typing import Any

from benchmarks._measure import STAMP, Stopwatch, json_loads, latency_result, rss_mb, value_bytes
from benchmarks.spec import RunSpec


def _producer(spec: RunSpec, traced: bool, **extra: Any) -> Any:
    from confluent_kafka import Producer

    producer = Producer({**spec.native["confluent_producer"], "client.id": "bench-raw", **extra})
    if not traced:
        return producer
    from opentelemetry.instrumentation.confluent_kafka import ConfluentKafkaInstrumentor

    from benchmarks._otel import sdk_tracer_provider

    return ConfluentKafkaInstrumentor.instrument_producer(producer, tracer_provider=sdk_tracer_provider())


def _consumer(spec: RunSpec, traced: bool) -> Any:
    from confluent_kafka import Consumer

    consumer = Consumer({**spec.native["confluent_consumer"], "group.id": spec.group})
    if not traced:
        return consumer
    from opentelemetry.instrumentation.confluent_kafka import ConfluentKafkaInstrumentor

    from benchmarks._otel import sdk_tracer_provider

    return ConfluentKafkaInstrumentor.instrument_consumer(consumer, tracer_provider=sdk_tracer_provider())


def produce(spec: RunSpec, traced: bool = False) -> dict[str, Any]:
    """Send ``spec.messages`` values; ``ff``: error-only delivery reports, ``await``: a callback each."""
    errors: list[Any] = []
    delivered = 0

    def on_error(err: Any, msg: Any) -> None:
        errors.append(err)

    def on_delivery(err: Any, msg: Any) -> None:
        nonlocal delivered
        if err is None:
            delivered += 1
        else:
            errors.append(err)

    fire_and_forget = spec.mode == "ff"
    extra: dict[str, Any] = (
        {"delivery.report.only.error": True, "on_delivery": on_error} if fire_and_forget else {}
    )
    producer = _producer(spec, traced, **extra)
    value, topic, count = value_bytes(spec.size), spec.topic, spec.messages
    send, poll = producer.produce, producer.poll
    send(topic, b"warm-up", on_delivery=on_delivery)  # connected, producer id acquired: not timed
    assert producer.flush(30) == 0, "the warm-up message was not delivered"
    assert not errors, errors
    delivered = 0
    watch = Stopwatch()
    watch.start()
    for index in range(count):
        while True:
            try:
                if fire_and_forget:
                    send(topic, value)
                else:
                    send(topic, value, on_delivery=on_delivery)
                break
            except BufferError:
                poll(0.005)
        if not index & 1023:
            poll(0)
    left = producer.flush(120)
    result = watch.stop(count, spec.size)
    assert left == 0, f"{left} undelivered"
    assert not errors, errors[:3]
    assert fire_and_forget or delivered == count, f"{delivered} of {count} delivered"
    return result


def consume(spec: RunSpec, traced: bool = False) -> dict[str, Any]:
    """Read ``spec.messages`` with ``consume(num_messages=...)``, decode, commit after each batch."""
    consumer = _consumer(spec, traced)
    consumer.subscribe([spec.topic])
    loads = json_loads() if spec.fmt == "json" else None
    count, got, checksum = spec.messages, 0, 0
    watch = Stopwatch()
    while got < count:
        batch = consumer.consume(num_messages=min(500, count - got), timeout=1.0)
        if not batch:
            continue
        if got == 0:
            watch.start()
        for message in batch:
            if message.error() is not None:
                raise RuntimeError(str(message.error()))
            value = message.value()
            checksum += len(loads(value)) if loads is not None else len(value)
        got += len(batch)
        consumer.commit(asynchronous=True)
    result = watch.stop(got, spec.size)
    consumer.close()
    assert got == count, (got, count)
    return {**result, "checksum": checksum}


def latency(spec: RunSpec) -> dict[str, Any]:
    """End-to-end latency at ``spec.rate`` msg/s: produce in this thread, ``poll()`` in another."""
    from benchmarks._pacing import paced_send

    total = int(spec.rate * spec.duration_s)
    consumer = _consumer(spec, False)
    consumer.subscribe([spec.topic])
    latencies: list[int] = []
    warm: set[int] = set()
    first = threading.Event()
    done = threading.Event()

    def receive() -> None:
        clock = time.perf_counter_ns
        while len(latencies) < total and not done.is_set():
            message = consumer.poll(0.1)
            if message is None or message.error() is not None:
                continue
            value = message.value()
            if value[8:9] == b"W":
                warm.add(message.partition())
                if len(warm) >= spec.partitions:
                    first.set()
                continue
            latencies.append(clock() - STAMP.unpack_from(value)[0])
        done.set()

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    producer = _producer(spec, False, **{"delivery.report.only.error": True})
    produce_one = producer.produce

    def send(value: bytes) -> None:
        produce_one(spec.topic, value)
        producer.poll(0)

    sent, elapsed = paced_send(send, spec, first, done)
    done.set()  # stops the consumer thread if messages are missing (the assertion below says so)
    producer.flush(30)
    thread.join(30)
    consumer.close()
    assert len(latencies) == total, (len(latencies), total)
    return latency_result(latencies, sent, elapsed)


def footprint(spec: RunSpec) -> dict[str, Any]:
    """Import time, then RSS with one producer that has delivered one message."""
    started = time.perf_counter()
    import confluent_kafka

    import_ms = (time.perf_counter() - started) * 1000
    producer = confluent_kafka.Producer({**spec.native["confluent_producer"], "client.id": "bench-raw"})
    producer.produce(spec.topic, value_bytes(spec.size))
    assert producer.flush(30) == 0
    return {"import_ms": import_ms, "rss_mb": rss_mb()}
