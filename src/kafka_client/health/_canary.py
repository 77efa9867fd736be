"""The end-to-end check: a canary message produced and consumed back through the real clients."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from kafka_client._records import TopicPartition, TopicPartitionOffset
from kafka_client.backends.confluent import NewTopicSpec
from kafka_client.errors import TopicError
from kafka_client.health._checks import is_missing_topic
from kafka_client.health._result import HealthResult, HealthStatus, Outcome, timed_check

if TYPE_CHECKING:
    from kafka_client.admin import KafkaAdmin

__all__ = ["CANARY_HEADER", "CANARY_TOPIC", "check_end_to_end"]

CANARY_TOPIC = "__kafka_client_canary"
"""The topic :func:`check_end_to_end` produces to and consumes from unless told another."""
#: Each canary carries its unique id in this header, so concurrent checks never mistake each other's.
CANARY_HEADER = "kafka-client-canary"


def _ensure_topic(admin: KafkaAdmin, topic: str, timeout: float) -> bool:
    """Create the canary topic (one partition, the broker's replication default) if missing."""
    try:
        admin.describe_topics([topic], timeout=timeout)
        return False
    except TopicError as exc:
        if not is_missing_topic(exc):
            raise
    admin.create_topics([NewTopicSpec(topic, 1, -1)], exist_ok=True, timeout=timeout)
    return True


def _end_offset(admin: KafkaAdmin, partition: TopicPartition, deadline: float) -> int:
    """The log end offset, retried while a just-created topic's leader is being elected."""
    while True:
        try:
            return admin.watermarks([partition], timeout=max(0.1, deadline - time.monotonic()))[
                partition
            ].latest
        except TopicError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def check_end_to_end(
    admin: KafkaAdmin,
    topic: str = CANARY_TOPIC,
    *,
    timeout: float = 10.0,
    max_latency_s: float | None = None,
) -> HealthResult:
    """Produce a canary with a unique id to partition 0 of ``topic`` and consume it back.

    Uses :class:`kafka_client.Producer` and a :class:`kafka_client.Consumer` assigned to the partition at
    its end offset (no group join, nothing committed), with the admin's settings, so it exercises the
    same path applications do. Creates ``topic`` when missing. ``data`` holds the produce (ack) latency
    and the end-to-end latency; ``degraded`` when the latter exceeds ``max_latency_s``, ``failed`` when
    the canary does not come back within ``timeout``.
    """

    def body() -> Outcome:
        from kafka_client.consumer import Consumer
        from kafka_client.producer import Producer

        deadline = time.monotonic() + timeout

        def remaining() -> float:
            return max(0.05, deadline - time.monotonic())

        created = _ensure_topic(admin, topic, remaining())
        partition = TopicPartition(topic, 0)
        start = _end_offset(admin, partition, deadline)
        canary_id = uuid.uuid4().hex
        data: dict[str, Any] = {
            "topic": topic,
            "partition": 0,
            "topic_created": created,
            "canary_id": canary_id,
        }
        consumer: Consumer[Any, Any] = Consumer(
            admin.settings, group_id=f"kafka-client-canary-{canary_id}", commit_strategy="manual"
        )
        producer: Producer[Any, Any] | None = None
        try:
            consumer.assign([TopicPartitionOffset(topic, 0, start)])
            producer = Producer(admin.settings, producer={"transactional_id": None})
            sent = time.perf_counter()
            future = producer.send(
                topic, canary_id.encode(), headers=[(CANARY_HEADER, canary_id.encode())], partition=0
            )
            meta = future.result(timeout=remaining())
            data["offset"] = meta.offset
            data["produce_latency_s"] = time.perf_counter() - sent
            while time.monotonic() < deadline:
                message = consumer.poll(min(0.2, remaining()))
                if message is not None and message.header(CANARY_HEADER) == canary_id.encode():
                    data["end_to_end_latency_s"] = time.perf_counter() - sent
                    break
            else:
                return (
                    HealthStatus.FAILED,
                    f"the canary was produced (offset {meta.offset}) "
                    f"but not consumed back within {timeout:g} s",
                    data,
                )
        finally:
            if producer is not None:
                producer.close(timeout=remaining())
            consumer.close(commit_pending=False)
        latency = data["end_to_end_latency_s"]
        detail = (
            f"canary consumed back from {topic}[0]@{meta.offset} in {latency * 1000:.0f} ms "
            f"(acknowledged in {data['produce_latency_s'] * 1000:.0f} ms)"
        )
        if max_latency_s is not None and latency > max_latency_s:
            return HealthStatus.DEGRADED, f"{detail}, above the {max_latency_s:g} s limit", data
        return HealthStatus.OK, detail, data

    return timed_check(f"end_to_end:{topic}", body)
