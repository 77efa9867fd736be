"""Offsets of groups on a brand-new cluster (no ``__consumer_offsets`` yet). confluent-kafka 2.16 crashes
the whole process (SIGSEGV) when an offsets request meets a group coordinator that does not exist yet;
KafkaAdmin must answer with a typed error, then with the offsets once the coordinator is up. Run in a
child process, so a crash is a clean test failure, on a broker started without EmbeddedKafka's warm-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCENARIO = textwrap.dedent(
    """
    import time
    import kafka_client.testing.embedded as embedded
    from kafka_client.admin import KafkaAdmin
    from kafka_client.errors import KafkaClientError

    embedded._warm_group_coordinator = lambda *args, **kwargs: None  # the cluster a user might meet
    with embedded.EmbeddedKafka(sasl=False, tls=False, authorizer=False) as kafka:
        with KafkaAdmin(bootstrap_servers=kafka.bootstrap_servers) as admin:
            outcomes = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    outcomes.append(repr(admin.committed_offsets("fresh-group")))
                    break
                except KafkaClientError as exc:
                    outcomes.append(type(exc).__name__)
                    time.sleep(0.2)
            print("|".join(outcomes))
    """
)


def test_offsets_on_a_brand_new_cluster_are_an_error_then_an_answer_never_a_crash() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-2000:]}"
    outcomes = done.stdout.strip().splitlines()[-1].split("|")
    assert outcomes[-1] == "{}"  # a group that never committed: no offsets
    assert all(o == "KafkaClientError" for o in outcomes[:-1]), outcomes
