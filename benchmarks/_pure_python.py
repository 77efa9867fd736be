"""Raw kafka-python and aiokafka, configured like the library's defaults as far as each allows."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks._measure import Stopwatch, json_loads, rss_mb, value_bytes
from benchmarks.spec import RunSpec


def _kafka_python_consumer_kwargs(spec: RunSpec) -> dict[str, Any]:
    from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

    kwargs = dict(spec.native["kafka_python_consumer"])
    assignors = {
        "cooperative-sticky": CooperativeStickyAssignor,
        "range": RangePartitionAssignor,
        "roundrobin": RoundRobinPartitionAssignor,
    }
    kwargs["partition_assignment_strategy"] = [assignors[kwargs["partition_assignment_strategy"]]]
    return {**kwargs, "group_id": spec.group}


def _aiokafka_producer_kwargs(spec: RunSpec) -> dict[str, Any]:
    native = spec.native["kafka_python_producer"]
    return {
        "bootstrap_servers": native["bootstrap_servers"],
        "acks": "all" if native["acks"] in ("all", -1) else native["acks"],
        "enable_idempotence": native["enable_idempotence"],
        "linger_ms": native["linger_ms"],
        "max_batch_size": min(native["batch_size"], 1_000_000),
        "request_timeout_ms": native["request_timeout_ms"],
        # aiokafka's lz4 codec needs cramjam, which is not installed: it sends uncompressed.
        "compression_type": None,
    }


def produce_kafka_python(spec: RunSpec) -> dict[str, Any]:
    """kafka-python ``KafkaProducer.send``: ``ff`` then ``flush()``, or ``get()`` on every future."""
    from kafka import KafkaProducer

    producer = KafkaProducer(**spec.native["kafka_python_producer"])
    value, topic, count = value_bytes(spec.size), spec.topic, spec.messages
    send = producer.send
    send(topic, b"warm-up").get(30)  # connected, producer id acquired: not timed
    watch = Stopwatch()
    watch.start()
    if spec.mode == "ff":
        for _ in range(count):
            send(topic, value)
        producer.flush(120)
    else:
        futures = [send(topic, value) for _ in range(count)]
        for future in futures:
            future.get(120)
    result = watch.stop(count, spec.size)
    producer.close()
    return result


def consume_kafka_python(spec: RunSpec) -> dict[str, Any]:
    """kafka-python ``poll(max_records=...)``, decode, ``commit_async()`` after each batch."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(spec.topic, **_kafka_python_consumer_kwargs(spec))
    loads = json_loads() if spec.fmt == "json" else None
    count, got, checksum = spec.messages, 0, 0
    watch = Stopwatch()
    while got < count:
        batches = consumer.poll(timeout_ms=1000, max_records=min(500, count - got))
        if not batches:
            continue
        if got == 0:
            watch.start()
        for records in batches.values():
            for record in records:
                checksum += len(loads(record.value)) if loads is not None else len(record.value)
            got += len(records)
        consumer.commit_async()
    result = watch.stop(got, spec.size)
    consumer.close()
    return {**result, "checksum": checksum}


def produce_aiokafka(spec: RunSpec) -> dict[str, Any]:
    """aiokafka ``await send()`` (enqueue): ``ff`` then ``flush()``, or gather every future."""
    return asyncio.run(_produce_aiokafka(spec))


async def _produce_aiokafka(spec: RunSpec) -> dict[str, Any]:
    from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped]

    producer = AIOKafkaProducer(**_aiokafka_producer_kwargs(spec))
    await producer.start()
    value, topic, count = value_bytes(spec.size), spec.topic, spec.messages
    send = producer.send
    watch = Stopwatch()
    try:
        await producer.send_and_wait(topic, b"warm-up")  # connected, producer id acquired: not timed
        watch.start()
        futures = []
        for _ in range(count):
            future = await send(topic, value)
            if spec.mode != "ff":
                futures.append(future)
        if spec.mode == "ff":
            await producer.flush()
        else:
            await asyncio.gather(*futures)
        return watch.stop(count, spec.size)
    finally:
        await producer.stop()


def consume_aiokafka(spec: RunSpec) -> dict[str, Any]:
    """aiokafka ``getmany(max_records=...)``, decode, ``await commit()`` after each batch."""
    return asyncio.run(_consume_aiokafka(spec))


async def _consume_aiokafka(spec: RunSpec) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer

    native = spec.native["kafka_python_consumer"]
    consumer = AIOKafkaConsumer(
        spec.topic,
        bootstrap_servers=native["bootstrap_servers"],
        group_id=spec.group,
        auto_offset_reset=native["auto_offset_reset"],
        enable_auto_commit=False,
        isolation_level=native["isolation_level"],
        fetch_max_wait_ms=native["fetch_max_wait_ms"],
        max_poll_records=native["max_poll_records"],
    )
    await consumer.start()
    loads = json_loads() if spec.fmt == "json" else None
    count, got, checksum = spec.messages, 0, 0
    watch = Stopwatch()
    try:
        while got < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=min(500, count - got))
            if not batches:
                continue
            if got == 0:
                watch.start()
            for records in batches.values():
                for record in records:
                    value = record.value or b""
                    checksum += len(loads(value)) if loads is not None else len(value)
                got += len(records)
            await consumer.commit()
        return {**watch.stop(got, spec.size), "checksum": checksum}
    finally:
        await consumer.stop()


def footprint_kafka_python(spec: RunSpec) -> dict[str, Any]:
    """Import time of ``kafka``, then RSS with one producer that has delivered one message."""
    started = time.perf_counter()
    import kafka

    import_ms = (time.perf_counter() - started) * 1000
    producer = kafka.KafkaProducer(**spec.native["kafka_python_producer"])
    producer.send(spec.topic, value_bytes(spec.size)).get(30)
    rss = rss_mb()
    producer.close()
    return {"import_ms": import_ms, "rss_mb": rss}


def footprint_aiokafka(spec: RunSpec) -> dict[str, Any]:
    """Import time of ``aiokafka``, then RSS with one started producer that has sent one message."""
    started = time.perf_counter()
    import aiokafka

    import_ms = (time.perf_counter() - started) * 1000

    async def one() -> float:
        producer = aiokafka.AIOKafkaProducer(**_aiokafka_producer_kwargs(spec))
        await producer.start()
        try:
            await producer.send_and_wait(spec.topic, value_bytes(spec.size))
            return rss_mb()
        finally:
            await producer.stop()

    return {"import_ms": import_ms, "rss_mb": asyncio.run(one())}
