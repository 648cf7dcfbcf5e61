"""Identity's subscriptions: the complaints it reviews an identity for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled
from shared.kit.subscriptions import Subscriptions
from shared.review.process import MaterialReviewer

subscriptions = Subscriptions[MaterialReviewer]("identity")


@subscriptions.on(ComplaintFiled)
def complaint_filed(
    reviewer: MaterialReviewer, session: Session, payload: ComplaintFiled, event: CloudEvent
) -> None:
    """Review the identity a complaint is filed with, for that complaint."""
    reviewer.on_complaint_filed(payload, event)
