"""The notifier driven through the kit's inbox on a throwaway SQLite store, with a
recording SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.entrypoints.events import subscriptions
from services.notifier.entrypoints.mailer import Mailer
from shared.events.envelope import CloudEvent
from shared.events.payloads import (
    ComplaintFiled,
    EmailBound,
    EmailVerificationRequested,
    ReviewDecided,
    RightExpiring,
)
from shared.events.topics import BY_MODEL
from shared.kit.inbox import Delivery, Inbox
from shared.kit.migrations import migrate
from tests.unit.databases import copy_to

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def complaint_filed(
    complaint_id: str, account_id: str, urls: tuple[str, ...] = ()
) -> ComplaintFiled:
    urls = urls or ("https://www.kwaixiaodian.com/item?id=100200300",)
    return ComplaintFiled(
        complaint_id=complaint_id,
        account_id=account_id,
        identity_id="identity-1",
        right_id="right-1",
        right_type="trademark",
        infringement_type="counterfeit",
        targets=[
            {"target_id": f"t{i}", "url": url, "listing_id": None, "shop_id": None}
            for i, url in enumerate(urls)
        ],
        description="fakes",
        evidence=[],
        requested_action="takedown",
        filed_at=NOW,
    )


def review_decided(
    complaint_id: str,
    outcome: str = "approved",
    material_type: str = "complaint",
    reasons: tuple[dict, ...] = (),
    material_id: str | None = None,
) -> ReviewDecided:
    action = "takedown" if outcome == "approved" else "none"
    verdict = (
        {
            "right_id": "right-1",
            "right_type": "trademark",
            "targets": [
                {
                    "target_id": "t0",
                    "url": "https://www.kwaixiaodian.com/item?id=100200300",
                    "listing_id": "100200300",
                    "shop_id": None,
                    "action": action,
                }
            ],
        }
        if material_type == "complaint"
        else None
    )
    return ReviewDecided(
        review_id=str(uuid.uuid4()),
        complaint_id=complaint_id,
        material_type=material_type,
        material_id=material_id or complaint_id,
        material_revision=1,
        outcome=outcome,
        reasons=list(reasons),
        decided_by={"kind": "auto", "reviewer_id": None},
        reused_decision_id=None,
        decided_at=NOW,
        verdict=verdict,
    )


def right_expiring(
    right_id: str, account_id: str, valid_until: date = date(2026, 12, 28), days_left: int = 30
) -> RightExpiring:
    return RightExpiring(
        right_id=right_id,
        account_id=account_id,
        title="快手",
        registration_number="12345678",
        valid_until=valid_until,
        days_left=days_left,
    )


def email_bound(account_id: str, email: str, language: str = "zh-CN") -> EmailBound:
    return EmailBound(account_id=account_id, email=email, language=language, bound_at=NOW)


def code_requested(
    account_id: str, email: str, request_id: str | None = None, expires_at: datetime | None = None
) -> EmailVerificationRequested:
    """Identity's request: its id, never the code (the notifier derives that)."""
    expires_at = expires_at or datetime.now(timezone.utc) + timedelta(minutes=10)
    return EmailVerificationRequested(
        account_id=account_id,
        email=email,
        request_id=request_id or str(uuid.uuid4()),
        expires_at=expires_at,
    )


def cloud_event(payload: BaseModel, event_id: str | None = None) -> CloudEvent:
    contract = BY_MODEL[type(payload)]
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source="ipp/complaints",
        type=contract.type,
        subject=str(getattr(payload, contract.subject_field)),
        time=NOW,
        data=payload.model_dump(mode="json"),
    )


class RecordingSmtp:
    """Stands in for the SMTP server: keeps what it accepts, or raises the failures it is given."""

    timeout = 1.0

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.failures: list[Exception] = []  # raised one per attempt, whatever the recipient
        self.refused: dict[str, Exception] = {}  # raised for every message to that recipient
        self.sessions = 0

    @asynccontextmanager
    async def session(self) -> AsyncIterator[RecordingSmtp]:
        self.sessions += 1
        yield self

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            raise self.failures.pop(0)
        if message["To"] in self.refused:
            raise self.refused[message["To"]]
        self.accepted.append(message)


@pytest.fixture
def app(tmp_path) -> NotifierApplication:
    copy_to("notifier", tmp_path / "n.sqlite")  # at head already: migrate below runs nothing
    app = NotifierApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": f"sqlite:///{tmp_path}/n.sqlite",
        }
    )
    migrate(app.engine, "notifier")
    return app


@pytest.fixture
def deliver(app) -> Callable[..., CloudEvent]:
    """Apply one contract event as the kit's inbox does: in its transaction,
    deduplicated on the event id."""
    inbox = Inbox(
        app,
        producer=None,
        kafka={},
        group="ipp-notifier",
        topics=subscriptions.topics,
        handler=subscriptions.bind(app),
    )

    def _deliver(payload: BaseModel, event: CloudEvent | None = None) -> CloudEvent:
        event = event or cloud_event(payload)
        record = SimpleNamespace(topic=BY_MODEL[type(payload)].topic, partition=0, offset=0)
        inbox.apply([Delivery(record, event, payload)])  # type: ignore[arg-type]
        return event

    return _deliver


@pytest.fixture
def smtp() -> RecordingSmtp:
    return RecordingSmtp()


@pytest.fixture
def mailer(app, smtp) -> Mailer:
    return Mailer(app, smtp, EmailComposer("IPP <no-reply@ipp.local>"))  # type: ignore[arg-type]


@pytest.fixture
def contract() -> SimpleNamespace:
    """Factories of the contract events the notifier consumes."""
    return SimpleNamespace(
        complaint_filed=complaint_filed,
        review_decided=review_decided,
        email_bound=email_bound,
        code_requested=code_requested,
        cloud_event=cloud_event,
        right_expiring=right_expiring,
    )
