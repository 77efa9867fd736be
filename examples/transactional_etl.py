"""Exactly-once consume-transform-produce: read orders, write invoices, commit both in one transaction.

python examples/transactional_etl.py --bootstrap-servers 127.0.0.1:9092 --source orders --sink invoices
"""

from __future__ import annotations

import argparse
from typing import Any

from kafka_client import Consumer, Message, Producer


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--source", default="orders")
    parser.add_argument("--sink", default="invoices")
    parser.add_argument("--group", default="invoicing")
    parser.add_argument("--idle-timeout", type=float, default=10.0)
    args = parser.parse_args()

    settings = {"bootstrap_servers": args.bootstrap_servers}
    with (
        Consumer(
            settings,
            group_id=args.group,
            topics=[args.source],
            value_deserializer="json",
            commit_strategy="manual",
        ) as consumer,  # offsets are committed by the transaction
        Producer(
            settings, value_serializer="json", producer={"transactional_id": f"{args.group}-etl"}
        ) as producer,
    ):
        total = 0
        while True:
            batch = consumer.consume_batch(100, timeout=args.idle_timeout)
            if not batch:
                break
            with (
                producer.transaction()
            ):  # aborted (nothing visible, offsets not committed) if anything raises
                for message in batch:
                    order = message.value
                    producer.send(
                        args.sink, {"order": order["order"], "total": round(order["amount"] * 1.2, 2)}
                    )
                producer.send_offsets_to_transaction(
                    [m.next_position() for m in _last_per_partition(batch)], consumer.group_metadata()
                )
            total += len(batch)
    print(f"invoiced {total} orders")


def _last_per_partition(batch: list[Message[Any, Any]]) -> list[Message[Any, Any]]:
    last: dict[int, Message[Any, Any]] = {}
    for message in batch:
        last[message.partition] = message
    return list(last.values())


if __name__ == "__main__":
    main()
