"""The knobs of the generated rules and dashboards: SLOs, thresholds, durations, runbook links.

Every field has a generator flag (``python -m dashboards.generate --help``); the committed files use
the defaults. Per-group lag SLOs need no regeneration: see ``docs/dashboards/alerts.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Thresholds shared by the alert rules and the dashboards' colours.

    Attributes:
        lag_slo_seconds: default lag SLO; a group whose oldest unconsumed message is older alerts.
        lag_slo_for: how long the SLO must be broken before the alert fires.
        retention_headroom_ratio: alert when a lagging group's committed offset sits in the oldest
            this-share of the retained log (retention deletes from there first).
        delivery_failure_ratio: alert when this share of a producer's deliveries fails.
        rebalance_storm_count: alert when a consumer got this many assignments in 15 minutes.
        exporter_stale_seconds: alert when the exporter's last successful cycle is older.
        exporter_job: the Prometheus job scraping the exporter (for its ``up`` series).
        runbook_url_template: the ``runbook_url`` annotation, formatted with ``page`` and ``anchor``.
    """

    lag_slo_seconds: float = 300.0
    lag_slo_for: str = "10m"
    retention_headroom_ratio: float = 0.1
    delivery_failure_ratio: float = 0.01
    rebalance_storm_count: int = 6
    exporter_stale_seconds: float = 300.0
    exporter_job: str = "kafka-client-exporter"
    runbook_url_template: str = "docs/runbooks/{page}.md#{anchor}"


DEFAULTS = Options()
