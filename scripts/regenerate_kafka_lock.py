#!/usr/bin/env python3
"""Regenerate the embedded broker's jar lock with Maven.

This is the only place Maven is used. It resolves the runtime dependencies of the Kafka broker
(``org.apache.kafka:kafka_2.13``), the Kafka command-line tools (``kafka-tools``) and the log4j2 SLF4J
binding at the pinned version, and writes every jar's coordinates, size and sha256 to
``src/kafka_client/testing/kafka_jars.lock.json``. Users never need Maven: ``EmbeddedKafka`` downloads
exactly the jars listed in that file and checks each checksum.

Usage::

    python scripts/regenerate_kafka_lock.py [--kafka-version 4.4.0] [--log4j-version 2.25.5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "src" / "kafka_client" / "testing" / "kafka_jars.lock.json"

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kafka-client</groupId><artifactId>embedded-kafka-lock</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
      <version>{kafka}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version></dependency>
  </dependencies>
</project>
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kafka-version", default="4.4.0")
    parser.add_argument("--log4j-version", default="2.25.5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "pom.xml").write_text(POM.format(kafka=args.kafka_version, log4j=args.log4j_version))
        listing = work / "deps.txt"
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "dependency:list",
                "-DincludeScope=runtime",
                f"-DoutputFile={listing}",
                "-DoutputAbsoluteArtifactFilename=true",
            ],
            cwd=work,
            check=True,
        )
        jars = []
        for line in listing.read_text().splitlines():
            parts = line.strip().split(":")
            if len(parts) < 6 or parts[2] != "jar":
                continue
            group, artifact, _kind, version, _scope = parts[:5]
            path = Path(":".join(parts[5:]))
            data = path.read_bytes()
            jars.append(
                {
                    "group": group,
                    "artifact": artifact,
                    "version": version,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
    jars.sort(key=lambda j: (j["group"], j["artifact"]))
    lock = {
        "kafka_version": args.kafka_version,
        "scala_version": "2.13",
        "generated_by": "scripts/regenerate_kafka_lock.py",
        "jars": jars,
    }
    LOCK.write_text(json.dumps(lock, indent=1) + "\n")
    total = sum(j["size"] for j in jars)
    print(f"wrote {LOCK} ({len(jars)} jars, {total / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
