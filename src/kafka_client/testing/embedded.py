"""``EmbeddedKafka``: a real Apache Kafka broker (KRaft, one combined node) started by the project itself.

It runs the pinned broker jars (see ``kafka_jars.lock.json``) with Java 17+ on loopback and free ports,
with any of these listeners: PLAINTEXT, SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512),
SSL (mutual TLS: a client certificate is required) and SASL_SSL, plus the StandardAuthorizer with a
super user, so ACL checks are real. Example::

    with EmbeddedKafka() as kafka:
        print(kafka.bootstrap_servers)                   # "127.0.0.1:41234"
        settings = kafka.client_settings("SASL_SSL", user="alice", mechanism="SCRAM-SHA-512")

The broker's output goes to ``log_path``; when it fails to start, the error shows the end of that log.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from kafka_client.errors import BrokerStartupError, EmbeddedKafkaError, PortInUseError
from kafka_client.testing._broker_config import (
    LOG4J2_PROPERTIES,
    SASL_MECHANISMS,
    BrokerLayout,
    server_properties,
)
from kafka_client.testing._certs import TestPKI, generate_pki
from kafka_client.testing._jars import classpath, ensure_jars, load_lock
from kafka_client.testing._java import find_java
from kafka_client.testing._probe import fetch_metadata

Listener = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

DEFAULT_USERS: Mapping[str, str] = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
"""Users created on the SASL listeners (PLAIN and both SCRAM mechanisms) and given client certificates."""
SUPER_USER = "admin"
"""The super user; ``ANONYMOUS`` (PLAINTEXT and the controller listener) is a super user too."""

KAFKA_TOOLS: Mapping[str, str] = {
    "kafka-topics": "org.apache.kafka.tools.TopicCommand",
    "kafka-consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "kafka-acls": "org.apache.kafka.tools.AclCommand",
    "kafka-configs": "org.apache.kafka.tools.ConfigCommand",
    "kafka-console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "kafka-console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "kafka-storage": "kafka.tools.StorageTool",
}
"""Kafka command-line tools by their script name, mapped to the class in the broker jars."""

_LOG_TAIL_LINES = 15


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _check_port_free(host: str, port: int, listener: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    errno.EADDRINUSE,
                    f"port {host}:{port} (asked for the {listener} listener) is already in use; "
                    "choose another port or leave it unset to pick a free one",
                ) from exc
            raise


def _new_cluster_id() -> str:
    """A random cluster id in Kafka's format; like Kafka, never one starting with '-' (read as an option)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """The broker log's errors (each ERROR/FATAL line with its exception and causes, no stack frames),
    then its last lines, so the reason for a failure is in the message and not only in the file."""
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "<no log>"
    errors: list[str] = []
    in_error = False
    for line in content:
        if line.startswith("[") and (" ERROR " in line or " FATAL " in line):
            in_error = True
        elif line.startswith("["):
            in_error = False
        elif line.startswith("\t") or not line.strip():
            continue
        if in_error and line not in errors:
            errors.append(line)
    parts = []
    if errors:
        parts.append("errors in the log:\n" + "\n".join(errors[:30]))
    parts.append(f"last {lines} lines:\n" + "\n".join(content[-lines:]))
    return "\n".join(parts)


def _wait_until_stopped(pid: int, timeout: float = 10.0) -> None:
    """Wait until every thread of ``pid`` is in the stopped state (Linux /proc; elsewhere, a short pause)."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():
        time.sleep(0.2)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = []
        for stat in tasks.glob("*/stat"):
            with contextlib.suppress(OSError):
                # the state follows the parenthesised command name, which may itself contain spaces
                states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
        if states and all(state in ("T", "t") for state in states):
            return
        time.sleep(0.01)
    raise EmbeddedKafkaError(f"the broker (pid {pid}) did not stop within {timeout} s of SIGSTOP")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGKILL the JVM if the Python process that started it dies without stopping it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class EmbeddedKafka:
    """A real single-node Kafka broker on loopback, for tests, demos and local development.

    Args:
        port: the PLAINTEXT listener's port (default: a free one). Other listeners always get free ports.
        sasl: enable the SASL_PLAINTEXT listener (and SASL_SSL when ``tls`` is on too).
        tls: enable the SSL (mutual TLS) listener with a throwaway CA (needs the ``cryptography`` package).
        authorizer: enable the StandardAuthorizer; ``admin`` and ``ANONYMOUS`` are super users, so the
            PLAINTEXT listener can do anything and ``alice``/``bob`` need ACLs.
        users: SASL users and passwords (default :data:`DEFAULT_USERS`); each also gets a client certificate.
        broker_config: extra or overriding ``server.properties`` entries.
        work_dir: where data, configuration, certificates and the log go (default: a new temporary folder,
            removed by :meth:`stop`).
        startup_timeout: seconds to wait for the broker to answer a metadata request.
        heap: the JVM's maximum heap (``-Xmx``).
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        sasl: bool = True,
        tls: bool = True,
        authorizer: bool = True,
        users: Mapping[str, str] | None = None,
        broker_config: Mapping[str, str] | None = None,
        work_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 60.0,
        heap: str = "1g",
        progress_stream: IO[str] | None = None,
    ) -> None:
        self.host = host
        self.sasl = sasl
        self.tls = tls
        self.authorizer = authorizer
        self.users: dict[str, str] = dict(users if users is not None else DEFAULT_USERS)
        self.broker_config = dict(broker_config or {})
        self.startup_timeout = startup_timeout
        self.heap = heap
        self.kafka_version = load_lock().kafka_version
        self._requested_port = port
        self._given_work_dir = Path(work_dir) if work_dir is not None else None
        self._work_dir: Path | None = None
        self._progress_stream = progress_stream
        self._ports: dict[str, int] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._classpath: str | None = None
        self._java: Path | None = None
        self._formatted = False
        self._paused = False
        self._lock = threading.RLock()
        self.cluster_id = _new_cluster_id()
        self.pki: TestPKI | None = None
        self.startup_seconds: float | None = None
        self._atexit_registered = False

    # --- what a running broker offers ---------------------------------------------------------------

    @property
    def work_dir(self) -> Path:
        """The folder holding data, configuration, certificates and ``broker.log``."""
        if self._work_dir is None:
            raise EmbeddedKafkaError("the embedded broker has not been started")
        return self._work_dir

    @property
    def log_path(self) -> Path:
        """The broker's log file (stdout and stderr of the JVM)."""
        return self.work_dir / "broker.log"

    @property
    def listeners(self) -> dict[str, str]:
        """``host:port`` of every client listener, by name (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL)."""
        return {name: f"{self.host}:{port}" for name, port in self._ports.items() if name != "CONTROLLER"}

    @property
    def bootstrap_servers(self) -> str:
        """The PLAINTEXT listener's ``host:port``."""
        if "PLAINTEXT" not in self._ports:
            raise EmbeddedKafkaError("the embedded broker has not been started")
        return f"{self.host}:{self._ports['PLAINTEXT']}"

    @property
    def is_running(self) -> bool:
        """True while the JVM process is alive (paused counts as alive)."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The JVM's process id while it runs."""
        return self._process.pid if self.is_running and self._process else None

    def client_settings(
        self,
        listener: Listener = "PLAINTEXT",
        *,
        user: str = SUPER_USER,
        mechanism: SaslMechanism = "SCRAM-SHA-512",
    ) -> dict[str, Any]:
        """The ``kafka_client`` settings (a nested dict) that connect to ``listener`` as ``user``.

        Pass them to any client: ``Producer(**kafka.client_settings("SASL_SSL", user="alice"))``, or to
        ``kafka_client.config.load_settings(**...)``. SSL authenticates ``user`` with its client certificate;
        the SASL listeners with its password and ``mechanism``.
        """
        if listener not in self.listeners:
            raise EmbeddedKafkaError(
                f"the {listener} listener is not enabled on this broker "
                f"(enabled: {', '.join(self.listeners)}); "
                "start EmbeddedKafka with sasl=True / tls=True"
            )
        if listener != "PLAINTEXT" and user not in self.users:
            raise EmbeddedKafkaError(f"unknown user {user!r}; known users: {', '.join(self.users)}")
        security: dict[str, Any] = {"protocol": listener}
        if listener in ("SSL", "SASL_SSL"):
            assert self.pki is not None
            tls: dict[str, Any] = {"ca_file": str(self.pki.ca_file)}
            if listener == "SSL":
                client = self.pki.clients[user]
                tls.update(cert_file=str(client.cert_file), key_file=str(client.key_file))
            security["tls"] = tls
        if listener.startswith("SASL_"):
            security["sasl"] = {"mechanism": mechanism, "username": user, "password": self.users[user]}
        return {"bootstrap_servers": [self.listeners[listener]], "security": security}

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> EmbeddedKafka:
        """Start the broker (or restart it on the same data and ports after :meth:`kill`/:meth:`stop`).

        Returns once the broker answers a metadata request with a controller elected.
        Raises :class:`JavaNotFoundError`, :class:`JarDownloadError`, :class:`ChecksumMismatchError`,
        :class:`PortInUseError` or :class:`BrokerStartupError` (with the end of the broker's log).
        """
        with self._lock:
            if self.is_running:
                raise EmbeddedKafkaError(f"the embedded broker is already running (pid {self.pid})")
            started = time.monotonic()
            if self._java is None:
                self._java = find_java().executable
            if self._classpath is None:
                self._classpath = classpath(ensure_jars(stream=self._progress_stream))
            if self._work_dir is None:
                self._prepare()
            self._launch()
            self._wait_ready(started)
            if not self._atexit_registered:  # the first start: the group coordinator is not loaded yet
                _warm_group_coordinator(self.bootstrap_servers)
            self.startup_seconds = time.monotonic() - started
            if not self._atexit_registered:
                atexit.register(self._atexit_stop)
                self._atexit_registered = True
            return self

    def stop(self, timeout: float = 30.0, *, remove_files: bool | None = None) -> None:
        """Stop the broker (SIGTERM, a controlled shutdown; SIGKILL after ``timeout`` seconds).

        Removes the work folder if EmbeddedKafka created it (pass ``remove_files`` to decide yourself).
        Calling it twice is harmless.
        """
        with self._lock:
            self._terminate(signal.SIGTERM, timeout)
            if remove_files is None:
                remove_files = self._given_work_dir is None
            if remove_files and self._work_dir is not None:
                shutil.rmtree(self._work_dir, ignore_errors=True)
                self._work_dir = None
                self._formatted = False
                self._ports = {}

    def kill(self) -> None:
        """SIGKILL the broker, keeping its data and ports, as a crash would; :meth:`start` brings it back."""
        with self._lock:
            self._terminate(signal.SIGKILL, 30.0)

    def restart(self) -> None:
        """Stop the broker gracefully and start it again on the same data and ports."""
        self.stop(remove_files=False)
        self.start()

    def pause(self) -> None:
        """SIGSTOP the broker: it keeps its sockets but answers nothing, like a hung machine.

        Returns once every JVM thread is stopped (signal delivery is asynchronous; a busy machine can let
        a network thread answer one more request after ``kill`` returns).
        """
        with self._lock:
            self._signal(signal.SIGSTOP)
            self._paused = True
            assert self._process is not None
            _wait_until_stopped(self._process.pid)

    def resume(self) -> None:
        """SIGCONT a paused broker."""
        with self._lock:
            self._signal(signal.SIGCONT)
            self._paused = False

    def run_tool(
        self, tool: str, *args: str, timeout: float = 120.0, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run one of the Kafka command-line tools from the broker jars, e.g.
        ``kafka.run_tool("kafka-consumer-groups", "--describe", "--group", "g")``.

        ``--bootstrap-server`` (PLAINTEXT, a super user) is added for the tools that take it; ``input`` is
        written to the tool's standard input (e.g. lines for kafka-console-producer).
        """
        main_class = KAFKA_TOOLS.get(tool, tool)
        argv = list(args)
        if tool not in ("kafka-storage",) and "--bootstrap-server" not in argv:
            argv = ["--bootstrap-server", self.bootstrap_servers, *argv]
        result = subprocess.run(
            self._java_command(main_class, argv, tool_heap="256m"),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise EmbeddedKafkaError(
                f"{tool} {' '.join(args)} exited with {result.returncode}:\n"
                f"{(result.stderr or result.stdout)[-4000:]}"
            )
        return result

    def __enter__(self) -> EmbeddedKafka:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "paused" if self._paused else ("running" if self.is_running else "stopped")
        where = f" at {self.bootstrap_servers}" if self._ports else ""
        return f"<EmbeddedKafka {self.kafka_version} {state}{where}>"

    # --- internals ----------------------------------------------------------------------------------

    def _prepare(self) -> None:
        work = self._given_work_dir or Path(tempfile.mkdtemp(prefix="kafka-client-embedded-"))
        work.mkdir(parents=True, exist_ok=True)
        self._work_dir = work
        names = ["PLAINTEXT"]
        if self.sasl:
            names.append("SASL_PLAINTEXT")
        if self.tls:
            names.append("SSL")
            if self.sasl:
                names.append("SASL_SSL")
        ports: dict[str, int] = {}
        if self._requested_port is not None:
            _check_port_free(self.host, self._requested_port, "PLAINTEXT")
        used: set[int] = set()
        for name in [*names, "CONTROLLER"]:
            port = (
                self._requested_port
                if name == "PLAINTEXT" and self._requested_port
                else _free_port(self.host)
            )
            while port in used:
                port = _free_port(self.host)
            used.add(port)
            ports[name] = port
        self._ports = ports
        if self.tls:
            self.pki = generate_pki(work / "pki", self.users)
        layout = BrokerLayout(
            host=self.host,
            node_id=1,
            ports=ports,
            data_dir=str(work / "data"),
            users=self.users,
            super_users=(SUPER_USER, "ANONYMOUS"),
            authorizer=self.authorizer,
            pki=self.pki,
        )
        (work / "server.properties").write_text(server_properties(layout, self.broker_config))
        (work / "log4j2.properties").write_text(LOG4J2_PROPERTIES.format(level="INFO", target="SYSTEM_OUT"))
        (work / "tools-log4j2.properties").write_text(
            LOG4J2_PROPERTIES.format(level="WARN", target="SYSTEM_ERR")
        )
        if not self._formatted:
            self._format_storage()

    def _java_command(self, main_class: str, args: Sequence[str], tool_heap: str | None = None) -> list[str]:
        assert self._java is not None
        assert self._classpath is not None
        log_config = "tools-log4j2.properties" if tool_heap else "log4j2.properties"
        log4j = [f"-Dlog4j2.configurationFile={self._work_dir / log_config}"] if self._work_dir else []
        heap = tool_heap or self.heap
        return [
            str(self._java),
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            "-XX:TieredStopAtLevel=1" if tool_heap else "-XX:+TieredCompilation",
            *log4j,
            "-cp",
            self._classpath,
            main_class,
            *args,
        ]

    def _format_storage(self) -> None:
        args = [
            "format",
            f"--cluster-id={self.cluster_id}",
            "--config",
            str(self.work_dir / "server.properties"),
            "--ignore-formatted",
        ]
        if self.sasl:
            for user, password in self.users.items():
                for mechanism in SASL_MECHANISMS[1:]:
                    args += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        result = subprocess.run(
            self._java_command(KAFKA_TOOLS["kafka-storage"], args, tool_heap="256m"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).replace(self.users.get(SUPER_USER, "\0"), "***")
            for password in self.users.values():
                output = output.replace(password, "***")
            raise BrokerStartupError(
                f"formatting the broker's storage in {self.work_dir / 'data'} failed "
                f"(exit {result.returncode}):\n{output[-3000:]}"
            )
        self._formatted = True

    def _launch(self) -> None:
        log_path = self.log_path
        self._log_file = log_path.open("ab")
        env = dict(os.environ)
        env.pop("KAFKA_OPTS", None)
        self._process = subprocess.Popen(
            self._java_command("kafka.Kafka", [str(self.work_dir / "server.properties")]),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.work_dir,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
        )
        self._paused = False

    def _wait_ready(self, started: float) -> None:
        deadline = started + self.startup_timeout
        port = self._ports["PLAINTEXT"]
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self._close_log()
                tail = _tail(self.log_path)
                if "Address already in use" in tail:
                    raise PortInUseError(
                        errno.EADDRINUSE,
                        f"the embedded broker could not bind one of its ports {sorted(self._ports.values())} "
                        f"(already in use). Log {self.log_path}:\n{tail}",
                    )
                raise BrokerStartupError(
                    f"the embedded Kafka broker exited with code {self._process.returncode} during start-up. "
                    f"Last lines of {self.log_path}:\n{tail}"
                )
            try:
                meta = fetch_metadata(self.host, port, timeout=2.0)
                if meta.controller_id >= 0 and any(node == 1 for node, _, _ in meta.brokers):
                    return
            except OSError as exc:
                last_error = exc
            time.sleep(0.1)
        tail = _tail(self.log_path)
        self._terminate(signal.SIGKILL, 10.0)
        raise BrokerStartupError(
            f"the embedded Kafka broker did not answer a metadata request on {self.host}:{port} within "
            f"{self.startup_timeout:.0f} s (last error: {last_error}). Last lines of {self.log_path}:\n{tail}"
        )

    def _signal(self, sig: signal.Signals) -> None:
        if not self.is_running or self._process is None:
            raise EmbeddedKafkaError("the embedded broker is not running")
        self._process.send_signal(sig)

    def _terminate(self, sig: signal.Signals, timeout: float) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            if self._paused:
                process.send_signal(signal.SIGCONT)
                self._paused = False
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        self._process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _atexit_stop(self) -> None:
        with contextlib.suppress(Exception):
            self.stop(timeout=10.0)


_WARM_UP = """
import sys, time
import confluent_kafka
from confluent_kafka.admin import AdminClient

def java_hash(text):
    value = 0
    for char in text:
        value = (31 * value + ord(char)) & 0xFFFFFFFF
    return value

bootstrap, partitions, deadline = sys.argv[1], int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
groups, index = {}, 0
while len(groups) < partitions:
    name = f"kafka-client-warm-up-{index}"
    groups.setdefault((java_hash(name) & 0x7FFFFFFF) % partitions, name)
    index += 1
admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
pending = list(groups.values())
while pending and time.monotonic() < deadline:
    for group in list(pending):
        request = [confluent_kafka.ConsumerGroupTopicPartitions(group)]
        try:
            # describe first: confluent-kafka 2.16 crashes (SIGSEGV) when an offsets request meets a
            # coordinator that is not ready; a describe fails cleanly with NOT_COORDINATOR instead
            admin.describe_consumer_groups([group], request_timeout=5)[group].result(timeout=10)
            admin.list_consumer_group_offsets(request, request_timeout=5)[group].result(timeout=10)
            pending.remove(group)
        except Exception:
            time.sleep(0.1)
sys.exit(1 if pending else 0)
"""


def _warm_group_coordinator(bootstrap_servers: str, partitions: int = 10, timeout_s: float = 30.0) -> None:
    """Ask for the offsets of one group per ``__consumer_offsets`` partition until each answers.

    On a broker that has just started, the first group request creates ``__consumer_offsets`` and its
    partitions load in the background; a consumer arriving meanwhile meets NOT_COORDINATOR, and
    librdkafka's assign() may then never start fetching. Best effort, in a child process (a client
    library crash there cannot take the caller down); skipped without confluent-kafka.
    """
    import importlib.util
    import sys

    if importlib.util.find_spec("confluent_kafka") is None:
        return
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        subprocess.run(
            [sys.executable, "-c", _WARM_UP, bootstrap_servers, str(partitions), str(timeout_s)],
            timeout=timeout_s + 15,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
