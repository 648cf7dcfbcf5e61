"""Background processes with pid files: start once, find again from another
process, stop cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deploy.system import as_user


class DeployError(RuntimeError):
    """A piece of the local stack could not be provisioned, started or reached."""


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for tests that need their own broker or sink)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, or a note that there is none."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def log_errors(path: Path, limit: int = 5) -> list[str]:
    """The first lines of a log that report an error (the cause hides above the
    tail in Kafka's log)."""
    markers = (" ERROR ", "FATAL", "Error:", "Exception:")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            found = [line.rstrip() for line in handle if any(marker in line for marker in markers)]
    except OSError:
        return []
    return found[:limit]


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    """Poll `check` until it returns true or `timeout` seconds pass; return its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _start_ticks(pid: int) -> str | None:
    """The kernel's start time of a pid (guards against pid reuse); None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (macOS): trust the pid when it answers signal 0
        return "" if _signal_zero(pid) else None
    return stat.rsplit(")", 1)[1].split()[19]


def _signal_zero(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@dataclass
class Daemon:
    """One long-running process in its own process group, optionally recorded in a pid file."""

    name: str
    command: Sequence[str]
    log_path: Path
    pid_path: Path | None = None
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    user: str | None = None
    stop_signal: int = signal.SIGTERM
    popen: subprocess.Popen | None = field(default=None, repr=False)
    pid: int | None = None

    def start(self) -> None:
        """Spawn the process (stdout and stderr appended to the log) and record its pid."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%F %T')} starting {self.name}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                list(self.command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(self.env) if self.env is not None else None,
                cwd=self.cwd,
                start_new_session=True,
                **as_user(self.user),
            )
        self.pid = self.popen.pid
        if self.pid_path:
            self._write_pid_file()

    def _write_pid_file(self) -> None:
        assert self.pid_path and self.pid
        record = {
            "name": self.name,
            "pid": self.pid,
            "start": _start_ticks(self.pid),
            "stop_signal": int(self.stop_signal),
            "log": str(self.log_path),
        }
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.write_text(json.dumps(record))

    @classmethod
    def adopt(cls, name: str, pid: int, log_path: Path, pid_path: Path) -> Daemon:
        """Record a process someone else spawned, so a later launcher can find and stop it."""
        daemon = cls(name=name, command=(), log_path=log_path, pid_path=pid_path, pid=pid)
        daemon._write_pid_file()
        return daemon

    @classmethod
    def from_pid_file(cls, pid_path: Path) -> Daemon | None:
        """The daemon a pid file describes, if that very process is still running."""
        try:
            record = json.loads(pid_path.read_text())
        except (OSError, ValueError):
            return None
        if _start_ticks(record["pid"]) != record.get("start"):
            pid_path.unlink(missing_ok=True)  # stale: the process is gone (or the pid was reused)
            return None
        return cls(
            name=record["name"],
            command=(),
            log_path=Path(record["log"]),
            pid_path=pid_path,
            stop_signal=record.get("stop_signal", signal.SIGTERM),
            pid=record["pid"],
        )

    @property
    def alive(self) -> bool:
        """True while the process runs (a reaped or zombie child counts as dead)."""
        if self.pid is None:
            return False
        if self.popen is not None:
            return self.popen.poll() is None
        return _start_ticks(self.pid) is not None and not _is_zombie(self.pid)

    @property
    def returncode(self) -> int | None:
        """The exit code once it has ended (negative: killed by that signal); None while it
        runs, or when it is not our child (found again from a pid file it may be ours: then
        it is reaped here)."""
        if self.popen is not None:
            return self.popen.poll()
        if self.pid is None or self.alive:
            return None
        deadline = (
            time.monotonic() + 2.0
        )  # a killed leader shows "Z" while its other threads still exit
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # not our child, or already reaped
                return None
            if pid or time.monotonic() > deadline:
                return os.waitstatus_to_exitcode(status) if pid else None
            time.sleep(0.02)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to stop with its stop signal, then kill its whole
        group after `timeout`."""
        if self.alive:
            _signal(self.pid, self.stop_signal, group=False)
            if not wait_until(lambda: not self.alive, timeout, 0.1):
                self.kill()
        self._forget()

    def kill(self) -> None:
        """SIGKILL the process group at once."""
        if self.pid is not None:
            _signal(self.pid, signal.SIGKILL, group=True)
            wait_until(lambda: not self.alive, 10.0, 0.05)
        self._forget()

    def _forget(self) -> None:
        if self.popen is not None:
            self.popen.poll()
        if self.pid_path:
            self.pid_path.unlink(missing_ok=True)

    def tail(self, lines: int = 40) -> str:
        """The end of this daemon's log."""
        return log_tail(self.log_path, lines)


def _signal(pid: int, signum: int, group: bool) -> None:
    try:
        if group:
            os.killpg(pid, signum)  # every daemon leads its own group (start_new_session)
        else:
            os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
