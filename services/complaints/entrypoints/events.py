"""Complaints' subscriptions: rights it may be asked to use, its own filings, and the decisions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.complaints.application import ComplaintsApplication
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, ReviewDecided, RightRegistered
from shared.kit.subscriptions import Subscriptions

subscriptions = Subscriptions[ComplaintsApplication]("complaints")


@subscriptions.on(RightRegistered)
def right_registered(
    app: ComplaintsApplication, session: Session, payload: RightRegistered, event: CloudEvent
) -> None:
    """Remember the right for the complaints that will name it."""
    app.note_right(session, payload)


@subscriptions.on(ComplaintFiled)
def complaint_filed(
    app: ComplaintsApplication, session: Session, payload: ComplaintFiled, event: CloudEvent
) -> None:
    """Open the review of the complaint itself (its own filing, read back from Kafka)."""
    app.open_review(session, payload, event)


@subscriptions.on(ReviewDecided)
def review_decided(
    app: ComplaintsApplication, session: Session, payload: ReviewDecided, event: CloudEvent
) -> None:
    """An identity or right decided for a complaint: decide the complaint when all are in."""
    app.record_review(session, payload)
