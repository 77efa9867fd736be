"""A consumer process for the consumer fault tests: it processes a topic with ``kafka_client.Consumer``
and appends every processed ``partition offset`` to a log file, one ``write()`` per record (atomic for
a SIGKILL: the kernel keeps what was written even if the process dies on the next instruction).

Usage: ``python _consumer_worker.py CONFIG_JSON`` with keys:

- ``settings``: the client settings (bootstrap servers, backend); ``topic``, ``partitions``, ``group``,
  ``log``;
- ``mode``: ``batch`` (``consume_batch(100)``, process each record, then commit the batch synchronously)
  or ``run`` (``Consumer.run`` with the default ``after_processing`` strategy and ``stop_on_signals()``:
  SIGTERM stops it after the current message, commits, and exits 0);
- ``hold_after``: in ``batch`` mode, stop working after this many records (mid-batch: before the
  commit) and wait to be killed, so the uncommitted tail is not empty by chance;
- ``max_messages``: exit (committing) after this many records;
- ``handler_sleep_s``: a pause per record, so a signal lands while there is work in hand.

Lines ``ready`` (after the first poll returned a record) and ``holding`` are written to stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from kafka_client import Consumer, Message, TopicPartition


def main(config: dict[str, Any]) -> int:
    fd = os.open(config["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    hold_after: int | None = config.get("hold_after")
    max_messages: int | None = config.get("max_messages")
    pause = float(config.get("handler_sleep_s", 0.0))
    processed = 0

    def process(message: Message[Any, Any]) -> None:
        nonlocal processed
        os.write(fd, f"{message.partition} {message.offset}\n".encode())
        processed += 1
        if processed == 1:
            print("ready", flush=True)
        if pause:
            time.sleep(pause)

    with Consumer(
        config["settings"],
        group_id=config["group"],
        # A short session: after a SIGKILL, the group gives the dead member's partitions away in seconds.
        consumer={
            "auto_offset_reset": "earliest",
            "session_timeout_ms": 6_000,
            "heartbeat_interval_ms": 1_000,
        },
        commit_strategy="manual" if config["mode"] == "batch" else "after_processing",
    ) as consumer:
        # Load the topic's metadata before joining: kafka-python may otherwise join with an empty
        # assignment for a just-created topic (see the resilience conftest's ``subscribed``).
        for partition in range(config["partitions"]):
            consumer.watermarks(TopicPartition(config["topic"], partition))
        consumer.subscribe([config["topic"]])
        if config["mode"] == "run":
            consumer.stop_on_signals()
            consumer.run(process, max_messages=max_messages)
            return 0
        while max_messages is None or processed < max_messages:
            batch = consumer.consume_batch(100, 0.5)
            for message in batch:
                process(message)
                consumer.mark_processed(message)
                if processed == hold_after:
                    print("holding", flush=True)
                    time.sleep(3600)  # the test SIGKILLs us here, mid-batch
                if processed == max_messages:
                    break
            if batch:
                consumer.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
