"""The ASGI and WSGI probe apps: routes, status codes, JSON bodies, caching, lifespan."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from kafka_client.health import HealthCheck, HealthResult, HealthStatus, health_asgi_app, health_wsgi_app
from tests.unit.health._fakes import FakeAdmin
from tests.unit.health._http_driver import call_asgi, call_wsgi

SETTINGS = {"bootstrap_servers": "fake:9092"}


class Counting:
    """A check returning a chosen status and counting its runs."""

    def __init__(self, status: HealthStatus) -> None:
        self.status = status
        self.runs = 0

    def __call__(self, admin: Any) -> HealthResult:
        self.runs += 1
        return HealthResult("kafka", self.status, f"kafka is {self.status}", 0.001)


@pytest.mark.parametrize(
    ("status", "degraded_is_ready", "expected"),
    [
        (HealthStatus.OK, True, 200),
        (HealthStatus.DEGRADED, True, 200),
        (HealthStatus.DEGRADED, False, 503),
        (HealthStatus.FAILED, True, 503),
    ],
)
def test_asgi_readiness_status_code(status: HealthStatus, degraded_is_ready: bool, expected: int) -> None:
    app = health_asgi_app(
        checks=[Counting(status)], admin=FakeAdmin(), degraded_is_ready=degraded_is_ready, cache_s=0
    )
    code, headers, body = call_asgi(app, "/readyz")
    assert code == expected
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    data = json.loads(body)
    assert data["status"] == status.value
    assert data["checks"][0]["detail"] == f"kafka is {status}"


def test_liveness_runs_no_kafka_check_by_default() -> None:
    check = Counting(HealthStatus.FAILED)
    app = health_asgi_app(checks=[check], admin=FakeAdmin())
    code, _, body = call_asgi(app, "/health/livez")
    assert (code, json.loads(body)["checks"], check.runs) == (200, [], 0)


@pytest.mark.parametrize("path", ["/", "/healthz", "/ready", "/svc/health/readyz/"])
def test_readiness_answers_at_its_aliases(path: str) -> None:
    app = health_asgi_app(checks=[Counting(HealthStatus.OK)], admin=FakeAdmin())
    assert call_asgi(app, path)[0] == 200


def test_unknown_path_and_method() -> None:
    app = health_asgi_app(checks=[Counting(HealthStatus.OK)], admin=FakeAdmin())
    assert call_asgi(app, "/metrics")[0] == 404
    assert call_asgi(app, "/readyz", "POST")[0] == 405
    code, headers, body = call_asgi(app, "/readyz", "HEAD")
    assert (code, body) == (200, b"")
    assert int(headers["content-length"]) > 0


def test_reports_are_cached_for_cache_s() -> None:
    check = Counting(HealthStatus.OK)
    app = health_asgi_app(checks=[check], admin=FakeAdmin(), cache_s=60)
    for _ in range(3):
        call_asgi(app, "/readyz")
    assert check.runs == 1


def test_lifespan_shutdown_closes_an_owned_admin_only() -> None:
    fake = FakeAdmin()
    app = health_asgi_app(checks=[Counting(HealthStatus.OK)], admin=fake)
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert "close" not in fake.calls


def test_wsgi_app_mirrors_the_asgi_one() -> None:
    app = health_wsgi_app(checks=[HealthCheck("kafka", Counting(HealthStatus.FAILED))], admin=FakeAdmin())
    status, headers, body = call_wsgi(app, "/readyz")
    assert status == "503 Service Unavailable"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == "failed"
    assert call_wsgi(app, "/livez")[0] == "200 OK"
    assert call_wsgi(app, "/nope")[0] == "404 Not Found"


def test_bad_settings_fail_when_the_app_is_built() -> None:
    from kafka_client.errors import ConfigError

    with pytest.raises(ConfigError, match="bootstrap_servers"):
        health_asgi_app({"bootstrap_servers": []})


def test_settings_are_used_to_build_the_admin_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    app = health_wsgi_app(SETTINGS, checks=[Counting(HealthStatus.OK)])
    assert app.endpoint._admin is None
    assert app.endpoint.settings.bootstrap_servers == ["fake:9092"]
