"""The state file: lookup tables round-trip, and a bad file is ignored, never fatal."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kafka_client import TopicPartition
from kafka_client_exporter import OffsetTimeTable
from kafka_client_exporter._state_file import load_tables, save_tables


def test_round_trip(tmp_path: Path) -> None:
    table = OffsetTimeTable(5)
    for i in range(7):
        table.add(i * 10, 100.0 + i)
    path = tmp_path / "state" / "exporter.json"
    save_tables(
        path, {"prod": {TopicPartition("orders", 2): table, TopicPartition("empty", 0): OffsetTimeTable()}}
    )
    loaded = load_tables(path, capacity=5)
    assert list(loaded) == ["prod"]
    assert loaded["prod"][TopicPartition("orders", 2)].points() == table.points()
    assert TopicPartition("empty", 0) not in loaded["prod"]
    assert [p.name for p in path.parent.iterdir()] == ["exporter.json"]  # no temporary file left


def test_a_smaller_capacity_keeps_the_newest_points(tmp_path: Path) -> None:
    table = OffsetTimeTable(10)
    for i in range(10):
        table.add(i, float(i))
    save_tables(tmp_path / "s.json", {"a": {TopicPartition("t", 0): table}})
    assert load_tables(tmp_path / "s.json", capacity=3)["a"][TopicPartition("t", 0)].points() == [
        (7, 7.0),
        (8, 8.0),
        (9, 9.0),
    ]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"version": 99, "clusters": {}}),
        json.dumps([1, 2]),
        json.dumps({"version": 1, "clusters": {"a": {"t": {"x": [[1], [1.0]]}}}}),
        json.dumps({"version": 1, "clusters": {"a": {"t": {"0": [[1, 2], [1.0]]}}}}),
    ],
)
def test_a_bad_file_is_ignored_with_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="kafka_client_exporter"):
        assert load_tables(path, capacity=5) == {}
    assert "state file" in caplog.text


def test_a_missing_file_is_an_empty_start(tmp_path: Path) -> None:
    assert load_tables(tmp_path / "none.json", capacity=5) == {}
