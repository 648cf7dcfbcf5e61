"""The infrastructure under the services: embedded (Tansu + SMTP sink) or production
(Kafka + PostgreSQL).

API: `env = Stack("production", Path("var")).up()` ... `stack.down()`. CLI: `python -m deploy.stack
up|down|env [--stack embedded|production] [--data-dir var]`; `env --principal admin|takedown` prints
that Kafka principal's IPP_KAFKA_* settings instead of the services'.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import typer

from deploy import apache_kafka, postgres
from deploy import parts as infra
from deploy.daemon import Daemon, DeployError, port_open
from deploy.parts import HOST, REPO, Part
from deploy.readiness import wait_ready

StackKind = Literal["embedded", "production"]
KAFKA_PORTS = {"embedded": 19092, "production": 29092}
CALLER_SASL = re.compile(r"IPP_[A-Z]+_KAFKA_SASL_(USERNAME|PASSWORD)")  # a service's own principal
PRINCIPALS = ("services", "admin", "takedown")
__all__ = ["KAFKA_PORTS", "REPO", "Stack", "StackKind"]


class Stack:
    """Starts what is missing, reuses what already listens, stops only what it started."""

    def __init__(
        self,
        kind: StackKind = "embedded",
        data_dir: Path | str = "var",
        *,
        kafka_port: int | None = None,
        postgres_port: int = 25432,  # below the ephemeral ports (32768-60999), which clients take
        smtp_port: int = 1025,
        kafka_lib: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if kind not in KAFKA_PORTS:
            raise ValueError(f"unknown stack {kind!r}: embedded or production")
        self.kind = kind
        self.data_dir = Path(data_dir).resolve()
        self.kafka_port = kafka_port or KAFKA_PORTS[kind]
        self.postgres_port = postgres_port
        self.smtp_port = smtp_port
        self.kafka_lib = Path(kafka_lib) if kafka_lib else self.data_dir / "kafka" / "lib"
        self.environ = os.environ if environ is None else environ
        self.started: list[str] = []

    def env(self) -> dict[str, str]:
        """The settings the services need for this stack (CONTRACT.md, 'Processes and settings'): on
        the production stack each service's own Kafka principal, never the admin's."""
        env = {
            "IPP_DATA_DIR": str(self.data_dir),
            "IPP_KAFKA_BOOTSTRAP": self.bootstrap,
            "IPP_KAFKA_IDEMPOTENCE": self.environ.get(
                "IPP_KAFKA_IDEMPOTENCE", "true" if self.kind == "production" else "false"
            ),
            "IPP_SMTP_URL": self.environ.get("IPP_SMTP_URL", f"smtp://{HOST}:{self.smtp_port}"),
        }
        if self.external_kafka:
            env.update(self._caller_kafka_env(with_services=True))
        elif self.kind == "production":
            env.update(self._kafka_env())
            for service in apache_kafka.SERVICES:
                user = f"ipp-{service}"
                env[f"IPP_{service.upper()}_KAFKA_SASL_USERNAME"] = user
                env[f"IPP_{service.upper()}_KAFKA_SASL_PASSWORD"] = self._passwords()[user]
        else:
            env["IPP_KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"
        if self.kind == "production":
            for service in postgres.SERVICES_WITH_DATABASES:
                key = f"IPP_{service.upper()}_DATABASE_URL"
                env[key] = self.environ.get(
                    key, postgres.database_url(self.postgres_port, f"ipp_{service}")
                )
        return env

    def admin_env(self) -> dict[str, str]:
        """The IPP_KAFKA_* settings of the Kafka super user `admin` (for operators,
        tests and tools)."""
        return self._principal_env(apache_kafka.ADMIN)

    def takedown_env(self) -> dict[str, str]:
        """The IPP_KAFKA_* settings of `ipp-takedown`, which may only read the verdicts
        (groups takedown*)."""
        return self._principal_env(apache_kafka.TAKEDOWN)

    @property
    def bootstrap(self) -> str:
        """Where the brokers are: IPP_KAFKA_BOOTSTRAP from outside, else this stack's own broker."""
        return self.environ.get("IPP_KAFKA_BOOTSTRAP", f"{HOST}:{self.kafka_port}")

    @property
    def external_kafka(self) -> bool:
        """True when the caller names the brokers (IPP_KAFKA_BOOTSTRAP): no
        broker is started then."""
        return "IPP_KAFKA_BOOTSTRAP" in self.environ

    def _principal_env(self, user: str) -> dict[str, str]:
        env = {"IPP_KAFKA_BOOTSTRAP": self.bootstrap}
        if self.external_kafka:
            env.update(self._caller_kafka_env())
        elif self.kind == "production":
            env.update(self._kafka_env())
            env.update(
                IPP_KAFKA_SASL_USERNAME=user, IPP_KAFKA_SASL_PASSWORD=self._passwords()[user]
            )
        else:
            env["IPP_KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"  # Tansu: no authentication
        return env

    def _kafka_env(self) -> dict[str, str]:
        return {
            "IPP_KAFKA_SECURITY_PROTOCOL": apache_kafka.PROTOCOL,
            "IPP_KAFKA_SASL_MECHANISM": apache_kafka.MECHANISM,
        }

    def _caller_kafka_env(self, with_services: bool = False) -> dict[str, str]:
        """The IPP_KAFKA_* settings the caller set for an external broker (and, for the services,
        their own IPP_<SERVICE>_KAFKA_SASL_*), passed through unchanged."""
        return {
            key: value
            for key, value in self.environ.items()
            if key.startswith("IPP_KAFKA_") or (with_services and CALLER_SASL.fullmatch(key))
        }

    def _passwords(self) -> dict[str, str]:
        return apache_kafka.credentials(self.path("kafka"))

    def path(self, *parts: str) -> Path:
        """A path under the data dir."""
        return self.data_dir.joinpath(*parts)

    def parts(self) -> list[Part]:
        """What this stack has to run here (external brokers and SMTP servers excluded)."""
        parts = []
        if not self.external_kafka:
            production = self.kind == "production"
            parts.append(
                infra.kafka_part(self.data_dir, self.kafka_port, self.kafka_lib)
                if production
                else infra.tansu_part(self.data_dir, self.kafka_port)
            )
        if self.kind == "production" and self._needs_postgres():
            parts.append(infra.postgres_part(self.data_dir, self.postgres_port))
        if "IPP_SMTP_URL" not in self.environ:
            parts.append(infra.smtp_part(self.data_dir, self.smtp_port))
        return parts

    def up(self, timeout: float | None = None) -> dict[str, str]:
        """Start whatever is not already listening, wait until all of it is ready, return env()."""
        parts = self.parts()
        try:
            waiting = [(part, self._ensure(part)) for part in parts]
            for part, daemon in waiting:
                wait_ready(part.name, part.ready, timeout or part.ready_timeout, daemon, part.log)
                if part.setup is not None:
                    part.setup()
            if any(part.name == "postgres" for part in parts):
                postgres.create_databases(self.postgres_port, self._databases())
        except BaseException:
            self.down()
            raise
        return self.env()

    def down(self, everything: bool = False) -> list[str]:
        """Stop what this object started (or, with everything=True, all that run/*.pid records)."""
        names = self._recorded() if everything else list(reversed(self.started))
        stopped = []
        for name in names:
            daemon = Daemon.from_pid_file(infra.pid_path(self.data_dir, name))
            if daemon is not None:
                daemon.stop(infra.STOP_TIMEOUTS.get(name, 10.0))
                stopped.append(name)
        self.started = [name for name in self.started if name not in names]
        return stopped

    def __enter__(self) -> Stack:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    def _ensure(self, part: Part) -> Daemon | None:
        """Spawn the part unless its port is taken or our earlier launch is still booting."""
        recorded = Daemon.from_pid_file(infra.pid_path(self.data_dir, part.name))
        if port_open(HOST, part.port) or (recorded is not None and recorded.alive):
            return None
        daemon = part.build()
        daemon.start()
        self.started.append(part.name)
        return daemon

    def _recorded(self) -> list[str]:
        found = {path.stem for path in self.path("run").glob("*.pid")}
        return [name for name in infra.STOP_ORDER if name in found] + sorted(
            found - set(infra.STOP_ORDER)
        )

    def _needs_postgres(self) -> bool:
        return any(
            f"IPP_{s.upper()}_DATABASE_URL" not in self.environ
            for s in postgres.SERVICES_WITH_DATABASES
        )

    def _databases(self) -> tuple[str, ...]:
        return tuple(f"ipp_{s}" for s in postgres.SERVICES_WITH_DATABASES)


cli = typer.Typer(add_completion=False, help="The local infrastructure under the IPP services.")
STACK_OPTION = typer.Option(
    os.environ.get("STACK") or "embedded", "--stack", help="embedded or production"
)
DATA_OPTION = typer.Option(
    Path(os.environ.get("IPP_DATA_DIR") or "var"), "--data-dir", help="data directory"
)


def _stack(kind: str, data_dir: Path) -> Stack:
    if kind not in KAFKA_PORTS:
        raise typer.BadParameter("embedded or production", param_hint="--stack")
    return Stack(kind, data_dir)  # type: ignore[arg-type]


def _print_env(env: Mapping[str, str]) -> None:
    for key, value in env.items():
        print(f"{key}={shlex.quote(value)}")


@cli.command()
def up(stack: str = STACK_OPTION, data_dir: Path = DATA_OPTION) -> None:
    """Start the stack (reusing whatever already listens) and print its environment."""
    target = _stack(stack, data_dir)
    try:
        env = target.up()
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"# started: {', '.join(target.started) or 'nothing (all reused)'}", file=sys.stderr)
    _print_env(env)


@cli.command()
def down(stack: str = STACK_OPTION, data_dir: Path = DATA_OPTION) -> None:
    """Stop every process `up` started in this data directory."""
    stopped = _stack(stack, data_dir).down(everything=True)
    print(f"stopped: {', '.join(stopped) or 'nothing'}")


@cli.command()
def env(
    stack: str = STACK_OPTION,
    data_dir: Path = DATA_OPTION,
    principal: str = typer.Option(
        "services", "--principal", help="services (the services' environment), admin or takedown"
    ),
) -> None:
    """Print an environment for this stack (KEY=value lines): the services' or one
    Kafka principal's."""
    if principal not in PRINCIPALS:
        raise typer.BadParameter(" or ".join(PRINCIPALS), param_hint="--principal")
    target = _stack(stack, data_dir)
    envs = {"services": target.env, "admin": target.admin_env, "takedown": target.takedown_env}
    _print_env(envs[principal]())


if __name__ == "__main__":
    cli()
