"""Rights' subscriptions: complaints to review its rights for, and whom each identity proves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.rights.application import RightsApplication
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, IdentitySubmitted
from shared.kit.subscriptions import Subscriptions
from shared.review.process import MaterialReviewer


@dataclass(frozen=True)
class Context:
    app: RightsApplication
    reviewer: MaterialReviewer


subscriptions = Subscriptions[Context]("rights")


@subscriptions.on(ComplaintFiled)
def complaint_filed(
    context: Context, session: Session, payload: ComplaintFiled, event: CloudEvent
) -> None:
    """Review the right a complaint names, for that complaint."""
    context.reviewer.on_complaint_filed(payload, event)


@subscriptions.on(IdentitySubmitted)
def identity_submitted(
    context: Context, session: Session, payload: IdentitySubmitted, event: CloudEvent
) -> None:
    """Remember whom an identity proves: a right's holder is checked against it."""
    context.app.note_identity(session, payload)
