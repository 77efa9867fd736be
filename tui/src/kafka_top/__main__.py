"""``python -m kafka_top``: the same as the ``kafka-top`` command."""

from kafka_top.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
