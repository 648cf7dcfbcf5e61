"""Schema migrations on this stack's database (PostgreSQL in production, SQLite embedded): replicas
starting together take turns, and the database they leave matches the tables in code."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from deploy import postgres
from shared.kit.database import sqlalchemy_url
from shared.kit.migrations import (
    VERSION_TABLE,
    alembic_config,
    differences,
    migrate,
    services_with_migrations,
)
from tests.conftest import STACK

REPLICAS = 3


def new_database(infrastructure: dict[str, str], tmp_path: Path) -> str:
    """An empty database of this stack's kind (its own PostgreSQL database in production)."""
    if STACK != "production":
        return f"sqlite:///{tmp_path}/{uuid.uuid4().hex[:8]}.sqlite"
    port = int(infrastructure["IPP_IDENTITY_DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])
    name = f"ipp_migrations_{uuid.uuid4().hex[:8]}"
    postgres.create_databases(port, (name,))
    return sqlalchemy_url(postgres.database_url(port, name))


def replica(service: str, url: str, start: Any) -> None:
    """A replica starting: migrate as soon as every other replica is ready to, too."""
    engine = create_engine(url)
    start.wait(timeout=60)
    migrate(engine, service)
    engine.dispose()


def test_replicas_starting_together_migrate_once_and_leave_the_tables_in_code(
    infrastructure: dict[str, str], tmp_path: Path
) -> None:
    """Every service's new database, migrated by REPLICAS processes at the same moment."""
    urls = {
        service: new_database(infrastructure, tmp_path) for service in services_with_migrations()
    }
    processes = multiprocessing.get_context("fork")
    start = processes.Barrier(REPLICAS * len(urls))
    replicas = [
        processes.Process(target=replica, args=(service, url, start))
        for service, url in urls.items()
        for _ in range(REPLICAS)
    ]
    for process in replicas:
        process.start()
    for process in replicas:
        process.join(timeout=120)
    assert [process.exitcode for process in replicas] == [0] * len(
        replicas
    )  # a failure's traceback is above
    for service, url in urls.items():
        engine = create_engine(url)
        with engine.connect() as connection:
            versions = (
                connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
            )
            assert versions == ScriptDirectory.from_config(alembic_config(service)).get_heads()
            assert differences(connection, service) == [], service
        engine.dispose()
