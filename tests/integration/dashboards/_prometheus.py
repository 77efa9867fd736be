"""A real Prometheus server (Debian's ``prometheus`` binary) on loopback, for the dashboard proof test."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from dashboards.generate import ROOT, RULES, SCRAPE_CONFIG


def binary(name: str) -> str:
    """The path of ``prometheus``/``promtool``; fails (never skips) when Debian's package is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: 'apt-get update && apt-get install -y prometheus' (see .ci/run)"
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def derived_config(targets: dict[str, str], scrape_interval: str = "1s") -> dict[str, Any]:
    """The shipped prometheus.yml with each job's targets replaced (job name -> host:port), the rule
    file made absolute and the intervals shortened; everything else (jobs, target labels) kept."""
    config: dict[str, Any] = yaml.safe_load((ROOT / SCRAPE_CONFIG).read_text(encoding="utf-8"))
    config["global"].update(
        scrape_interval=scrape_interval, scrape_timeout=scrape_interval, evaluation_interval=scrape_interval
    )
    config["rule_files"] = [str(ROOT / RULES)]
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == set(targets), f"the shipped scrape config has jobs {sorted(jobs)}"
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            static["targets"] = [targets[job["job_name"]]]
    return config


class PrometheusServer:
    """``prometheus`` running on a free loopback port with ``config``; stop it with :meth:`stop`."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        self.config_file = workdir / "prometheus.yml"
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        self.port = free_port()
        self.log = (workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={self.config_file}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def api(self, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:  # a bad query: name it and Prometheus' reason
            raise AssertionError(f"{path} {params}: {exc.code} {exc.read().decode()}") from exc
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant query's result vector (scalars come back as a one-element list)."""
        data = self.api("query", query=expr)
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": data["result"]}]
        return list(data["result"])

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"prometheus exited: {self.config_file.parent}/prometheus.log"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "prometheus never became ready"
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def has_real_value(result: list[dict[str, Any]]) -> bool:
    """At least one sample that is a number (NaN, e.g. a quantile of no events, is not data)."""
    return any(not math.isnan(float(item["value"][1])) for item in result)
