"""The Prometheus scrape configuration shipped with the dashboards (used as-is by docker-compose.yml).

Two jobs: the exporter (it sets ``cluster`` on every series itself) and the applications serving the
library's metrics (``start_metrics_server``), which get ``cluster`` as a target label so the client
dashboards' cluster variable works. Edit the targets for your deployment, or copy the jobs.
"""

from __future__ import annotations

from typing import Any

from dashboards._options import Options

APPS_JOB = "kafka-client-apps"


def render_scrape_config(options: Options) -> dict[str, Any]:
    """prometheus.yml: 30 s scrapes (the alerts' ``for:`` durations assume 30-60 s), the rules loaded."""
    return {
        "global": {"scrape_interval": "30s", "scrape_timeout": "25s", "evaluation_interval": "30s"},
        "rule_files": ["kafka-client.rules.yml"],
        "scrape_configs": [
            {
                "job_name": options.exporter_job,
                "static_configs": [{"targets": ["kafka-client-exporter:9308"]}],
            },
            {
                "job_name": APPS_JOB,
                "static_configs": [
                    {"targets": ["host.docker.internal:9464"], "labels": {"cluster": "local"}},
                ],
            },
        ],
    }
