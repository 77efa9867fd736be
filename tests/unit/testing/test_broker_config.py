"""The broker's server.properties, rendered from its layout."""

from __future__ import annotations

from pathlib import Path

from kafka_client.testing._broker_config import BrokerLayout, server_properties
from kafka_client.testing._certs import generate_pki


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_plain_single_node() -> None:
    layout = BrokerLayout(
        "127.0.0.1", 1, {"PLAINTEXT": 9092, "CONTROLLER": 9093}, "/data", {}, ("admin",), False, None
    )
    props = _props(server_properties(layout, {"num.partitions": "3"}))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert props["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["num.partitions"] == "3"  # overrides win
    assert "authorizer.class.name" not in props
    assert "sasl.enabled.mechanisms" not in props


def test_secured_listeners_authorizer_and_users(tmp_path: Path) -> None:
    pki = generate_pki(tmp_path, ["admin", "alice"])
    ports = {"PLAINTEXT": 1, "SASL_PLAINTEXT": 2, "SSL": 3, "SASL_SSL": 4, "CONTROLLER": 5}
    users = {"admin": "a-pw", "alice": "b-pw"}
    layout = BrokerLayout("127.0.0.1", 1, ports, "/d", users, ("admin", "ANONYMOUS"), True, pki)
    props = _props(server_properties(layout, {}))
    assert props["super.users"] == "User:admin;User:ANONYMOUS"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["sasl.enabled.mechanisms"] == "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"
    assert props["listener.name.sasl_ssl.plain.sasl.jaas.config"] == (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        'user_admin="a-pw" user_alice="b-pw";'
    )
    assert props["listener.name.ssl.ssl.client.auth"] == "required"
    assert props["ssl.keystore.location"] == str(pki.broker.bundle_file)
    assert props["ssl.truststore.location"] == str(pki.ca_file)


def test_pki_files_parse_and_chain(tmp_path: Path) -> None:
    import ssl

    pki = generate_pki(tmp_path, ["alice"])
    ctx = ssl.create_default_context(cafile=str(pki.ca_file))
    ctx.load_cert_chain(str(pki.clients["alice"].cert_file), str(pki.clients["alice"].key_file))
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pki.clients["alice"].cert_file.read_bytes())
    assert cert.subject.rfc4514_string() == "CN=alice,O=kafka-client test"
    broker = x509.load_pem_x509_certificate(pki.broker.cert_file.read_bytes())
    sans = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert oct(pki.clients["alice"].key_file.stat().st_mode & 0o777) == "0o600"
