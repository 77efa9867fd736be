"""The embedded broker's ``server.properties`` and log4j2 configuration, built from its options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kafka_client.testing._certs import TestPKI

SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# OAUTHBEARER is enabled too, with Kafka's unsecured JWT validator (development mode: any unsigned
# token with a ``sub`` claim and a future ``exp`` is accepted; ``sub`` becomes the principal).
ENABLED_SASL_MECHANISMS = (*SASL_MECHANISMS, "OAUTHBEARER")
_OAUTH_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
_OAUTH_UNSECURED_VALIDATOR = (
    "org.apache.kafka.common.security.oauthbearer.internals.unsecured."
    "OAuthBearerUnsecuredValidatorCallbackHandler"
)
_PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
_SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
# Certificates carry CN=<user>; map that to the principal User:<user>, the same name SASL gives.
_PRINCIPAL_RULES = r"RULE:^.*CN=([a-zA-Z0-9._-]+).*$/$1/,DEFAULT"


@dataclass(frozen=True)
class BrokerLayout:
    """Where the broker listens and keeps its files."""

    host: str
    node_id: int
    ports: Mapping[str, int]  # listener name -> port; always has PLAINTEXT and CONTROLLER
    data_dir: str
    users: Mapping[str, str]
    super_users: tuple[str, ...]
    authorizer: bool
    pki: TestPKI | None


def _escape(value: str) -> str:
    """Escape a value for a Java properties file."""
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def server_properties(layout: BrokerLayout, overrides: Mapping[str, str]) -> str:
    """Render ``server.properties`` for a single combined broker+controller KRaft node."""
    ports = layout.ports
    listeners = ",".join(f"{name}://{layout.host}:{port}" for name, port in ports.items())
    advertised = ",".join(
        f"{name}://{layout.host}:{port}" for name, port in ports.items() if name != "CONTROLLER"
    )
    protocol_map = ",".join(f"{name}:{'PLAINTEXT' if name == 'CONTROLLER' else name}" for name in ports)
    props: dict[str, str] = {
        "process.roles": "broker,controller",
        "node.id": str(layout.node_id),
        "controller.quorum.voters": f"{layout.node_id}@{layout.host}:{ports['CONTROLLER']}",
        "controller.listener.names": "CONTROLLER",
        "listeners": listeners,
        "advertised.listeners": advertised,
        "listener.security.protocol.map": protocol_map,
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": layout.data_dir,
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
        "delete.topic.enable": "true",
        "log.segment.bytes": str(64 * 1024 * 1024),
        "log.retention.check.interval.ms": "30000",
        "num.network.threads": "3",
        "num.io.threads": "4",
    }
    if layout.authorizer:
        props["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        props["super.users"] = ";".join(f"User:{u}" for u in layout.super_users)
        props["allow.everyone.if.no.acl.found"] = "false"
    sasl_listeners = [name for name in ports if name.startswith("SASL_")]
    if sasl_listeners:
        props["sasl.enabled.mechanisms"] = ",".join(ENABLED_SASL_MECHANISMS)
        plain_users = " ".join(f'user_{u}="{p}"' for u, p in layout.users.items())
        for name in sasl_listeners:
            prefix = f"listener.name.{name.lower()}"
            props[f"{prefix}.plain.sasl.jaas.config"] = f"{_PLAIN_MODULE} required {plain_users};"
            for mechanism in ("scram-sha-256", "scram-sha-512"):
                props[f"{prefix}.{mechanism}.sasl.jaas.config"] = f"{_SCRAM_MODULE} required;"
            props[f"{prefix}.oauthbearer.sasl.jaas.config"] = f"{_OAUTH_MODULE} required;"
            props[f"{prefix}.oauthbearer.sasl.server.callback.handler.class"] = _OAUTH_UNSECURED_VALIDATOR
    if layout.pki is not None:
        props.update(
            {
                "ssl.keystore.type": "PEM",
                "ssl.keystore.location": str(layout.pki.broker.bundle_file),
                "ssl.truststore.type": "PEM",
                "ssl.truststore.location": str(layout.pki.ca_file),
                "ssl.principal.mapping.rules": _PRINCIPAL_RULES,
                "ssl.endpoint.identification.algorithm": "https",
            }
        )
        if "SSL" in ports:
            props["listener.name.ssl.ssl.client.auth"] = "required"
    props.update(overrides)
    return "".join(f"{key}={_escape(value)}\n" for key, value in props.items())


LOG4J2_PROPERTIES = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.target = {target}
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = {level}
logger.apache.name = org.apache.kafka
logger.apache.level = {level}
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""
