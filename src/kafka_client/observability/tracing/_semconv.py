"""OpenTelemetry messaging semantic-convention names used by the spans (v1.27+ names).

Kept here as plain strings: ``opentelemetry-semantic-conventions`` is not a dependency of the library.
"""

from __future__ import annotations

MESSAGING_SYSTEM = "messaging.system"
MESSAGING_OPERATION_TYPE = "messaging.operation.type"
MESSAGING_OPERATION_NAME = "messaging.operation.name"
MESSAGING_DESTINATION_NAME = "messaging.destination.name"
MESSAGING_DESTINATION_PARTITION_ID = "messaging.destination.partition.id"
MESSAGING_CLIENT_ID = "messaging.client.id"
MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name"
MESSAGING_KAFKA_OFFSET = "messaging.kafka.offset"
MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
ERROR_TYPE = "error.type"

KAFKA = "kafka"
SEND = "send"
PROCESS = "process"
