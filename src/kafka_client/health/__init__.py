"""Health checks of a Kafka cluster: brokers, topics, consumer groups and an end-to-end canary.

Each check returns a :class:`HealthResult` (``ok``/``degraded``/``failed``, a detail sentence, its
duration and the numbers it measured); :func:`run_health_checks` aggregates them into a
:class:`HealthReport`; :func:`health_asgi_app` / :func:`health_wsgi_app` serve them to probes::

    from kafka_client.health import run_health_checks, standard_checks

    report = run_health_checks({"bootstrap_servers": "localhost:9092"},
                               standard_checks(topics=["orders"], groups=["billing"], end_to_end=True))
    print(report.status)           # HealthStatus.OK
"""

from kafka_client.health._canary import CANARY_TOPIC, check_end_to_end
from kafka_client.health._checks import check_brokers, check_consumer_group, check_topic
from kafka_client.health._http import (
    HealthASGIApp,
    HealthEndpoint,
    HealthWSGIApp,
    health_asgi_app,
    health_wsgi_app,
)
from kafka_client.health._result import HealthReport, HealthResult, HealthStatus
from kafka_client.health._runner import HealthCheck, run_health_checks, standard_checks

__all__ = [
    "CANARY_TOPIC",
    "HealthASGIApp",
    "HealthCheck",
    "HealthEndpoint",
    "HealthReport",
    "HealthResult",
    "HealthStatus",
    "HealthWSGIApp",
    "check_brokers",
    "check_consumer_group",
    "check_end_to_end",
    "check_topic",
    "health_asgi_app",
    "health_wsgi_app",
    "run_health_checks",
    "standard_checks",
]
