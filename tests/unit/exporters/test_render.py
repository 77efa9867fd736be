"""The text exposition: value and label formatting, one header per metric across clusters, profiles."""

from __future__ import annotations

import gzip
import math

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kafka_client_exporter import metric_names as m
from kafka_client_exporter._render import Exposition, SeriesWriter, escape_label_value, format_value


@pytest.mark.parametrize(
    ("value", "text"),
    [(5, "5"), (5.0, "5"), (0.25, "0.25"), (-3, "-3"), (math.inf, "+Inf"), (-math.inf, "-Inf"), (True, "1")],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text


def test_nan_and_large_floats() -> None:
    assert format_value(math.nan) == "NaN"
    assert format_value(1e300) == "1e+300"


def test_label_values_are_escaped() -> None:
    assert escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert escape_label_value("plain") == "plain"


def test_clusters_share_one_header_per_metric() -> None:
    exposition = Exposition(m.KAFKA_EXPORTER_PROFILE)
    for cluster in ("b", "a"):
        writer = SeriesWriter(exposition.profile)
        writer.add(m.BROKERS, (cluster,), 3)
        writer.add(m.CONSUMERGROUP_LAG, (cluster, 'odd"group', "t", 0), 7)
        exposition.update(cluster, writer)
    text = exposition.render().decode()
    assert text.count("# TYPE kafka_brokers gauge") == 1
    assert text.index('kafka_brokers{cluster="a"}') < text.index('kafka_brokers{cluster="b"}')
    families = {f.name: f for f in text_string_to_metric_families(text)}
    lags = families["kafka_consumergroup_lag"].samples
    assert {s.labels["cluster"] for s in lags} == {"a", "b"}
    assert lags[0].labels["consumergroup"] == 'odd"group'
    assert gzip.decompress(exposition.render_gzip()) == exposition.render()
    exposition.remove("b")
    assert 'cluster="b"' not in exposition.render().decode()


def test_render_is_cached_until_an_update() -> None:
    exposition = Exposition(m.KAFKA_EXPORTER_PROFILE)
    writer = SeriesWriter(exposition.profile)
    writer.add(m.BROKERS, ("a",), 1)
    exposition.update("a", writer)
    first = exposition.render()
    assert exposition.chunks() is exposition.chunks()
    writer = SeriesWriter(exposition.profile)
    writer.add(m.BROKERS, ("a",), 2)
    exposition.update("a", writer)
    assert exposition.render() != first


def test_kafka_lag_exporter_profile_renames_metrics_labels_and_units() -> None:
    profile = m.KAFKA_LAG_EXPORTER_PROFILE
    writer = SeriesWriter(profile)
    writer.add(m.CONSUMERGROUP_LAG, ("prod", "billing", "orders", 1), 12)
    writer.add(m.EXPORTER_CYCLE_DURATION, ("prod",), 0.25)
    writer.add(m.CONSUMERGROUP_GROUP_MAX_LAG, ("prod", "billing"), 12)
    exposition = Exposition(profile)
    exposition.update("prod", writer)
    text = exposition.render().decode()
    assert (
        'kafka_consumergroup_group_lag{cluster_name="prod",group="billing",topic="orders",partition="1"} 12'
        in text
    )
    assert 'kafka_consumergroup_poll_time_ms{cluster_name="prod"} 250' in text
    assert "# TYPE kafka_consumergroup_group_max_lag gauge" in text


def test_histogram_lines_and_extra_labels() -> None:
    writer = SeriesWriter(m.KAFKA_EXPORTER_PROFILE)
    name = m.EXPORTER_REQUEST_DURATION
    writer.add(name, ("a", "list_groups"), 1, suffix="_bucket", extra=(("le", "0.1"),))
    writer.add(name, ("a", "list_groups"), 1, suffix="_bucket", extra=(("le", "+Inf"),))
    writer.add(name, ("a", "list_groups"), 0.05, suffix="_sum")
    writer.add(name, ("a", "list_groups"), 1, suffix="_count")
    exposition = Exposition(writer.profile)
    exposition.update("a", writer)
    (family,) = text_string_to_metric_families(exposition.render().decode())
    assert family.type == "histogram"
    assert len(family.samples) == 4


def test_every_spec_is_consistent() -> None:
    for name, spec in m.METRICS.items():
        assert spec.name == name
        assert name.startswith("kafka_")
        assert (spec.kind == "counter") == name.endswith("_total")
        assert spec.labels[:1] == ("cluster",) or name == m.EXPORTER_BUILD_INFO
        assert spec.help.endswith(".")


def test_writer_rejects_a_wrong_label_count() -> None:
    with pytest.raises(ValueError, match=r"shorter|longer"):
        SeriesWriter(m.KAFKA_EXPORTER_PROFILE).add(m.BROKERS, ("a", "extra"), 1)


def test_sink_lines_equal_add_lines_and_rollback_takes_them_back() -> None:
    written = SeriesWriter(m.KAFKA_EXPORTER_PROFILE)
    written.add(m.CONSUMERGROUP_LAG, ("c", "g", "t", 0), 7)
    fast = SeriesWriter(m.KAFKA_EXPORTER_PROFILE)
    prefix, lines = fast.sink(m.CONSUMERGROUP_LAG)
    lines.append(f"{prefix}{fast.body(m.CONSUMERGROUP_LAG, ('c', 'g', 't', 0))}}} 7\n")
    fast.count += 1
    assert fast.freeze().blocks == written.freeze().blocks
    assert (
        fast.blocks[m.CONSUMERGROUP_LAG]
        == b'kafka_consumergroup_lag{cluster="c",consumergroup="g",topic="t",partition="0"} 7\n'
    )
    with pytest.raises(ValueError, match="scaled"):
        SeriesWriter(m.KAFKA_LAG_EXPORTER_PROFILE).sink(m.EXPORTER_CYCLE_DURATION)

    writer = SeriesWriter(m.KAFKA_EXPORTER_PROFILE)
    writer.add(m.BROKERS, ("c",), 1)
    mark = writer.mark([m.BROKERS, m.CONSUMERGROUP_LAG])
    writer.add(m.BROKERS, ("d",), 2)
    writer.add(m.CONSUMERGROUP_LAG, ("c", "g", "t", 0), 7)
    assert writer.rollback(mark) == 2
    assert writer.count == 1
    assert writer.freeze().blocks == {m.BROKERS: b'kafka_brokers{cluster="c"} 1\n'}


def test_prerender_caches_the_text_and_its_gzip() -> None:
    exposition = Exposition(m.KAFKA_EXPORTER_PROFILE)
    writer = SeriesWriter(exposition.profile)
    writer.add(m.BROKERS, ("a",), 1)
    exposition.update("a", writer)
    exposition.prerender()
    text = exposition.render()
    assert text == (
        b"# HELP kafka_brokers Number of brokers in the cluster.\n"
        b"# TYPE kafka_brokers gauge\n"
        b'kafka_brokers{cluster="a"} 1\n'
    )
    assert exposition.chunks() is exposition.chunks()
    assert gzip.decompress(exposition.render_gzip()) == text
    assert exposition.render_gzip() is exposition.render_gzip()
    writer = SeriesWriter(exposition.profile)
    writer.add(m.BROKERS, ("a",), 2)
    exposition.update("a", writer)  # not prerendered: a scrape renders the new series itself
    assert exposition.render().endswith(b'kafka_brokers{cluster="a"} 2\n')
    assert gzip.decompress(exposition.render_gzip()).endswith(b'kafka_brokers{cluster="a"} 2\n')
