"""Refused TLS handshakes and SASL logins on the kafka-python backend: typed, explained and fast.

kafka-python 3 retries a broker's refusal like any network error. Creating a client keeps bootstrapping
until its 30 s ``bootstrap_timeout_ms`` runs out and raises ``KafkaTimeoutError``; OpenSSL's reason (an
expired certificate, one for another host, an unknown CA) or the broker's SASL error is only in its log.

:class:`RefusalWatch` sees the outcome of every connection attempt instead: kafka-python builds its network
client through a factory it takes as configuration (``kafka_client``), so the watch wraps the one
connection manager it builds, and adds a callback to each new connection's ``init_future`` (failed with the
handshake's or the login's exception, or succeeded). With that:

- while the client bootstraps, once every bootstrap server has refused it the same way
  :data:`REFUSALS_TO_GIVE_UP` times (other failures in between, a dropped connection say, neither count
  nor reset), the next attempt raises the refusal (a :class:`TLSError` or an
  :class:`AuthenticationError`, not retriable) out of kafka-python's bootstrap, so creating the client
  fails within a fraction of a second, naming the cause and the fix;
- afterwards (a broker learnt of from the metadata refuses), each refusal goes to ``on_error``, as the
  confluent backend's error callback reports it.

On kafka-python 2.x (no connection manager) the watch does nothing and the client behaves as before.
"""

from __future__ import annotations

import contextlib
import logging
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kafka_client.backends._confluent_errors import tls_detail
from kafka_client.errors import AuthenticationError, KafkaClientError, TLSError

__all__ = ["REFUSALS_TO_GIVE_UP", "RefusalWatch", "dropped_login", "refusal"]

REFUSALS_TO_GIVE_UP = 2
"""Identical refusals from every bootstrap server before creating a client gives up. One would do
for a certificate, but a broker that is just being given a new certificate, or a SCRAM user created a
moment ago, may refuse once; the second attempt comes after kafka-python's 50-100 ms reconnect backoff."""

_log = logging.getLogger("kafka_client.backends.kafka_python")

# OpenSSL's X509_V_ERR_* codes for a refused broker certificate, and what to do about each.
_NOT_YET_VALID, _EXPIRED, _REVOKED = 9, 10, 23
_UNTRUSTED = {2, 18, 19, 20, 21}  # no issuer in ca_file, self-signed, cannot verify the first certificate
_NAME_MISMATCH = {62, 64}  # host name, IP address
_SSL_CODE = re.compile(r"^\[[A-Z0-9_]+: [A-Z0-9_]+\]\s*")  # "[SSL: SSLV3_ALERT_CERTIFICATE_UNKNOWN] "
_SSL_SOURCE = re.compile(r"\s*\(_ssl\.c:\d+\)$")  # " (_ssl.c:2580)"


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind a kafka-python connection error: its context (``Handshake failed: ...``,
    raised while handling it) or its argument (a TLS alert received after the handshake)."""
    for candidate in (exc, exc.__cause__, exc.__context__, *getattr(exc, "args", ())):
        if isinstance(candidate, ssl.SSLError):
            return candidate
    return None


def _openssl_text(error: ssl.SSLError) -> str:
    """OpenSSL's words without Python's decoration: ``sslv3 alert certificate unknown``."""
    text = str(error.args[1] if len(error.args) > 1 else error)
    return _SSL_SOURCE.sub("", _SSL_CODE.sub("", text))


def _broker_certificate_detail(error: ssl.SSLCertVerificationError, host: str, ca_file: str | None) -> str:
    code = error.verify_code
    if code == _EXPIRED:
        return "the broker's certificate has expired: renew it (the broker's ssl.keystore.location)"
    if code == _NOT_YET_VALID:
        return "the broker's certificate is not valid yet: check the clocks of the broker and of this host"
    if code in _NAME_MISMATCH:
        return (
            f"the broker's certificate does not list {host}, the host name the client connected to: connect "
            "to a name it lists (bootstrap_servers, and the brokers' advertised.listeners), or reissue it "
            f"with {host}; security.tls.check_hostname: false skips this check, and lets any certificate "
            "from the same CA stand in for the broker"
        )
    if code in _UNTRUSTED:
        trusted = f"a CA in security.tls.ca_file ({ca_file})" if ca_file else "a CA this host trusts"
        return (
            f"the broker's certificate was not signed by {trusted}: set security.tls.ca_file to the CA that "
            "signed it"
        )
    if code == _REVOKED:
        return "the broker's certificate has been revoked: the broker needs a new one"
    return "the broker's certificate was refused: fix it, or security.tls.ca_file"


def refusal(
    exc: BaseException, what: str, address: str, host: str, config: Mapping[str, Any]
) -> KafkaClientError | None:
    """The typed error for a connection attempt that failed with ``exc``, if retrying cannot help.

    A TLS handshake whose certificate check failed (either side) is a :class:`TLSError`; a refused SASL
    login an :class:`AuthenticationError`; anything else (a refused or dropped connection, a timeout)
    is None, left to kafka-python's retries.
    """
    found = _ssl_error(exc)
    if isinstance(found, ssl.SSLCertVerificationError):
        reason = f"certificate verify failed: {found.verify_message}"
        detail = _broker_certificate_detail(found, host, config.get("ssl_cafile"))
        return _typed(TLSError, f"{what}: the TLS handshake with {address} failed: {reason}", found, detail)
    if found is not None:
        reason = _openssl_text(found)
        detail = tls_detail(reason).removeprefix("; ") if "alert" in reason.lower() else ""
        if not detail:
            return None  # a TLS error that is not about a certificate: a plaintext port, say
        return _typed(TLSError, f"{what}: the TLS handshake with {address} failed: {reason}", found, detail)
    name = type(exc).__name__
    if name in ("SaslAuthenticationFailedError", "UnsupportedSaslMechanismError"):
        said = str(exc.args[0]) if exc.args else str(exc)
        said = said.removeprefix(f"{name}: ")
        detail = (
            _sasl_detail(config)
            if name == "SaslAuthenticationFailedError"
            else "set security.sasl.mechanism to one the listener enables"
        )
        return _typed(
            AuthenticationError, f"{what}: SASL authentication with {address} failed: {said}", exc, detail
        )
    return None


def _sasl_detail(config: Mapping[str, Any]) -> str:
    return (
        f"the broker refused the SASL login (security.sasl, mechanism {config.get('sasl_mechanism')}): fix "
        "the username and password (or the token), or create the user on the broker"
    )


def dropped_login(exc: BaseException, what: str, address: str, config: Mapping[str, Any]) -> KafkaClientError:
    """The broker closed the connection in the middle of the SASL login. It does so right after its answer
    to a refused login, and kafka-python drops an answer that arrives together with the close (it reports
    only ``socket disconnected``), so this counts as the refusal it most likely was."""
    return _typed(
        AuthenticationError,
        f"{what}: SASL authentication with {address} failed: the broker closed the connection during the "
        "login",
        exc,
        _sasl_detail(config),
    )


def _typed(cls: type[KafkaClientError], text: str, cause: BaseException, detail: str) -> KafkaClientError:
    error = cls(f"{text} [{type(cause).__name__}]; {detail}")
    error.retriable = False
    error.code = type(cause).__name__  # type: ignore[attr-defined]
    error.__cause__ = cause
    return error


def _mark_login(conn: Any) -> None:
    """Mark ``conn`` once its SASL login starts, so a close during the login can be told from one before it.

    kafka-python's connection runs ApiVersions, then ``_sasl_authenticate`` (on SASL listeners), and fails
    its ``init_future`` with whatever stopped it; this wraps that method on the one connection object.
    """
    native = getattr(conn, "_sasl_authenticate", None)
    if native is None or not callable(native):
        return

    async def logging_in(*args: Any, **kwargs: Any) -> Any:
        conn._kafka_client_logging_in = True
        return await native(*args, **kwargs)

    conn._sasl_authenticate = logging_in


class RefusalWatch:
    """Watches one kafka-python client's connection attempts (see the module's docstring).

    ``role`` is ``producer`` or ``consumer``; ``on_error`` hears the refusals met after bootstrap (from
    kafka-python's I/O thread). Pass :meth:`client_factory` as the client's ``kafka_client``.
    """

    def __init__(
        self,
        role: str,
        config: Mapping[str, Any],
        native_factory: Callable[..., Any],
        on_error: Callable[[KafkaClientError], None] | None,
    ) -> None:
        self._role = role
        self._config = config
        self._native_factory = native_factory
        self._on_error = on_error
        self._lock = threading.Lock()
        self._streaks: dict[Any, tuple[str, int, KafkaClientError]] = {}
        self.client: Any = None
        self.gave_up: KafkaClientError | None = None

    def client_factory(self, **configs: Any) -> Any:
        """Build kafka-python's network client as it would, and watch its connection manager."""
        self.client = self._native_factory(**configs)
        manager = getattr(self.client, "_manager", None)
        if manager is not None and callable(getattr(manager, "get_connection", None)):
            self._watch(manager)
        return self.client

    def _watch(self, manager: Any) -> None:
        native_get_connection = manager.get_connection

        def get_connection(node_id: Any, *args: Any, **kwargs: Any) -> Any:
            if (
                self.gave_up is not None
                and not manager.bootstrapped
                and manager.cluster.is_bootstrap(node_id)
            ):
                raise self.gave_up  # out of kafka-python's bootstrap loop, which retries only NodeNotReady
            conn = native_get_connection(node_id, *args, **kwargs)
            if getattr(conn, "_kafka_client_watched", False):  # the connection already open or opening
                return conn
            with contextlib.suppress(AttributeError):  # a connection object of another kind: not watched
                conn._kafka_client_watched = True
                conn.init_future.add_errback(lambda exc: self._failed(manager, node_id, conn, exc))
                _mark_login(conn)
            return conn

        # An attribute of this one manager instance: other clients in the process are not touched.
        manager.get_connection = get_connection

    def _failed(self, manager: Any, node_id: Any, conn: Any, exc: BaseException) -> None:
        try:
            node = manager.cluster.broker_metadata(node_id)
            host, address = (node.host, f"{node.host}:{node.port}") if node is not None else ("?", "?")
            bootstrapping = not manager.bootstrapped
            what = (
                f"creating the {self._role}"
                if bootstrapping
                else f"the {self._role}'s connection to broker {node_id}"
            )
            error = refusal(exc, what, address, host, self._config)
            if error is None and bootstrapping and self._login_dropped(conn, exc):
                error = dropped_login(exc, what, address, self._config)
            if error is None:
                return
            if not bootstrapping:
                if self._on_error is not None:
                    self._on_error(error)
                return
            self._count(manager, node_id, error)
        except Exception:  # never break kafka-python's I/O loop over this
            _log.debug("classifying a failed kafka-python connection failed", exc_info=True)

    @staticmethod
    def _login_dropped(conn: Any, exc: BaseException) -> bool:
        """The broker closed the connection while the client was logging in (see :func:`_mark_login`)."""
        return (
            getattr(conn, "_kafka_client_logging_in", False)
            and type(exc).__name__ == "KafkaConnectionError"
            and _ssl_error(exc) is None
        )

    def _count(self, manager: Any, node_id: Any, error: KafkaClientError) -> None:
        """One more refusal from a bootstrap server; give up when every one has refused enough times."""
        # Refused logins are one kind whatever the words (the broker's, or a close that lost them); a
        # certificate's refusal is the same refusal when OpenSSL's words are.
        sasl = isinstance(error, AuthenticationError) and not isinstance(error, TLSError)
        kind = "sasl" if sasl else str(error)
        with self._lock:
            said, count, kept = self._streaks.get(node_id, ("", 0, error))
            if said == kind:
                count += 1
                if getattr(error, "code", None) == "KafkaConnectionError":
                    error = kept  # keep the broker's own words, when it gave them
            else:
                count = 1
            self._streaks[node_id] = (kind, count, error)
            everyone = [broker.node_id for broker in manager.cluster.bootstrap_brokers()]
            if all(self._streaks.get(n, ("", 0, error))[1] >= REFUSALS_TO_GIVE_UP for n in everyone):
                self.gave_up = error

    def stop_reporting(self) -> None:
        """The client is closing: a connection attempt still in flight is no longer the application's news."""
        self._on_error = None

    def close_client(self) -> None:
        """Close what kafka-python had built when creating the client failed (its I/O thread, sockets)."""
        if self.client is None:
            return
        try:
            self.client.close()
        except Exception:
            _log.debug("closing the kafka-python client that failed to start", exc_info=True)
