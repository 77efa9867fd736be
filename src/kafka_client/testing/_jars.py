"""Download, verify and cache the Apache Kafka broker jars listed in the lock file.

The jar set is pinned in ``kafka_jars.lock.json`` (regenerated only by ``scripts/regenerate_kafka_lock.py``)
with the sha256 of every jar. Jars are fetched once from a Maven repository into a per-user cache and
checked against the lock every time they are used, so a corrupted or tampered cache is caught.

Environment variables:

- ``KAFKA_CLIENT_JAR_CACHE``: the cache folder (default ``$XDG_CACHE_HOME/kafka-client/jars``,
  or ``~/.cache/kafka-client/jars``).
- ``KAFKA_CLIENT_MAVEN_REPO``: the Maven repository URL (default Maven Central), for mirrors.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from threading import Lock
from typing import IO

from kafka_client.errors import ChecksumMismatchError, JarDownloadError

DEFAULT_MAVEN_REPO = "https://repo1.maven.org/maven2"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class LockedJar:
    """One jar of the broker's classpath, as pinned in the lock file."""

    group: str
    artifact: str
    version: str
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def url(self, repository: str) -> str:
        group_path = self.group.replace(".", "/")
        return f"{repository.rstrip('/')}/{group_path}/{self.artifact}/{self.version}/{self.filename}"


@dataclass(frozen=True)
class JarLock:
    """The pinned Kafka version and its exact runtime jar set."""

    kafka_version: str
    jars: tuple[LockedJar, ...]

    @property
    def total_size(self) -> int:
        return sum(j.size for j in self.jars)


def load_lock() -> JarLock:
    """Read the lock file shipped inside the package."""
    raw = json.loads(resources.files(__package__).joinpath("kafka_jars.lock.json").read_text("utf-8"))
    jars = tuple(LockedJar(**entry) for entry in raw["jars"])
    return JarLock(kafka_version=raw["kafka_version"], jars=jars)


def default_cache_dir() -> Path:
    """The per-user jar cache: ``KAFKA_CLIENT_JAR_CACHE``, else the XDG cache folder."""
    explicit = os.environ.get("KAFKA_CLIENT_JAR_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "kafka-client" / "jars"


def maven_repository() -> str:
    """The Maven repository to download from: ``KAFKA_CLIENT_MAVEN_REPO`` or Maven Central."""
    return os.environ.get("KAFKA_CLIENT_MAVEN_REPO") or DEFAULT_MAVEN_REPO


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Progress:
    """A one-line progress bar on a terminal, or a start and an end line when output is not a terminal."""

    def __init__(self, total: int, count: int, stream: IO[str]) -> None:
        self.total = total
        self.count = count
        self.done_bytes = 0
        self.done_files = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.lock = Lock()
        self.started = time.monotonic()
        self.last_draw = 0.0

    def begin(self) -> None:
        self.stream.write(
            f"kafka-client: downloading {self.count} Kafka broker jars ({self.total / 1e6:.1f} MB), once\n"
        )
        self.stream.flush()

    def advance(self, nbytes: int, finished_file: bool = False) -> None:
        with self.lock:
            self.done_bytes += nbytes
            self.done_files += int(finished_file)
            now = time.monotonic()
            if not self.tty or (now - self.last_draw < 0.1 and self.done_files < self.count):
                return
            self.last_draw = now
            width = 30
            frac = min(1.0, self.done_bytes / self.total) if self.total else 1.0
            bar = "#" * int(frac * width)
            self.stream.write(
                f"\r  [{bar:<{width}}] {frac * 100:5.1f}%  {self.done_bytes / 1e6:6.1f}/"
                f"{self.total / 1e6:.1f} MB  {self.done_files}/{self.count} jars"
            )
            self.stream.flush()

    def end(self) -> None:
        elapsed = time.monotonic() - self.started
        prefix = "\n" if self.tty else ""
        self.stream.write(f"{prefix}kafka-client: jars ready in {elapsed:.1f} s\n")
        self.stream.flush()


def _download(
    jar: LockedJar, target: Path, repository: str, progress: _Progress | None, retries: int
) -> None:
    url = jar.url(repository)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        received = 0
        try:
            digest = hashlib.sha256()
            with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if progress:
                        progress.advance(len(chunk))
            actual = digest.hexdigest()
            if actual != jar.sha256:
                partial.unlink(missing_ok=True)
                raise ChecksumMismatchError(
                    f"{url} has sha256 {actual}, but the lock file pins {jar.sha256}. The repository "
                    f"({repository}) serves a different file; check KAFKA_CLIENT_MAVEN_REPO, or regenerate "
                    "the lock with scripts/regenerate_kafka_lock.py if the version was changed on purpose."
                )
            partial.replace(target)
            if progress:
                progress.advance(0, finished_file=True)
            return
        except ChecksumMismatchError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last_error = exc
            partial.unlink(missing_ok=True)
            if progress:
                progress.advance(-received)
            if attempt < retries:
                time.sleep(0.5 * 2 ** (attempt - 1))
    raise JarDownloadError(
        f"could not download {url} after {retries} attempts: {last_error}. Check the network, or point "
        "KAFKA_CLIENT_MAVEN_REPO at a reachable Maven mirror."
    ) from last_error


def ensure_jars(
    lock: JarLock | None = None,
    cache_dir: Path | None = None,
    repository: str | None = None,
    *,
    stream: IO[str] | None = None,
    workers: int = 8,
    retries: int = 3,
    verify: Callable[[Path], str] = _sha256_of,
) -> list[Path]:
    """Return the broker classpath, downloading and verifying any jar that is missing from the cache.

    A cached jar whose checksum no longer matches the lock is downloaded again.
    Raises :class:`JarDownloadError` or :class:`ChecksumMismatchError` naming the jar and the URL.
    """
    lock = lock or load_lock()
    folder = (cache_dir or default_cache_dir()) / f"kafka-{lock.kafka_version}"
    folder.mkdir(parents=True, exist_ok=True)
    repository = repository or maven_repository()
    paths: list[Path] = []
    missing: list[tuple[LockedJar, Path]] = []
    for jar in lock.jars:
        path = folder / jar.filename
        paths.append(path)
        if not path.is_file() or path.stat().st_size != jar.size or verify(path) != jar.sha256:
            missing.append((jar, path))
    if missing:
        progress = _Progress(sum(j.size for j, _ in missing), len(missing), stream or sys.stderr)
        progress.begin()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_download, jar, path, repository, progress, retries) for jar, path in missing
            ]
            errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first
        progress.end()
    return paths


def classpath(paths: Sequence[Path]) -> str:
    """Join jar paths into a Java classpath string."""
    return os.pathsep.join(str(p) for p in paths)
