"""Side-by-side benchmarks: this library against raw confluent-kafka, kafka-python, aiokafka and the
OpenTelemetry contrib instrumentation, on one real broker, in one run.

``uv run python -m benchmarks run`` (see ``--help`` and docs/performance.md). Each measurement runs in a
fresh interpreter (``python -m benchmarks child``), so imports, memory and threads never leak between
contenders; the package itself imports only the standard library until a contender needs its client.
"""
