"""SpillJournal: the file format round-trips, torn tails are cut and reported, mid-file corruption is
refused, the size cap holds, and (on the in-memory cluster) failed deliveries are spilled and replayed."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kafka_client import Producer
from kafka_client.errors import DeliveryError, SerializationError
from kafka_client.resilience import SpilledRecord, SpillJournal, SpillJournalError
from kafka_client.resilience._journal_format import decode_record, encode_record
from kafka_client.testing.memory import MemoryCluster

maybe_bytes = st.none() | st.binary(max_size=64)
records = st.builds(
    SpilledRecord,
    seq=st.integers(0, 2**63),
    topic=st.text(min_size=1, max_size=40),
    value=maybe_bytes,
    key=maybe_bytes,
    headers=st.none() | st.lists(st.tuples(st.text(max_size=20), maybe_bytes), max_size=5),
    partition=st.none() | st.integers(0, 2**31 - 1),
    timestamp_ms=st.none() | st.integers(0, 2**62),
    reason=st.text(max_size=100),
)


@given(records)
def test_every_record_round_trips_through_the_encoding(record: SpilledRecord) -> None:
    assert decode_record(encode_record(record)) == record


def _journal_with(path: Path, count: int) -> list[SpilledRecord]:
    with SpillJournal(path) as journal:
        return [
            journal.append(
                "orders", f"v{i}".encode(), f"k{i}".encode(), [("h", b"x")], None, 1000 + i, "down"
            )
            for i in range(count)
        ]


def test_reopening_the_file_gives_back_every_pending_record_in_order(tmp_path: Path) -> None:
    written = _journal_with(tmp_path / "spill", 5)
    with SpillJournal(tmp_path / "spill") as journal:
        assert journal.pending() == written
        assert len(journal) == 5
        assert journal.recovered_problems == []
        assert journal.append("orders", b"more").seq == 5  # numbering carries on


def test_a_write_torn_at_any_byte_is_cut_off_and_reported_never_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "spill"
    written = _journal_with(path, 3)
    whole = path.read_bytes()
    two = tmp_path / "two"
    _journal_with(two, 2)
    last_frame_start = len(two.read_bytes())
    for cut in range(last_frame_start + 1, len(whole)):
        path.write_bytes(whole[:cut])
        with SpillJournal(path) as journal:
            assert journal.pending() == written[:2], cut
            assert len(journal.recovered_problems) == 1
            assert f"at byte {last_frame_start}" in journal.recovered_problems[0]
        assert path.stat().st_size == last_frame_start  # the torn bytes are gone: appends start clean


def test_a_flipped_bit_in_the_last_record_is_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "spill"
    written = _journal_with(path, 2)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with SpillJournal(path) as journal:
        assert journal.pending() == written[:1]
        assert "checksum" in journal.recovered_problems[0]


def test_corruption_followed_by_valid_records_is_refused_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "spill"
    _journal_with(path, 3)
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF  # inside the first record's payload
    path.write_bytes(bytes(data))
    with pytest.raises(SpillJournalError, match="corrupt in the middle"):
        SpillJournal(path)
    assert path.read_bytes() == bytes(data)  # nothing removed


def test_a_full_journal_refuses_with_a_typed_error_naming_the_cap(tmp_path: Path) -> None:
    with SpillJournal(tmp_path / "spill", max_bytes=200) as journal:
        journal.append("orders", b"x" * 50)
        with pytest.raises(SpillJournalError, match=r"max_bytes=200"):
            journal.append("orders", b"y" * 150)
        assert len(journal) == 1


def test_send_refuses_objects_it_could_not_journal(tmp_path: Path, settings: dict[str, Any]) -> None:
    with (
        SpillJournal(tmp_path / "spill") as journal,
        Producer(settings) as producer,
        pytest.raises(SerializationError, match="serialize it first"),
    ):
        journal.send(producer, "orders", {"id": 1})  # type: ignore[arg-type]


def test_failed_deliveries_are_spilled_then_replayed_once_and_removed(
    tmp_path: Path, settings: dict[str, Any], memory_cluster: MemoryCluster
) -> None:
    memory_cluster.create_topic("orders", 1)
    memory_cluster.fail_next_deliveries(3, DeliveryError("timed out"), topic="orders")
    with SpillJournal(tmp_path / "spill") as journal, Producer(settings) as producer:
        futures = [journal.send(producer, "orders", f"v{i}".encode(), key=b"k") for i in range(5)]
        producer.flush(5)
        assert [f.exception(1) is not None for f in futures] == [True, True, True, False, False]
        assert [r.value for r in journal.pending()] == [b"v0", b"v1", b"v2"]
        assert journal.pending()[0].reason == "DeliveryError: timed out"
    with SpillJournal(tmp_path / "spill") as journal, Producer(settings) as producer:  # "restart"
        report = journal.replay(producer)
        assert tuple(report) == (3, 0, 0)
        assert len(journal) == 0
    assert (tmp_path / "spill").stat().st_size == 0
    values = [r.value for r in memory_cluster.records("orders")]
    assert sorted(values) == [b"v0", b"v1", b"v2", b"v3", b"v4"]


@hypothesis_settings(max_examples=50)
@given(st.binary(max_size=400))
def test_arbitrary_file_contents_open_or_raise_the_typed_error(tmp_path_factory: Any, garbage: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "spill"
    path.write_bytes(garbage)
    with contextlib.suppress(SpillJournalError):  # anything else escaping fails the test
        SpillJournal(path).close()
