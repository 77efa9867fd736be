"""``KafkaAdmin``: the cluster, topics, groups, offsets, lag and ACLs, as typed values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from kafka_client._records import TopicPartition
from kafka_client._settings_input import resolve_settings
from kafka_client.admin._acl import AclBinding, AclBindingFilter
from kafka_client.admin._lag import ConsumerGroupLag, compute_group_lag
from kafka_client.admin._models import (
    ClusterDescription,
    CommittedOffset,
    ConsumerGroupDescription,
    ConsumerGroupListing,
    TopicDescription,
    TopicListing,
    Watermarks,
)
from kafka_client.backends.confluent import NewTopicSpec
from kafka_client.errors import FeatureNotSupportedError, KafkaClientError, TopicError

if TYPE_CHECKING:
    from kafka_client.backends._confluent_admin import ConfluentAdmin
    from kafka_client.config import KafkaClientSettings

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_TIMEOUT_S = 30.0


def _draining(method: Callable[Concatenate[KafkaAdmin, P], R]) -> Callable[Concatenate[KafkaAdmin, P], R]:
    """After each call, hand librdkafka's queued log lines to the logger (they queue until served)."""

    def wrapper(self: KafkaAdmin, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        finally:
            self._backend.drain_logs()

    functools.update_wrapper(wrapper, method)
    return wrapper


def _raise_first(results: Mapping[Any, Any]) -> None:
    for value in results.values():
        if isinstance(value, KafkaClientError):
            raise value


class KafkaAdmin:
    """Administer a Kafka cluster: describe it, manage topics and ACLs, read group offsets and lag.

    Settings are taken like every other client's (an object, a mapping, keyword overrides; env vars
    and presets apply). Every method takes ``timeout`` in seconds (default: the constructor's
    ``timeout``); an unreachable cluster raises :class:`BrokerUnavailableError` or
    :class:`KafkaTimeoutError` naming its address. Needs the ``confluent`` extra.

    With kafka-python 3 installed (the ``kafka-python`` extra) and brokers of Kafka 3.0 or later, the
    committed offsets of many groups are read in one OffsetFetch request per group coordinator instead
    of one per group (librdkafka's API takes one group a request); ``batch_group_offsets=False`` turns
    that off. Any failure there falls back to the per-group requests, which report each group's error. ::

        with KafkaAdmin(bootstrap_servers="localhost:9092") as admin:
            for group in admin.consumer_group_lag().values():
                print(group.group_id, group.state, group.total_lag)
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        batch_group_offsets: bool = True,
        **overrides: Any,
    ) -> None:
        from kafka_client.backends._confluent_admin import ConfluentAdmin, confluent_admin_module
        from kafka_client.backends._kafka_python_admin import BatchedGroupOffsets
        from kafka_client.config import to_confluent_config, to_kafka_python_config

        self.settings = resolve_settings(settings, overrides)
        if self.settings.backend == "memory":
            raise FeatureNotSupportedError(
                "the admin API", "memory", "run admin code against a real broker (EmbeddedKafka)"
            )
        confluent_admin_module()  # a missing extra fails here, before any configuration is built
        self.timeout = timeout
        settings = self.settings
        batched = (
            BatchedGroupOffsets(lambda: to_kafka_python_config(settings, "admin"), self.bootstrap_servers)
            if batch_group_offsets
            else None
        )
        self._backend: ConfluentAdmin = ConfluentAdmin(to_confluent_config(settings, "admin"), batched)
        if batched is not None:  # its kafka-python client (an I/O thread) goes when this object does
            weakref.finalize(self, batched.close)

    @property
    def bootstrap_servers(self) -> str:
        """The addresses this client bootstraps from, comma-separated."""
        return ",".join(self.settings.bootstrap_servers)

    def _timeout(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    # --- cluster and topics -------------------------------------------------------------------------

    @_draining
    def describe_cluster(self, *, timeout: float | None = None) -> ClusterDescription:
        """The cluster id, the active controller and every broker (a metadata round trip)."""
        return self._backend.describe_cluster(self._timeout(timeout))

    @_draining
    def list_topics(
        self, include_internal: bool = False, *, timeout: float | None = None
    ) -> list[TopicListing]:
        """Every topic with its partition count, sorted by name; internal ones only when asked."""
        topics = self._backend.list_topics(self._timeout(timeout))
        return [t for t in topics if include_internal or not t.internal]

    @_draining
    def describe_topics(
        self, names: Iterable[str], *, timeout: float | None = None, partial: bool = False
    ) -> dict[str, TopicDescription]:
        """Partitions (leader, replicas, ISR, offline / under-replicated) and key configuration per topic.

        Raises :class:`TopicError` for a topic that does not exist; with ``partial=True`` a topic that
        cannot be described (deleted meanwhile) is left out instead (what an exporter wants).
        """
        results = self._backend.describe_topics(list(dict.fromkeys(names)), self._timeout(timeout))
        if not partial:
            _raise_first(results)
        return {name: value for name, value in results.items() if isinstance(value, TopicDescription)}

    @_draining
    def create_topics(
        self,
        topics: Iterable[NewTopicSpec | str],
        *,
        exist_ok: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Create topics (a name alone: one partition, the broker's default replication) and wait until
        the brokers' metadata shows them.

        Raises :class:`TopicError` if one exists already (unless ``exist_ok``) or cannot be created.
        """
        specs = [NewTopicSpec(t, 1, -1) if isinstance(t, str) else t for t in topics]
        if not specs:
            return
        deadline = time.monotonic() + self._timeout(timeout)
        self._backend.create_topics(specs, self._timeout(timeout), exist_ok)
        self._wait_visible([s.name for s in specs], deadline)

    def _wait_visible(self, names: list[str], deadline: float) -> None:
        """Wait (within the deadline) until the brokers' metadata shows the topics the controller created,
        so a describe or produce right after creation does not meet UNKNOWN_TOPIC_OR_PART."""
        while names and time.monotonic() < deadline:
            found = self._backend.describe_topics(names, max(0.1, deadline - time.monotonic()))
            names = [n for n in names if isinstance(found.get(n), KafkaClientError)]
            if names:
                time.sleep(0.05)

    @_draining
    def delete_topics(self, names: Iterable[str], *, timeout: float | None = None) -> None:
        """Delete topics and wait for the controller to confirm."""
        wanted = list(dict.fromkeys(names))
        if wanted:
            self._backend.delete_topics(wanted, self._timeout(timeout))

    # --- groups and offsets -------------------------------------------------------------------------

    @_draining
    def list_groups(self, *, timeout: float | None = None) -> list[ConsumerGroupListing]:
        """Every consumer group with its state and protocol type, sorted by id."""
        return self._backend.list_groups(self._timeout(timeout))

    @_draining
    def describe_groups(
        self, group_ids: Iterable[str], *, timeout: float | None = None
    ) -> dict[str, ConsumerGroupDescription]:
        """State, coordinator and members (client id, host, assigned partitions) per group.

        A group that does not exist is described with state ``Dead`` and no members, as Kafka does.
        """
        wanted = list(dict.fromkeys(group_ids))
        if not wanted:
            return {}
        results = self._backend.describe_groups(wanted, self._timeout(timeout))
        _raise_first(results)
        return {g: d for g, d in results.items() if isinstance(d, ConsumerGroupDescription)}

    @_draining
    def committed_offsets(
        self, group_id: str, *, timeout: float | None = None
    ) -> dict[TopicPartition, CommittedOffset]:
        """The group's committed ``(offset, metadata)`` per partition; never-committed ones are absent."""
        result = self._backend.committed_offsets([group_id], self._timeout(timeout))[group_id]
        if isinstance(result, KafkaClientError):
            raise result
        return result

    @_draining
    def watermarks(
        self, partitions: Iterable[TopicPartition], *, timeout: float | None = None, partial: bool = False
    ) -> dict[TopicPartition, Watermarks]:
        """``(earliest, latest)`` offsets of many partitions: ListOffsets requests of 500, all in flight.

        With ``partial=True`` a partition whose offsets cannot be read (offline, deleted) is left out
        instead of failing the call.
        """
        results = self._backend.watermarks(partitions, self._timeout(timeout))
        if not partial:
            _raise_first(results)
        return {tp: marks for tp, marks in results.items() if isinstance(marks, Watermarks)}

    @_draining
    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, dt.datetime | int], *, timeout: float | None = None
    ) -> dict[TopicPartition, int | None]:
        """Per partition, the first offset whose timestamp is at or after the given time (aware datetime
        or ms since the epoch); None when no record is that recent."""
        queries = {
            tp: int(when.timestamp() * 1000) if isinstance(when, dt.datetime) else int(when)
            for tp, when in timestamps.items()
        }
        results = self._backend.list_offsets(queries, self._timeout(timeout))
        _raise_first(results)
        return {tp: (o if isinstance(o, int) and o >= 0 else None) for tp, o in results.items()}

    @_draining
    def consumer_group_lag(
        self,
        groups: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
        partial: bool = False,
    ) -> dict[str, ConsumerGroupLag]:
        """Lag of each group (default: every group), partition by partition, as ``kafka-consumer-groups
        --describe`` computes it: one batched describe and one offset fetch per group (in flight
        together), then the watermarks of every partition they name, for all groups together.

        ``timeout`` bounds the whole collection. With ``partial=True`` a group that cannot be read is
        returned with its ``error`` set instead of failing the call (what an exporter wants).
        A partition whose offsets cannot be read because its topic is gone has ``log_end_offset=None``.
        """
        deadline = time.monotonic() + self._timeout(timeout)

        def remaining() -> float:
            return max(0.1, deadline - time.monotonic())

        backend = self._backend
        ids = (
            [g.group_id for g in backend.list_groups(remaining())]
            if groups is None
            else list(dict.fromkeys(groups))
        )
        if not ids:
            return {}
        described, committed = backend.describe_groups_and_committed_offsets(ids, remaining())
        errors: dict[str, KafkaClientError] = {}
        partitions: set[TopicPartition] = set()
        for group in ids:
            offsets, description = committed.get(group), described.get(group)
            for part in (offsets, description):
                if isinstance(part, KafkaClientError):
                    errors.setdefault(group, part)
            if isinstance(offsets, dict):
                partitions.update(offsets)
            if isinstance(description, ConsumerGroupDescription):
                partitions.update(description.owners())
        if errors and not partial:
            raise next(iter(errors.values()))
        marks: dict[TopicPartition, Watermarks] = {}
        unreadable: dict[TopicPartition, KafkaClientError] = {}
        for tp, found in backend.watermarks(sorted(partitions), remaining()).items():
            if isinstance(found, Watermarks):
                marks[tp] = found
            elif not isinstance(found, TopicError):  # a deleted topic shows as "-", like the tool's
                if not partial:
                    raise found
                unreadable[tp] = found
        out: dict[str, ConsumerGroupLag] = {}
        for group in ids:
            offsets, description = committed.get(group), described.get(group)
            lag = compute_group_lag(
                group,
                description if isinstance(description, ConsumerGroupDescription) else None,
                offsets if isinstance(offsets, dict) else {},
                marks,
                errors.get(group),
            )
            if lag.error is None and unreadable:
                failure = next(
                    (
                        unreadable[p.topic_partition]
                        for p in lag.partitions
                        if p.topic_partition in unreadable
                    ),
                    None,
                )
                if failure is not None:
                    lag = dataclasses.replace(lag, error=failure)
            out[group] = lag
        return out

    # --- ACLs ---------------------------------------------------------------------------------------

    @_draining
    def describe_acls(
        self, acl_filter: AclBindingFilter | None = None, *, timeout: float | None = None
    ) -> list[AclBinding]:
        """The ACL bindings matching ``acl_filter`` (default: all). Denied: :class:`AuthorizationError`."""
        return self._backend.describe_acls(acl_filter or AclBindingFilter(), self._timeout(timeout))

    @_draining
    def create_acls(self, bindings: Iterable[AclBinding], *, timeout: float | None = None) -> None:
        """Create ACL bindings (creating one that exists is a no-op, as in Kafka)."""
        self._backend.create_acls(list(dict.fromkeys(bindings)), self._timeout(timeout))

    @_draining
    def delete_acls(
        self, filters: Iterable[AclBindingFilter | AclBinding], *, timeout: float | None = None
    ) -> list[AclBinding]:
        """Delete the bindings matching any of ``filters`` (a binding matches itself); return them."""
        wanted = [f.to_filter() if isinstance(f, AclBinding) else f for f in filters]
        return self._backend.delete_acls(list(dict.fromkeys(wanted)), self._timeout(timeout))

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Serve the last log lines, close the kafka-python client that batches group offsets (if one
        was made); librdkafka's client is freed when collected."""
        self._backend.close()

    def __enter__(self) -> KafkaAdmin:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<KafkaAdmin {self.bootstrap_servers}>"


__all__ = ["DEFAULT_TIMEOUT_S", "KafkaAdmin"]
