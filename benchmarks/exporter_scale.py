"""How the exporter scales with groups and partitions, on the embedded broker.

For each size ``GROUPSxPARTITIONS`` it creates topics of 50 partitions, commits an offset for every
group on ``PARTITIONS / GROUPS`` partitions (so every partition is consumed), then measures:

* the collection cycle (median of ``--cycles``, after ``--warmup`` cycles that fill the status windows
  as in a daemon that has been running: wall time and the process's CPU time),
* rendering the exposition (done once per cycle, in the background),
* a scrape over HTTP (served from the cache; median of 20),
* the process's resident memory after the runs (peak and current), and the series served.

Each size is measured in a fresh process (so its memory figures are its own) against one broker.
Run: ``uv run python benchmarks/exporter_scale.py --sizes 100x500,500x2500,2000x10000 [--json]``
(``--offsets both`` measures each size with the committed offsets batched per coordinator, then read
one request per group, on the same broker)
(``--bootstrap-servers`` to use a running broker: topics and groups an earlier run made there are
reused; ``--profile FILE`` writes a cProfile of the last cycle of each size, the collector threads
included, timed by CPU).
Targets (issue 5): cycle < 5 s and scrape < 100 ms at 2,000 groups over 10,000 partitions, RSS < 256 MB,
CPU under one core.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from typing import Any

from kafka_client.admin import KafkaAdmin, NewTopicSpec
from kafka_client.testing import EmbeddedKafka
from kafka_client_exporter import Exporter, load_exporter_settings
from kafka_client_exporter._process import limit_malloc_arenas, relax_garbage_collector

PARTITIONS_PER_TOPIC = 50


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def setup(bootstrap: str, name: str, groups: int, partitions: int) -> None:
    import confluent_kafka
    from confluent_kafka.admin import AdminClient

    topics = [f"{name}-t{i}" for i in range(max(1, partitions // PARTITIONS_PER_TOPIC))]
    with KafkaAdmin(bootstrap_servers=bootstrap, timeout=300) as admin:
        if any(t.name == topics[0] for t in admin.list_topics()):
            return  # made by an earlier run on this broker
        for start in range(0, len(topics), 20):  # the broker refuses very large create requests
            admin.create_topics(
                [NewTopicSpec(t, PARTITIONS_PER_TOPIC, 1) for t in topics[start : start + 20]]
            )
    every = [(t, p) for t in topics for p in range(PARTITIONS_PER_TOPIC)]
    per_group = max(1, len(every) // groups)
    client = AdminClient({"bootstrap.servers": bootstrap})
    requests = []
    for g in range(groups):
        owned = every[g * per_group : (g + 1) * per_group] or every[:per_group]
        requests.append(
            confluent_kafka.ConsumerGroupTopicPartitions(
                f"{name}-g{g}", [confluent_kafka.TopicPartition(t, p, 0) for t, p in owned]
            )
        )
    for _attempt in range(10):  # a fresh broker answers the first commits while its coordinator loads
        failed = []
        for start in range(0, len(requests), 100):
            batch = requests[start : start + 100]
            futures: list[Future[Any]] = []
            for request in batch:
                futures.extend(client.alter_consumer_group_offsets([request], request_timeout=60).values())
            for request, future in zip(batch, futures, strict=True):
                try:
                    future.result()
                except confluent_kafka.KafkaException:
                    failed.append(request)
        if not failed:
            return
        requests = failed
        time.sleep(1)
    raise RuntimeError(f"{len(requests)} groups could not commit their offsets")


_SCRAPER = """
import http.client, json, sys, time
times = []
for _ in range(int(sys.argv[2])):
    connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
    started = time.perf_counter()
    connection.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
    connection.getresponse().read()
    times.append(time.perf_counter() - started)
    connection.close()
print(json.dumps(times))
"""


def scrapes(port: int, count: int) -> list[float]:
    """``count`` scrapes (gzip, as Prometheus asks) one after the other, made by another process, as
    Prometheus makes them: the client's own work does not compete with the exporter's threads."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRAPER, str(port), str(count)], check=True, capture_output=True, text=True
    )
    return [float(t) for t in json.loads(done.stdout)]


def profile_cycle(exporter: Exporter, path: str) -> None:
    """One cycle under cProfile, timed by each thread's CPU time, the collector's worker threads
    included (one profiler per thread, merged into one stats file)."""
    profilers: list[cProfile.Profile] = []
    run = threading.Thread.run

    def profiled_run(thread: threading.Thread) -> None:
        profiler = cProfile.Profile(time.thread_time)
        profilers.append(profiler)
        profiler.runcall(run, thread)

    main = cProfile.Profile(time.thread_time)
    profilers.append(main)
    threading.Thread.run = profiled_run  # type: ignore[method-assign,assignment]
    try:
        main.runcall(exporter.collect_once)
    finally:
        threading.Thread.run = run  # type: ignore[method-assign]
    stats = pstats.Stats(main)
    for profiler in profilers[1:]:
        stats.add(profiler)
    stats.dump_stats(path)


def count_offset_reads(exporter: Exporter, per_group: bool) -> dict[str, int]:
    """How the cycles read committed offsets: batched (one OffsetFetch per coordinator, through
    kafka-python) or per group; ``per_group`` turns the batched reads off."""
    backend = exporter.collectors[0].admin._backend
    counts = {"batched": 0, "per_group": 0}
    reader = backend._batched_offsets
    if per_group or reader is None:
        backend._batched_offsets = None
        original = backend.committed_offsets

        def per_group_read(group_ids: Any, timeout: float) -> Any:
            counts["per_group"] += 1
            return original(group_ids, timeout)

        backend.committed_offsets = per_group_read
        return counts
    read = reader.read

    def counted(group_ids: Any, timeout: float) -> Any:
        answer = read(group_ids, timeout)
        counts["batched" if answer is not None else "per_group"] += 1
        return answer

    reader.read = counted  # type: ignore[method-assign]
    return counts


def measure(
    bootstrap: str,
    groups: int,
    partitions: int,
    cycles: int,
    warmup: int,
    profile: str | None,
    per_group: bool = False,
) -> dict[str, Any]:
    name = f"bench{groups}x{partitions}"
    started = time.perf_counter()
    setup(bootstrap, name, groups, partitions)
    setup_s = time.perf_counter() - started
    settings = load_exporter_settings(
        env={},
        clusters=[{"name": "bench", "bootstrap_servers": bootstrap}],
        groups={"allow": [f"^{name}-"]},
        topics={"allow": [f"^{name}-"]},
        port=0,
        host="127.0.0.1",
        interval_s=3600,
        timeout_s=120,
        acls=False,
    )
    exporter = Exporter(settings)
    offset_reads = count_offset_reads(exporter, per_group)
    walls, cpus, renders = [], [], []
    try:
        for _ in range(warmup):
            exporter.collect_once()
        for _ in range(cycles):
            wall, cpu = time.perf_counter(), time.process_time()
            exporter.collect_once()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            render = time.perf_counter()
            size = sum(len(chunk) for chunk in exporter.exposition.chunks())  # what a scrape writes
            renders.append(time.perf_counter() - render)
        if profile:  # one more cycle, not measured: the profiler slows it down
            profile_cycle(exporter, f"{profile}.{groups}x{partitions}")
        # The HTTP server and the collector thread, whose first cycle runs while the scrapes are made.
        exporter.start()
        scraped = scrapes(exporter.port, 20)
        series = exporter.collectors[0].monitor.series
    finally:
        exporter.stop()
    cycle_s, cycle_cpu_s = statistics.median(walls), statistics.median(cpus)
    return {
        "groups": groups,
        "partitions": partitions,
        "setup_s": round(setup_s, 1),
        "cycles": f"{warmup}+{cycles}",
        "cycle_s": round(cycle_s, 3),
        "cycle_cpu_s": round(cycle_cpu_s, 3),
        "cpu_cores_in_cycle": round(cycle_cpu_s / cycle_s, 2),
        "render_s": round(statistics.median(renders), 3),
        "scrape_ms": round(1000 * statistics.median(scraped), 2),
        "scrape_max_ms": round(1000 * max(scraped), 2),
        "series": series,
        "exposition_mb": round(size / 1e6, 1),
        "rss_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(rss_mb("VmHWM"), 1),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "offset_reads": f"{offset_reads['batched']} batched / {offset_reads['per_group']} per group",
    }


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--sizes", default="100x500,500x2500,2000x10000", help="GROUPSxPARTITIONS,...")
    parser.add_argument("--cycles", type=int, default=3, help="cycles measured (the median is shown)")
    parser.add_argument(
        "--warmup", type=int, default=10, help="cycles run first (10 fill the status windows)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--bootstrap-servers", help="use this running broker instead of starting one")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the last cycle into FILE.<size>")
    parser.add_argument(
        "--offsets",
        choices=["batched", "per-group", "both"],
        default="batched",
        help="how the committed offsets are read: batched per coordinator (the default, through "
        "kafka-python), one request per group, or each size both ways, one after the other",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process measuring one size
    parser.add_argument("--per-group", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        limit_malloc_arenas()  # as the kafka-client-exporter command does
        relax_garbage_collector()
        groups, partitions = (int(n) for n in args.one.split("x"))
        result = measure(
            args.bootstrap_servers, groups, partitions, args.cycles, args.warmup, args.profile, args.per_group
        )
        print(json.dumps(result))
        return
    sizes = args.sizes.split(",")
    broker = None
    if args.bootstrap_servers is None:
        broker = EmbeddedKafka(sasl=False, tls=False, authorizer=False, heap="2g", progress_stream=sys.stderr)
        broker.start()
    bootstrap = args.bootstrap_servers or broker.bootstrap_servers  # type: ignore[union-attr]
    try:
        header = False
        modes = ["batched", "per-group"] if args.offsets == "both" else [args.offsets]
        for size, mode in [(size, mode) for size in sizes for mode in modes]:
            command = [sys.executable, __file__, "--one", size, "--bootstrap-servers", bootstrap]
            command += ["--cycles", str(args.cycles), "--warmup", str(args.warmup)]
            command += ["--profile", args.profile] if args.profile else []
            command += ["--per-group"] if mode == "per-group" else []
            child = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            if args.json:
                print(json.dumps(result), flush=True)
                continue
            if not header:
                print(" | ".join(result), flush=True)
                header = True
            print(" | ".join(str(v) for v in result.values()), flush=True)
    finally:
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
