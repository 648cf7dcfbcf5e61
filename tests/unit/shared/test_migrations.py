"""Each service's revisions make exactly the tables its code declares, on a new database and on one
that create_all made before migrations; a table changed without a revision fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, insert, inspect, select, text

from deploy.postgres import SERVICES_WITH_DATABASES
from services.complaints import main as complaints_main
from services.complaints.application import ComplaintsApplication
from services.identity import main as identity_main
from services.identity.application import IdentityApplication
from services.notifier import main as notifier_main
from services.notifier.application import NotifierApplication
from services.rights import main as rights_main
from services.rights.application import RightsApplication
from shared.kit.database import inbox_events
from shared.kit.migrations import (
    VERSION_TABLE,
    alembic_config,
    differences,
    migrate,
    services_with_migrations,
    target_metadata,
)
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env

APPLICATIONS = {
    "identity": IdentityApplication,
    "rights": RightsApplication,
    "complaints": ComplaintsApplication,
    "notifier": NotifierApplication,
}
BUILDS = {
    "identity": identity_main.build,
    "rights": rights_main.build,
    "complaints": complaints_main.build,
    "notifier": notifier_main.build,
}
SERVICES = pytest.mark.parametrize("service", services_with_migrations())


def start(service: str, data_dir: Path) -> ServiceApplication:
    """The service's application as its bootstrap builds it, on its SQLite database
    under `data_dir`."""
    return BUILDS[service](Settings(service=service, data_dir=data_dir))


def baseline_tables(service: str) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(service))
    return set(script.get_revision(script.get_base()).module.TABLES)


def at_head(connection, service: str) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(service))
    found = set(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    assert found == set(script.get_heads())
    return found


def test_every_service_with_a_database_has_migrations_and_every_application_knows_its_own() -> None:
    assert services_with_migrations() == sorted(SERVICES_WITH_DATABASES)
    for service, application in APPLICATIONS.items():
        assert application.read_models in target_metadata(service)


@SERVICES
def test_a_new_database_migrated_to_head_matches_the_tables_in_code(
    service: str, tmp_path: Path
) -> None:
    """Fails when a table changes without a revision: `python -m shared.kit.migrations
    revision` writes it."""
    engine = create_engine(f"sqlite:///{tmp_path}/new.sqlite")
    migrate(engine, service)
    with engine.connect() as connection:
        assert differences(connection, service) == []
        at_head(connection, service)
        index = "notifier_notifications_due" if service == "notifier" else "ix_review_tasks_status"
        connection.execute(text(f"DROP INDEX {index}"))
        assert differences(connection, service) != []  # the comparison does see a difference


@SERVICES
def test_an_application_starts_on_a_migrated_database_and_its_event_tables_are_left_out(
    service: str, tmp_path: Path
) -> None:
    app = start(service, tmp_path)
    with app.engine.connect() as connection:
        assert any(
            t.endswith("_events") and not t.startswith("ipp_")
            for t in inspect(connection).get_table_names()
        )
        assert differences(connection, service) == []


@SERVICES
def test_migrating_again_changes_nothing(service: str, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/twice.sqlite")
    migrate(engine, service)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _k, sql, *_: statements.append(sql))
    migrate(engine, service)
    assert not [
        s
        for s in statements
        if s.split()[0].upper() in ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE")
    ]


@SERVICES
def test_a_database_create_all_made_before_migrations_is_stamped_and_keeps_its_rows(
    service: str, tmp_path: Path
) -> None:
    """What create_all made is the baseline's tables without a version (the baseline
    is checked below)."""
    engine = create_engine(f"sqlite:///{tmp_path / service}/events.sqlite")
    (tmp_path / service).mkdir()
    with engine.begin() as connection:
        command.upgrade(alembic_config(service, connection), "baseline")
        connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))
        connection.execute(insert(inbox_events).values(event_id="e-1", topic="t", processed_at=1.0))
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _k, sql, *_: statements.append(sql))
    migrate(engine, service)
    created = {
        s.split("(")[0].split()[-1] for s in statements if s.lstrip().startswith("CREATE TABLE")
    }
    assert VERSION_TABLE in created and not created & baseline_tables(
        service
    )  # stamped, not made again
    engine.dispose()
    app = start(service, tmp_path)
    with app.engine.connect() as connection:
        assert at_head(connection, service)
        assert differences(connection, service) == []
        assert connection.execute(select(inbox_events.c.event_id)).scalars().all() == ["e-1"]


def test_a_database_an_older_version_left_without_later_tables_gets_them(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/older.sqlite")
    with engine.begin() as connection:
        command.upgrade(alembic_config("complaints", connection), "baseline")
        connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))
        connection.execute(text("DROP TABLE review_task_claims"))
        connection.execute(text("DROP TABLE complainant_record"))
    migrate(engine, "complaints")
    with engine.connect() as connection:
        assert differences(connection, "complaints") == []


@SERVICES
def test_the_baseline_makes_exactly_the_tables_it_names(service: str, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/baseline.sqlite")
    with engine.begin() as connection:
        config = alembic_config(service, connection)
        command.upgrade(config, "baseline")
        assert set(inspect(connection).get_table_names()) - {VERSION_TABLE} == baseline_tables(
            service
        )


@SERVICES
def test_downgrading_to_base_drops_the_tables_and_upgrading_makes_them_again(
    service: str, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/down.sqlite")
    migrate(engine, service)
    with engine.begin() as connection:
        command.downgrade(alembic_config(service, connection), "base")
        assert inspect(connection).get_table_names() == [VERSION_TABLE]
    migrate(engine, service)
    with engine.connect() as connection:
        assert differences(connection, service) == []


@SERVICES
def test_constructing_an_application_changes_no_database_only_the_bootstrap_migrates(
    service, tmp_path
) -> None:
    settings = Settings(service=service, data_dir=tmp_path)
    if service == "notifier":
        app = NotifierApplication(env=event_store_env(settings))
    else:
        app = APPLICATIONS[service](settings)
    assert VERSION_TABLE not in inspect(app.engine).get_table_names()
    BUILDS[service](settings, *(() if service == "notifier" else (app,)))
    assert VERSION_TABLE in inspect(app.engine).get_table_names()
