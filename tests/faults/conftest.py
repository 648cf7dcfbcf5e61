"""The fault rig: a platform on a stack of its own (its broker and database are stopped,
restarted, rebuilt), with short leases and checks so that one run shows every fault, and the means
to break its parts."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from deploy import apache_kafka
from deploy.daemon import Daemon, DeployError, port_open, wait_until
from deploy.parts import pid_path
from deploy.processes import ServiceProcess
from deploy.smtp_sink import SmtpSink
from deploy.stack import Stack
from tests.conftest import PORT_OFFSET, STACK, Platform, start_platform, start_stack

FAULTS_OFFSET = 70  # its own ports, broker and database: nothing else runs on what this tier breaks
MAIL_CLAIM_SECONDS = 15.0
SETTINGS = {
    "IPP_MAIL_CLAIM_SECONDS": str(MAIL_CLAIM_SECONDS),  # the test waits past it for a second email
    "IPP_BROKER_CHECK_SECONDS": "2",
    "IPP_STALL_SECONDS": "15",
    # a low record limit at first, so that one large complaint cannot be published; each service
    # killed comes back with the usual limit
    "IPP_KAFKA_MAX_REQUEST_BYTES": "16384",
}


@pytest.fixture(scope="module")
def rig(data_dir: Path, smtp: SmtpSink) -> Iterator[tuple[Stack, Platform]]:
    stack, _ = start_stack(data_dir / "faults", smtp, PORT_OFFSET + FAULTS_OFFSET)
    try:
        platform = start_platform(
            stack, data_dir / "faults", smtp, "auto", PORT_OFFSET + FAULTS_OFFSET, extra=SETTINGS
        )
        try:
            yield stack, platform
        finally:
            for service in platform.services.values():
                service.terminate()
    finally:
        stack.down()


def restart(service: ServiceProcess, **env: str | None) -> None:
    """Start a stopped or killed service again (with these settings changed) and wait
    until it is ready."""
    for key, value in env.items():
        if value is None:
            service.env.pop(key, None)
        else:
            service.env[key] = value
    service.terminate()
    service.start().wait_ready(180)


def in_flight(service: ServiceProcess) -> bool:
    """Is its inbox applying a batch right now (`ipp_inbox_batch_in_flight` > 0)?"""
    try:
        metrics = httpx.get(f"{service.url}/metrics", timeout=2.0).text
    except httpx.HTTPError:
        return False
    found = re.search(r"^ipp_inbox_batch_in_flight (\S+)$", metrics, re.M)
    return bool(found and float(found.group(1)) > 0)


def kill_mid_batch(service: ServiceProcess, patience: float = 8.0) -> bool:
    """kill -9 the service while a batch is in flight (or after `patience` s); whether
    one was in flight."""
    deadline, caught = time.monotonic() + patience, False
    while time.monotonic() < deadline and not (caught := in_flight(service)):
        time.sleep(0.01)
    service.kill()
    return caught


def readiness(platform: Platform, name: str) -> dict:
    """What /readyz says, or why it said nothing."""
    try:
        return httpx.get(f"{platform.services[name].url}/readyz", timeout=5.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return {"status": f"no answer: {exc!r}"}


@contextmanager
def database_stopped(stack: Stack, platform: Platform) -> Iterator[None]:
    """The database stops answering: PostgreSQL is shut down; each SQLite file is locked
    by another writer."""
    if STACK == "production":
        daemon = Daemon.from_pid_file(pid_path(stack.data_dir, "postgres"))
        assert daemon is not None, "the rig's PostgreSQL is not running"
        daemon.stop(30.0)
        try:
            yield
        finally:
            stack.up()
        return
    locks = []
    for name in ("identity", "rights", "complaints", "notifier"):
        lock = sqlite3.connect(
            Path(platform.env["IPP_DATA_DIR"]) / name / "events.sqlite",
            timeout=30,
            isolation_level=None,
        )
        lock.execute("BEGIN EXCLUSIVE")
        locks.append(lock)
    try:
        yield
    finally:
        for lock in locks:
            lock.execute("ROLLBACK")
            lock.close()


def broker_lost(stack: Stack) -> None:
    """The broker loses everything: the embedded one is killed and started empty; Kafka's
    cluster is rebuilt."""
    name = "tansu" if STACK == "embedded" else "kafka"
    daemon = Daemon.from_pid_file(pid_path(stack.data_dir, name))
    assert daemon is not None, f"the rig's {name} is not running"
    daemon.kill()
    # a killed JVM's threads hold its sockets a moment after its leader is gone: the
    # stack would think it runs
    assert wait_until(lambda: not port_open("127.0.0.1", stack.kafka_port), 30, 0.2)
    if STACK == "production":
        apache_kafka.forget(stack.path("kafka"))
    deadline = time.monotonic() + 120
    while True:
        try:
            stack.up()
            return
        except DeployError:  # its port may stay taken a moment (TIME_WAIT)
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def ipp(platform: Platform, *args: str) -> str:
    """Run the operator CLI against the rig's databases and broker (as its Kafka admin)."""
    env = {**os.environ, **platform.env, **platform.admin_env}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
