"""Schema migrations (Alembic) of the tables each service keeps beside its event store.

A service's tables change by revisions in services/<service>/migrations/versions/, applied when it
starts (`migrate`), so a changed table is altered in place instead of being left as create_all first
made it. The version lives in `ipp_schema_version`: one name serves all, as each service has a
database of its own (their event tables would clash anyway). The eventsourcing library makes and
owns its event tables: they are neither migrated nor compared here. `python -m shared.kit.migrations
--help` lists the developer and operator commands (a new revision, an upgrade by hand).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import threading
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

import typer
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine

from shared.kit.database import kit_metadata

VERSION_TABLE = "ipp_schema_version"
SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
EVENT_TABLE_SUFFIXES = (
    "_events",
    "_snapshots",
    "_tracking",
)  # eventsourcing's: <application name>_events
IN_PROCESS = (
    threading.Lock()
)  # Alembic's `op` and `context` are process-wide: one migration at a time


def services_with_migrations() -> list[str]:
    """The services with a database of their own: each has services/<name>/migrations/versions/."""
    return sorted(path.parent.parent.name for path in SERVICES_DIR.glob("*/migrations/versions"))


def target_metadata(service: str) -> list[MetaData]:
    """Every MetaData whose tables the service's database holds: what its revisions must produce. A
    service names them itself, as SCHEMA in its adapters/read_models.py (the read side's tables, and
    the review queue's)."""
    return [kit_metadata, *import_module(f"services.{service}.adapters.read_models").SCHEMA]


def alembic_config(service: str, connection: Connection | None = None) -> Config:
    """Alembic's configuration for a service, without an alembic.ini: env.py takes
    `connection` from it."""
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes.update(service=service, connection=connection)
    return config


@cache
def scripts(service: str) -> ScriptDirectory:
    """The service's revisions, read once per process: they are files of the code, which does not
    change under a running process, and reading them executes every revision module."""
    return ScriptDirectory.from_config(alembic_config(service))


def migrate(engine: Engine, service: str) -> None:
    """Bring the service's tables to the newest revision, in one transaction, one replica at a time.

    A database made by create_all before migrations existed has the baseline's tables and no
    version: it is stamped at the baseline rather than failing on CREATE TABLE, then upgraded.
    """
    with IN_PROCESS, engine.begin() as connection:
        take_turn(connection, service)
        config = alembic_config(service, connection)
        script = scripts(service)
        if set(current_heads(connection)) == set(script.get_heads()):
            return  # the usual restart: nothing to run, not even env.py
        if made_by_create_all(connection, script):
            command.stamp(config, script.get_base())
        command.upgrade(config, "head")


def take_turn(connection: Connection, service: str) -> None:
    """Hold the database's migration lock until the transaction ends, so replicas never race."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(
            hashlib.sha256(f"ipp-schema/{service}".encode()).digest()[:8], "big", signed=True
        )
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif (
        connection.dialect.name == "sqlite"
    ):  # its write lock, taken now: the DDL below commits as one
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def current_heads(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    ).get_current_heads()


def made_by_create_all(connection: Connection, script: ScriptDirectory) -> bool:
    """No version yet, but every table of the baseline there already. (A partial set, left by an
    older version, is upgraded instead: the baseline creates its tables IF NOT EXISTS.)"""
    inspector = inspect(connection)
    baseline = script.get_revision(script.get_base())
    return not inspector.has_table(VERSION_TABLE) and all(
        inspector.has_table(t) for t in baseline.module.TABLES
    )


def run_env() -> None:
    """The body of every service's migrations/env.py: migrate the connection
    `migrate` hands over."""
    from alembic import context

    service, connection = (
        context.config.attributes["service"],
        context.config.attributes.get("connection"),
    )
    if connection is None:
        raise RuntimeError(
            "run migrations through shared.kit.migrations (python -m shared.kit.migrations --help)"
        )
    context.configure(
        connection=connection,
        **comparison(service),
        render_as_batch=connection.dialect.name == "sqlite",
        process_revision_directives=skip_empty
        if context.config.attributes.get("skip_empty")
        else None,
    )
    with context.begin_transaction():
        context.run_migrations()


def comparison(service: str) -> dict[str, Any]:
    """How a database is compared with the service's tables in code: the event
    tables are not ours."""
    metadata = target_metadata(service)
    ours = {table for m in metadata for table in m.tables}

    def include_name(name: str | None, kind: str, _: Any) -> bool:
        return kind != "table" or name in ours or not str(name).endswith(EVENT_TABLE_SUFFIXES)

    return {
        "target_metadata": metadata,
        "version_table": VERSION_TABLE,
        "include_name": include_name,
    }


def differences(connection: Connection, service: str) -> list:
    """What a revision would have to change in this database to match the code ([] when nothing)."""
    options = comparison(service)
    context = MigrationContext.configure(connection, opts=options)
    return compare_metadata(context, options["target_metadata"])


def skip_empty(context: Any, revision: Any, directives: list) -> None:
    """Write no revision when autogenerate finds the tables in code and at head the same."""
    if directives[0].upgrade_ops.is_empty():
        directives[:] = []


cli = typer.Typer(
    help="Schema migrations of the services' databases.", no_args_is_help=True, add_completion=False
)
SERVICE = typer.Option(..., "--service", "-s", help="identity, rights, complaints or notifier.")


def engine_for(service: str, url: str) -> Engine:
    from shared.kit.database import sqlalchemy_url
    from shared.kit.settings import Settings

    if service not in services_with_migrations():
        raise typer.BadParameter(
            f"one of {', '.join(services_with_migrations())}", param_hint="--service"
        )
    return create_engine(sqlalchemy_url(url or Settings(service=service).database_url))


@cli.command()
def upgrade(
    service: str = SERVICE,
    url: str = typer.Option(
        "", help="Default: IPP_<SERVICE>_DATABASE_URL, else var/<service>/events.sqlite."
    ),
) -> None:
    """Migrate a service's database to the newest revision (what the service
    does when it starts)."""
    engine = engine_for(service, url)
    migrate(engine, service)
    current(service, url)


@cli.command()
def downgrade(
    service: str = SERVICE,
    to: str = typer.Option(
        ..., "--to", help="A revision id, or base (drops every table but the event tables)."
    ),
    url: str = typer.Option("", help="As for upgrade."),
) -> None:
    """Take a service's tables back to an earlier revision, before rolling its code back."""
    with IN_PROCESS, engine_for(service, url).begin() as connection:
        take_turn(connection, service)
        command.downgrade(alembic_config(service, connection), to)
    current(service, url)


@cli.command()
def current(service: str = SERVICE, url: str = typer.Option("", help="As for upgrade.")) -> None:
    """Print the revision a service's database is at."""
    with engine_for(service, url).connect() as connection:
        heads = current_heads(connection)
    typer.echo(" ".join(heads) or "none (no revision applied)")


@cli.command()
def check(service: str = SERVICE, url: str = typer.Option("", help="As for upgrade.")) -> None:
    """Exit 1 when a service's database differs from the tables in code (a change
    with no revision)."""
    with engine_for(service, url).connect() as connection:
        found = differences(connection, service)
    for difference in found:
        typer.echo(difference)
    raise typer.Exit(1 if found else 0)


@cli.command()
def revision(
    service: str = SERVICE,
    message: str = typer.Option(..., "--message", "-m"),
    empty: bool = typer.Option(False, help="An empty revision to fill by hand (data migrations)."),
) -> None:
    """Write a new revision: the difference between the tables in code and a scratch
    database at head."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/head.sqlite")
        migrate(engine, service)
        with engine.begin() as connection:
            config = alembic_config(service, connection)
            config.attributes["skip_empty"] = not empty
            written = command.revision(config, message, autogenerate=not empty)
        engine.dispose()
    if not written:  # None or [] (skip_empty took it out)
        typer.echo(f"{service}: the tables in code match the revisions; nothing to write.")
        raise typer.Exit(1)
    path = Path((written[0] if isinstance(written, list) else written).path)
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        subprocess.run([ruff, "check", "--fix", "--quiet", path], check=False)
        subprocess.run([ruff, "format", "--quiet", path], check=False)
    typer.echo(
        f"{path}\nRead it and tidy it: autogenerate misses renames and data, and guesses at types."
    )


if __name__ == "__main__":
    cli()
