"""The `python -m benchmarks` command line: `run`, `list`, `memory`, `publish` (and the runner's `child`)."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.cases import CASES, parse_cases
from benchmarks.contenders import CONTENDERS, parse_contenders

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = (
    "generic-kafka-producer",
    "confluent-kafka",
    "kafka-python",
    "aiokafka",
    "opentelemetry-sdk",
    "opentelemetry-instrumentation-confluent-kafka",
)
QUICK: dict[str, Any] = {"messages": 5_000, "rounds": 1, "latency_seconds": 1.0}
FULL: dict[str, Any] = {"messages": 200_000, "rounds": 3, "latency_seconds": 5.0}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the benchmark and write the report")
    run.add_argument("--quick", action="store_true", help="tiny sizes, one round: checks the harness works")
    run.add_argument("--cases", help=f"comma-separated cases or prefixes (default: all): {', '.join(CASES)}")
    run.add_argument("--contenders", help=f"comma-separated (default: all): {', '.join(CONTENDERS)}")
    run.add_argument("--rounds", type=int, help=f"rounds per case (default {FULL['rounds']}; quick 1)")
    run.add_argument(
        "--messages", type=int, help=f"messages per 100 B run (default {FULL['messages']:,}; quick 5,000)"
    )
    run.add_argument(
        "--latency-seconds", type=float, help="seconds each latency run sends (default 5; quick 1)"
    )
    run.add_argument("--partitions", type=int, default=3, help="partitions of every topic (default 3)")
    run.add_argument(
        "--bootstrap", metavar="HOST:PORT", help="a running cluster (default: start an embedded one)"
    )
    run.add_argument("--out", type=Path, help="report directory (default benchmarks/results/<UTC timestamp>)")
    run.add_argument("--label", help="the report's title (default: 'quick' or 'full')")
    run.add_argument(
        "--no-latest", action="store_true", help="do not copy the report to benchmarks/results/latest"
    )
    run.add_argument("--publish", action="store_true", help="also put the report into docs/performance.md")
    commands.add_parser("list", help="list cases and contenders")
    commands.add_parser("memory", help="RSS added by each import a default Producer needs")
    publish = commands.add_parser("publish", help="put a report into docs/performance.md (default: latest)")
    publish.add_argument("report_dir", nargs="?", type=Path, default=RESULTS / "latest")
    child = commands.add_parser("child", help=argparse.SUPPRESS)
    child.add_argument("spec")
    return parser


def _versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _source() -> dict[str, Any]:
    """The commit measured, and whether ``src/`` had uncommitted changes (they are measured too)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=RESULTS.parent.parent, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_modified": bool(git("status", "--porcelain", "src")),
    }


def run(args: argparse.Namespace, argv: list[str]) -> Path:
    """Run what ``args`` asks for; write and return the report directory."""
    from benchmarks.report import SCHEMA, write_report
    from benchmarks.runner import RunOptions, run_all
    from benchmarks.summary import summarize
    from benchmarks.targets import evaluate_targets

    sizes = QUICK if args.quick else FULL
    options = RunOptions(
        cases=parse_cases(args.cases),
        contenders=parse_contenders(args.contenders),
        explicit_contenders=bool(args.contenders),
        rounds=args.rounds or sizes["rounds"],
        messages=args.messages or sizes["messages"],
        latency_seconds=args.latency_seconds or sizes["latency_seconds"],
        partitions=args.partitions,
        bootstrap=args.bootstrap,
    )
    started = dt.datetime.now(dt.UTC)
    load_before = [round(x, 2) for x in os.getloadavg()]
    clock = time.monotonic()
    measurements, broker_description = run_all(options, lambda line: print(line, flush=True))
    cases = summarize(measurements)
    finished = dt.datetime.now(dt.UTC)
    report = {
        "schema": SCHEMA,
        "label": args.label or ("quick" if args.quick else "full"),
        "command": "uv run python -m benchmarks " + shlex.join(argv),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_s": time.monotonic() - clock,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": load_before,
        },
        "broker": broker_description,
        "settings": {
            "quick": args.quick,
            "rounds": options.rounds,
            "messages": options.messages,
            "partitions": options.partitions,
            "latency_seconds": options.latency_seconds,
        },
        "versions": _versions(),
        "source": _source(),
        "contenders": {c.name: c.description for c in options.contenders},
        "cases": cases,
        "targets": evaluate_targets(cases),
    }
    out = args.out or RESULTS / started.strftime("%Y%m%dT%H%M%SZ")
    write_report(report, out)
    if not args.no_latest and out.resolve() != (RESULTS / "latest").resolve():
        shutil.rmtree(RESULTS / "latest", ignore_errors=True)
        shutil.copytree(out, RESULTS / "latest")
    print(f"\nreport: {out / 'report.md'}")
    if args.publish:
        from benchmarks.publish import PAGE, publish

        publish(out)
        print(f"published: {PAGE}")
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse ``argv`` (default: the process's arguments) and run the command."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "child":
        from benchmarks.child import run_child

        run_child(args.spec)
    elif args.command == "publish":
        from benchmarks.publish import PAGE, publish

        publish(args.report_dir)
        print(f"published {args.report_dir} into {PAGE}")
    elif args.command == "memory":
        from benchmarks.memory import table

        print(table())
    elif args.command == "list":
        for case in CASES.values():
            print(f"case       {case.id:26s} {case.title}")
        for contender in CONTENDERS.values():
            print(f"contender  {contender.name:26s} {contender.description}")
    else:
        run(args, argv)
