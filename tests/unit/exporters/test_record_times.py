"""Which partitions the ``timestamp`` lag-seconds method reads, and how the per-cycle cap rotates."""

from __future__ import annotations

from kafka_client import TopicPartition
from kafka_client.config import load_settings
from kafka_client_exporter._record_times import RecordTimestampReader, lagging_partitions
from tests.unit.exporters.conftest import group, row


def test_lagging_partitions_of_the_wanted_groups_once_each() -> None:
    groups = {
        "b": group("b", [row("b", "t", 0, 5, 9), row("b", "t", 1, 9, 9), row("b", "t", 2, None, 9)]),
        "a": group("a", [row("a", "t", 0, 5, 9), row("a", "t", 0, 3, 9), row("a", "u", 0, 1, None)]),
        "skipped": group("skipped", [row("skipped", "t", 3, 0, 9)]),
    }
    found = lagging_partitions(groups, lambda g: g != "skipped")
    # a's rows first (sorted groups), b's (t,0)@5 already listed by a; caught-up, uncommitted and
    # unreadable (lag unknown) partitions are not read
    assert found == [(TopicPartition("t", 0), 5), (TopicPartition("t", 0), 3)]


def test_the_cap_rotates() -> None:
    reader = RecordTimestampReader(load_settings(bootstrap_servers="h:1"), max_reads=2, timeout_s=1.0)
    candidates = [(TopicPartition("t", p), p) for p in range(3)]
    picks = [[tp.partition for tp, _ in reader.pick(candidates)] for _ in range(4)]
    assert picks == [[0, 1], [2, 0], [1, 2], [0, 1]]
    assert reader.pick(candidates[:2]) == candidates[:2]
    reader.close()  # never opened: nothing to close
