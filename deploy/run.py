"""`make run`: the stack, then the five services, supervised: whatever of them (or of the
stack this launcher started) exits is started again, with backoff; Ctrl-C stops them all. Data
stays in the data dir.

`python -m deploy.run [--stack embedded|production] [--data-dir var]` (STACK and IPP_DATA_DIR work
too; IPP_TANSU_PORT, IPP_KAFKA_PORT, IPP_POSTGRES_PORT and IPP_SMTP_PORT move the stack's ports).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from deploy.daemon import Daemon, DeployError
from deploy.parts import Part, pid_path
from deploy.processes import (
    SERVICES,
    ServiceProcess,
    Supervisor,
    start_services,
    stop_services,
    wait_all_ready,
)
from deploy.stack import Stack

DEV_CODE = "000000"
console = Console()


def service_env(stack: Stack, env: Mapping[str, str]) -> dict[str, str]:
    """The stack's settings plus, on the embedded stack, the dev verification code and the dev
    mailbox (/dev/mailbox, SMS codes into the SMTP sink), and auto review (reviewer queues for
    manual and hybrid review are not built yet)."""
    result = dict(env)
    if stack.kind == "embedded" and "IPP_DEV_CODE" not in os.environ:
        result["IPP_DEV_CODE"] = DEV_CODE
    if stack.kind == "embedded" and "IPP_DEV_MAILBOX" not in os.environ:
        result["IPP_DEV_MAILBOX"] = "1"
    result.setdefault("IPP_REVIEW_MODE", os.environ.get("IPP_REVIEW_MODE", "auto"))
    # identity believes the X-Forwarded-For of the portal on this machine (and only identity: the
    # portal faces browsers)
    result.setdefault(
        "IPP_IDENTITY_TRUSTED_PROXIES", os.environ.get("IPP_IDENTITY_TRUSTED_PROXIES", "127.0.0.1")
    )
    return result


def url_table(stack: Stack, env: Mapping[str, str], services: list[ServiceProcess]) -> Table:
    """Where everything is."""
    table = Table(title=f"IPP is running ({stack.kind} stack)", title_justify="left")
    table.add_column("what")
    table.add_column("where", style="cyan", overflow="fold")
    urls = {service.name: service.url for service in services}
    if "portal" in urls:
        table.add_row("portal", f"{urls['portal']}  (web UI)")
    for name in ("identity", "rights", "complaints"):
        if name in urls:
            table.add_row(f"{name} API", f"{urls[name]}/docs")
    if "notifier" in urls:
        table.add_row("notifier", f"{urls['notifier']}  (health, metrics, dev mailbox)")
    broker = "Tansu, memory only" if stack.kind == "embedded" else "Apache Kafka 4.4"
    reused = "" if {"tansu", "kafka"} & set(stack.started) else ", already running: reused"
    table.add_row("broker", f"{env['IPP_KAFKA_BOOTSTRAP']}  ({broker}{reused})")
    mail = env["IPP_SMTP_URL"]
    sink = "IPP_SMTP_URL" not in stack.environ
    table.add_row("SMTP", f"{mail}  (sink, Maildir {stack.path('mail')})" if sink else mail)
    database = (
        env.get("IPP_IDENTITY_DATABASE_URL", "").rsplit("/", 1)[0]
        or f"SQLite under {stack.data_dir}"
    )
    table.add_row("database", database)
    table.add_row("logs", str(stack.path("logs")))
    return table


def stop_leftovers(stack: Stack) -> None:
    """Stop services an earlier launcher left running (it was killed before it could clean up)."""
    for pid_file in sorted(stack.path("run", "services").glob("*.pid")):
        daemon = Daemon.from_pid_file(pid_file)
        if daemon is not None:
            console.print(
                f"Stopping {daemon.name} (pid {daemon.pid}), left over from an earlier run"
            )
            daemon.stop(15.0)


def record(stack: Stack, services: list[ServiceProcess]) -> None:
    """Write a pid file per service under <data-dir>/run/services/ (again at every restart)."""
    for service in services:
        service.pid_path = stack.path("run", "services", f"{service.name}.pid")
        if service.pid is not None:
            Daemon.adopt(service.name, service.pid, service.log_path, service.pid_path)


def stack_from_env(
    kind: str, data_dir: Path | str, environ: Mapping[str, str] = os.environ
) -> Stack:
    """The stack on its default ports, or those that IPP_TANSU_PORT (embedded) or IPP_KAFKA_PORT
    (production), IPP_POSTGRES_PORT and IPP_SMTP_PORT give."""
    names = {
        "kafka_port": "IPP_TANSU_PORT" if kind == "embedded" else "IPP_KAFKA_PORT",
        "postgres_port": "IPP_POSTGRES_PORT",
        "smtp_port": "IPP_SMTP_PORT",
    }
    ports = {option: int(environ[name]) for option, name in names.items() if environ.get(name)}
    return Stack(kind, data_dir, **ports)  # type: ignore[arg-type]


class StackPart:
    """A part of the stack that this launcher started, as the supervisor sees it: found again
    from its pid file, started again as a freshly built part on the same port (so a new Tansu
    gets a new cluster id)."""

    def __init__(self, stack: Stack, name: str) -> None:
        self.stack = stack
        self.name = name
        self.daemon = Daemon.from_pid_file(pid_path(stack.data_dir, name))

    @property
    def alive(self) -> bool:
        return self.daemon is not None and self.daemon.alive

    @property
    def returncode(self) -> int | None:
        return self.daemon.returncode if self.daemon is not None else None

    @property
    def pid(self) -> int | None:
        return self.daemon.pid if self.daemon is not None else None

    @property
    def log_path(self) -> Path:
        return self.daemon.log_path if self.daemon is not None else self._part().log

    def start(self) -> None:
        daemon = self._part().build()
        daemon.start()
        self.daemon = daemon

    def _part(self) -> Part:
        return next(part for part in self.stack.parts() if part.name == self.name)


class Interrupts:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt, but not in the middle of
    starting a process: one that arrives then is raised right after it (so nothing started
    is lost track of)."""

    def __init__(self) -> None:
        self.holding = False
        self.pending = False

    def handle(self, signum: int, frame: object) -> None:
        if self.holding:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            if self.pending:
                self.pending = False
                raise KeyboardInterrupt


def _keep_stopping(signum: int, frame: object) -> None:
    console.print("[yellow]still stopping, please wait…[/]")


def supervise(stack: Stack, services: list[ServiceProcess], interrupts: Interrupts) -> NoReturn:
    """Return never: start again whatever of the stack's own parts and the services
    exits (Supervisor)."""
    parts = [StackPart(stack, name) for name in stack.started]
    supervisor = Supervisor(
        [*parts, *services],
        lambda line: console.print(f"[yellow]{escape(line)}[/]"),
        guard=interrupts.held,
    )
    supervisor.run()


def start_all(
    stack: Stack,
    ready_timeout: float,
    modules: Mapping[str, str] | None,
    services: list[ServiceProcess],
) -> None:
    """Stack up, services started (appended to `services` at once, for cleanup) and
    ready, URLs printed."""
    stop_leftovers(stack)
    env = service_env(stack, stack.up())
    for (
        name
    ) in SERVICES:  # one by one, so an interrupt mid-way still leaves every started one listed
        services.extend(start_services(env, stack.path("logs"), [name], modules))
    record(stack, services)
    wait_all_ready(services, ready_timeout)
    console.print(url_table(stack, env, services))
    if "IPP_DEV_CODE" in env and "IPP_DEV_CODE" not in os.environ:
        console.print(
            f"Dev mode: any SMS or email verification code [bold]{DEV_CODE}[/] is accepted "
            "(IPP_DEV_CODE), so you can register without an SMS gateway."
        )
    console.print(
        "Whatever exits is started again (with backoff; see the logs). Press Ctrl-C to stop "
        "everything."
    )


def stop_all(stack: Stack, services: list[ServiceProcess]) -> None:
    """Services first, then the infrastructure this launcher started; a second Ctrl-C
    does not abort it."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _keep_stopping)
    stop_services(services)
    for pid_file in stack.path("run", "services").glob("*.pid"):
        pid_file.unlink()
    stack.down()


def run(
    kind: str = "embedded",
    data_dir: Path | str = "var",
    *,
    ready_timeout: float = 120.0,
    modules: Mapping[str, str] | None = None,
) -> int:
    """Bring everything up, keep it up until Ctrl-C/SIGTERM, bring it all down; the exit code (1
    when the start failed)."""
    # SIGINT explicitly: a shell starting us in the background would have it ignored.
    # SIGHUP: terminal closed.
    interrupts = Interrupts()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupts.handle)
    stack = stack_from_env(kind, data_dir)
    services: list[ServiceProcess] = []
    code = 0
    try:
        console.print(f"Starting the {kind} stack in {stack.data_dir} …")
        start_all(stack, ready_timeout, modules, services)
        supervise(stack, services, interrupts)
    except KeyboardInterrupt:
        console.print("\nStopping …")
    except DeployError as error:
        console.print(Text.assemble(("error: ", "bold red"), str(error)))
        code = 1
    finally:
        stop_all(stack, services)
    console.print("Stopped." if code == 0 else "Stopped after a failure.")
    return code


def main(
    stack: str = typer.Option(
        os.environ.get("STACK") or "embedded", "--stack", help="embedded or production"
    ),
    data_dir: Path = typer.Option(
        Path(os.environ.get("IPP_DATA_DIR") or "var"), "--data-dir", help="data dir"
    ),
) -> None:
    """Run the whole platform locally until Ctrl-C."""
    if stack not in ("embedded", "production"):
        raise typer.BadParameter("embedded or production", param_hint="--stack")
    raise typer.Exit(run(stack, data_dir))


if __name__ == "__main__":
    typer.run(main)
