"""The five services as separate OS processes: `python -m services.<name>`, one log file each; and
the Supervisor that starts again whatever of them (or of the stack under them) exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Protocol

import httpx

from deploy.daemon import Daemon, DeployError, log_tail

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "rights", "complaints", "notifier", "portal")
DEFAULT_PORTS = {
    "portal": 8080,
    "identity": 8081,
    "rights": 8082,
    "complaints": 8083,
    "notifier": 8084,
}


class ServiceFailed(DeployError):
    """A service exited or did not become ready; the message carries its log tail."""


class ServiceProcess:
    """One service process in its own process group (so Ctrl-C reaches only the launcher)."""

    def __init__(
        self,
        name: str,
        env: Mapping[str, str],
        log_path: Path | str,
        *,
        module: str | None = None,
        python: str = sys.executable,
        cwd: Path = REPO,
    ) -> None:
        self.name = name
        self.env = {**os.environ, **env}
        self.log_path = Path(log_path)
        self.module = module or f"services.{name}"
        self.python = python
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None
        self.pid_path: Path | None = (
            None  # when set, every start records the new pid there (Daemon.adopt)
        )

    @property
    def port(self) -> int:
        """IPP_<NAME>_PORT from the environment, else the contract's default port."""
        return int(
            self.env.get(f"IPP_{self.name.upper()}_PORT", DEFAULT_PORTS.get(self.name, 8000))
        )

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id while started (None before start)."""
        return self.popen.pid if self.popen else None

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has ended (negative: killed by that signal)."""
        return self.popen.poll() if self.popen else None

    def start(self) -> ServiceProcess:
        """Spawn the service; its output is appended to the log file."""
        if self.alive:
            raise ServiceFailed(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        path = os.pathsep.join(filter(None, [str(self.cwd), self.env.get("PYTHONPATH")]))
        env = {**self.env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%F %T')} starting {self.module}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                [self.python, "-m", self.module],
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.pid_path is not None:
            Daemon.adopt(self.name, self.popen.pid, self.log_path, self.pid_path)
        return self

    def is_ready(self) -> bool:
        """True when GET /readyz answers 200."""
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2.0, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 60.0) -> ServiceProcess:
        """Poll /readyz until 200; raise ServiceFailed with the log tail if it dies or times out."""
        wait_all_ready([self], timeout)
        return self

    def failure(self) -> ServiceFailed | None:
        """The error to raise if this service has exited (it will never become ready), else None."""
        if self.alive:
            return None
        return ServiceFailed(
            f"{self.name} exited with code {self.returncode}; end of "
            f"{self.log_path}:\n{self.tail()}"
        )

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash)."""
        self._signal_group(signal.SIGKILL)
        self._reap(10.0)

    def terminate(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it is still running after `timeout`."""
        if not self.alive:
            return
        self._signal_group(signal.SIGTERM)
        if not self._reap(timeout):
            self.kill()

    def restart(self, timeout: float = 60.0) -> ServiceProcess:
        """Terminate, start again with the same environment and wait until ready."""
        self.terminate()
        return self.start().wait_ready(timeout)

    def tail(self, lines: int = 40) -> str:
        """The end of this service's log."""
        return log_tail(self.log_path, lines)

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def _reap(self, timeout: float) -> bool:
        assert self.popen is not None
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True


def start_services(
    env: Mapping[str, str],
    log_dir: Path,
    names: Iterable[str] = SERVICES,
    modules: Mapping[str, str] | None = None,
) -> list[ServiceProcess]:
    """Start the named services (all five by default), each logging to <log_dir>/<name>.log."""
    modules = modules or {}
    return [
        ServiceProcess(name, env, log_dir / f"{name}.log", module=modules.get(name)).start()
        for name in names
    ]


def wait_all_ready(services: Iterable[ServiceProcess], timeout: float = 60.0) -> None:
    """Poll every /readyz until all answer 200; raise ServiceFailed as soon as one exits,
    or at the deadline."""
    pending = list(services)
    deadline = time.monotonic() + timeout
    while pending:
        pending = [service for service in pending if not service.is_ready()]
        for service in pending:
            if (error := service.failure()) is not None:
                raise error
        if pending and time.monotonic() > deadline:
            tails = "\n".join(f"--- end of {s.log_path}:\n{s.tail(20)}" for s in pending)
            raise ServiceFailed(
                f"not ready after {timeout:.0f} s: {', '.join(s.name for s in pending)}\n{tails}"
            )
        time.sleep(0.2 if pending else 0)


def stop_services(services: Iterable[ServiceProcess], timeout: float = 15.0) -> None:
    """SIGTERM every service at once, then wait for each (SIGKILL after `timeout`)."""
    services = list(services)
    for service in services:
        if service.alive:
            service._signal_group(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for service in services:
        if service.popen is not None and not service._reap(max(0.1, deadline - time.monotonic())):
            service.kill()


class Restartable(Protocol):
    """What the supervisor watches: a ServiceProcess, or a daemon of the stack (run.StackPart)."""

    name: str

    @property
    def alive(self) -> bool: ...

    @property
    def returncode(self) -> int | None: ...

    @property
    def log_path(self) -> Path: ...

    def start(self) -> object: ...


@dataclass
class _Watch:
    thing: Restartable
    since: float  # when it was last started
    delay: float  # the wait before its next restart
    due: float | None = None  # when to start it again; None while it runs
    restarts: int = 0


class Supervisor:
    """Starts again whatever of `things` exits, after a backoff that doubles from `first` up to
    `cap` seconds and starts over once the process had stayed up `steady` seconds. Each restart
    is a line in the thing's log and one on the console (`say`); nothing is ever given up on.
    `guard` wraps every start (the launcher holds Ctrl-C there, so that a process being started
    is never lost track of)."""

    def __init__(
        self,
        things: Iterable[Restartable],
        say: Callable[[str], object] = print,
        *,
        first: float = 1.0,
        cap: float = 30.0,
        steady: float = 60.0,
        guard: Callable[[], AbstractContextManager[object]] = nullcontext,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say = say
        self.first = first
        self.cap = cap
        self.steady = steady
        self.guard = guard
        self.clock = clock
        self.watches = [_Watch(thing, clock(), first) for thing in things]

    def run(self, interval: float = 0.5) -> NoReturn:
        """Check every `interval` seconds, forever (until KeyboardInterrupt)."""
        while True:
            self.check()
            time.sleep(interval)

    def check(self) -> None:
        """One round: note what has exited since the last one, start what is due."""
        for watch in self.watches:
            now = self.clock()
            if watch.due is None and not watch.thing.alive:
                code = watch.thing.returncode
                self._schedule(watch, now, "an exit" if code is None else f"exit code {code}")
            elif watch.due is not None and now >= watch.due:
                self._start(watch, now)

    def _schedule(self, watch: _Watch, now: float, reason: str) -> None:
        if now - watch.since >= self.steady:
            watch.delay = self.first
        delay, watch.delay = watch.delay, min(self.cap, watch.delay * 2)
        watch.due, watch.restarts = now + delay, watch.restarts + 1
        name, log_path = watch.thing.name, watch.thing.log_path
        _append(
            log_path,
            f"restarting {name} after {reason} "
            f"(restart {watch.restarts}, next backoff {delay:g} s)",
        )
        looping = (
            f"; it keeps failing, retrying every {self.cap:g} s until it stays up"
            if delay >= self.cap
            else ""
        )
        self.say(
            f"{name} stopped ({reason}): restart {watch.restarts} in {delay:g} s{looping}; "
            f"see {log_path}"
        )

    def _start(self, watch: _Watch, now: float) -> None:
        watch.since, watch.due = now, None
        try:
            with self.guard():
                watch.thing.start()
        except (
            Exception
        ) as error:  # e.g. a part that could not be built: the next try after a longer wait
            self._schedule(watch, now, f"a failed start: {error}")
        else:
            pid = getattr(watch.thing, "pid", None)
            self.say(f"{watch.thing.name} started again" + (f" (pid {pid})" if pid else ""))


def _append(log_path: Path, line: str) -> None:
    """A `=== <time> …` line at the end of a log the process itself also appends to."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n=== {time.strftime('%F %T')} {line}\n".encode())
