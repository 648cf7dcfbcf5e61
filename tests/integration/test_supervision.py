"""`make run` supervises what it started: a service or the embedded broker killed with -9 comes back
(with backoff, logged), the rest keeps running, and Ctrl-C still stops everything."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from deploy.daemon import Daemon, port_open, wait_until
from deploy.processes import SERVICES, Supervisor
from deploy.stack import REPO
from tests.conftest import STACK


def pick_ports(count: int) -> list[int]:
    """Ports in 31000–31999 that nothing is bound to right now."""
    found: list[int] = []
    for port in random.sample(range(31000, 32000), 1000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError("no free ports in 31000–31999")


@dataclass
class Launcher:
    """`python -m deploy.run --stack embedded` in a data dir of its own, every port moved."""

    data_dir: Path
    ports: dict[str, int]
    popen: subprocess.Popen | None = None
    output: Path = field(init=False)

    def __post_init__(self) -> None:
        self.output = self.data_dir / "launcher.out"

    def start(self) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("IPP_KAFKA_BOOTSTRAP", "IPP_SMTP_URL", "STACK")
        }
        env.update(
            {
                "IPP_TANSU_PORT": str(self.ports["tansu"]),
                "IPP_SMTP_PORT": str(self.ports["smtp"]),
                "COLUMNS": "200",
            }
        )
        for name in SERVICES:
            env[f"IPP_{name.upper()}_PORT"] = str(self.ports[name])
            env[f"IPP_{name.upper()}_URL"] = f"http://127.0.0.1:{self.ports[name]}"
        with open(self.output, "wb") as out:
            self.popen = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "deploy.run",
                    "--stack",
                    "embedded",
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def pid(self, name: str) -> int | None:
        """The pid a pid file records for a service or a stack part, if that process runs."""
        path = self.data_dir / "run" / ("services" if name in SERVICES else "") / f"{name}.pid"
        daemon = Daemon.from_pid_file(path)
        return daemon.pid if daemon is not None and daemon.alive else None

    def ready(self, name: str) -> bool:
        try:
            url = f"http://127.0.0.1:{self.ports[name]}/readyz"
            return httpx.get(url, timeout=2.0, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def supervising(self) -> bool:
        """True once the launcher has printed that it starts again whatever exits
        (everything was ready)."""
        return "Press Ctrl-C to stop everything" in self.output.read_text(errors="replace")

    def wait(self, check, timeout: float, what: str) -> None:
        def done() -> bool:
            assert self.popen is not None and self.popen.poll() is None, (
                f"the launcher exited\n{self.report()}"
            )
            return check()

        assert wait_until(done, timeout, 0.25), f"{what} after {timeout:.0f} s\n{self.report()}"

    def report(self) -> str:
        logs = "\n".join(
            f"--- {path.name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-15:])
            for path in sorted((self.data_dir / "logs").glob("*.log"))
        )
        return f"--- launcher:\n{self.output.read_text(errors='replace')}\n{logs}"

    def interrupt(self, timeout: float = 60.0) -> int | None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGINT)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def clean_up(self) -> None:
        """After a failed test: stop the launcher, then whatever its pid files still record."""
        if self.popen is not None and self.popen.poll() is None and self.interrupt() is None:
            self.popen.kill()
            self.popen.wait()
        for path in (self.data_dir / "run").rglob("*.pid"):
            if (daemon := Daemon.from_pid_file(path)) is not None:
                daemon.kill()


def running(pid: int) -> bool:
    """True while a process exists and is not a zombie (its parent gone, init reaps it soon)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cluster_id(bootstrap: str) -> str | None:
    """The cluster id a broker's metadata answer gives."""
    from aiokafka.admin import AIOKafkaAdminClient

    async def ask() -> str | None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        await admin.start()
        try:
            return (await admin.describe_cluster()).get("cluster_id")
        finally:
            await admin.close()

    try:
        return asyncio.run(asyncio.wait_for(ask(), 10))
    except Exception:
        return None


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    names = [*SERVICES, "tansu", "smtp"]
    running = Launcher(tmp_path / "data", dict(zip(names, pick_ports(len(names)), strict=True)))
    running.data_dir.mkdir()
    running.start()
    yield running
    running.clean_up()


@pytest.mark.skipif(
    STACK != "embedded",
    reason="the same Supervisor on both stacks; on production the launcher "
    "would first start its own Kafka and PostgreSQL (minutes) for nothing more",
)
def test_make_run_restarts_a_killed_service_and_the_killed_broker_then_ctrl_c_stops_all(launcher):
    # What a person waits for before touching anything: the launcher saying it now supervises. (The
    # services answering /readyz is not enough: the launcher may not have seen them ready yet, and a
    # service dying during the start stops `make run` with its log, as a misconfigured one should.)
    launcher.wait(launcher.supervising, 120, "the launcher did not report everything up")
    assert all(launcher.ready(name) for name in SERVICES)
    pids = {name: launcher.pid(name) for name in [*SERVICES, "tansu", "smtp"]}
    assert all(pids.values()), pids
    bootstrap = f"127.0.0.1:{launcher.ports['tansu']}"
    first_cluster = cluster_id(bootstrap)
    assert first_cluster and first_cluster.startswith("ipp-")

    os.kill(pids["rights"], signal.SIGKILL)
    launcher.wait(
        lambda: launcher.pid("rights") not in (None, pids["rights"]) and launcher.ready("rights"),
        60,
        "rights did not come back",
    )
    assert (
        "restarting rights after exit code -9 (restart 1"
        in (launcher.data_dir / "logs" / "rights.log").read_text()
    )
    others = {name: pid for name, pid in pids.items() if name != "rights"}
    assert {name: launcher.pid(name) for name in others} == others, "something else was stopped"

    os.kill(pids["tansu"], signal.SIGKILL)
    launcher.wait(
        lambda: (
            launcher.pid("tansu") not in (None, pids["tansu"]) and cluster_id(bootstrap) is not None
        ),
        60,
        "Tansu did not come back",
    )
    assert cluster_id(bootstrap) not in (None, first_cluster), (
        "the restarted broker looks like the old one"
    )
    assert (
        "restarting tansu after exit code -9"
        in (launcher.data_dir / "logs" / "tansu.log").read_text()
    )
    survivors = {name: pid for name, pid in others.items() if name != "tansu"}
    assert {name: launcher.pid(name) for name in survivors} == survivors, (
        "a process stopped with the broker"
    )
    console = launcher.output.read_text()
    assert (
        "rights stopped (exit code -9): restart 1 in 1 s" in console
        and "tansu started again" in console
    )

    everything = [*pids.values(), launcher.pid("rights"), launcher.pid("tansu")]
    assert launcher.interrupt() == 0, launcher.report()
    assert "Stopped." in launcher.output.read_text()
    assert not [path for path in (launcher.data_dir / "run").rglob("*.pid")], "pid files left"
    assert wait_until(lambda: not [pid for pid in everything if running(pid)], 10), "processes left"
    assert not [port for port in launcher.ports.values() if port_open("127.0.0.1", port)], (
        "ports still open"
    )


class Flaky:
    """A process that dies whenever it is told to; start() can be made to fail."""

    def __init__(self, log_path: Path) -> None:
        self.name = "flaky"
        self.log_path = log_path
        self.alive = True
        self.returncode = None
        self.starts, self.broken = 0, False

    def start(self) -> None:
        if self.broken:
            raise OSError("no such binary")
        self.alive, self.returncode, self.starts = True, None, self.starts + 1

    def crash(self) -> None:
        self.alive, self.returncode = False, 1


def test_backoff_doubles_up_to_its_cap_never_gives_up_and_starts_over_after_a_steady_minute(
    tmp_path,
):
    now = [0.0]
    said: list[str] = []
    flaky = Flaky(tmp_path / "flaky.log")
    supervisor = Supervisor([flaky], said.append, clock=lambda: now[0])

    def crash_and_wait() -> float:
        """Crash it; the seconds until the supervisor started it again."""
        flaky.crash()
        supervisor.check()
        started, waited = flaky.starts, 0.0
        while flaky.starts == started:
            now[0] += 0.5
            waited += 0.5
            supervisor.check()
            assert waited < 100
        return waited

    assert [crash_and_wait() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert "it keeps failing, retrying every 30 s" in said[-2]
    flaky.broken = True  # a start that fails counts as one more exit
    flaky.crash()
    supervisor.check()
    now[0] += 30
    supervisor.check()
    assert "restart 9 in 30 s" in said[-1] and "failed start: no such binary" in said[-1]
    flaky.broken = False
    now[0] += 30
    supervisor.check()
    now[0] += 60  # up a whole minute: the backoff starts over
    assert crash_and_wait() == 1
    log = flaky.log_path.read_text()
    assert (
        "restarting flaky after exit code 1 (restart 1, next backoff 1 s)" in log
        and "(restart 10," in log
    )
