"""Apache Kafka 4.4, single-node KRaft, from Maven Central jars (no Docker, no tarball),
secured: SCRAM users per service on the client listener, a static PLAIN user on the
controller listener, ACLs."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from deploy.daemon import Daemon, DeployError
from deploy.system import apt_install
from shared.events.topics import CONSUMERS, PUBLISHERS

POM_DIR = Path(__file__).resolve().parent / "kafka"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
HOST = "127.0.0.1"
MECHANISM = "SCRAM-SHA-512"
PROTOCOL = "SASL_PLAINTEXT"
ADMIN = "admin"
TAKEDOWN = "ipp-takedown"  # a read-only principal, as a downstream takedown system would have
CONTROLLER = "controller"  # PLAIN, controller listener only (KRaft controllers cannot use SCRAM)
VERDICTS = "ipp.review-decided.v1"
# every service that publishes or consumes, in the registry's order; principal and
# group are ipp-<service>
SERVICES: tuple[str, ...] = tuple(
    dict.fromkeys([*CONSUMERS, *(s for p in PUBLISHERS.values() for s in p)])
)
SCRAM_USERS: tuple[str, ...] = (ADMIN, *(f"ipp-{s}" for s in SERVICES), TAKEDOWN)

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
        raise DeployError(
            f"Apache Kafka needs {' and '.join(missing)} on PATH "
            "(Debian: apt-get install openjdk-17-jre-headless maven)"
        )


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
    _mvn(
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    )
    (staging / ".complete").write_text("kafka_2.13 4.4.0\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds passwords), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(staging, path)


def credentials(home: Path) -> dict[str, str]:
    """The passwords of this data dir's users (SCRAM users and the controller), made once, kept in
    <home>/credentials.json (mode 0600)."""
    path = home / "credentials.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = {name: known.get(name) or secrets.token_hex(24) for name in (*SCRAM_USERS, CONTROLLER)}
    if wanted != known:
        _write_private(path, json.dumps(wanted, indent=2) + "\n")
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return wanted


def client_options(bootstrap: str, username: str, password: str) -> dict[str, Any]:
    """aiokafka options of one SCRAM user of the local broker."""
    return {
        "bootstrap_servers": bootstrap,
        "security_protocol": PROTOCOL,
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": username,
        "sasl_plain_password": password,
    }


def user_options(home: Path, bootstrap: str, username: str) -> dict[str, Any]:
    """aiokafka options of one SCRAM user of the broker whose home (data dir) is `home`."""
    return client_options(bootstrap, username, credentials(home)[username])


def admin_options(home: Path, bootstrap: str) -> dict[str, Any]:
    """aiokafka options of the super user."""
    return user_options(home, bootstrap, ADMIN)


def _jaas(module: str, username: str, password: str, **users: str) -> str:
    entries = [
        f'username="{username}"',
        f'password="{password}"',
        *(f'user_{name}="{secret}"' for name, secret in users.items()),
    ]
    return f"org.apache.kafka.common.security.{module} required {' '.join(entries)};"


def server_properties(home: Path, port: int, passwords: dict[str, str]) -> str:
    """A combined broker+controller on 127.0.0.1: SCRAM on the client listener (which is also
    the inter-broker one, as admin), PLAIN for the controller listener, ACLs enforced, no
    topic auto-creation."""
    controller = passwords[CONTROLLER]
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"{HOST}:{port + 1}",
        "listeners": f"CLIENT://{HOST}:{port},CONTROLLER://{HOST}:{port + 1}",
        "advertised.listeners": f"CLIENT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "CLIENT",
        "listener.security.protocol.map": f"CONTROLLER:{PROTOCOL},CLIENT:{PROTOCOL}",
        "listener.name.client.sasl.enabled.mechanisms": MECHANISM,
        f"listener.name.client.{MECHANISM.lower()}.sasl.jaas.config": _jaas(
            "scram.ScramLoginModule", ADMIN, passwords[ADMIN]
        ),
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": _jaas(
            "plain.PlainLoginModule", CONTROLLER, controller, **{CONTROLLER: controller}
        ),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN};User:{CONTROLLER}",
        "log.dirs": str(home / "data"),
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def cluster_id() -> str:
    """A random Kafka cluster id: 16 bytes, base64url without padding, never starting with '-'."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def _java(lib: Path, home: Path, *args: str) -> list[str]:
    return [
        "java",
        "-Xmx512m",
        f"-Dlog4j2.configurationFile={home / 'log4j2.xml'}",
        f"-Dkafka.logs.dir={home / 'logs'}",
        "-Djava.awt.headless=true",
        "-cp",
        f"{lib}/*",
        *args,
    ]


def _fingerprint(passwords: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(passwords, sort_keys=True).encode()).hexdigest()


def _formatted_cluster(home: Path) -> str | None:
    """The cluster id in data/meta.properties, or None when the log directory is not formatted."""
    meta = home / "data" / "meta.properties"
    if not meta.exists():
        return None
    lines = (line.partition("=") for line in meta.read_text().splitlines())
    return next((value.strip() for key, _, value in lines if key.strip() == "cluster.id"), "")


def _formatted_with(home: Path, passwords: dict[str, str]) -> bool:
    """True when data/ was formatted by this module with these SCRAM users (format.json says so); a
    directory an older, PLAINTEXT version formatted has no format.json and is formatted again."""
    marker = home / "format.json"
    cluster = _formatted_cluster(home)
    if cluster is None or not marker.exists():
        return False
    recorded = json.loads(marker.read_text())
    return recorded == {
        "cluster_id": cluster,
        "mechanism": MECHANISM,
        "credentials": _fingerprint(passwords),
    }


def _format(lib: Path, home: Path, config: Path, passwords: dict[str, str]) -> None:
    """Format data/ afresh, with one SCRAM credential per user in the initial metadata."""
    shutil.rmtree(home / "data", ignore_errors=True)
    (home / "format.json").unlink(missing_ok=True)
    cluster = cluster_id()
    scram = [
        arg
        for name in SCRAM_USERS
        for arg in ("--add-scram", f"{MECHANISM}=[name={name},password={passwords[name]}]")
    ]
    command = _java(
        lib,
        home,
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "-t",
        cluster,
        "-c",
        str(config),
        *scram,
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise DeployError(f"formatting Kafka storage failed:\n{done.stdout}{done.stderr}")
    marker = {"cluster_id": cluster, "mechanism": MECHANISM, "credentials": _fingerprint(passwords)}
    (home / "format.json").write_text(json.dumps(marker) + "\n")


def prepare(home: Path, lib: Path, port: int) -> Path:
    """Write the configuration and format the log directory when needed; return
    server.properties."""
    ensure_jars(lib)
    home.mkdir(parents=True, exist_ok=True)
    passwords = credentials(home)
    config = home / "server.properties"
    _write_private(config, server_properties(home, port, passwords))
    (home / "log4j2.xml").write_text(LOG4J2.format(log=home / "logs" / "server.log"))
    if not _formatted_with(home, passwords):
        _format(lib, home, config, passwords)
    return config


def kafka_daemon(home: Path, lib: Path, port: int, pid_path: Path | None) -> Daemon:
    """The Kafka server process (not started); its own output goes to kafka/kafka.out."""
    config = prepare(home, lib, port)
    return Daemon(
        "kafka", _java(lib, home, "kafka.Kafka", str(config)), home / "kafka.out", pid_path
    )


def forget(home: Path) -> None:
    """Make the next start format a new, empty cluster (a new cluster id): a cluster rebuilt, as the
    fault tier needs it. The broker must be stopped."""
    (home / "format.json").unlink(missing_ok=True)
