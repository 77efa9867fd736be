"""The HTTP endpoints, over a real socket: cached exposition, gzip, probes, unknown paths."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from kafka_client_exporter import metric_names as m
from kafka_client_exporter._http import MetricsServer
from kafka_client_exporter._render import Exposition, SeriesWriter

State = dict[str, Any]


@pytest.fixture
def state() -> State:
    return {"ready": False}


@pytest.fixture
def server(state: State) -> Iterator[MetricsServer]:
    exposition = Exposition(m.KAFKA_EXPORTER_PROFILE)
    writer = SeriesWriter(exposition.profile)
    writer.add(m.BROKERS, ("c1",), 3)
    exposition.update("c1", writer)
    metrics_server = MetricsServer(
        "127.0.0.1",
        0,
        exposition,
        liveness=lambda: (True, {"clusters": {}}),
        readiness=lambda: (state["ready"], {"clusters": {"c1": {"cycles": 0}}}),
    )
    metrics_server.start()
    yield metrics_server
    metrics_server.stop()


def get(
    server: MetricsServer, path: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_metrics(server: MetricsServer) -> None:
    status, headers, body = get(server, "/metrics")
    assert status == 200
    assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b'kafka_brokers{cluster="c1"} 3' in body
    status, headers, zipped = get(server, "/metrics", **{"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == body
    status, headers, empty = get(server, "/metrics", method="HEAD")
    assert (status, empty, int(headers["content-length"])) == (200, b"", len(body))


def test_probes(server: MetricsServer, state: State) -> None:
    status, _headers, body = get(server, "/healthz")
    assert (status, json.loads(body)["status"]) == (200, "ok")
    status, _headers, body = get(server, "/readyz")
    assert (status, json.loads(body)["status"]) == (503, "fail")
    state["ready"] = True
    assert get(server, "/readyz/")[0] == 200


def test_index_and_unknown_paths(server: MetricsServer) -> None:
    assert b"/metrics" in get(server, "/")[2]
    assert get(server, "/nope")[0] == 404
    assert get(server, "/metrics?name[]=x")[0] == 200
