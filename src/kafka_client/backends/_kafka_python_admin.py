"""Committed offsets of many groups in one OffsetFetch per group coordinator, through kafka-python.

librdkafka's ListConsumerGroupOffsets takes one group per request, so reading 2,000 groups costs
2,000 OffsetFetch requests and their results. Since Kafka 3.0 (KIP-709, OffsetFetch v8) one request
can carry every group a coordinator hosts, and kafka-python 3's ``KafkaAdminClient.list_group_offsets``
sends exactly that. :class:`BatchedGroupOffsets` uses it when it can and says so by returning ``None``
when it cannot, so the caller reads group by group instead:

* kafka-python is not installed, or is a release without ``list_group_offsets`` (2.x);
* the settings have no kafka-python form (OIDC client credentials);
* the brokers do not speak OffsetFetch v8 (kafka-python would then send one request per group, one
  after the other: slower than librdkafka's requests in flight together);
* the call failed (kafka-python raises on the first group or partition error, where the per-group path
  reports each group's own error): the next calls skip this path for ``RETRY_AFTER_S``, unless the
  error was a retriable one (a coordinator loading or moving), which concerns that call only.

The kafka-python client is made on first use and kept (its own I/O thread and connections).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from typing import Any

from kafka_client._records import TopicPartition
from kafka_client.admin._models import CommittedOffset
from kafka_client.backends._kafka_python_redaction import install_sasl_redaction

__all__ = ["MAX_CONNECT_FAILURES", "RETRY_AFTER_S", "BatchedGroupOffsets", "admin_kwargs"]

LOGGER = logging.getLogger("kafka_client.admin")

#: After a failed batched read, the per-group path is used for this long before batching is tried again.
RETRY_AFTER_S = 60.0
#: kafka-python clients that could not connect (each after a RETRY_AFTER_S wait) before this path is off.
MAX_CONNECT_FAILURES = 3
#: The first OffsetFetch version that carries many groups (KIP-709).
_MULTI_GROUP_VERSION = 8


class BatchedGroupOffsets:
    """Reads committed offsets of many groups with kafka-python, or returns ``None`` when it cannot.

    ``client_config`` builds kafka-python's client keyword arguments (called once, on first use; it may
    raise ``FeatureNotSupportedError`` when the settings have no kafka-python form). Thread-safe.
    """

    def __init__(self, client_config: Callable[[], Mapping[str, Any]], address: str) -> None:
        self._client_config = client_config
        self.address = address
        self._lock = threading.Lock()
        self._client: Any = None
        #: Why this path is off for good (None: on, or not tried yet).
        self.disabled: str | None = None
        self._retry_at = 0.0
        self._connect_failures = 0

    def read(
        self, group_ids: Sequence[str], timeout: float
    ) -> dict[str, dict[TopicPartition, CommittedOffset]] | None:
        """Every group's committed offsets (partitions never committed are absent), or ``None``."""
        if self.disabled is not None or time.monotonic() < self._retry_at or not group_ids:
            return None
        with self._lock:
            try:
                client = self._connected(timeout)
                if client is None:
                    return None
                answers = client.list_group_offsets(list(group_ids))
            except Exception as exc:
                # A retriable answer (a coordinator loading or moving) concerns this read only.
                transient = self._client is not None and bool(getattr(exc, "retriable", False))
                self._retry_at = time.monotonic() + (0.0 if transient else RETRY_AFTER_S)
                LOGGER.info(
                    "reading committed offsets group by group at %s %s: one OffsetFetch per coordinator "
                    "failed: %s: %s",
                    self.address,
                    "this time" if transient else f"for {RETRY_AFTER_S:.0f} s",
                    type(exc).__name__,
                    exc,
                )
                return None
        return {group: _committed(answers.get(group) or {}) for group in group_ids}

    def _connected(self, timeout: float) -> Any:
        """The kafka-python admin client, made on first use; ``None`` when this path is off."""
        if self._client is not None:
            return self._client
        try:
            from kafka.admin import KafkaAdminClient
            from kafka.protocol.consumer.group import OffsetFetchRequest
        except ImportError:
            return self._disable("kafka-python 3 is not installed (pip install 'kafka-python>=3')")
        if not hasattr(KafkaAdminClient, "list_group_offsets"):
            return self._disable("this kafka-python release reads one group a request (3.x batches)")
        try:
            config = dict(self._client_config())
        except Exception as exc:
            return self._disable(f"the settings have no kafka-python form: {exc}")
        install_sasl_redaction()
        wanted = admin_kwargs(config, timeout, KafkaAdminClient.DEFAULT_CONFIG)
        try:
            with _QUIET.starting(f"kafka-io-{wanted.get('client_id')}"):
                client = KafkaAdminClient(**wanted)
        except Exception as exc:
            self._connect_failures += 1
            if self._connect_failures >= MAX_CONNECT_FAILURES:  # librdkafka connects; kafka-python never
                return self._disable(f"kafka-python could not connect: {type(exc).__name__}: {exc}")
            raise
        try:
            version = client._client.api_version(OffsetFetchRequest, max_version=_MULTI_GROUP_VERSION)
        except Exception as exc:
            _close(client)
            return self._disable(f"the brokers' OffsetFetch version is unknown: {type(exc).__name__}: {exc}")
        if version < _MULTI_GROUP_VERSION:
            _close(client)
            return self._disable(f"the brokers speak OffsetFetch v{version}; many groups a request need v8")
        self._client = client
        return client

    def _disable(self, reason: str) -> None:
        """Turn this path off for good, saying why once."""
        self.disabled = reason
        LOGGER.info("reading committed offsets one group a request at %s: %s", self.address, reason)

    def close(self) -> None:
        """Close the kafka-python client, if one was made; this path stays off afterwards."""
        with self._lock:
            client, self._client = self._client, None
            self.disabled = "closed"
        if client is not None:
            _close(client)


def _close(client: Any) -> None:
    """Close a kafka-python client made here, its closing lines quieted like its others."""
    with _QUIET.starting(None):
        client.close()


def admin_kwargs(config: Mapping[str, Any], timeout: float, accepted: Container[str]) -> dict[str, Any]:
    """kafka-python's admin client arguments from the client configuration (``accepted`` keys only: the
    producer and consumer keys in it would be refused); bootstrapping waits at most ``timeout`` and
    10 s, requests ``timeout`` unless the configuration sets ``request_timeout_ms``."""
    kwargs = {key: value for key, value in config.items() if key in accepted}
    kwargs["bootstrap_timeout_ms"] = max(1, int(min(timeout, 10.0) * 1000))
    kwargs.setdefault("request_timeout_ms", max(1, int(timeout * 1000)))
    return kwargs


class _QuietThreads(logging.Filter):
    """Keeps the routine log lines of this module's kafka-python clients out of the application's logs.

    kafka-python logs at INFO each connection step and each group coordinator it finds (2,000 lines for
    2,000 groups), and WARNs whenever decoding one large response holds its I/O thread for more than
    0.1 s, and logs ERRORs for each failed connection attempt: noise for what is one background request
    here, whose failures ``read`` reports itself (and the per-group requests then report each group's
    own error). The records from those clients' I/O threads, and from the thread making or closing one,
    become DEBUG records, shown only where kafka-python's DEBUG logging is on; other kafka-python
    clients in the process are untouched.
    """

    def __init__(self) -> None:
        super().__init__()
        self._threads: set[int] = set()
        #: While a client starts: its I/O thread's name -> the threads that existed before it.
        self._starting: dict[str, set[int | None]] = {}
        self._loggers: set[str] = set()

    @contextlib.contextmanager
    def starting(self, io_thread_name: str | None) -> Iterator[None]:
        """Quiet the current thread, and the new thread named ``io_thread_name``, from now on (until it
        ends: the threads quieted are pruned to the live ones on the way out, as a thread's identifier
        may be reused by a later thread)."""
        me = threading.get_ident()
        before = {thread.ident for thread in threading.enumerate()}
        self._watch_loggers()
        self._threads.add(me)
        if io_thread_name is not None:
            self._starting[io_thread_name] = before
        try:
            yield
        finally:
            self._threads.discard(me)
            if io_thread_name is not None:
                self._starting.pop(io_thread_name, None)
                self._threads.update(
                    t.ident
                    for t in threading.enumerate()
                    if t.name == io_thread_name and t.ident is not None and t.ident not in before
                )
            self._threads &= {t.ident for t in threading.enumerate()}  # a closed client's thread ended
            self._watch_loggers()  # the loggers of modules kafka-python imported meanwhile

    def _watch_loggers(self) -> None:
        # a filter sees only the records of the logger it is on: every kafka-python logger, then
        for name in [n for n in logging.root.manager.loggerDict if n == "kafka" or n.startswith("kafka.")]:
            if name not in self._loggers:
                logging.getLogger(name).addFilter(self)
                self._loggers.add(name)

    def filter(self, record: logging.LogRecord) -> bool:
        before = self._starting.get(record.threadName or "")
        if record.thread not in self._threads and (before is None or record.thread in before):
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_QUIET = _QuietThreads()


def _committed(answer: Mapping[Any, Any]) -> dict[TopicPartition, CommittedOffset]:
    """kafka-python's ``{TopicPartition: OffsetAndMetadata}`` as ours (no committed offset: absent).

    The metadata is cut at its first NUL, as librdkafka reads it (a C string): confluent-kafka writes
    the terminating NUL into the commit (``ts=...\\x00`` on the wire), so both paths give ``ts=...``.
    """
    return {
        TopicPartition(tp.topic, tp.partition): CommittedOffset(
            int(om.offset), (om.metadata or "").split("\x00", 1)[0] or None
        )
        for tp, om in answer.items()
        if om.offset >= 0
    }
