"""Apache Kafka 4.4, single-node KRaft, from Maven Central jars (no Docker, no tarball)."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

from deploy.daemon import Daemon, DeployError
from deploy.system import apt_install

POM_DIR = Path(__file__).resolve().parent / "kafka"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
HOST = "127.0.0.1"

LOG4J2 = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN" shutdownHook="disable">
  <Appenders>
    <RollingFile name="file" fileName="{log}" filePattern="{log}.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="warn"/>
    <Logger name="state.change.logger" level="warn"/>
    <Root level="info"><AppenderRef ref="file"/></Root>
  </Loggers>
</Configuration>
"""


def _require_tools() -> None:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing and apt_install("openjdk-17-jre-headless", "maven"):
        missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise DeployError(f"Apache Kafka needs {' and '.join(missing)} on PATH "
                          "(Debian: apt-get install openjdk-17-jre-headless maven)")


def _mvn(*args: str, timeout: float = 900) -> None:
    command = ["mvn", "-B", "-q", *args]
    done = subprocess.run(command, cwd=POM_DIR, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-4000:]
        raise DeployError(f"{' '.join(command)} failed ({done.returncode}):\n{output}")


def ensure_jars(lib: Path) -> Path:
    """Copy the Kafka runtime jars into `lib` with Maven (once: a marker file records success)."""
    marker = lib / ".complete"
    if marker.exists():
        return lib
    _require_tools()
    staging = lib.with_name(lib.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    _mvn(f"{DEPENDENCY_PLUGIN}:copy-dependencies", f"-DoutputDirectory={staging}",
         "-DincludeScope=runtime")
    (staging / ".complete").write_text("kafka_2.13 4.4.0\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib


def server_properties(home: Path, port: int) -> str:
    """A combined broker+controller configuration on 127.0.0.1 with single-replica internal topics."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"{HOST}:{port + 1}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{port + 1}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(home / "data"),
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def cluster_id() -> str:
    """A random Kafka cluster id: 16 bytes, base64url without padding, never starting with '-'."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _java(lib: Path, home: Path, *args: str) -> list[str]:
    return ["java", "-Xmx512m", f"-Dlog4j2.configurationFile={home / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={home / 'logs'}", "-Djava.awt.headless=true",
            "-cp", f"{lib}/*", *args]


def prepare(home: Path, lib: Path, port: int) -> Path:
    """Write the configuration and format the log directory once; return server.properties."""
    ensure_jars(lib)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "server.properties"
    config.write_text(server_properties(home, port))
    (home / "log4j2.xml").write_text(LOG4J2.format(log=home / "logs" / "server.log"))
    if not (home / "data" / "meta.properties").exists():
        command = _java(lib, home, "kafka.tools.StorageTool", "format", "--standalone",
                        "-t", cluster_id(), "-c", str(config))
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise DeployError(f"formatting Kafka storage failed:\n{done.stdout}{done.stderr}")
    return config


def kafka_daemon(home: Path, lib: Path, port: int, pid_path: Path | None) -> Daemon:
    """The Kafka server process (not started); its own output goes to kafka/kafka.out."""
    config = prepare(home, lib, port)
    return Daemon("kafka", _java(lib, home, "kafka.Kafka", str(config)), home / "kafka.out", pid_path)
