"""kafka-top: a Textual terminal UI for Kafka on-call debugging (work in progress)."""
