"""A stand-in for KafkaAdmin that answers from prepared values: the checks' logic without a broker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kafka_client.admin import ClusterDescription, ConsumerGroupLag, TopicDescription
from kafka_client.errors import KafkaClientError


@dataclass
class FakeAdmin:
    cluster: ClusterDescription | KafkaClientError | None = None
    topics: dict[str, TopicDescription | KafkaClientError] = field(default_factory=dict)
    lag_samples: list[ConsumerGroupLag] = field(default_factory=list)
    bootstrap_servers: str = "fake:9092"
    settings: Any = None
    calls: list[str] = field(default_factory=list)
    on_call: Callable[[str], None] | None = None

    def _record(self, name: str) -> None:
        self.calls.append(name)
        if self.on_call is not None:
            self.on_call(name)

    def describe_cluster(self, *, timeout: float | None = None) -> ClusterDescription:
        self._record("describe_cluster")
        if isinstance(self.cluster, KafkaClientError):
            raise self.cluster
        assert self.cluster is not None
        return self.cluster

    def describe_topics(self, names: Iterable[str], *, timeout: float | None = None) -> dict[str, Any]:
        self._record("describe_topics")
        out = {}
        for name in names:
            found = self.topics[name]
            if isinstance(found, KafkaClientError):
                raise found
            out[name] = found
        return out

    def consumer_group_lag(
        self, groups: Iterable[str] | None = None, *, timeout: float | None = None, partial: bool = False
    ) -> dict[str, ConsumerGroupLag]:
        self._record("consumer_group_lag")
        sample = self.lag_samples.pop(0) if len(self.lag_samples) > 1 else self.lag_samples[0]
        return {sample.group_id: sample}

    def close(self) -> None:
        self._record("close")
