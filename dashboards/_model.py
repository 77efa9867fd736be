"""The small Grafana JSON model the dashboards are built from: selectors, targets, panels, variables.

Plain typed code instead of a templating language: every PromQL selector is built by :class:`Scope`,
which adds the dashboard's variable matchers (``job``, ``instance``, ``cluster`` always; ``consumergroup``,
``topic``, ``client_id`` when the metric carries that label), so no query can forget one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka_client.observability.metrics import metric_families
from kafka_client_exporter.metric_names import METRICS as EXPORTER_METRICS

#: The library's metric families by name (type, labels), as the library exports them.
LIBRARY_FAMILIES = metric_families()

#: ``$__rate_interval``: Grafana's range for rate() that always spans at least four scrapes.
RATE = "$__rate_interval"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
#: Labels the scrape adds to every series (``cluster`` is a target label for client metrics).
TARGET_LABELS = ("job", "instance", "cluster")


def metric_labels(name: str) -> tuple[str, ...]:
    """The label names a metric (or a histogram's ``_bucket``/``_sum``/``_count`` series) carries."""
    for suffix in ("", "_bucket", "_sum", "_count"):
        base = name.removesuffix(suffix) if suffix else name
        if suffix and base == name:
            continue
        if base in EXPORTER_METRICS:
            return EXPORTER_METRICS[base].labels + (("le",) if suffix == "_bucket" else ())
        if base in LIBRARY_FAMILIES:
            return LIBRARY_FAMILIES[base].labels + (("le",) if suffix == "_bucket" else ())
    raise KeyError(f"{name!r} is neither a library nor an exporter metric; import its name constant")


def metric_kind(name: str) -> str:
    """``counter``, ``gauge`` or ``histogram`` (for a histogram's series too), from the owners' specs."""
    for suffix in ("", "_bucket", "_sum", "_count"):
        base = name.removesuffix(suffix) if suffix else name
        if suffix and base == name:
            continue
        if base in EXPORTER_METRICS:
            return EXPORTER_METRICS[base].kind
        if base in LIBRARY_FAMILIES:
            return LIBRARY_FAMILIES[base].kind
    raise KeyError(name)


@dataclass(frozen=True)
class Scope:
    """How one dashboard filters: which metric label each multi-select variable matches.

    ``labels`` maps a metric label to the variable that filters it, e.g. ``{"consumergroup": "group"}``;
    the target labels (job, instance, cluster) are always matched.
    """

    labels: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, metric: str, **fixed: str) -> str:
        """``metric{job=~"$job",...}``: the selector with every applicable variable and fixed matchers."""
        own = metric_labels(metric)
        matchers = [f'{label}=~"${label}"' for label in TARGET_LABELS]
        matchers += [f'{label}=~"${var}"' for label, var in self.labels.items() if label in own]
        for label, value in fixed.items():
            if label not in own:
                raise KeyError(f"{metric} has no label {label!r}")
            matchers.append(f'{label}="{value}"')
        return f"{metric}{{{','.join(matchers)}}}"

    def rate(self, metric: str, function: str = "rate", **fixed: str) -> str:
        """``rate(selector[$__rate_interval])`` (or ``increase``/``deriv``)."""
        return f"{function}({self(metric, **fixed)}[{RATE}])"


@dataclass(frozen=True)
class Target:
    """One query of a panel; ``legend`` is Grafana's legendFormat, ``instant`` for tables and stats."""

    expr: str
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True)
class Panel:
    """A panel: every one has a title, a description (what it shows, what red means) and a unit."""

    title: str
    description: str
    unit: str
    targets: Sequence[Target]
    kind: str = "timeseries"
    width: int = 12
    height: int = 8
    thresholds: Sequence[tuple[float | None, str]] = ((None, "green"),)
    mappings: Sequence[Mapping[str, Any]] = ()
    overrides: Sequence[Mapping[str, Any]] = ()
    no_value: str | None = None
    stacking: bool = False


@dataclass(frozen=True)
class Row:
    """A titled group of panels, laid out left to right, wrapping at Grafana's 24 columns."""

    title: str
    panels: Sequence[Panel]


@dataclass(frozen=True)
class Variable:
    """A query variable: multi-select with All (regex ``all_value``), refreshed on time-range change."""

    name: str
    label: str
    query: str
    all_value: str = ".+"


@dataclass(frozen=True)
class Dashboard:
    """A whole dashboard; :func:`render_dashboard` turns it into Grafana's JSON model."""

    uid: str
    title: str
    description: str
    tags: Sequence[str]
    variables: Sequence[Variable]
    rows: Sequence[Row]


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "unit": panel.unit,
        "thresholds": {
            "mode": "absolute",
            "steps": [{"color": color, "value": value} for value, color in panel.thresholds],
        },
        "mappings": list(panel.mappings),
    }
    if panel.no_value is not None:
        defaults["noValue"] = panel.no_value
    if panel.kind == "timeseries":
        defaults["custom"] = {
            "drawStyle": "line",
            "lineWidth": 1,
            "fillOpacity": 10,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if panel.stacking else "none", "group": "A"},
            # the thresholds are what "red" means: draw them when there are any
            "thresholdsStyle": {"mode": "dashed" if len(panel.thresholds) > 1 else "off"},
        }
    options: dict[str, Any]
    if panel.kind == "stat":
        options = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "none",
            "textMode": "auto",
            "justifyMode": "auto",
            "orientation": "auto",
        }
    elif panel.kind == "table":
        options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False}}
    else:
        options = {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    targets = []
    for index, target in enumerate(panel.targets):
        item: dict[str, Any] = {
            "datasource": DATASOURCE,
            "refId": chr(ord("A") + index),
            "expr": target.expr,
            "legendFormat": target.legend or "__auto",
            "range": not target.instant,
            "instant": target.instant,
        }
        if panel.kind == "table":
            item["format"] = "table"
        targets.append(item)
    out: dict[str, Any] = {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {"defaults": defaults, "overrides": list(panel.overrides)},
        "options": options,
        "targets": targets,
    }
    if panel.kind == "table":
        out["transformations"] = [{"id": "merge", "options": {}}]
    return out


def _variable_json(variable: Variable) -> dict[str, Any]:
    return {
        "name": variable.name,
        "label": variable.label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": variable.query,
        "query": {"query": variable.query, "refId": f"{variable.name}-variable"},
        "multi": True,
        "includeAll": True,
        "allValue": variable.all_value,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "refresh": 2,  # on time range change
        "sort": 1,
        "regex": "",
        "hide": 0,
    }


def render_dashboard(dashboard: Dashboard) -> dict[str, Any]:
    """Grafana's dashboard JSON model (schema 39) for ``dashboard``, panels laid out in rows."""
    panels: list[dict[str, Any]] = []
    panel_id = 1
    y = 0
    for row in dashboard.rows:
        panels.append(
            {
                "id": panel_id,
                "type": "row",
                "title": row.title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        panel_id += 1
        y += 1
        x = 0
        line_height = 0
        for panel in row.panels:
            if x + panel.width > 24:
                x, y, line_height = 0, y + line_height, 0
            panels.append(_panel_json(panel, panel_id, x, y))
            panel_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    datasource_variable = {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "refresh": 1,
        "regex": "",
        "hide": 0,
    }
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "description": dashboard.description,
        "tags": list(dashboard.tags),
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "timezone": "",
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": [datasource_variable, *(_variable_json(v) for v in dashboard.variables)]},
        "panels": panels,
    }


def target_variables(anchor: str, cluster_all: str = ".+") -> list[Variable]:
    """``job``, ``instance`` and ``cluster`` chained from ``anchor``, a metric every target exposes.

    ``cluster_all``: the regex "All" stands for; ``.*`` where the label comes from the scrape config
    and may be missing (client metrics), ``.+`` where the exporter always sets it.
    """
    cluster_query = f'label_values({anchor}{{job=~"$job",instance=~"$instance"}}, cluster)'
    return [
        Variable("job", "Job", f"label_values({anchor}, job)"),
        Variable("instance", "Instance", f'label_values({anchor}{{job=~"$job"}}, instance)'),
        Variable("cluster", "Cluster", cluster_query, all_value=cluster_all),
    ]


def red_above(limit: float, warn: float | None = None) -> tuple[tuple[float | None, str], ...]:
    """Thresholds: green, orange from ``warn`` (when given), red from ``limit``."""
    steps: list[tuple[float | None, str]] = [(None, "green")]
    if warn is not None:
        steps.append((warn, "orange"))
    steps.append((limit, "red"))
    return tuple(steps)
