"""How a memory consumer reads its partitions: start positions, isolation, fairness, handovers."""

from __future__ import annotations

import math
import time

from kafka_client._records import RawRecord, TopicPartition
from kafka_client.errors import ConsumerError
from kafka_client.testing._memory_group import Cursor, Membership
from kafka_client.testing._memory_log import PartitionLog
from kafka_client.testing._memory_state import ClusterState

__all__ = ["PartitionReader"]

_OFFSET_BEGINNING = -2
_OFFSET_END = -1


class PartitionReader:
    """Reads one consumer's assigned partitions (``parts``, shared with it); call with ``cond`` held."""

    def __init__(
        self,
        state: ClusterState,
        group_id: str | None,
        read_committed: bool,
        auto_offset_reset: str,
        parts: dict[TopicPartition, Cursor],
    ) -> None:
        self._state = state
        self._group_id = group_id
        self.read_committed = read_committed
        self._reset = auto_offset_reset
        self._parts = parts
        self._turn = 0

    def end(self, log: PartitionLog) -> int:
        """Where reading stops: the last stable offset under read_committed, else the log end."""
        return log.visible_end(self.read_committed)

    def start(self, offset: int, log: PartitionLog) -> int | None:
        """A requested start: >= 0 as is, -2 the beginning, -1 the end, else None (committed or reset)."""
        if offset >= 0:
            return offset
        if offset == _OFFSET_BEGINNING:
            return 0
        if offset == _OFFSET_END:
            return self.end(log)
        return None

    def fetch(self, limit: int, member: Membership | None) -> tuple[list[RawRecord], float | None]:
        """Up to ``limit`` records, partitions taking turns to go first; and, when a partition waits for
        its previous owner to let go, in how many seconds to look again."""
        wake: float | None = None
        ready: list[tuple[TopicPartition, Cursor, PartitionLog]] = []
        order = sorted(self._parts)
        if order:
            turn = self._turn % len(order)
            order = order[turn:] + order[:turn]
            self._turn += 1
        for tp in order:
            cursor = self._parts[tp]
            if cursor.paused:
                continue
            blocked_for = self._handover_wait(tp, member)
            if blocked_for is not None:
                wake = min(wake if wake is not None else math.inf, blocked_for)
                continue
            ready.append((tp, cursor, self._state.topics[tp.topic][tp.partition]))
        for tp, cursor, log in ready:  # resolve every start before reading any, so a failure loses nothing
            cursor.position = self._resolve(tp, cursor, log)
        records: list[RawRecord] = []
        for tp, cursor, log in ready:
            position = cursor.position
            assert position is not None
            end = self.end(log)
            while position < end and len(records) < limit:
                entry = log.entries[position]
                position += 1
                if log.readable(entry, self.read_committed):
                    records.append(entry.raw(tp.topic, tp.partition))
            cursor.position = position
            if len(records) >= limit:
                break
        return records, wake

    def _handover_wait(self, tp: TopicPartition, member: Membership | None) -> float | None:
        """Seconds to wait while another member still holds ``tp``; evicts it once it stopped polling."""
        if member is None or self._group_id is None:
            return None
        group = self._state.group(self._group_id)
        holder = group.holder(tp, member)
        if holder is None:
            return None
        idle = time.monotonic() - holder.last_poll
        if idle >= self._state.max_poll_interval_s:
            self._state.evict(group, holder)
            return None
        return self._state.max_poll_interval_s - idle

    def _resolve(self, tp: TopicPartition, cursor: Cursor, log: PartitionLog) -> int:
        position = cursor.position
        if position is None and self._group_id is not None:
            group = self._state.groups.get(self._group_id)
            committed = group.offsets.get(tp) if group is not None else None
            position = committed[0] if committed is not None else None
        if position is None or not 0 <= position <= log.end:
            if self._reset == "none":
                raise ConsumerError(
                    f"no valid offset to start {tp} from (committed or sought) and auto_offset_reset is "
                    "'none' [_AUTO_OFFSET_RESET]"
                )
            position = 0 if self._reset == "earliest" else self.end(log)
        return position

    def offset_for_time(self, log: PartitionLog, timestamp_ms: int) -> int | None:
        """The first record offset (below the read end) whose timestamp is >= ``timestamp_ms``."""
        for entry in log.entries[: self.end(log)]:
            if not entry.control and entry.timestamp_ms >= timestamp_ms:
                return entry.offset
        return None
