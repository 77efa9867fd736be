"""The issue's targets, each evaluated from figures measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.contenders import BASELINE
from benchmarks.summary import figure


@dataclass(frozen=True)
class Target:
    """``subject`` in ``case`` compared with ``against`` (a contender, possibly in another case), or an
    absolute figure when ``against`` is empty. ``at_least``: the value must be >= ``threshold``;
    otherwise it must be below it."""

    description: str
    case: str
    subject: str
    threshold: float
    against: str = ""
    against_case: str = ""
    at_least: bool = True
    unit: str = "x"
    aim: float | None = None

    def evaluate(self, cases: list[dict[str, Any]]) -> dict[str, Any]:
        """The measured value, whether the target is met (None: not measured) and the raw-confluent ratio."""
        value = figure(cases, self.case, self.subject)
        if value is not None and self.against:
            reference = figure(cases, self.against_case or self.case, self.against)
            value = value / reference if reference else None
        met = (
            None if value is None else (value >= self.threshold if self.at_least else value < self.threshold)
        )
        subject = figure(cases, self.case, self.subject)
        baseline = figure(cases, self.case, BASELINE)
        return {
            "description": self.description,
            "case": self.case,
            "value": value,
            "unit": self.unit,
            "threshold": self.threshold,
            "comparison": ">=" if self.at_least else "<",
            "aim": self.aim,
            "met": met,
            "vs_raw_confluent": subject / baseline if subject is not None and baseline else None,
        }


def _targets() -> list[Target]:
    targets: list[Target] = []
    for label in ("100B", "1KiB", "10KiB"):
        ff, wait = f"produce-ff-{label}", f"produce-await-{label}"
        targets += [
            Target(f"producer fire-and-forget {label} vs raw", ff, "kafka-client", 0.75, BASELINE, aim=0.9),
            Target(
                f"producer awaited futures {label} vs raw fire-and-forget",
                wait,
                "kafka-client",
                0.5,
                BASELINE,
                against_case=ff,
            ),
            Target(
                f"producer fire-and-forget {label} vs OTel contrib", ff, "kafka-client", 3.0, "confluent-otel"
            ),
        ]
    targets.append(
        Target(
            "producer fire-and-forget 100B, absolute",
            "produce-ff-100B",
            "kafka-client",
            300_000,
            unit="msg/s",
        )
    )
    for case in ("consume-bytes", "consume-json"):
        targets.append(
            Target(f"consumer {case} vs raw consume(num_messages=...)", case, "kafka-client", 0.8, BASELINE)
        )
    for case in ("produce-ff-100B", "produce-await-100B", "consume-bytes"):
        targets += [
            Target(f"async API vs sync API, {case}", case, "kafka-client-async", 0.8, "kafka-client"),
            Target(f"async API vs aiokafka, {case}", case, "kafka-client-async", 1.0, "aiokafka"),
            Target(
                f"kafka-python backend vs raw kafka-python, {case}",
                case,
                "kafka-client-kafka-python",
                0.9,
                "kafka-python",
            ),
        ]
    targets += [
        Target(
            "end-to-end p99 at 1k msg/s, defaults",
            "latency-1k-default",
            "kafka-client",
            10.0,
            at_least=False,
            unit="ms",
        ),
        Target(
            "end-to-end p99 at 1k msg/s, low-latency preset",
            "latency-1k-low-latency",
            "kafka-client",
            5.0,
            at_least=False,
            unit="ms",
        ),
        Target(
            "RSS: import kafka_client + one Producer",
            "footprint",
            "kafka-client",
            45.0,
            at_least=False,
            unit="MB",
        ),
    ]
    return targets


TARGETS = _targets()
"""Every target of the benchmarks issue (and the producer/consumer floors of the observability issue)."""


def evaluate_targets(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every target's outcome for a run's case summaries."""
    return [target.evaluate(cases) for target in TARGETS]
