"""Process orders in a consumer group; stop cleanly on SIGTERM or Ctrl-C with everything processed committed.

python examples/consumer.py --bootstrap-servers 127.0.0.1:9092 --topic orders --group billing
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kafka_client import Consumer, Message


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="orders")
    parser.add_argument("--group", default="billing")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds of 'work' per message")
    parser.add_argument(
        "--idle-timeout", type=float, default=None, help="stop after this long without messages"
    )
    args = parser.parse_args()

    def bill(message: Message[Any, Any]) -> None:
        time.sleep(args.delay)
        print(
            f"billed order {message.value['order']} (partition {message.partition} offset {message.offset})"
        )
        sys.stdout.flush()

    with Consumer(
        bootstrap_servers=args.bootstrap_servers,
        group_id=args.group,
        topics=[args.topic],
        value_deserializer="json",
    ) as consumer:
        consumer.stop_on_signals()  # SIGTERM/SIGINT: finish the current message, commit, leave the group
        handled = consumer.run(bill, idle_timeout=args.idle_timeout)
    print(f"stopped after {handled} orders")


if __name__ == "__main__":
    main()
