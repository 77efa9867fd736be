"""The admin backend over ``confluent_kafka.admin.AdminClient``: batched calls in, typed values out.

The only admin module that imports confluent-kafka. Every call takes a timeout; calls over many items
(groups, partitions) are issued together and awaited together, so a collection over thousands of groups
costs a few round trips per coordinator and leader, not one per item. Errors are translated at this
seam (most specific class first) and name the cluster's address.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from kafka_client._records import TopicPartition
from kafka_client.admin._acl import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermission,
    PatternType,
    ResourceType,
)
from kafka_client.admin._models import (
    INTERNAL_TOPICS,
    BrokerInfo,
    ClusterDescription,
    CommittedOffset,
    ConsumerGroupDescription,
    ConsumerGroupListing,
    GroupMember,
    GroupState,
    GroupType,
    PartitionDescription,
    TopicConfig,
    TopicDescription,
    TopicListing,
    Watermarks,
)
from kafka_client.backends._confluent_errors import error_from_kafka_error
from kafka_client.backends._kafka_python_admin import BatchedGroupOffsets
from kafka_client.backends.confluent import NewTopicSpec
from kafka_client.errors import (
    BrokerUnavailableError,
    KafkaClientError,
    KafkaTimeoutError,
    MissingDependencyError,
    TopicError,
)

T = TypeVar("T")
OffsetQuery = Literal["earliest", "latest"] | int
#: One ListOffsets request in flight: its queries, and the future of its answers.
_OffsetRequest = tuple[Sequence[tuple[TopicPartition, OffsetQuery]], concurrent.futures.Future[Any]]

#: librdkafka's log lines go here (served on every call), not to stderr.
LOGGER = logging.getLogger("kafka_client.admin")
LOGGER.addHandler(logging.NullHandler())

# Futures complete by librdkafka's own request timeout; this slack only covers scheduling.
_SLACK_S = 5.0
#: Groups per DescribeGroups submission, and committed-offset lookups in flight at once.
GROUP_BATCH = 500
#: Partitions per ListOffsets request. librdkafka's work on one request grows faster than its size
#: (10,000 partitions in one: ~0.8 s of CPU; in requests of 500: ~0.1 s), so many small requests are
#: sent at once instead.
OFFSETS_BATCH = 500
_GROUP_STATES = {
    "STABLE": GroupState.STABLE,
    "EMPTY": GroupState.EMPTY,
    "PREPARING_REBALANCING": GroupState.PREPARING_REBALANCE,
    "COMPLETING_REBALANCING": GroupState.COMPLETING_REBALANCE,
    "ASSIGNING": GroupState.ASSIGNING,
    "RECONCILING": GroupState.RECONCILING,
    "DEAD": GroupState.DEAD,
}
_UNREACHABLE = {"_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_TIMED_OUT", "REQUEST_TIMED_OUT"}
_TOPIC_CONFIG_KEYS = ("retention.ms", "min.insync.replicas", "cleanup.policy")


def confluent_admin_module() -> Any:
    """``confluent_kafka.admin``, or MissingDependencyError naming the install command."""
    try:
        import confluent_kafka
        import confluent_kafka.admin
    except ImportError as exc:
        raise MissingDependencyError("confluent-kafka", "confluent", "The admin API") from exc
    return confluent_kafka.admin


class ConfluentAdmin:
    """Admin calls on one ``AdminClient``; thread-safe like the client itself."""

    def __init__(self, config: Mapping[str, Any], batched_offsets: BatchedGroupOffsets | None = None) -> None:
        self._ck = confluent_admin_module()
        import confluent_kafka

        self._root = confluent_kafka
        self.address = str(config.get("bootstrap.servers", "?"))
        self._admin = self._ck.AdminClient({**config, "logger": LOGGER})
        self._admin.poll(0)  # serves an OAUTHBEARER token callback before the first request
        self._coordinator_ready = False
        #: Committed offsets of many groups in one OffsetFetch per coordinator (kafka-python), if usable.
        self._batched_offsets = batched_offsets
        #: The client's native ListOffsets call (under the public one: see _list_offsets).
        self._native_list_offsets: Any = getattr(
            super(self._ck.AdminClient, self._admin), "list_offsets", None
        )

    # --- errors and waiting -------------------------------------------------------------------------

    def _error(
        self, exc: Any, what: str, default: type[KafkaClientError] = KafkaClientError
    ) -> KafkaClientError:
        """``exc``: a KafkaException, a bare KafkaError, or a future's TimeoutError."""
        what = f"{what} at {self.address}"
        if isinstance(exc, concurrent.futures.TimeoutError):
            return KafkaTimeoutError(f"{what}: no answer in time (is a broker reachable at {self.address}?)")
        native: Any = exc if hasattr(exc, "name") else (exc.args[0] if exc.args else None)
        if not hasattr(native, "name"):
            return KafkaClientError(f"{what}: {exc}")
        name = native.name()
        if name == "SECURITY_DISABLED":
            error = KafkaClientError(f"{what}: the cluster has no authorizer configured, so it has no ACLs")
            error.code = name  # type: ignore[attr-defined]
            return error
        error = error_from_kafka_error(native, what, default)
        if name in _UNREACHABLE and not isinstance(error, BrokerUnavailableError | KafkaTimeoutError):
            error = KafkaTimeoutError(str(error))
        return error

    def _result(
        self,
        future: concurrent.futures.Future[Any],
        deadline: float,
        what: str,
        default: type[KafkaClientError] = KafkaClientError,
    ) -> Any:
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()) + _SLACK_S)
        except (self._ck.KafkaException, concurrent.futures.TimeoutError) as exc:
            raise self._error(exc, what, default) from exc

    def _results(
        self,
        futures: Mapping[T, concurrent.futures.Future[Any]],
        deadline: float,
        what: str,
        default: type[KafkaClientError] = KafkaClientError,
    ) -> dict[T, Any]:
        """Each key's result, or the translated error in its place: all awaited together, so
        thousands of futures cost one wait, and ``what`` is formatted only for a failed key."""
        concurrent.futures.wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()) + _SLACK_S)
        failures = (self._ck.KafkaException, concurrent.futures.TimeoutError)
        out: dict[T, Any] = {}
        for key, future in futures.items():
            try:
                out[key] = future.result(timeout=0)
            except failures as exc:
                out[key] = self._error(exc, what.format(key=key), default)
        return out

    def drain_logs(self) -> None:
        """Hand queued librdkafka log lines to the ``kafka_client.admin`` logger."""
        self._admin.poll(0)

    def close(self) -> None:
        """Serve the last log lines and close the batched offsets reader's client, if it made one."""
        self.drain_logs()
        if self._batched_offsets is not None:
            self._batched_offsets.close()

    # --- cluster and topics -------------------------------------------------------------------------

    def describe_cluster(self, timeout: float) -> ClusterDescription:
        deadline = time.monotonic() + timeout
        future = self._admin.describe_cluster(request_timeout=timeout)
        result = self._result(future, deadline, "describing the cluster")
        controller = result.controller
        return ClusterDescription(
            cluster_id=result.cluster_id,
            controller_id=controller.id if controller is not None and controller.id >= 0 else None,
            brokers=tuple(sorted((_broker(node) for node in result.nodes), key=lambda b: b.id)),
        )

    def list_topics(self, timeout: float) -> list[TopicListing]:
        try:
            metadata = self._admin.list_topics(timeout=timeout)
        except self._ck.KafkaException as exc:
            raise self._error(exc, "listing topics") from exc
        return [
            TopicListing(name, len(topic.partitions), name in INTERNAL_TOPICS)
            for name, topic in sorted(metadata.topics.items())
        ]

    def describe_topics(
        self, names: Sequence[str], timeout: float
    ) -> dict[str, TopicDescription | KafkaClientError]:
        if not names:
            return {}
        ck = self._ck
        deadline = time.monotonic() + timeout
        described = self._admin.describe_topics(
            self._root.TopicCollection(list(names)), request_timeout=timeout
        )
        resources = [ck.ConfigResource(ck.ResourceType.TOPIC, name) for name in names]
        configured = self._admin.describe_configs(resources, request_timeout=timeout)
        descriptions = self._results(described, deadline, "describing topic {key!r}", TopicError)
        configs = {
            resource.name: value
            for resource, value in self._results(configured, deadline, "reading topic configs").items()
        }
        out: dict[str, TopicDescription | KafkaClientError] = {}
        for name in names:
            found = descriptions.get(name)
            if isinstance(found, KafkaClientError) or found is None:
                out[name] = found or TopicError(f"topic {name!r} was not described")
                continue
            entries = configs.get(name)
            out[name] = _topic(found, entries if isinstance(entries, dict) else {})
        return out

    def create_topics(self, topics: Sequence[NewTopicSpec], timeout: float, exist_ok: bool) -> None:
        ck = self._ck
        deadline = time.monotonic() + timeout
        new = [
            ck.NewTopic(
                t.name,
                num_partitions=t.partitions,
                replication_factor=t.replication_factor,
                config=dict(t.config),
            )
            for t in topics
        ]
        futures = self._admin.create_topics(new, operation_timeout=timeout, request_timeout=timeout)
        for error in self._results(futures, deadline, "creating topic {key!r}", TopicError).values():
            if isinstance(error, KafkaClientError):
                if exist_ok and getattr(error, "code", None) == "TOPIC_ALREADY_EXISTS":
                    continue
                raise error

    def delete_topics(self, names: Sequence[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        futures = self._admin.delete_topics(list(names), operation_timeout=timeout, request_timeout=timeout)
        _raise_first(self._results(futures, deadline, "deleting topic {key!r}", TopicError))

    # --- groups and offsets -------------------------------------------------------------------------

    def list_groups(self, timeout: float) -> list[ConsumerGroupListing]:
        deadline = time.monotonic() + timeout
        result = self._result(
            self._admin.list_consumer_groups(request_timeout=timeout), deadline, "listing groups"
        )
        if result.errors:
            raise self._error(result.errors[0], "listing groups")
        return sorted(
            (
                ConsumerGroupListing(
                    g.group_id, _state(g), _type(getattr(g, "type", None)), bool(g.is_simple_consumer_group)
                )
                for g in result.valid or []
            ),
            key=lambda g: g.group_id,
        )

    def describe_groups(
        self, group_ids: Sequence[str], timeout: float
    ) -> dict[str, ConsumerGroupDescription | KafkaClientError]:
        deadline = time.monotonic() + timeout
        return self._described(self._submit_describe_groups(group_ids, timeout), deadline)

    def describe_groups_and_committed_offsets(
        self, group_ids: Sequence[str], timeout: float
    ) -> tuple[
        dict[str, ConsumerGroupDescription | KafkaClientError],
        dict[str, dict[TopicPartition, CommittedOffset] | KafkaClientError],
    ]:
        """:meth:`describe_groups` and :meth:`committed_offsets` of the same groups, the descriptions
        requested first and awaited last, so they are answered while the offsets are fetched."""
        deadline = time.monotonic() + timeout
        if not self._coordinator_ready:  # the first call: committed_offsets checks the cluster first
            committed = self.committed_offsets(group_ids, timeout)
            return self.describe_groups(group_ids, max(0.001, deadline - time.monotonic())), committed
        described = self._submit_describe_groups(group_ids, timeout)
        committed = self.committed_offsets(group_ids, max(0.001, deadline - time.monotonic()))
        return self._described(described, deadline), committed

    def _submit_describe_groups(
        self, group_ids: Sequence[str], timeout: float
    ) -> dict[str, concurrent.futures.Future[Any]]:
        futures: dict[str, concurrent.futures.Future[Any]] = {}
        for start in range(0, len(group_ids), GROUP_BATCH):
            chunk = list(group_ids[start : start + GROUP_BATCH])
            futures.update(self._admin.describe_consumer_groups(chunk, request_timeout=timeout))
        return futures

    def _described(
        self, futures: Mapping[str, concurrent.futures.Future[Any]], deadline: float
    ) -> dict[str, ConsumerGroupDescription | KafkaClientError]:
        results = self._results(futures, deadline, "describing group {key!r}")
        return {g: r if isinstance(r, KafkaClientError) else _group(r) for g, r in results.items()}

    def committed_offsets(
        self, group_ids: Sequence[str], timeout: float
    ) -> dict[str, dict[TopicPartition, CommittedOffset] | KafkaClientError]:
        """One OffsetFetch per coordinator for all its groups when kafka-python can send it (see
        ``_kafka_python_admin``), else one per group (librdkafka's API takes one group a call),
        GROUP_BATCH in flight at a time."""
        deadline = time.monotonic() + timeout
        out: dict[str, dict[TopicPartition, CommittedOffset] | KafkaClientError] = {}
        if group_ids and not self._coordinator_ready:
            # confluent-kafka 2.16 crashes the process (SIGSEGV) when an offsets request meets a cluster
            # whose group coordinator does not exist yet (no __consumer_offsets: a brand-new cluster);
            # a describe fails cleanly then, so one succeeds before the first offsets request.
            first = self.describe_groups(group_ids[:1], max(0.001, deadline - time.monotonic()))
            error = first.get(group_ids[0])
            if isinstance(error, KafkaClientError):
                return dict.fromkeys(group_ids, error)
            self._coordinator_ready = True
        if self._batched_offsets is not None:
            batched = self._batched_offsets.read(group_ids, max(0.001, deadline - time.monotonic()))
            if batched is not None:
                return dict(batched)
        for start in range(0, len(group_ids), GROUP_BATCH):
            futures: dict[str, concurrent.futures.Future[Any]] = {}
            for group in group_ids[start : start + GROUP_BATCH]:
                request = [self._root.ConsumerGroupTopicPartitions(group)]
                remaining = max(0.001, deadline - time.monotonic())
                futures.update(self._admin.list_consumer_group_offsets(request, request_timeout=remaining))
            for group, result in self._results(futures, deadline, "reading offsets of group {key!r}").items():
                out[group] = result if isinstance(result, KafkaClientError) else _committed(result)
        return out

    def list_offsets(
        self, queries: Mapping[TopicPartition, OffsetQuery], timeout: float
    ) -> dict[TopicPartition, int | KafkaClientError]:
        """ListOffsets for many partitions (librdkafka splits each request by partition leader)."""
        deadline = time.monotonic() + timeout
        return self._wait_offsets(self._submit_offsets(list(queries.items()), timeout), deadline)

    def watermarks(
        self, partitions: Iterable[TopicPartition], timeout: float
    ) -> dict[TopicPartition, Watermarks | KafkaClientError]:
        """Earliest and latest offsets: the ListOffsets requests of both specs in flight together."""
        wanted = list(dict.fromkeys(partitions))
        deadline = time.monotonic() + timeout
        earliest_requests = self._submit_offsets([(tp, "earliest") for tp in wanted], timeout)
        latest_requests = self._submit_offsets([(tp, "latest") for tp in wanted], timeout)
        earliest = self._wait_offsets(earliest_requests, deadline)
        latest = self._wait_offsets(latest_requests, deadline)
        out: dict[TopicPartition, Watermarks | KafkaClientError] = {}
        for tp in wanted:
            low, high = earliest.get(tp), latest.get(tp)
            if isinstance(low, int) and isinstance(high, int):
                out[tp] = Watermarks(low, high)
            else:
                out[tp] = high if isinstance(high, KafkaClientError) else _error_or_missing(low, tp)
        return out

    def _submit_offsets(
        self, queries: Sequence[tuple[TopicPartition, OffsetQuery]], timeout: float
    ) -> list[_OffsetRequest]:
        """ListOffsets requests of at most OFFSETS_BATCH partitions each, all in flight at once:
        ``(the request's queries, its future)`` per request."""
        native = self._root.TopicPartition
        values = {"earliest": self._root.OFFSET_BEGINNING, "latest": self._root.OFFSET_END}
        requests = []
        for start in range(0, len(queries), OFFSETS_BATCH):
            chunk = queries[start : start + OFFSETS_BATCH]
            request = [
                native(tp.topic, tp.partition, values[query] if isinstance(query, str) else int(query))
                for tp, query in chunk
            ]
            requests.append((chunk, self._list_offsets(request, timeout)))
        return requests

    def _list_offsets(self, request: list[Any], timeout: float) -> concurrent.futures.Future[Any]:
        """Send one ListOffsets request (native partitions whose offset field holds the spec: -2
        earliest, -1 latest, else a timestamp); its future's result maps each native partition to its
        ``ListOffsetsResultInfo`` or ``KafkaError``.

        The public ``AdminClient.list_offsets`` checks every item and makes one future per partition
        on top of this (at 20,000 partitions a cycle, twice the CPU of the request itself), then calls
        the client's native method, as this does. A confluent-kafka release whose native method takes
        other arguments makes this fall back to the public one, for good."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        if self._native_list_offsets is not None:
            try:
                self._native_list_offsets(request, future, request_timeout=timeout)
                return future
            except TypeError as exc:
                LOGGER.warning("using AdminClient.list_offsets: its native method refused the call: %s", exc)
                self._native_list_offsets = None
        spec = self._ck.OffsetSpec
        specs = {self._root.OFFSET_BEGINNING: spec.earliest(), self._root.OFFSET_END: spec.latest()}
        per_partition = self._admin.list_offsets(
            {ntp: specs.get(ntp.offset) or spec.for_timestamp(ntp.offset) for ntp in request},
            request_timeout=timeout,
        )
        _gather(per_partition, future, self._ck.KafkaException)
        return future

    def _wait_offsets(
        self, requests: Sequence[_OffsetRequest], deadline: float
    ) -> dict[TopicPartition, int | KafkaClientError]:
        """Every partition's offset, or the translated error in its place (a request that failed as a
        whole: its error for each of its partitions)."""
        concurrent.futures.wait(
            [future for _queries, future in requests],
            timeout=max(0.0, deadline - time.monotonic()) + _SLACK_S,
        )
        out: dict[TopicPartition, int | KafkaClientError] = {}
        answered_with_error = self._ck.KafkaError
        for queries, future in requests:
            try:
                answers = future.result(timeout=0)
            except (self._ck.KafkaException, concurrent.futures.TimeoutError) as exc:
                what = f"listing offsets of {queries[0][0]}"
                if len(queries) > 1:
                    what += f" and {len(queries) - 1} more partitions (one request)"
                failed = self._error(exc, what, TopicError)
                out.update((tp, failed) for tp, _query in queries)
                continue
            for ntp, answer in answers.items():
                tp = TopicPartition(ntp.topic, ntp.partition)
                if isinstance(answer, answered_with_error):
                    out[tp] = self._error(answer, f"listing offsets of {tp}", TopicError)
                else:
                    out[tp] = int(answer.offset)
            if len(answers) != len(queries):
                for tp, _query in queries:
                    if tp not in out:
                        out[tp] = _error_or_missing(None, tp)
        return out

    # --- ACLs ---------------------------------------------------------------------------------------

    def describe_acls(self, acl_filter: AclBindingFilter, timeout: float) -> list[AclBinding]:
        deadline = time.monotonic() + timeout
        future = self._admin.describe_acls(self._native_acl(acl_filter), request_timeout=timeout)
        return sorted((_binding(b) for b in self._result(future, deadline, "describing ACLs")), key=repr)

    def create_acls(self, bindings: Sequence[AclBinding], timeout: float) -> None:
        if not bindings:
            return
        deadline = time.monotonic() + timeout
        futures = self._admin.create_acls([self._native_acl(b) for b in bindings], request_timeout=timeout)
        _raise_first(self._results(futures, deadline, "creating ACL {key}"))

    def delete_acls(self, filters: Sequence[AclBindingFilter], timeout: float) -> list[AclBinding]:
        if not filters:
            return []
        deadline = time.monotonic() + timeout
        futures = self._admin.delete_acls([self._native_acl(f) for f in filters], request_timeout=timeout)
        results = self._results(futures, deadline, "deleting ACLs matching {key}")
        _raise_first(results)
        return sorted({_binding(b) for deleted in results.values() for b in deleted}, key=repr)

    def _native_acl(self, acl: AclBinding | AclBindingFilter) -> Any:
        ck = self._ck
        cls = ck.AclBinding if isinstance(acl, AclBinding) else ck.AclBindingFilter
        resource = "BROKER" if acl.resource_type is ResourceType.CLUSTER else acl.resource_type.value
        return cls(
            ck.ResourceType[resource],
            acl.resource_name,
            ck.ResourcePatternType[acl.pattern_type.value],
            acl.principal,
            acl.host,
            ck.AclOperation[acl.operation.value],
            ck.AclPermissionType[acl.permission.value],
        )


# --- conversions from confluent's objects ------------------------------------------------------------


def _raise_first(results: Mapping[Any, Any]) -> None:
    for result in results.values():
        if isinstance(result, KafkaClientError):
            raise result


def _gather(
    futures: Mapping[Any, concurrent.futures.Future[Any]],
    into: concurrent.futures.Future[Any],
    kafka_exception: type[Exception],
) -> None:
    """Complete ``into`` once every one of ``futures`` is done, as the native request's future would
    be: with ``{key: result, or the KafkaError it failed with}``, or with the request's exception when
    all of them failed with that one exception (a request-level failure)."""
    pending = [len(futures)]
    lock = threading.Lock()

    def settle() -> None:
        errors = {key: future.exception() for key, future in futures.items()}
        shared = set(map(id, errors.values()))
        first = next(iter(errors.values()), None)
        if first is not None and len(shared) == 1:
            into.set_exception(first)
            return
        answers: dict[Any, Any] = {}
        for key, future in futures.items():
            error = errors[key]
            if error is None:
                answers[key] = future.result()
            elif isinstance(error, kafka_exception) and error.args:
                answers[key] = error.args[0]
            else:
                into.set_exception(error)
                return
        into.set_result(answers)

    def one_done(_future: concurrent.futures.Future[Any]) -> None:
        with lock:
            pending[0] -= 1
            last = pending[0] == 0
        if last:
            settle()

    if not futures:
        into.set_result({})
    for future in futures.values():
        future.add_done_callback(one_done)


def _error_or_missing(value: int | KafkaClientError | None, tp: TopicPartition) -> KafkaClientError:
    return value if isinstance(value, KafkaClientError) else TopicError(f"no offsets returned for {tp}")


def _broker(node: Any) -> BrokerInfo:
    return BrokerInfo(int(node.id), str(node.host), int(node.port), node.rack or None)


def _node_id(node: Any) -> int | None:
    return int(node.id) if node is not None and node.id >= 0 else None


def _config_value(entries: Mapping[str, Any], key: str) -> str | None:
    entry = entries.get(key)
    return None if entry is None or entry.value is None else str(entry.value)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def _topic(description: Any, entries: Mapping[str, Any]) -> TopicDescription:
    partitions = tuple(
        sorted(
            (
                PartitionDescription(
                    partition=int(p.id),
                    leader=_node_id(p.leader),
                    replicas=tuple(int(n.id) for n in p.replicas),
                    isr=tuple(int(n.id) for n in p.isr),
                )
                for p in description.partitions
            ),
            key=lambda p: p.partition,
        )
    )
    config = TopicConfig(
        retention_ms=_int_or_none(_config_value(entries, "retention.ms")),
        min_insync_replicas=_int_or_none(_config_value(entries, "min.insync.replicas")),
        cleanup_policy=_config_value(entries, "cleanup.policy"),
    )
    topic_id = description.topic_id
    return TopicDescription(
        name=str(description.name),
        topic_id=str(topic_id) if topic_id is not None else None,
        internal=bool(description.is_internal),
        partitions=partitions,
        config=config,
    )


def _state(group: Any) -> GroupState:
    state = getattr(group, "state", None)
    return _GROUP_STATES.get(getattr(state, "name", ""), GroupState.UNKNOWN)


def _type(value: Any) -> GroupType:
    name = getattr(value, "name", "")
    return {"CLASSIC": GroupType.CLASSIC, "CONSUMER": GroupType.CONSUMER}.get(name, GroupType.UNKNOWN)


def _group(description: Any) -> ConsumerGroupDescription:
    coordinator = description.coordinator
    members = tuple(
        sorted(
            (
                GroupMember(
                    member_id=str(m.member_id),
                    client_id=str(m.client_id),
                    host=str(m.host),
                    assignment=tuple(
                        sorted(
                            TopicPartition(tp.topic, tp.partition)
                            for tp in (m.assignment.topic_partitions if m.assignment else [])
                        )
                    ),
                    group_instance_id=m.group_instance_id or None,
                )
                for m in description.members
            ),
            key=lambda m: m.member_id,
        )
    )
    return ConsumerGroupDescription(
        group_id=str(description.group_id),
        state=_state(description),
        type=_type(getattr(description, "type", None)),
        simple=bool(description.is_simple_consumer_group),
        partition_assignor=str(description.partition_assignor or ""),
        coordinator=_broker(coordinator) if coordinator is not None and coordinator.id >= 0 else None,
        members=members,
    )


def _committed(result: Any) -> dict[TopicPartition, CommittedOffset]:
    return {
        TopicPartition(tp.topic, tp.partition): CommittedOffset(int(tp.offset), tp.metadata or None)
        for tp in result.topic_partitions or []
        if tp.error is None and tp.offset >= 0
    }


def _binding(native: Any) -> AclBinding:
    resource = native.restype.name
    return AclBinding(
        resource_type=ResourceType.CLUSTER if resource == "BROKER" else ResourceType(resource),
        resource_name=str(native.name),
        principal=str(native.principal),
        operation=AclOperation(native.operation.name),
        permission=AclPermission(native.permission_type.name),
        host=str(native.host),
        pattern_type=PatternType(native.resource_pattern_type.name),
    )
