"""Serving the process's kafka_client metrics: an HTTP server, an ASGI app and a WSGI app.

All three serve :data:`PROCESS_REGISTRY`, which holds only the process collector (every live client);
add prometheus_client's own collectors to it, or register ``PROCESS_COLLECTOR`` in your registry instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from prometheus_client import make_asgi_app, make_wsgi_app, start_http_server
from prometheus_client.registry import CollectorRegistry

from kafka_client.observability.metrics._collector import PROCESS_COLLECTOR

#: The registry the process-wide exposition serves: the metrics of every client in the process.
PROCESS_REGISTRY = CollectorRegistry(auto_describe=False)
PROCESS_REGISTRY.register(PROCESS_COLLECTOR)


@dataclass
class MetricsServer:
    """A running metrics HTTP server (a daemon thread). ``port`` is the bound port (useful with port 0)."""

    port: int
    address: str
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/metrics"

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_metrics_server(
    port: int, addr: str = "127.0.0.1", *, registry: CollectorRegistry | None = None
) -> MetricsServer:
    """Serve every client's metrics at ``http://addr:port/metrics`` from a daemon thread.

    ``port=0`` picks a free port (read it from the result's ``port``). The default address is loopback;
    pass ``"0.0.0.0"`` for Prometheus on another host. ``registry`` serves another registry instead.

    >>> server = start_metrics_server(9464)  # doctest: +SKIP
    """
    server, thread = start_http_server(port, addr, registry=registry or PROCESS_REGISTRY)
    return MetricsServer(int(server.server_address[1]), addr, server, thread)


def metrics_app(registry: CollectorRegistry | None = None) -> Callable[..., Any]:
    """An ASGI app serving every client's metrics: ``app.mount("/metrics", metrics_app())`` (Starlette,
    FastAPI)."""
    return make_asgi_app(registry or PROCESS_REGISTRY)


def metrics_wsgi_app(registry: CollectorRegistry | None = None) -> Callable[..., Any]:
    """A WSGI app serving every client's metrics (Flask, Django: mount it with a dispatcher middleware)."""
    return make_wsgi_app(registry or PROCESS_REGISTRY)
