"""Which cases and contenders a run selects, and the native settings raw contenders get."""

from __future__ import annotations

import pytest
from benchmarks.cases import CASES, parse_cases
from benchmarks.contenders import CONTENDERS, parse_contenders
from benchmarks.native import native_configs


def test_every_case_of_the_issue_exists_in_run_order() -> None:
    assert list(CASES) == [
        "produce-ff-100B",
        "produce-ff-1KiB",
        "produce-ff-10KiB",
        "produce-await-100B",
        "produce-await-1KiB",
        "produce-await-10KiB",
        "consume-bytes",
        "consume-json",
        "latency-1k-default",
        "latency-10k-default",
        "latency-1k-low-latency",
        "latency-10k-low-latency",
        "footprint",
    ]


def test_a_prefix_selects_every_case_it_starts_and_order_is_canonical() -> None:
    chosen = parse_cases("footprint,latency-1k,produce-ff")
    assert [c.id for c in chosen] == [
        "produce-ff-100B",
        "produce-ff-1KiB",
        "produce-ff-10KiB",
        "latency-1k-default",
        "latency-1k-low-latency",
        "footprint",
    ]
    assert [c.id for c in parse_cases("produce-ff-100B,produce")][:2] == [
        "produce-ff-100B",
        "produce-ff-1KiB",
    ]
    assert len(parse_cases(None)) == len(CASES)


def test_an_unknown_case_or_contender_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown case 'produce-f'.*produce-ff-100B"):
        parse_cases("produce-f")
    with pytest.raises(ValueError, match=r"unknown contender\(s\) \['kafka'\].*aiokafka"):
        parse_contenders("confluent,kafka")


def test_big_values_send_fewer_messages() -> None:
    assert [CASES[f"produce-ff-{label}"].messages(200_000) for label in ("100B", "1KiB", "10KiB")] == [
        200_000,
        50_000,
        10_000,
    ]
    assert CASES["produce-ff-10KiB"].messages(10) == 1


def test_slow_contenders_send_fewer_messages_and_big_values_skip_the_library_variants() -> None:
    assert CONTENDERS["kafka-python"].messages("produce", 100_000) == 25_000
    assert CONTENDERS["kafka-python"].messages("consume", 100_000) == 25_000
    assert CONTENDERS["kafka-client-kafka-python"].messages("consume", 100_000) == 25_000
    assert CONTENDERS["confluent-otel"].messages("produce", 100_000) == 25_000
    assert CONTENDERS["confluent-otel"].messages("consume", 100_000) == 100_000
    assert CONTENDERS["kafka-client"].messages("produce", 100_000) == 100_000
    assert CONTENDERS["kafka-python"].messages("produce", 2) == 1
    assert CASES["produce-ff-100B"].only == ()
    assert CASES["produce-await-10KiB"].only == (
        "confluent",
        "confluent-otel",
        "kafka-client",
        "kafka-client-async",
        "kafka-python",
        "aiokafka",
    )


def test_contenders_keep_their_canonical_order_and_latency_is_raw_vs_library_by_default() -> None:
    assert [c.name for c in parse_contenders("aiokafka,confluent,kafka-client")] == [
        "confluent",
        "kafka-client",
        "aiokafka",
    ]
    assert len(CONTENDERS) == 12
    assert CASES["latency-1k-default"].only == ("confluent", "kafka-client")
    assert sorted(name for name, c in CONTENDERS.items() if "latency" in c.runners) == [
        "confluent",
        "kafka-client",
        "kafka-client-bare",
        "kafka-client-kafka-python",
    ]


def test_raw_contenders_get_the_library_settings_minus_its_own_statistics() -> None:
    default = native_configs("127.0.0.1:9092", "default")
    producer = default["confluent_producer"]
    assert producer["acks"] == "all"
    assert producer["enable.idempotence"] is True
    assert producer["linger.ms"] == 5
    assert producer["compression.type"] == "lz4"
    assert "statistics.interval.ms" not in producer
    assert "group.id" not in default["confluent_consumer"]
    assert "enable.auto.offset.store" not in default["confluent_consumer"]
    assert default["kafka_python_producer"]["acks"] == "all"
    assert default["kafka_python_consumer"]["partition_assignment_strategy"] == "cooperative-sticky"
    low = native_configs("127.0.0.1:9092", "low-latency")
    assert (low["confluent_producer"]["acks"], low["confluent_producer"]["linger.ms"]) == (1, 0)
    assert low["confluent_consumer"]["fetch.wait.max.ms"] == 10


def test_a_case_runs_its_default_contenders_unless_contenders_are_named() -> None:
    from benchmarks.runner import RunOptions, contenders_for

    everyone = RunOptions(cases=[], contenders=parse_contenders(None))
    assert [c.name for c in contenders_for(CASES["latency-1k-default"], everyone)] == [
        "confluent",
        "kafka-client",
    ]
    assert [c.name for c in contenders_for(CASES["footprint"], everyone)] == [
        "confluent",
        "kafka-client",
        "kafka-client-bare",
        "kafka-client-kafka-python",
        "kafka-python",
        "aiokafka",
    ]
    named = RunOptions(
        cases=[], contenders=parse_contenders("kafka-client-bare,aiokafka"), explicit_contenders=True
    )
    assert [c.name for c in contenders_for(CASES["latency-1k-default"], named)] == ["kafka-client-bare"]
    assert [c.name for c in contenders_for(CASES["produce-ff-10KiB"], named)] == [
        "kafka-client-bare",
        "aiokafka",
    ]
