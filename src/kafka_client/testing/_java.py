"""Find a Java runtime able to run the embedded broker (Java 17 or newer)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kafka_client.errors import JavaNotFoundError

MIN_JAVA = 17
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?[^"]*"')


@dataclass(frozen=True)
class JavaRuntime:
    """A located ``java`` executable and its major version."""

    executable: Path
    major: int
    version_line: str


def parse_java_major(version_output: str) -> int | None:
    """Return the major version from ``java -version`` output (``1.8.0_392`` is 8, ``17.0.15`` is 17)."""
    match = _VERSION.search(version_output)
    if not match:
        return None
    first = int(match.group(1))
    if first == 1 and match.group(2):
        return int(match.group(2))
    return first


def find_java() -> JavaRuntime:
    """Locate java: ``KAFKA_CLIENT_JAVA``, then ``$JAVA_HOME/bin/java``, then ``java`` on ``PATH``.

    Raises :class:`JavaNotFoundError` saying where it looked, or which version it found when it is too old.
    """
    candidates: list[tuple[str, str]] = []
    if explicit := os.environ.get("KAFKA_CLIENT_JAVA"):
        candidates.append(("KAFKA_CLIENT_JAVA", explicit))
    if java_home := os.environ.get("JAVA_HOME"):
        candidates.append(("JAVA_HOME", str(Path(java_home) / "bin" / "java")))
    if on_path := shutil.which("java"):
        candidates.append(("PATH", on_path))
    if not candidates:
        raise JavaNotFoundError(
            f"the embedded Kafka broker needs Java {MIN_JAVA} or newer, and no 'java' was found "
            "(looked at KAFKA_CLIENT_JAVA, JAVA_HOME and PATH). Install a JDK/JRE 17+, e.g. "
            "'apt-get install openjdk-17-jre-headless', or set JAVA_HOME."
        )
    problems: list[str] = []
    for origin, exe in candidates:
        try:
            out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{exe} (from {origin}) could not run: {exc}")
            continue
        text = out.stderr + out.stdout
        major = parse_java_major(text)
        first_line = text.strip().splitlines()[0] if text.strip() else "<no output>"
        if major is None:
            problems.append(f"{exe} (from {origin}) printed an unrecognised version: {first_line}")
        elif major < MIN_JAVA:
            problems.append(f"{exe} (from {origin}) is Java {major}: {first_line}")
        else:
            return JavaRuntime(Path(exe), major, first_line)
    raise JavaNotFoundError(
        f"the embedded Kafka broker needs Java {MIN_JAVA} or newer; "
        + "; ".join(problems)
        + ". Install Java 17+ or point JAVA_HOME / KAFKA_CLIENT_JAVA at one."
    )
