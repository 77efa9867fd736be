"""The HTTP endpoints: ``/metrics`` (the cached exposition), ``/healthz`` and ``/readyz`` (JSON).

A scrape never waits on Kafka: it serves the bytes rendered after the last collection cycle (gzip
when the scraper accepts it, as Prometheus does).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kafka_client_exporter._render import Exposition

__all__ = ["MetricsServer"]

_log = logging.getLogger("kafka_client_exporter")

Probe = Callable[[], tuple[bool, dict[str, Any]]]

_INDEX = b"""<html><head><title>kafka-client-exporter</title></head><body>
<h1>kafka-client-exporter</h1>
<ul><li><a href="/metrics">/metrics</a></li><li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li></ul></body></html>
"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], exposition: Exposition, liveness: Probe, readiness: Probe
    ) -> None:
        super().__init__(address, _Handler)
        self.exposition = exposition
        self.liveness = liveness
        self.readiness = readiness


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/metrics":
            gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
            exposition = self.server.exposition
            chunks = (exposition.render_gzip(),) if gzipped else exposition.chunks()
            extra = {"Content-Encoding": "gzip"} if gzipped else {}
            self._send(HTTPStatus.OK, chunks, Exposition.CONTENT_TYPE, extra, head)
        elif path in ("/healthz", "/readyz"):
            probe = self.server.liveness if path == "/healthz" else self.server.readiness
            ok, details = probe()
            body = json.dumps({"status": "ok" if ok else "fail", **details}, sort_keys=True).encode()
            status = HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE
            self._send(status, (body,), "application/json", {}, head)
        elif path == "/":
            self._send(HTTPStatus.OK, (_INDEX,), "text/html; charset=utf-8", {}, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, (b"not found: try /metrics\n",), "text/plain", {}, head)

    def _send(
        self,
        status: HTTPStatus,
        body: tuple[bytes, ...],
        content_type: str,
        headers: dict[str, str],
        head: bool,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(sum(len(chunk) for chunk in body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.writelines(body)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("http: " + format, *args)


class MetricsServer:
    """The HTTP server, serving in a daemon thread until :meth:`stop`."""

    def __init__(
        self, host: str, port: int, exposition: Exposition, liveness: Probe, readiness: Probe
    ) -> None:
        self._server = _Server((host, port), exposition, liveness, readiness)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kafka-client-exporter-http", daemon=True
        )

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()
        _log.info("serving /metrics on port %d", self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
