"""Running several checks into one :class:`HealthReport`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from kafka_client.health._canary import CANARY_TOPIC, check_end_to_end
from kafka_client.health._checks import check_brokers, check_consumer_group, check_topic
from kafka_client.health._result import HealthReport, HealthResult, HealthStatus

if TYPE_CHECKING:
    from kafka_client.admin import KafkaAdmin
    from kafka_client.config import KafkaClientSettings

__all__ = ["HealthCheck", "run_health_checks", "standard_checks"]

_UNREACHABLE_ERRORS = {"BrokerUnavailableError", "KafkaTimeoutError", "AuthenticationError"}


@dataclass(frozen=True)
class HealthCheck:
    """A named check: ``run(admin)`` returns its result. Any ``Callable[[KafkaAdmin], HealthResult]``
    works where a check is expected; this adds the name used when the check is skipped."""

    name: str
    run: Callable[[KafkaAdmin], HealthResult]

    def __call__(self, admin: KafkaAdmin) -> HealthResult:
        return self.run(admin)


CheckLike = HealthCheck | Callable[["KafkaAdmin"], HealthResult]


def standard_checks(
    *,
    topics: Iterable[str] = (),
    groups: Iterable[str] = (),
    end_to_end: bool = False,
    canary_topic: str = CANARY_TOPIC,
    min_brokers: int = 1,
    max_lag: int | None = None,
    sample_interval_s: float = 5.0,
    timeout: float = 5.0,
) -> list[HealthCheck]:
    """The brokers check first, then one per topic and group, then the canary if asked for.

    ``run_health_checks(settings, checks=standard_checks(topics=["orders"], groups=["billing"]))``
    """
    checks = [HealthCheck("brokers", partial(check_brokers, min_brokers=min_brokers, timeout=timeout))]
    for topic in dict.fromkeys(topics):
        checks.append(HealthCheck(f"topic:{topic}", partial(check_topic, name=topic, timeout=timeout)))
    for group in dict.fromkeys(groups):
        group_check = partial(
            check_consumer_group,
            group=group,
            max_lag=max_lag,
            sample_interval_s=sample_interval_s,
            timeout=timeout,
        )
        checks.append(HealthCheck(f"group:{group}", group_check))
    if end_to_end:
        canary = partial(check_end_to_end, topic=canary_topic, timeout=max(timeout, 10.0))
        checks.append(HealthCheck(f"end_to_end:{canary_topic}", canary))
    return checks


def _name(check: CheckLike) -> str:
    return check.name if isinstance(check, HealthCheck) else getattr(check, "__name__", "check")


def run_check(check: CheckLike, admin: KafkaAdmin) -> HealthResult:
    """Run one check; anything it raises becomes a ``failed`` result (a health endpoint never crashes)."""
    started = time.perf_counter()
    try:
        return check(admin)
    except Exception as exc:
        return HealthResult(
            _name(check),
            HealthStatus.FAILED,
            f"the check raised {type(exc).__name__}: {exc}",
            time.perf_counter() - started,
            {"error": type(exc).__name__},
        )


def run_checks(checks: Sequence[CheckLike], admin: KafkaAdmin) -> HealthReport:
    """Run ``checks`` in order; once the brokers check finds the cluster unreachable, the rest are
    reported failed without waiting for their own timeouts."""
    started = time.perf_counter()
    results: list[HealthResult] = []
    unreachable: str | None = None
    for check in checks:
        if unreachable is not None:
            results.append(
                HealthResult(
                    _name(check), HealthStatus.FAILED, f"not run: {unreachable}", 0.0, {"skipped": True}
                )
            )
            continue
        result = run_check(check, admin)
        results.append(result)
        if (
            result.name == "brokers"
            and result.status is HealthStatus.FAILED
            and result.data.get("error") in _UNREACHABLE_ERRORS
        ):
            unreachable = f"the cluster at {admin.bootstrap_servers} did not answer"
    return HealthReport(tuple(results), time.perf_counter() - started)


def run_health_checks(
    settings: KafkaClientSettings | Mapping[str, Any] | None = None,
    checks: Iterable[CheckLike] | None = None,
    *,
    admin: KafkaAdmin | None = None,
    timeout: float = 5.0,
    **overrides: Any,
) -> HealthReport:
    """Run ``checks`` (default: the brokers check) against the cluster and aggregate their results.

    Settings are taken like every client's; pass ``admin`` to reuse a client. Kafka problems never
    raise: they are failed results. Configuration problems do raise (:class:`ConfigError`). ::

        report = run_health_checks({"bootstrap_servers": "localhost:9092"},
                                   standard_checks(topics=["orders"], groups=["billing"]))
        print(report.status, report.to_dict())
    """
    from kafka_client.admin import KafkaAdmin

    chosen = list(checks) if checks is not None else list(standard_checks(timeout=timeout))
    client = admin if admin is not None else KafkaAdmin(settings, timeout=timeout, **overrides)
    try:
        return run_checks(chosen, client)
    finally:
        if admin is None:
            client.close()
