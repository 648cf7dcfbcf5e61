"""Who a commit wakes: only a transaction that recorded events wakes the relay and the mailer, so
an idle service sleeps (its own claims and reads do not wake it again)."""

from pathlib import Path

from eventsourcing.domain import Aggregate, event
from sqlalchemy import select

from shared.kit.database import inbox_events, kit_metadata
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env


class Mailbox(Aggregate):
    @event("Bound")
    def __init__(self, email: str) -> None:
        self.email = email


def an_application(tmp_path: Path) -> tuple[ServiceApplication, list[str]]:
    settings = Settings(service="probe", data_dir=tmp_path)
    app = type("Probe", (ServiceApplication,), {})(event_store_env(settings))
    kit_metadata.create_all(app.engine)
    woken: list[str] = []
    app.on_committed(lambda: woken.append("woken"))
    return app, woken


def test_a_save_wakes_the_listeners_once_after_its_commit(tmp_path):
    app, woken = an_application(tmp_path)
    with app.transaction():
        app.save(Mailbox("holder@example.com"))
        app.save(Mailbox("agent@example.com"))
        assert woken == []  # not before the commit
    assert woken == ["woken"]


def test_a_transaction_that_records_no_event_wakes_nobody(tmp_path):
    app, woken = an_application(tmp_path)
    with app.transaction() as session:
        session.execute(select(inbox_events.c.event_id)).all()
    with app.transaction() as session:
        session.execute(inbox_events.insert().values(event_id="e-1", topic="t", processed_at=0.0))
    assert woken == []
    app.save(Mailbox("holder@example.com"))
    assert woken == ["woken"]
