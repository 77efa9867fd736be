"""kafka-python backend: a commit that fails while partitions are revoked (the group rebalancing again, the
coordinator moving) is reported to ``on_error`` and the log as a CommitError naming what was not committed,
and never raised out of kafka-python's rebalance or close (which made ``close()`` fail in CI)."""

from __future__ import annotations

import logging

import pytest
from kafka.errors import RebalanceInProgressError

from kafka_client import TopicPartitionOffset
from kafka_client.backends.kafka_python import KafkaPythonConsumer, _kafka
from kafka_client.errors import CommitError, KafkaClientError


def _backend(errors: list[KafkaClientError]) -> KafkaPythonConsumer:
    backend = object.__new__(KafkaPythonConsumer)  # no broker needed: only the reporting is under test
    backend._kafka = _kafka()
    backend._on_error = errors.append
    return backend


def test_a_failed_revocation_commit_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    errors: list[KafkaClientError] = []
    offsets = [TopicPartitionOffset("orders", 0, 6), TopicPartitionOffset("orders", 2, 41)]
    with caplog.at_level(logging.WARNING, logger="kafka_client.backends.kafka_python"):
        _backend(errors)._revoke_commit_failed(offsets, RebalanceInProgressError("group is rebalancing"))
    assert len(errors) == 1
    assert isinstance(errors[0], CommitError)
    assert "committing orders[0]@6, orders[2]@41 on revocation" in str(errors[0])
    assert "RebalanceInProgressError" in str(errors[0])
    assert [r.getMessage().endswith("will be delivered again") for r in caplog.records] == [True]


def test_a_non_kafka_failure_is_reported_as_a_commit_error_too() -> None:
    errors: list[KafkaClientError] = []
    _backend(errors)._revoke_commit_failed([TopicPartitionOffset("t", 1, 3)], TimeoutError("no answer"))
    assert [type(e) for e in errors] == [CommitError]
    assert str(errors[0]) == "committing t[1]@3 on revocation failed: TimeoutError('no answer')"
