"""Is a broker or a database really serving? (An open port is not enough.)"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deploy.daemon import Daemon, DeployError, log_errors, log_tail, port_open, wait_until


def kafka_answers(
    bootstrap: str, timeout: float = 5.0, options: Mapping[str, Any] | None = None
) -> bool:
    """True when the broker answers a metadata request that lists at least one broker; `options` are
    aiokafka client options (how to authenticate: security_protocol, sasl_*), e.g. the admin's."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if not port_open(host, int(port)):
        return False
    try:
        return asyncio.run(asyncio.wait_for(_kafka_metadata(bootstrap, options or {}), timeout))
    except Exception:
        return False


async def _kafka_metadata(bootstrap: str, options: Mapping[str, Any]) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    settings = {**options, "bootstrap_servers": bootstrap, "request_timeout_ms": 4000}
    admin = AIOKafkaAdminClient(**settings)
    try:
        await admin.start()
        await admin.list_topics()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    finally:
        await admin.close()


def postgres_answers(url: str, timeout: float = 3.0) -> bool:
    """True when PostgreSQL at `url` accepts a connection and answers SELECT 1."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=max(1, int(timeout))) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def smtp_answers(port: int, host: str = "127.0.0.1") -> bool:
    """True when an SMTP server on host:`port` answers NOOP."""
    try:
        with smtplib.SMTP(host, port, timeout=3) as client:
            return client.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def wait_ready(
    name: str, check, timeout: float, daemon: Daemon | None = None, log_path: Path | None = None
) -> None:
    """Wait for `check()`; fail with the log tail if the daemon dies or time runs out."""

    def ready_or_dead() -> bool:
        if daemon is not None and daemon.popen is not None and not daemon.alive:
            raise DeployError(
                f"{name} exited with code {daemon.popen.returncode}:\n{_tail(daemon, log_path)}"
            )
        return check()

    with _quiet_aiokafka():
        if not wait_until(ready_or_dead, timeout, 0.5):
            raise DeployError(
                f"{name} is not ready after {timeout:.0f} s:\n{_tail(daemon, log_path)}"
            )


def _tail(daemon: Daemon | None, log_path: Path | None) -> str:
    paths = dict.fromkeys(p for p in (daemon.log_path if daemon else None, log_path) if p)
    return "\n".join(_report(path) for path in paths) or "(no log)"


def _report(path: Path) -> str:
    errors = log_errors(path)
    head = f"--- first errors in {path}:\n" + "\n".join(errors) + "\n" if errors else ""
    return f"{head}--- end of {path}:\n{log_tail(path, 25)}"


class _quiet_aiokafka:
    """aiokafka logs every refused connection as an error while we poll; silence it meanwhile."""

    def __enter__(self) -> None:
        self._logger = logging.getLogger("aiokafka")
        self._level = self._logger.level
        self._logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)
