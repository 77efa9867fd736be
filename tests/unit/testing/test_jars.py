"""The jar cache: download from a repository, verify against the lock, report failures by name."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from kafka_client.errors import ChecksumMismatchError, JarDownloadError
from kafka_client.testing._jars import (
    JarLock,
    LockedJar,
    default_cache_dir,
    ensure_jars,
    load_lock,
    maven_repository,
)


def _repo_with(tmp_path: Path, jars: dict[str, bytes]) -> tuple[str, JarLock]:
    """A file:// Maven repository holding the given artifacts, and a lock pinning them."""
    repo = tmp_path / "repo"
    locked = []
    for artifact, content in jars.items():
        folder = repo / "org" / "example" / artifact / "1.0"
        folder.mkdir(parents=True)
        (folder / f"{artifact}-1.0.jar").write_bytes(content)
        locked.append(
            LockedJar("org.example", artifact, "1.0", len(content), hashlib.sha256(content).hexdigest())
        )
    return repo.as_uri(), JarLock("9.9.9", tuple(locked))


def test_lock_pins_kafka_and_every_jar_has_a_checksum() -> None:
    lock = load_lock()
    assert lock.kafka_version == "4.4.0"
    names = {j.artifact for j in lock.jars}
    assert {"kafka_2.13", "kafka-clients", "kafka-tools", "log4j-slf4j-impl", "scala-library"} <= names
    assert all(len(j.sha256) == 64 and j.size > 0 for j in lock.jars)
    assert len(names) == len(lock.jars)


def test_url_follows_maven_layout() -> None:
    jar = LockedJar("org.apache.kafka", "kafka_2.13", "4.4.0", 1, "0" * 64)
    assert jar.url("https://mirror.example/maven2/") == (
        "https://mirror.example/maven2/org/apache/kafka/kafka_2.13/4.4.0/kafka_2.13-4.4.0.jar"
    )


def test_cache_dir_and_repository_follow_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KAFKA_CLIENT_JAR_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "kafka-client" / "jars"
    monkeypatch.setenv("KAFKA_CLIENT_JAR_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("KAFKA_CLIENT_MAVEN_REPO", raising=False)
    assert maven_repository() == "https://repo1.maven.org/maven2"
    monkeypatch.setenv("KAFKA_CLIENT_MAVEN_REPO", "https://mirror.example/m2")
    assert maven_repository() == "https://mirror.example/m2"


def test_downloads_once_verifies_and_reuses(tmp_path: Path) -> None:
    repo, lock = _repo_with(tmp_path, {"a": b"alpha" * 1000, "b": b"beta"})
    out = io.StringIO()
    paths = ensure_jars(lock, tmp_path / "cache", repo, stream=out)
    assert [p.name for p in paths] == ["a-1.0.jar", "b-1.0.jar"]
    assert paths[0].read_bytes() == b"alpha" * 1000
    assert out.getvalue().splitlines()[0] == "kafka-client: downloading 2 Kafka broker jars (0.0 MB), once"
    assert out.getvalue().splitlines()[-1].startswith("kafka-client: jars ready in ")
    again = io.StringIO()
    assert ensure_jars(lock, tmp_path / "cache", repo, stream=again) == paths
    assert again.getvalue() == ""  # cached: nothing downloaded, nothing printed


def test_corrupted_cache_entry_is_downloaded_again(tmp_path: Path) -> None:
    repo, lock = _repo_with(tmp_path, {"a": b"alpha"})
    (path,) = ensure_jars(lock, tmp_path / "cache", repo, stream=io.StringIO())
    path.write_bytes(b"alphX")
    ensure_jars(lock, tmp_path / "cache", repo, stream=io.StringIO())
    assert path.read_bytes() == b"alpha"


def test_checksum_mismatch_names_the_jar_and_both_sums(tmp_path: Path) -> None:
    repo, _ = _repo_with(tmp_path, {"a": b"alpha"})
    bad = LockedJar("org.example", "a", "1.0", 5, "f" * 64)
    with pytest.raises(ChecksumMismatchError) as caught:
        ensure_jars(JarLock("9.9.9", (bad,)), tmp_path / "cache", repo, stream=io.StringIO())
    message = str(caught.value)
    assert "org/example/a/1.0/a-1.0.jar" in message
    assert hashlib.sha256(b"alpha").hexdigest() in message
    assert "f" * 64 in message
    assert not list((tmp_path / "cache").rglob("*.jar"))  # nothing half-verified left behind


def test_unreachable_repository_is_a_download_error(tmp_path: Path) -> None:
    _, lock = _repo_with(tmp_path, {"a": b"alpha"})
    missing_repo = (tmp_path / "nowhere").as_uri()
    with pytest.raises(
        JarDownloadError, match=r"could not download .*nowhere/org/example/a/1\.0/a-1\.0\.jar after 2"
    ):
        ensure_jars(lock, tmp_path / "cache", missing_repo, stream=io.StringIO(), retries=2)
