"""Rights end: the holder is reminded 30 days ahead, once, and then the right is expired."""

from datetime import date, timedelta

import pytest

from services.rights.adapters.publication import to_public
from services.rights.application import RightsApplication
from services.rights.main import build
from shared.events.payloads import RightExpiring
from shared.kit.settings import Settings

TODAY = date(2026, 11, 28)
DOC = {
    "blob_id": "0" * 64,
    "sha256": "0" * 64,
    "media_type": "application/pdf",
    "size": 9,
    "purpose": "registration_certificate",
}


@pytest.fixture
def rights(tmp_path) -> RightsApplication:
    return build(Settings(service="rights", data_dir=tmp_path))


def register(rights: RightsApplication, valid_until: date | None) -> str:
    return rights.register(
        "account-1",
        identity_id="identity-1",
        right_type="trademark",
        title="快手好物",
        registration_number="12345678",
        holder_name="张三",
        valid_from="2020-01-01",
        valid_until=valid_until.isoformat() if valid_until else None,
        details={"nice_classes": [25]},
        documents=[DOC],
    )


def reminders(rights: RightsApplication) -> list[RightExpiring]:
    events = [
        rights.mapper.to_domain_event(n) for n in rights.recorder.select_notifications(1, 1000)
    ]
    return [p.payload for e in events for p in to_public(e) if isinstance(p.payload, RightExpiring)]


def test_a_right_ending_within_30_days_is_announced_once(rights):
    right_id = register(rights, TODAY + timedelta(days=30))
    register(rights, TODAY + timedelta(days=31))
    register(rights, None)
    assert rights.sweep_expiry(TODAY) == 1
    assert rights.sweep_expiry(TODAY) == 0, "announced once"
    [reminder] = reminders(rights)
    assert (reminder.right_id, reminder.days_left, reminder.account_id) == (
        right_id,
        30,
        "account-1",
    )
    assert rights.sweep_expiry(TODAY + timedelta(days=1)) == 1, "the next one comes into the window"


def test_a_right_whose_validity_ended_is_expired_and_listed_so(rights):
    right_id = register(rights, TODAY + timedelta(days=3))
    rights.sweep_expiry(TODAY + timedelta(days=4))
    assert rights.right("account-1", right_id).status == "expired"
    listed, total = rights.my_rights("account-1", None, "expired", 10, 0)
    assert [r["status"] for r in listed] == ["expired"] and total == 1
    assert reminders(rights) == [], "a right already ended is expired, not announced"
