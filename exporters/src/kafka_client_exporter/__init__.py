"""Prometheus exporter daemon for Kafka consumer lag and cluster health (work in progress)."""
