"""An asyncio service: produce a few events and consume them back, without blocking the event loop.

python examples/async_app.py --bootstrap-servers 127.0.0.1:9092 --topic events --count 50
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from kafka_client import AsyncConsumer, AsyncProducer


async def main(bootstrap_servers: str, topic: str, count: int) -> None:
    async with AsyncProducer(bootstrap_servers=bootstrap_servers, value_serializer="json") as producer:
        metas = await producer.send_batch(topic, [{"event": i} for i in range(count)])
    print(f"sent {len(metas)} events")

    received = 0
    async with AsyncConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=f"async-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        value_deserializer="json",
    ) as consumer:
        async for _message in consumer:
            received += 1
            if received == count:
                consumer.stop()
    print(f"received {received} events")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="events")
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.bootstrap_servers, args.topic, args.count))
