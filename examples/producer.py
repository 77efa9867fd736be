"""Send JSON orders with keys, and wait for every delivery.

python examples/producer.py --bootstrap-servers 127.0.0.1:9092 --topic orders --count 100
"""

from __future__ import annotations

import argparse

from kafka_client import Producer


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="orders")
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()

    with Producer(
        bootstrap_servers=args.bootstrap_servers, key_serializer="str", value_serializer="json"
    ) as producer:
        futures = [
            producer.send(
                args.topic,
                {"order": i, "amount": i * 2.5},
                key=f"customer-{i % 5}",
                headers={"source": "example"},
            )
            for i in range(args.count)
        ]
        for future in futures:
            meta = future.result(
                timeout=30
            )  # raises DeliveryError (or a more specific error) if not delivered
        print(f"delivered {len(futures)} orders; last at partition {meta.partition} offset {meta.offset}")


if __name__ == "__main__":
    main()
