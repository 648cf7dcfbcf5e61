"""Fixtures of the integration and e2e tiers: the stack (IPP_TEST_STACK=embedded|production), an
SMTP server the tests run, and all five services as separate processes: `platform` in auto
review mode and, for reviewer journeys, `manual_platform` in manual mode on a broker and
database of its own."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy.client import Client, Urls
from deploy.processes import ServiceProcess, start_services, stop_services, wait_all_ready
from deploy.smtp_sink import SmtpSink
from deploy.stack import REPO, Stack
from shared.kit.kafka import options_from_env

STACK = os.environ.get("IPP_TEST_STACK", "embedded")
# lets two test runs share a machine: every port (services, broker, database) moves by this much
PORT_OFFSET = int(os.environ.get("IPP_TEST_PORT_OFFSET", "0"))
MANUAL_OFFSET = 50  # the manual-mode platform's ports move this much further
SERVICE_PORTS = {
    "portal": 8080,
    "identity": 8081,
    "rights": 8082,
    "complaints": 8083,
    "notifier": 8084,
}
# Kafka settings of the caller's shell would point the tests' own stack elsewhere: they are dropped
CALLER_KAFKA = re.compile(r"IPP_(KAFKA_|[A-Z]+_KAFKA_SASL_).*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Platform:
    env: dict[str, str]
    services: dict[str, ServiceProcess]
    smtp: SmtpSink
    logs: Path
    admin_env: dict[
        str, str
    ]  # the IPP_KAFKA_* settings of the Kafka super user (Stack.admin_env())
    takedown_env: dict[str, str]  # those of the read-only takedown principal (Stack.takedown_env())

    @property
    def bootstrap(self) -> str:
        return self.env["IPP_KAFKA_BOOTSTRAP"]

    @property
    def kafka(self) -> dict[str, Any]:
        """aiokafka options of the admin, who may read and write every topic (for the
        tests' own checks)."""
        return options_from_env(self.admin_env)

    def kafka_as(self, principal: str) -> dict[str, Any]:
        """aiokafka options of `takedown`, `admin` or a service (`rights`: the
        principal it runs as)."""
        if principal in ("admin", "takedown"):
            return options_from_env(self.admin_env if principal == "admin" else self.takedown_env)
        return options_from_env(self.env, service=principal)

    def client(self) -> Client:
        return Client(Urls.from_env(self.env))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"ipp-{STACK}")


@pytest.fixture(scope="session")
def smtp(data_dir: Path) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port(), maildir=data_dir / "test-mail").start()
    yield sink
    sink.stop()


def start_stack(data_dir: Path, smtp: SmtpSink, offset: int) -> tuple[Stack, dict[str, str]]:
    """This run's stack (its own broker and database when `offset` differs), mail to
    the test's server."""
    environ = {k: v for k, v in os.environ.items() if not CALLER_KAFKA.fullmatch(k)}
    environ["IPP_SMTP_URL"] = smtp.url
    kafka_port = (19092 if STACK == "embedded" else 29092) + offset * 10
    stack = Stack(
        STACK,
        data_dir,
        kafka_lib=REPO / "var" / "kafka-lib",
        environ=environ,
        kafka_port=kafka_port,
        postgres_port=25432 + offset,
    )
    return stack, stack.up()


def start_platform(
    stack: Stack,
    data_dir: Path,
    smtp: SmtpSink,
    review_mode: str,
    offset: int,
    extra: dict[str, str] | None = None,
) -> Platform:
    """All five services as processes, on ports moved by `offset` * 10 (with `extra` settings)."""
    env = {
        **stack.env(),
        "IPP_REVIEW_MODE": review_mode,
        "IPP_DEV_CODE": "000000",
        "IPP_ENV": "test",
        "IPP_TOPIC_PARTITIONS": "3",
        "IPP_SMTP_URL": smtp.url,
        # identity believes the local portal's X-Forwarded-For
        "IPP_IDENTITY_TRUSTED_PROXIES": "127.0.0.1",
        **(extra or {}),
    }
    for name, port in SERVICE_PORTS.items():
        env[f"IPP_{name.upper()}_PORT"] = str(port + offset * 10)
        env[f"IPP_{name.upper()}_URL"] = f"http://127.0.0.1:{port + offset * 10}"
    logs = data_dir / "logs"
    services = start_services(env, logs)
    try:
        wait_all_ready(services, timeout=120)
    except Exception:
        stop_services(services)
        raise
    return Platform(
        env, {s.name: s for s in services}, smtp, logs, stack.admin_env(), stack.takedown_env()
    )


@pytest.fixture(scope="session")
def stack(data_dir: Path, smtp: SmtpSink) -> Iterator[Stack]:
    """This run's broker and database, up."""
    started, _ = start_stack(data_dir, smtp, PORT_OFFSET)
    yield started
    started.down()


@pytest.fixture(scope="session")
def infrastructure(stack: Stack) -> dict[str, str]:
    """The services' settings on this run's stack."""
    return stack.env()


@pytest.fixture(scope="session")
def kafka_admin(stack: Stack) -> dict[str, Any]:
    """aiokafka options of the Kafka admin on this run's stack (a super user on the
    production stack)."""
    return options_from_env(stack.admin_env())


@pytest.fixture(scope="session")
def platform(stack: Stack, data_dir: Path, smtp: SmtpSink) -> Iterator[Platform]:
    """The platform in auto review mode."""
    running = start_platform(stack, data_dir, smtp, "auto", PORT_OFFSET)
    yield running
    stop_services(running.services.values())


@pytest.fixture(scope="session")
def manual_platform(data_dir: Path, smtp: SmtpSink) -> Iterator[Platform]:
    """A second platform in manual review mode, with its own broker, database and ports, so that
    reviewers decide; it shares only the SMTP server."""
    offset = PORT_OFFSET + MANUAL_OFFSET
    stack, _ = start_stack(data_dir / "manual", smtp, offset)
    try:
        running = start_platform(stack, data_dir / "manual", smtp, "manual", offset)
        yield running
        stop_services(running.services.values())
    finally:
        stack.down()
