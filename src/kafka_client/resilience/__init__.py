"""Reliability building blocks: retry policies, a circuit breaker, and a dead-letter queue with a reader.

Give them to a consumer's ``run()`` and a failing message is retried with backoff, then parked in its
dead-letter topic with the reason, and consumption carries on; a poison pill (undeserializable bytes)
goes straight to the DLQ; an open circuit pauses the partitions instead of spinning::

    from kafka_client import Consumer, Producer
    from kafka_client.resilience import CircuitBreaker, DeadLetterQueue, RetryPolicy

    with Producer(bootstrap_servers="localhost:9092") as dlq_producer, Consumer(
        bootstrap_servers="localhost:9092", group_id="billing", topics=["orders"], value_deserializer="json"
    ) as consumer:
        consumer.run(
            handle,
            retry=RetryPolicy(max_attempts=5, initial_backoff_s=0.5),
            dead_letter_queue=DeadLetterQueue(dlq_producer),          # orders -> orders.dlq
            circuit_breaker=CircuitBreaker(open_for_s=30),
        )

``SpillJournal`` keeps messages the broker never acknowledged in a local file and replays them later.

See ``docs/reliability.md``; ``kafka-client dlq list|show|replay`` works on the DLQ from the shell.
"""

from kafka_client.resilience._breaker import CircuitBreaker, CircuitOpenError, CircuitState, StateListener
from kafka_client.resilience._dlq import DeadLetterQueue, DeadLetterQueueError, FailureStage
from kafka_client.resilience._headers import REPLAYED_FROM
from kafka_client.resilience._journal import (
    JournalReplayReport,
    SpilledRecord,
    SpillJournal,
    SpillJournalError,
)
from kafka_client.resilience._letters import DeadLetter, group_by_exception
from kafka_client.resilience._reader import DeadLetterReader, ReplayAction, ReplayReport, ReplayStatus
from kafka_client.resilience._retry import Jitter, RetryPolicy, RetrySchedule
from kafka_client.resilience._sending import send_with_retry, send_with_retry_async

__all__ = [
    "REPLAYED_FROM",
    "CircuitBreaker",
    "CircuitOpenError",
    "CircuitState",
    "DeadLetter",
    "DeadLetterQueue",
    "DeadLetterQueueError",
    "DeadLetterReader",
    "FailureStage",
    "Jitter",
    "JournalReplayReport",
    "ReplayAction",
    "ReplayReport",
    "ReplayStatus",
    "RetryPolicy",
    "RetrySchedule",
    "SpillJournal",
    "SpillJournalError",
    "SpilledRecord",
    "StateListener",
    "group_by_exception",
    "send_with_retry",
    "send_with_retry_async",
]
