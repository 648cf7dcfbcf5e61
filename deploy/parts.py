"""What each piece of local infrastructure runs, where it logs, and how to tell it is ready."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from deploy import apache_kafka, kafka_acls, postgres
from deploy.daemon import Daemon
from deploy.readiness import kafka_answers, postgres_answers, smtp_answers
from deploy.tansu import tansu_command, tansu_env

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
STOP_ORDER = ("smtp", "tansu", "kafka", "postgres")
STOP_TIMEOUTS = {"kafka": 60.0, "postgres": 30.0}  # graceful shutdowns that take a while


@dataclass
class Part:
    """One piece of infrastructure: how to build its process and how to tell it is ready."""

    name: str
    port: int
    build: Callable[[], Daemon]
    ready: Callable[[], bool]
    ready_timeout: float
    log: Path
    setup: Callable[[], None] | None = None  # run once it is ready, on every `up` (idempotent)


def pid_path(data_dir: Path, name: str) -> Path:
    """<data-dir>/run/<name>.pid"""
    return data_dir / "run" / f"{name}.pid"


def log_path(data_dir: Path, name: str) -> Path:
    """<data-dir>/logs/<name>.log"""
    return data_dir / "logs" / f"{name}.log"


def tansu_part(data_dir: Path, port: int) -> Part:
    """Tansu, memory storage, on 127.0.0.1:`port`."""
    build = partial(
        Daemon,
        "tansu",
        tansu_command(port),
        log_path(data_dir, "tansu"),
        pid_path(data_dir, "tansu"),
        env=tansu_env(),
    )
    ready = partial(kafka_answers, f"{HOST}:{port}")
    return Part("tansu", port, build, ready, 30.0, log_path(data_dir, "tansu"))


def kafka_part(data_dir: Path, port: int, lib: Path) -> Part:
    """Apache Kafka on 127.0.0.1:`port` (controller on port+1), SASL/SCRAM with the data dir's
    users; ready when it answers the admin; then its ACLs are brought in line and groups made
    usable. Jars fetched into `lib` once."""
    home = data_dir / "kafka"
    admin = apache_kafka.admin_options(home, f"{HOST}:{port}")
    build = partial(apache_kafka.kafka_daemon, home, lib, port, pid_path(data_dir, "kafka"))
    ready = partial(kafka_answers, f"{HOST}:{port}", options=admin)
    setup = partial(kafka_acls.provision, admin)
    return Part("kafka", port, build, ready, 120.0, home / "logs" / "server.log", setup)


def postgres_part(data_dir: Path, port: int) -> Part:
    """PostgreSQL on 127.0.0.1:`port`, cluster under <data-dir>/postgres."""
    build = partial(
        postgres.postgres_daemon,
        data_dir,
        port,
        log_path(data_dir, "postgres"),
        pid_path(data_dir, "postgres"),
    )
    ready = partial(postgres_answers, postgres.database_url(port, "postgres"))
    return Part("postgres", port, build, ready, 60.0, log_path(data_dir, "postgres"))


def smtp_part(data_dir: Path, port: int) -> Part:
    """The SMTP sink (`python -m deploy.smtp_sink`) writing <data-dir>/mail."""
    command = [
        sys.executable,
        "-m",
        "deploy.smtp_sink",
        "--host",
        HOST,
        "--port",
        str(port),
        "--maildir",
        str(data_dir / "mail"),
    ]
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
    build = partial(
        Daemon,
        "smtp",
        command,
        log_path(data_dir, "smtp"),
        pid_path(data_dir, "smtp"),
        env=env,
        cwd=REPO,
    )
    return Part("smtp", port, build, partial(smtp_answers, port), 20.0, log_path(data_dir, "smtp"))
