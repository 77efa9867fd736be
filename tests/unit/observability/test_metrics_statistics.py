"""Backend statistics mapped to metrics at scrape time: recorded librdkafka JSON and kafka-python metrics().

The fixtures under ``data/`` were captured from real clients against the embedded broker: a confluent
producer mid-stream (3 partitions, lz4-compressed JSON, windows populated) and a confluent consumer mid-way
through a backlog (two partitions still at the ``-1`` lag sentinel, one lagging, and librdkafka's internal
partition ``-1``), plus kafka-python 3's ``metrics()`` of a producer and a consumer.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from kafka_client.observability.metrics import MetricsObserver, names

DATA = Path(__file__).parent / "data"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text())
    return data


def observe(stats: dict[str, Any], role: str, backend: str = "confluent", **settings: Any) -> MetricsObserver:
    from kafka_client.config import KafkaClientSettings

    observer = MetricsObserver(
        KafkaClientSettings(bootstrap_servers=["k:9092"], observability=settings) if settings else None, role
    )
    observer.bind("billing", role, backend)
    observer.on_close()  # keep the process collector clean; the observer's own registry stays
    observer.on_stats(stats)
    return observer


def scrape(observer: MetricsObserver) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(generate_latest(observer.registry).decode()):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def series(samples: Samples, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {labels: v for (sample, labels), v in samples.items() if sample == name}


C = {"client_id": "billing"}
PRODUCER = {"client_id": "billing", "role": "producer"}
CONSUMER = {"client_id": "billing", "role": "consumer"}


def test_librdkafka_producer_statistics() -> None:
    samples = scrape(observe(load("librdkafka_producer_stats.json"), "producer"))
    topic = {**C, "topic": "orders"}
    assert value(samples, names.PRODUCER_MESSAGES_SENT, **topic) == 7432
    assert value(samples, names.PRODUCER_SENT_BYTES, **topic) == 134146 + 101926 + 135095
    assert value(samples, names.PRODUCER_QUEUED_MESSAGES, **C) == 187
    assert value(samples, names.PRODUCER_QUEUE_MAX_MESSAGES, **C) == 100000
    assert value(samples, names.PRODUCER_INFLIGHT_MESSAGES, **C) == 19
    assert value(samples, names.PRODUCER_BATCH_SIZE_AVG, **topic) == 825
    assert value(samples, names.PRODUCER_BATCH_SIZE_P99, **topic) == 3039
    assert value(samples, names.PRODUCER_BATCH_RECORDS_AVG, **topic) == 64
    assert value(samples, names.PRODUCER_BATCH_RECORDS_P99, **topic) == 273
    assert value(samples, names.PRODUCER_COMPRESSION_RATIO, **C) == pytest.approx(371167 / 82782)
    broker = {**PRODUCER, "broker": "1"}
    assert value(samples, names.BROKER_REQUESTS_SENT, **broker) == 22
    assert value(samples, names.BROKER_RESPONSES_RECEIVED, **broker) == 22
    assert value(samples, names.BROKER_SENT_BYTES, **broker) == 82782
    assert value(samples, names.BROKER_RECEIVED_BYTES, **broker) == 1873
    assert value(samples, names.BROKER_REQUEST_RETRIES, **broker) == 0
    assert value(samples, names.BROKER_REQUEST_TIMEOUTS, **broker) == 0
    assert value(samples, names.BROKER_REQUEST_ERRORS, **broker, direction="send") == 0
    assert value(samples, names.BROKER_CONNECTS, **broker) == 1
    assert value(samples, names.BROKER_DISCONNECTS, **broker) == 0
    assert value(samples, names.BROKER_INFLIGHT_REQUESTS, **broker) == 0
    assert value(samples, names.BROKER_RTT_AVG, **broker) == pytest.approx(0.0343)
    assert value(samples, names.BROKER_RTT_P50, **broker) == pytest.approx(0.000059)
    assert value(samples, names.BROKER_RTT_P99, **broker) == pytest.approx(0.182271)
    assert value(samples, names.BROKER_CONNECTION_STATE, **broker, state="up") == 1
    assert value(samples, names.BROKER_CONNECTION_STATE, **broker, state="connecting") == 0
    assert value(samples, names.BROKER_CONNECTION_STATE, **broker, state="down") == 0
    assert value(samples, names.CONNECTIONS, **PRODUCER) == 1
    # An empty throttle window (cnt 0) reads 0 in librdkafka: no data, so no series.
    assert not series(samples, names.BROKER_THROTTLE_AVG)
    assert not series(samples, names.CONSUMER_RECORDS_LAG)
    assert value(samples, names.METRICS_COLLECT_ERRORS, **PRODUCER) == 0
    age = value(samples, names.STATISTICS_AGE, **PRODUCER)
    assert age is not None
    assert 0 <= age < 5


def test_librdkafka_consumer_statistics_skip_the_sentinels() -> None:
    samples = scrape(observe(load("librdkafka_consumer_stats.json"), "consumer"))
    # Partitions 0 and 1 still read consumer_lag -1 (unknown) and partition -1 is librdkafka's internal
    # one: only partition 2's lag of 2963 is real.
    assert series(samples, names.CONSUMER_RECORDS_LAG) == {
        (("client_id", "billing"), ("partition", ""), ("topic", "orders")): 2963
    }
    assert value(samples, names.CONSUMER_RECORDS_LAG_MAX, **C) == 2963
    assert value(samples, names.BROKER_REQUESTS_SENT, **CONSUMER, broker="1") == 12
    coordinator = {**CONSUMER, "broker": "GroupCoordinator"}
    assert value(samples, names.BROKER_CONNECTS, **coordinator) == 2
    assert value(samples, names.BROKER_RTT_P50, **coordinator) == pytest.approx(0.064511)
    assert value(samples, names.CONNECTIONS, **CONSUMER) == 2
    assert not series(samples, names.PRODUCER_MESSAGES_SENT)
    assert not series(samples, names.PRODUCER_QUEUED_MESSAGES)
    assert all(v >= 0 for (name, _), v in samples.items() if "lag" in name)
    assert not any(("partition", "-1") in labels for _, labels in samples)


def test_per_partition_lag_is_opt_in() -> None:
    stats = load("librdkafka_consumer_stats.json")
    stats["topics"]["orders"]["partitions"]["0"]["consumer_lag"] = 5
    samples = scrape(observe(stats, "consumer", metrics_per_partition=True))
    assert series(samples, names.CONSUMER_RECORDS_LAG) == {
        (("client_id", "billing"), ("partition", "0"), ("topic", "orders")): 5,
        (("client_id", "billing"), ("partition", "2"), ("topic", "orders")): 2963,
    }
    summed = scrape(observe(stats, "consumer"))
    assert value(summed, names.CONSUMER_RECORDS_LAG, **C, topic="orders", partition="") == 2968


def test_a_stale_lag_of_a_revoked_partition_is_left_out() -> None:
    stats = load("librdkafka_consumer_stats.json")
    stats["topics"]["orders"]["partitions"]["2"]["desired"] = False
    samples = scrape(observe(stats, "consumer"))
    assert not series(samples, names.CONSUMER_RECORDS_LAG)


def test_malformed_statistics_cost_series_not_the_scrape() -> None:
    stats = load("librdkafka_producer_stats.json")
    good = stats["brokers"]["127.0.0.1:35821/1"]
    stats["brokers"] = {
        "good": good,
        "not-an-object": "oops",
        "bad-window": {**copy.deepcopy(good), "nodeid": 2, "rtt": {"cnt": 3, "avg": "slow"}},
        "bad-counter": {**copy.deepcopy(good), "nodeid": 3, "tx": float("nan")},
    }
    stats["topics"]["orders"]["partitions"]["1"]["txmsgs"] = True
    stats["msg_cnt"] = "many"
    observer = observe(stats, "producer")
    samples = scrape(observer)
    assert set(series(samples, names.BROKER_REQUESTS_SENT)) == {
        (("broker", "1"), ("client_id", "billing"), ("role", "producer"))
    }
    assert not series(samples, names.PRODUCER_MESSAGES_SENT)  # the whole topic is dropped
    assert not series(samples, names.PRODUCER_QUEUED_MESSAGES)
    # top level + two brokers' fields + one object + one topic = 5 mapping failures per scrape
    assert value(samples, names.METRICS_COLLECT_ERRORS, **PRODUCER) == 5
    assert value(scrape(observer), names.METRICS_COLLECT_ERRORS, **PRODUCER) == 10


@pytest.mark.parametrize(
    ("stats", "errors"),
    [
        ({}, 0),
        ({"brokers": "nope", "topics": []}, 2),
        ({"topics": {"t": {"partitions": 7}}}, 1),
        ({"brokers": {"b": {"state": "UP", "rtt": [1, 2]}}}, 1),
    ],
)
def test_statistics_of_the_wrong_shape(stats: dict[str, Any], errors: int) -> None:
    samples = scrape(observe(stats, "consumer"))
    assert value(samples, names.METRICS_COLLECT_ERRORS, **CONSUMER) == errors


def test_broker_connection_states_are_coarsened() -> None:
    stats = load("librdkafka_producer_stats.json")
    broker = stats["brokers"]["127.0.0.1:35821/1"]
    stats["brokers"] = {
        "a:1/bootstrap": {**broker, "nodeid": -1, "name": "a:1/bootstrap", "state": "CONNECT"},
        "b:1/7": {**broker, "nodeid": 7, "state": "DOWN"},
        "c:1/8": {**broker, "nodeid": 8, "state": "APIVERSION_QUERY"},
    }
    samples = scrape(observe(stats, "producer"))
    states = {
        (dict(labels)["broker"], dict(labels)["state"])
        for labels, v in series(samples, names.BROKER_CONNECTION_STATE).items()
        if v == 1
    }
    assert states == {("a:1/bootstrap", "connecting"), ("7", "down"), ("8", "connecting")}
    assert value(samples, names.CONNECTIONS, **PRODUCER) == 0


def test_kafka_python_producer_metrics_map_to_the_same_names() -> None:
    metrics = load("kafka_python_producer_metrics.json")
    metrics["kafka-client"] = {"queued-messages": 3.0, "max-queued-messages": 100000.0}
    samples = scrape(observe(metrics, "producer", backend="kafka-python"))
    assert value(samples, names.PRODUCER_QUEUED_MESSAGES, **C) == 3
    assert value(samples, names.PRODUCER_QUEUE_MAX_MESSAGES, **C) == 100000
    assert value(samples, names.PRODUCER_BATCH_SIZE_AVG, **C, topic="") == 5511
    assert value(samples, names.PRODUCER_COMPRESSION_RATIO, **C) == 1.0
    assert value(samples, names.CONNECTIONS, **PRODUCER) == 1
    assert value(samples, names.BROKER_RTT_AVG, **PRODUCER, broker="1") == pytest.approx(0.006843778749839657)
    assert value(samples, names.BROKER_RTT_AVG, **PRODUCER, broker="bootstrap-0") == pytest.approx(0.0070651)
    assert value(samples, names.BROKER_THROTTLE_MAX, **PRODUCER, broker="1") == 0
    assert not series(samples, names.PRODUCER_MESSAGES_SENT)  # kafka-python keeps rates, not totals
    assert value(samples, names.METRICS_COLLECT_ERRORS, **PRODUCER) == 0


def test_kafka_python_consumer_metrics_skip_infinities() -> None:
    metrics = load("kafka_python_consumer_metrics.json")
    samples = scrape(observe(metrics, "consumer", backend="kafka-python"))
    assert value(samples, names.CONSUMER_RECORDS_LAG_MAX, **C) == 108
    assert value(samples, names.CONNECTIONS, **CONSUMER) == 2
    assert value(samples, names.BROKER_RTT_AVG, **CONSUMER, broker="coordinator-1") == pytest.approx(
        0.0075820666
    )
    assert all(v == v and abs(v) != float("inf") for v in samples.values())


def test_kafka_python_per_partition_lag_names_of_older_releases() -> None:
    metrics = {
        "consumer-fetch-manager-metrics": {
            "records-lag-max": float("-inf"),
            "orders-0.records-lag": 4.0,
            "TopicPartition(topic='orders', partition=1).records-lag": 6.0,
            "my-topic-2-3.records-lag": 1.0,
        },
        "not-a-group": 3,
    }
    observer = observe(metrics, "consumer", backend="kafka-python", metrics_per_partition=True)
    samples = scrape(observer)
    assert series(samples, names.CONSUMER_RECORDS_LAG) == {
        (("client_id", "billing"), ("partition", "0"), ("topic", "orders")): 4,
        (("client_id", "billing"), ("partition", "1"), ("topic", "orders")): 6,
        (("client_id", "billing"), ("partition", "3"), ("topic", "my-topic-2")): 1,
    }
    assert not series(samples, names.CONSUMER_RECORDS_LAG_MAX)
    assert value(samples, names.METRICS_COLLECT_ERRORS, **CONSUMER) == 1  # "not-a-group"


def test_statistics_of_a_backend_without_a_mapping_are_ignored() -> None:
    samples = scrape(observe(load("librdkafka_producer_stats.json"), "producer", backend="memory"))
    assert not series(samples, names.BROKER_REQUESTS_SENT)
    assert value(samples, names.METRICS_COLLECT_ERRORS, **PRODUCER) == 0
