"""``kafka-top``: parse the command line, load the contexts, run the app.

Exit codes: 0 after ``q``; 2 for a usage or configuration error (printed, the UI never starts).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kafka_client import ConfigError
from kafka_top import __version__
from kafka_top.contexts import ContextError, load_contexts

__all__ = ["build_parser", "main"]

EPILOG = """\
keys: ':' command (:groups :health :acls :topics :dlq :ctx :export FILE :q), '/' filter ('!' inverts),
'?' help, 'esc' back, 'space' mark, 'enter' drill down, 'e' export, 'q' quit.
docs: docs/kafka-top.md
"""


def _positive_or_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the refresh interval cannot be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``kafka-top`` argument parser (its ``--help`` is the command-line reference)."""
    parser = argparse.ArgumentParser(
        prog="kafka-top",
        description="A terminal UI for Kafka: consumer group lag and its trend, health checks, ACLs, "
        "topics and messages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--bootstrap-servers",
        "-b",
        metavar="HOST:PORT",
        help="the cluster to open (comma-separated; overrides the starting context's servers)",
    )
    parser.add_argument(
        "--config",
        "-c",
        metavar="FILE",
        nargs="+",
        action="extend",
        default=[],
        help="kafka_client settings files (merged in order) and/or a file with a 'contexts:' section",
    )
    parser.add_argument("--context", metavar="NAME", help="the context to start with")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="remove every action that changes the cluster (creating or deleting ACLs, ...)",
    )
    parser.add_argument(
        "--refresh",
        metavar="S",
        type=_positive_or_zero,
        default=2.0,
        help="seconds between refreshes of live screens (default 2; 0: only on ctrl+r)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start an embedded Kafka broker with a live workload (a producer, a healthy group, a slow "
        "group whose lag grows, poison messages in a DLQ, ACLs) and open kafka-top on it; "
        "'q' or Ctrl-C stops everything",
    )
    parser.add_argument("--version", action="version", version=f"kafka-top {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kafka-top`` until the user quits; returns the exit status (2 for a bad context or config)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo:
        if args.bootstrap_servers or args.config or args.context:
            print(
                "kafka-top: --demo starts its own broker; drop --bootstrap-servers, --config and --context",
                file=sys.stderr,
            )
            return 2
        from kafka_top.demo import run_demo

        return run_demo(read_only=args.read_only, refresh_s=args.refresh)
    try:
        contexts = load_contexts(args.config, bootstrap_servers=args.bootstrap_servers, context=args.context)
    except (ContextError, ConfigError) as exc:
        print(f"kafka-top: {exc}", file=sys.stderr)
        return 2

    from kafka_top.app import KafkaTopApp

    KafkaTopApp(contexts, read_only=args.read_only, refresh_s=args.refresh).run()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
