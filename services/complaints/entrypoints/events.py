"""Complaints' inbound events: rights it may be asked to use, its own filings, and the decisions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.complaints.application import ComplaintsApplication
from shared.kit.inbox import Delivery

CONSUMES = ("ipp.right-registered.v1", "ipp.complaint-filed.v1", "ipp.review-decided.v1")


def handler(app: ComplaintsApplication):
    def handle(session: Session, delivery: Delivery) -> None:
        app.on_event(delivery.payload, delivery.event, session)

    return handle
