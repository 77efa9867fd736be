"""kafka_client."""
