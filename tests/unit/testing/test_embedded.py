"""EmbeddedKafka's pure parts, without starting a broker."""

from __future__ import annotations

import pytest

from kafka_client.errors import EmbeddedKafkaError
from kafka_client.testing.embedded import EmbeddedKafka, _new_cluster_id


def test_cluster_ids_look_like_kafkas_and_never_start_with_a_dash() -> None:

    ids = {_new_cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


def test_unstarted_broker_says_so() -> None:
    kafka = EmbeddedKafka()
    assert repr(kafka) == "<EmbeddedKafka 4.4.0 stopped>"
    with pytest.raises(EmbeddedKafkaError, match="has not been started"):
        _ = kafka.bootstrap_servers
    with pytest.raises(EmbeddedKafkaError, match="not running"):
        kafka.pause()
    kafka.stop()  # harmless before start
