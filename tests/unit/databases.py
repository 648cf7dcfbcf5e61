"""Each service's SQLite database at the newest revision, made once per test process (each xdist
worker) and copied into a test's data directory before its application opens it.

A template is the database the service's own build makes on an empty directory (the event tables,
then every revision), so the test's bootstrap still runs `migrate`, which finds it at head and runs
nothing: copying a file costs far less than Alembic running every revision for each test. The
revisions themselves are tested on new databases (tests/unit/shared/test_migrations.py).
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from functools import cache
from importlib import import_module
from pathlib import Path

from shared.kit.settings import Settings

SQLITE = "sqlite:///"
TEMPLATES = Path(tempfile.mkdtemp(prefix="ipp-unit-databases-"))
atexit.register(shutil.rmtree, TEMPLATES, ignore_errors=True)


@cache
def template(service: str) -> Path:
    """The service's new, migrated database (made on first use, then kept for this process)."""
    path = TEMPLATES / service / "events.sqlite"
    # named outright: whatever database the environment names, the template is this file
    settings = Settings(service=service, data_dir=TEMPLATES, database_url=f"{SQLITE}{path}")
    app = import_module(f"services.{service}.main").build(settings)
    app.close()
    app.engine.dispose()  # the last connection gone, SQLite folds its WAL into the file
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        filled = {
            name
            for (name,) in tables.fetchall()
            if connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        }
    finally:
        connection.close()
    # the schema and its version, nothing a test could take for rows of its own
    assert filled <= {"ipp_schema_version"}, filled
    return path


def copy_to(service: str, path: Path) -> None:
    """A copy of the service's template at `path`, unless a database is there already (a second
    application on the same directory opens the first one's database, as it would without this)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template(service), path)


def migrated(settings: Settings) -> Settings:
    """`settings`, with a copy of its service's template where they keep its database (when that
    is SQLite; any other database is left for the bootstrap to migrate)."""
    if settings.database_url.startswith(SQLITE):
        copy_to(settings.service, Path(settings.database_url.removeprefix(SQLITE)))
    return settings
