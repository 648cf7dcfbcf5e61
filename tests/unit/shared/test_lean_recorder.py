"""The kit's LeanRecorder reads and writes exactly what eventsourcing-sqlalchemy's own recorder
does, on the same table."""

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

from shared.kit.settings import Settings
from shared.kit.store import LeanRecorder, ServiceApplication, event_store_env


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


@pytest.fixture
def app(tmp_path) -> ServiceApplication:
    return type("Probe", (ServiceApplication,), {})(
        event_store_env(Settings(service="probe", data_dir=tmp_path))
    )


def test_events_and_the_notification_log_read_as_the_library_reads_them(app):
    first, second = Counter(), Counter()
    for _ in range(4):
        first.count_one()
    second.count_one()
    app.save(first, second)
    lean = app.recorder
    assert isinstance(lean, LeanRecorder)
    library = SQLAlchemyApplicationRecorder(
        datastore=lean.datastore, events_table_name=lean.events_table_name
    )
    for options in (
        {},
        {"gt": 1},
        {"lte": 3},
        {"gt": 1, "lte": 4},
        {"desc": True},
        {"desc": True, "limit": 2},
        {"gt": 2, "limit": 1},
    ):
        assert lean.select_events(first.id, **options) == library.select_events(
            first.id, **options
        ), options
    assert lean.select_notifications(2, 3) == library.select_notifications(2, 3)
    assert lean.select_notifications(
        2, 10, stop=6, inclusive_of_start=False
    ) == library.select_notifications(2, 10, stop=6, inclusive_of_start=False)
    assert lean.max_notification_id() == library.max_notification_id() == 7
    assert app.repository.get(first.id).count == 4
