"""What rights reads from Kafka: complaints to review its rights for, and whom
each identity proves."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.rights.application import RightsApplication
from shared.events.payloads import IdentitySubmitted
from shared.kit.inbox import Delivery
from shared.review import process
from shared.review.process import MaterialReviewer

CONSUMES = (*process.CONSUMES, "ipp.identity-submitted.v1")


def handler(app: RightsApplication, reviewer: MaterialReviewer):
    def handle(session: Session, delivery: Delivery) -> None:
        if isinstance(delivery.payload, IdentitySubmitted):
            app.note_identity(session, delivery.payload)
        else:
            reviewer.handle(session, delivery)

    return handle
