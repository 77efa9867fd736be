"""Overhead of kafka_client over raw confluent-kafka, producing and consuming, on one real broker.

Each case runs in a fresh process; contenders alternate (A B A B ...) for several rounds, and the median
throughput of each is reported with its spread and the ratio to raw confluent-kafka measured in the
same run. By default an embedded broker is started; ``--bootstrap HOST:PORT`` uses an existing one.

    uv run python benchmarks/overhead.py --messages 500000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

PRODUCERS = ("raw-confluent", "kafka-client-observed", "kafka-client-bare")
CONSUMERS = ("raw-confluent", "kafka-client-observed", "kafka-client-bare")


def _produce_case(contender: str, bootstrap: str, topic: str, count: int, size: int) -> float:
    value = b"x" * size
    if contender == "raw-confluent":
        from confluent_kafka import Producer as RawProducer

        delivered = 0

        def on_delivery(err: Any, msg: Any) -> None:
            nonlocal delivered
            if err is None:
                delivered += 1

        raw = RawProducer(
            {
                "bootstrap.servers": bootstrap,
                "acks": "all",
                "enable.idempotence": True,
                "linger.ms": 5,
                "compression.type": "lz4",
                "queue.buffering.max.messages": 100000,
            }
        )
        started = time.perf_counter()
        for _ in range(count):
            while True:
                try:
                    raw.produce(topic, value, on_delivery=on_delivery)
                    break
                except BufferError:
                    raw.poll(0.005)
            raw.poll(0)
        raw.flush(120)
        elapsed = time.perf_counter() - started
        assert delivered == count, delivered
        return count / elapsed
    from kafka_client import Producer

    observers = None if contender == "kafka-client-observed" else []
    with Producer(bootstrap_servers=bootstrap, backend="confluent", observers=observers) as producer:
        started = time.perf_counter()
        send = producer.send
        for _ in range(count):
            send(topic, value)
        assert producer.flush(120) == 0
        elapsed = time.perf_counter() - started
    return count / elapsed


def _consume_case(contender: str, bootstrap: str, topic: str, count: int) -> float:
    group = f"bench-{uuid.uuid4().hex[:8]}"
    if contender == "raw-confluent":
        from confluent_kafka import Consumer as RawConsumer

        raw = RawConsumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        raw.subscribe([topic])
        got = 0
        started = None
        last = None
        while got < count:
            batch = raw.consume(500, 1.0)
            if batch and started is None:
                started = time.perf_counter()
            for msg in batch:
                if msg.error() is None:
                    got += 1
                    last = msg
            if batch and last is not None:
                raw.commit(message=last, asynchronous=True)
        elapsed = time.perf_counter() - (started or time.perf_counter())
        raw.close()
        return count / elapsed
    from kafka_client import Consumer

    observers = None if contender == "kafka-client-observed" else []
    with Consumer(
        bootstrap_servers=bootstrap, backend="confluent", group_id=group, topics=[topic], observers=observers
    ) as consumer:
        got = 0
        started = None
        while got < count:
            batch = consumer.consume_batch(500, 1.0)
            if batch and started is None:
                started = time.perf_counter()
            got += len(batch)
        elapsed = time.perf_counter() - (started or time.perf_counter())
    return count / elapsed


def _child(args: argparse.Namespace) -> None:
    if args.case == "produce":
        rate = _produce_case(args.contender, args.bootstrap, args.topic, args.messages, args.size)
    else:
        rate = _consume_case(args.contender, args.bootstrap, args.topic, args.messages)
    print(json.dumps({"rate": rate}))


def _run_child(case: str, contender: str, bootstrap: str, topic: str, messages: int, size: int) -> float:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--case",
            case,
            "--contender",
            contender,
            "--bootstrap",
            bootstrap,
            "--topic",
            topic,
            "--messages",
            str(messages),
            "--size",
            str(size),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["rate"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", help="an existing broker (default: start an embedded one)")
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", default="produce,consume", help="which cases to run (comma-separated)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=["produce", "consume"])
    parser.add_argument("--contender")
    parser.add_argument("--topic")
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    broker = None
    bootstrap = args.bootstrap
    if bootstrap is None:
        from kafka_client.testing import EmbeddedKafka

        broker = EmbeddedKafka(sasl=False, tls=False, authorizer=False, heap="2g").start()
        bootstrap = broker.bootstrap_servers
    try:
        results: dict[str, dict[str, list[float]]] = {"produce": {}, "consume": {}}
        topics = []
        cases = set(args.cases.split(","))
        for round_no in range(args.rounds):
            for contender in PRODUCERS:
                topic = f"bench-{round_no}-{contender}-{uuid.uuid4().hex[:6]}"
                topics.append(topic)
                rate = _run_child("produce", contender, bootstrap, topic, args.messages, args.size)
                results["produce"].setdefault(contender, []).append(rate)
                print(f"round {round_no + 1} produce {contender:24s} {rate:12,.0f} msg/s", flush=True)
            source = topics[-1]
            for contender in CONSUMERS if "consume" in cases else ():
                rate = _run_child("consume", contender, bootstrap, source, args.messages, args.size)
                results["consume"].setdefault(contender, []).append(rate)
                print(f"round {round_no + 1} consume {contender:24s} {rate:12,.0f} msg/s", flush=True)
    finally:
        if broker is not None:
            broker.stop()

    report = {"messages": args.messages, "size": args.size, "rounds": args.rounds, "cases": {}}
    lines = [
        f"# Overhead vs raw confluent-kafka ({args.messages:,} x {args.size} B, acks=all, idempotent)",
        "",
        "| case | contender | median msg/s | min | max | ratio to raw |",
        "|---|---|---|---|---|---|",
    ]
    for case, by_contender in results.items():
        if not by_contender:
            continue
        raw_median = statistics.median(by_contender["raw-confluent"])
        for contender, rates in by_contender.items():
            median = statistics.median(rates)
            report["cases"].setdefault(case, {})[contender] = {
                "median": median,
                "min": min(rates),
                "max": max(rates),
                "ratio": median / raw_median,
                "runs": rates,
            }
            lines.append(
                f"| {case} | {contender} | {median:,.0f} | {min(rates):,.0f} | {max(rates):,.0f} | "
                f"{median / raw_median:.2f} |"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overhead.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "overhead.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
