"""Liveness and readiness endpoints for HTTP frameworks, as plain ASGI and WSGI apps (stdlib only).

Mount the app at any prefix: a path ending in ``livez``/``live`` answers liveness, one ending in
``readyz``/``ready``/``healthz``/``health`` (or the mount point itself) readiness. The body is the
report's JSON; the status is 200 when healthy enough, 503 otherwise.
"""

from __future__ import annotations

import asyncio
import http
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from kafka_client._settings_input import resolve_settings
from kafka_client.health._result import HealthReport, HealthStatus
from kafka_client.health._runner import CheckLike, run_checks, standard_checks

if TYPE_CHECKING:
    from kafka_client.admin import KafkaAdmin
    from kafka_client.config import KafkaClientSettings

__all__ = ["HealthASGIApp", "HealthEndpoint", "HealthWSGIApp", "health_asgi_app", "health_wsgi_app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

_LIVE = {"livez", "live", "liveness"}
_READY = {"readyz", "ready", "readiness", "healthz", "health", ""}


class HealthEndpoint:
    """The framework-neutral core: runs the checks for a probe, at most once per ``cache_s`` seconds.

    Readiness runs ``checks`` (default: the brokers check) and is ready unless a check failed
    (``degraded_is_ready=False`` makes degraded not ready too). Liveness runs ``liveness_checks``
    (default: none, so it answers 200 while the process serves requests: a Kafka outage should make a
    service unready, not get it restarted).
    """

    def __init__(
        self,
        settings: KafkaClientSettings | Mapping[str, Any] | None = None,
        *,
        checks: Sequence[CheckLike] | None = None,
        liveness_checks: Sequence[CheckLike] = (),
        degraded_is_ready: bool = True,
        cache_s: float = 5.0,
        timeout: float = 5.0,
        admin: KafkaAdmin | None = None,
        **overrides: Any,
    ) -> None:
        # Settings are resolved now, so a bad configuration fails at startup, not at the first probe.
        self.settings = resolve_settings(settings, overrides) if admin is None else admin.settings
        self.checks = list(checks) if checks is not None else standard_checks(timeout=timeout)
        self.liveness_checks = list(liveness_checks)
        self.degraded_is_ready = degraded_is_ready
        self.cache_s = cache_s
        self.timeout = timeout
        self._admin = admin
        self._owns_admin = admin is None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, HealthReport]] = {}

    def _client(self) -> KafkaAdmin:
        if self._admin is None:
            from kafka_client.admin import KafkaAdmin

            self._admin = KafkaAdmin(self.settings, timeout=self.timeout)
        return self._admin

    def _report(self, kind: str, checks: Sequence[CheckLike]) -> HealthReport:
        with self._lock:  # concurrent probes share one run
            cached = self._cache.get(kind)
            if cached is not None and time.monotonic() - cached[0] < self.cache_s:
                return cached[1]
            report = run_checks(checks, self._client()) if checks else HealthReport(())
            self._cache[kind] = (time.monotonic(), report)
            return report

    def readiness(self) -> HealthReport:
        return self._report("readiness", self.checks)

    def liveness(self) -> HealthReport:
        return self._report("liveness", self.liveness_checks)

    def healthy_enough(self, report: HealthReport) -> bool:
        status = report.status
        return status is HealthStatus.OK or (status is HealthStatus.DEGRADED and self.degraded_is_ready)

    def respond(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        """The status code and JSON body for a request."""
        if method not in ("GET", "HEAD"):
            return 405, {"error": f"method {method} not allowed; use GET"}
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last in _LIVE:
            report = self.liveness()
        elif last in _READY:
            report = self.readiness()
        else:
            return 404, {"error": f"no health endpoint at {path}; use /livez or /readyz"}
        return (200 if self.healthy_enough(report) else 503), report.to_dict()

    def close(self) -> None:
        if self._admin is not None and self._owns_admin:
            self._admin.close()
            self._admin = None


def _encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


class HealthASGIApp:
    """An ASGI app serving :class:`HealthEndpoint`; checks run in a worker thread, off the event loop."""

    def __init__(self, endpoint: HealthEndpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = str(scope.get("method", "GET"))
        code, body = await asyncio.to_thread(self.endpoint.respond, method, str(scope.get("path", "/")))
        payload = _encode(body)
        headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else payload})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.to_thread(self.endpoint.close)
                await send({"type": "lifespan.shutdown.complete"})
                return


class HealthWSGIApp:
    """A WSGI app serving :class:`HealthEndpoint`."""

    def __init__(self, endpoint: HealthEndpoint) -> None:
        self.endpoint = endpoint

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        code, body = self.endpoint.respond(method, str(environ.get("PATH_INFO", "/")))
        payload = _encode(body)
        start_response(
            f"{code} {http.HTTPStatus(code).phrase}",
            [
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
                ("Content-Length", str(len(payload))),
            ],
        )
        return [b"" if method == "HEAD" else payload]


def health_asgi_app(
    settings: KafkaClientSettings | Mapping[str, Any] | None = None, **options: Any
) -> HealthASGIApp:
    """An ASGI app answering ``/livez`` and ``/readyz`` (options: see :class:`HealthEndpoint`). ::

    app.mount("/health", health_asgi_app(bootstrap_servers="kafka:9092",
                                          checks=standard_checks(topics=["orders"])))
    """
    return HealthASGIApp(HealthEndpoint(settings, **options))


def health_wsgi_app(
    settings: KafkaClientSettings | Mapping[str, Any] | None = None, **options: Any
) -> HealthWSGIApp:
    """A WSGI app answering ``/livez`` and ``/readyz`` (options: see :class:`HealthEndpoint`)."""
    return HealthWSGIApp(HealthEndpoint(settings, **options))
