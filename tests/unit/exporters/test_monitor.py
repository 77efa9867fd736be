"""ClusterMonitor over synthetic cycles: series, status, lag seconds, data loss, cap, staleness."""

from __future__ import annotations

import time

from kafka_client.admin import AclBinding
from kafka_client.errors import KafkaTimeoutError
from kafka_client_exporter import format_commit_metadata
from kafka_client_exporter import metric_names as m
from kafka_client_exporter._monitor import ClusterMonitor
from tests.unit.exporters.conftest import exporter_settings, group, names, readings, row, series, value


def test_one_group_partition_by_partition() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    rows = [row("g", "t", 0, 5, 10, member="m1"), row("g", "t", 1, None, 10, member="m1")]
    found = series(
        monitor.process(readings([group("g", rows, members=1)], {("t", 0): (0, 10), ("t", 1): (0, 10)}))
    )
    assert value(found, m.CONSUMERGROUP_CURRENT_OFFSET, consumergroup="g", topic="t", partition=0) == 5
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup="g", topic="t", partition=0) == 5
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup="g", topic="t", partition=1) is None  # never -1
    assert value(found, m.CONSUMERGROUP_PARTITION_UNCOMMITTED, consumergroup="g", topic="t", partition=1) == 1
    assert value(found, m.CONSUMERGROUP_RETENTION_MARGIN, consumergroup="g", topic="t", partition=0) == 5
    assert value(found, m.CONSUMERGROUP_LAG_SUM, consumergroup="g", topic="t") == 5
    assert value(found, m.CONSUMERGROUP_ASSIGNED_PARTITIONS, consumergroup="g", topic="t") == 2
    assert value(found, m.CONSUMERGROUP_MEMBERS, consumergroup="g") == 1
    assert value(found, m.CONSUMERGROUP_STATE, consumergroup="g", state="Stable") == 1
    assert value(found, m.CONSUMERGROUP_GROUP_SUM_LAG, consumergroup="g") == 5
    assert value(found, m.CONSUMERGROUP_STATUS, consumergroup="g", status="OK") == 1
    assert value(found, m.TOPIC_PARTITION_CURRENT_OFFSET, topic="t", partition=1) == 10
    assert value(found, m.BROKERS) == 1
    assert value(found, m.EXPORTER_UP) == 1
    assert value(found, m.EXPORTER_SERIES) == len(found)
    # the first cycle has one table point: no estimate for the lagging partition yet
    assert (
        value(
            found,
            m.CONSUMERGROUP_LAG_SECONDS,
            consumergroup="g",
            topic="t",
            partition=0,
            method="interpolation",
        )
        is None
    )


def test_lag_seconds_from_the_table_then_from_metadata() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    monitor.process(readings([group("g", [row("g", "t", 0, 0, 0)])], {("t", 0): (0, 0)}, at=100.0))
    found = series(
        monitor.process(readings([group("g", [row("g", "t", 0, 0, 100)])], {("t", 0): (0, 100)}, at=110.0))
    )
    seconds = value(
        found, m.CONSUMERGROUP_LAG_SECONDS, consumergroup="g", topic="t", partition=0, method="interpolation"
    )
    assert seconds is not None
    assert 9.8 < seconds < 10.02  # offset 0 appeared just after t=100, sampled at t=110.01
    stamped = row("g", "t", 0, 50, 100, metadata=format_commit_metadata(105_000))
    found = series(monitor.process(readings([group("g", [stamped])], {("t", 0): (0, 100)}, at=112.0)))
    assert (
        value(
            found, m.CONSUMERGROUP_LAG_SECONDS, consumergroup="g", topic="t", partition=0, method="metadata"
        )
        == 7
    )
    assert value(found, m.CONSUMERGROUP_GROUP_MAX_LAG_SECONDS, consumergroup="g") == 7


def test_no_estimate_from_a_stale_table() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    monitor.process(readings([group("g", [row("g", "t", 0, 0, 0)])], {("t", 0): (0, 0)}, at=100.0))
    monitor.process(readings([group("g", [row("g", "t", 0, 0, 10)])], {("t", 0): (0, 10)}, at=110.0))
    stale = readings([group("g", [row("g", "t", 0, 10, 30)])], {("t", 0): (0, 30)}, at=120.0, topics=False)
    found = series(monitor.process(stale))
    assert m.CONSUMERGROUP_LAG_SECONDS not in names(found)  # the table ends at 10: it would say 0
    assert m.TOPIC_PARTITIONS not in names(found)


def test_status_stop_then_rewind_over_cycles() -> None:
    monitor = ClusterMonitor("c1", exporter_settings(status_window=3))
    for i, end in enumerate((10, 20, 30)):
        found = series(
            monitor.process(
                readings([group("g", [row("g", "t", 0, 5, end)])], {("t", 0): (0, end)}, at=100.0 + i)
            )
        )
    assert value(found, m.CONSUMERGROUP_PARTITION_STATUS_CODE, consumergroup="g", topic="t", partition=0) == 4
    assert value(found, m.CONSUMERGROUP_STATUS, consumergroup="g", status="STOP") == 1
    found = series(
        monitor.process(readings([group("g", [row("g", "t", 0, 1, 30)])], {("t", 0): (0, 30)}, at=104.0))
    )
    assert value(found, m.CONSUMERGROUP_STATUS_CODE, consumergroup="g") == 2
    assert (
        value(
            found,
            m.CONSUMERGROUP_PARTITION_STATUS,
            consumergroup="g",
            topic="t",
            partition=0,
            status="REWIND",
        )
        == 1
    )


def test_stall_needs_a_member() -> None:
    monitor = ClusterMonitor("c1", exporter_settings(status_window=2))
    for i, end in enumerate((10, 20)):
        rows = [row("g", "t", 0, 5, end, member="m")]
        found = series(
            monitor.process(readings([group("g", rows, members=1)], {("t", 0): (0, end)}, at=100.0 + i))
        )
    assert value(found, m.CONSUMERGROUP_STATUS, consumergroup="g", status="STALL") == 1


def test_data_loss_counts_each_fall_below_the_earliest_offset() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    counts = []
    for i, (committed, earliest) in enumerate([(5, 0), (5, 10), (5, 12), (20, 12), (20, 30)]):
        rows = [row("g", "t", 0, committed, 40, earliest=earliest)]
        found = series(
            monitor.process(readings([group("g", rows)], {("t", 0): (earliest, 40)}, at=100.0 + i))
        )
        counts.append(value(found, m.CONSUMERGROUP_DATA_LOSS_PARTITIONS, consumergroup="g", topic="t"))
    assert counts == [0, 1, 1, 1, 2]
    assert value(found, m.CONSUMERGROUP_RETENTION_MARGIN, consumergroup="g", topic="t", partition=0) == -10


def test_series_cap_drops_partition_series_and_keeps_group_totals() -> None:
    monitor = ClusterMonitor("c1", exporter_settings(max_series=60))
    groups = [group(f"g{i}", [row(f"g{i}", "t", p, 1, 5) for p in range(3)]) for i in range(3)]
    marks = {("t", p): (0, 5) for p in range(3)}
    found = series(monitor.process(readings(groups, marks)))
    assert value(found, m.CONSUMERGROUP_GROUP_SUM_LAG, consumergroup="g2") == 12
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup="g2", topic="t", partition=0) is None
    assert value(found, m.EXPORTER_SERIES_DROPPED) > 0  # type: ignore[operator]


def test_deleted_groups_and_topics_leave_nothing_behind() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    monitor.process(readings([group("g", [row("g", "t", 0, 1, 5)])], {("t", 0): (0, 5)}))
    found = series(monitor.process(readings([], {}, at=1001.0)))
    assert not any("consumergroup" in dict(labels) for _name, labels in found)
    assert m.TOPIC_PARTITIONS not in names(found)
    assert len(monitor.status) == 0
    assert monitor.tables == {}


def test_a_group_read_with_an_error_keeps_its_history() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    monitor.process(readings([group("g", [row("g", "t", 0, 1, 5)])], {("t", 0): (0, 5)}))
    failed = group("g", [], error=KafkaTimeoutError("coordinator down"))
    monitor.process(readings([failed], {("t", 0): (0, 6)}, at=1001.0))
    assert len(monitor.status) == 1


def test_an_unreachable_cluster_serves_its_last_series_then_drops_them() -> None:
    monitor = ClusterMonitor("c1", exporter_settings(stale_after_s=0.2))
    monitor.process(readings([group("g", [row("g", "t", 0, 1, 5)])], {("t", 0): (0, 5)}))
    down = readings(reachable=False, cluster=None, groups=None, topics=None, errors={"describe_cluster": 1})
    found = series(monitor.process(down))
    assert value(found, m.EXPORTER_UP) == 0
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup="g", topic="t", partition=0) == 4
    time.sleep(0.25)
    found = series(monitor.process(down))
    assert value(found, m.CONSUMERGROUP_LAG, consumergroup="g", topic="t", partition=0) is None
    assert value(found, m.EXPORTER_CYCLES, result="failure") == 2
    assert value(found, m.EXPORTER_ERRORS, api="describe_cluster") == 2
    assert value(found, m.EXPORTER_LAST_SUCCESS) is not None


def test_dlq_depth_and_growth_by_source_topic() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    monitor.process(
        readings([], {("orders.dlq", 0): (0, 4), ("orders.dlq", 1): (2, 2), ("orders", 0): (0, 9)}, at=100.0)
    )
    found = series(
        monitor.process(readings([], {("orders.dlq", 0): (1, 14), ("orders.dlq", 1): (2, 2)}, at=110.0))
    )
    assert value(found, m.DLQ_MESSAGES, topic="orders.dlq", source_topic="orders") == 13
    assert value(found, m.DLQ_GROWTH, topic="orders.dlq", source_topic="orders") == 1.0
    assert value(found, m.DLQ_MESSAGES, topic="orders", source_topic="orders") is None


def test_acls_by_resource_type_operation_and_permission() -> None:
    acls = [
        AclBinding("TOPIC", "a", "User:x", "READ"),
        AclBinding("TOPIC", "b", "User:y", "READ"),
        AclBinding("GROUP", "g", "User:x", "READ", permission="DENY"),
    ]
    found = series(ClusterMonitor("c1", exporter_settings()).process(readings(acls=acls)))
    assert value(found, m.ACLS, resource_type="TOPIC", operation="READ", permission="ALLOW") == 2
    assert value(found, m.ACLS, resource_type="GROUP", operation="READ", permission="DENY") == 1


def test_partial_cycles_are_counted() -> None:
    monitor = ClusterMonitor("c1", exporter_settings())
    found = series(monitor.process(readings(errors={"list_topics": 1}, topics=False)))
    assert value(found, m.EXPORTER_CYCLES, result="partial") == 1
    assert value(found, m.EXPORTER_UP) == 1


def test_each_partition_sample_carries_the_time_its_offsets_were_read() -> None:
    from kafka_client import TopicPartition

    monitor = ClusterMonitor("c1", exporter_settings())
    marks = {("t", 0): (0, 100), ("u", 0): (0, 50)}
    early = {TopicPartition("t", 0): 95.0}  # read by a group chunk, before the cycle's last ListOffsets
    monitor.process(
        readings([group("g", [row("g", "t", 0, 40, 100)])], marks, at=100.0, watermark_times=early)
    )
    later = {TopicPartition("t", 0): 105.0}
    marks = {("t", 0): (0, 200), ("u", 0): (0, 50)}
    monitor.process(
        readings([group("g", [row("g", "t", 0, 149, 200)])], marks, at=110.0, watermark_times=later)
    )
    assert monitor.tables[TopicPartition("t", 0)].points() == [(100, 95.0), (200, 105.0)]
    assert monitor.tables[TopicPartition("u", 0)].points() == [(50, 100.01), (50, 110.01)]
    (view,) = monitor.last_views["g"]
    assert view.lag_time is not None
    # offset 149 appended when the end reached 150: half way from 95 to 105, i.e. at 100; now = 105
    assert view.lag_time == (5.0, "interpolation")
