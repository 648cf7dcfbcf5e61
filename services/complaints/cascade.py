"""The review cascade's process manager: the complaint waits for the identity and right decisions,
then its own review decides the verdict, automatically or through the reviewer queue."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.complaints.adapters import read_models as views
from services.complaints.adapters.read_models import known_rights
from services.complaints.domain.checks import complaint_checks
from services.complaints.domain.errors import ComplaintDecided
from services.complaints.domain.model import Complaint, verdict, verdict_reasons
from services.complaints.domain.statement import as_reason, statement_of_reasons
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, ReviewDecided, RightRegistered
from shared.kit.store import upsert
from shared.review.domain import APPROVED, Check, Review, automatic_outcome, failed_reasons


class ComplaintCascade:
    """Mixin of the complaints application: what it does with the events it consumes (inside the inbox's
    transaction) and with a reviewer's decision on a complaint."""

    settings: Any
    repository: Any

    @singledispatchmethod
    def on_event(self, payload: object, event: CloudEvent, session: Session) -> None:
        """Events complaints does not act on are ignored."""

    @on_event.register
    def _(self, payload: RightRegistered, event: CloudEvent, session: Session) -> None:
        with session.no_autoflush:
            current = session.execute(select(known_rights.c.revision)
                                      .where(known_rights.c.right_id == payload.right_id)).scalar()
        if current is not None and current >= payload.revision:
            return
        upsert(session, known_rights, "right_id", {
            "right_id": payload.right_id, "account_id": payload.account_id, "identity_id": payload.identity_id,
            "right_type": payload.right_type, "revision": payload.revision, "status": "submitted",
            "valid_until": payload.valid_until})

    @on_event.register
    def _(self, payload: ComplaintFiled, event: CloudEvent, session: Session) -> None:
        """Our own consumer of ComplaintFiled: open the review of the complaint materials."""
        if self._review(payload.complaint_id) is not None:
            return
        complaint = self.repository.get(UUID(payload.complaint_id))
        checks = complaint_checks(complaint, self.settings.marketplace_host_list)
        review = Review(complaint_id=payload.complaint_id, material_type="complaint",
                        material_id=payload.complaint_id, material_revision=1,
                        checks=[c.as_dict() for c in checks], correlation_id=payload.complaint_id,
                        causation_id=event.id)
        if complaint.is_open:
            complaint.start_review()
        self._try_decide(complaint, review, session)
        self.save(review, complaint)

    @on_event.register
    def _(self, payload: ReviewDecided, event: CloudEvent, session: Session) -> None:
        if payload.material_type == "right" and payload.outcome == "rejected":
            session.execute(update(known_rights).where(known_rights.c.right_id == payload.material_id)
                            .where(known_rights.c.revision == payload.material_revision).values(status="rejected"))
        if payload.material_type == "complaint":
            return  # our own verdict
        complaint = self.get_or_none(payload.complaint_id)
        if not isinstance(complaint, Complaint):
            return  # not a complaint of this service
        review = {"review_id": payload.review_id, "outcome": payload.outcome,
                  "reasons": [r.model_dump() for r in payload.reasons],
                  "decided_at": payload.decided_at.isoformat(), "material_revision": payload.material_revision,
                  "reused_decision_id": payload.reused_decision_id}
        if not complaint.record_review(payload.material_type, review):
            return
        own = self._review(payload.complaint_id)
        if own is not None:
            self._try_decide(complaint, own, session)
        self.save(complaint, own)

    def _review(self, complaint_id: str) -> Review | None:
        return self.get_or_none(Review.create_id(complaint_id, "complaint"))

    def _try_decide(self, complaint: Complaint, review: Review, session: Session) -> None:
        """Once identity and right are decided, decide the complaint itself (the verdict), or, when the
        mode leaves an approval to a person, put it in front of a reviewer."""
        if review.is_decided or review.waiting or not complaint.is_open or not complaint.materials_decided:
            return
        checks = [Check.from_dict(c) for c in review.checks]
        outcome, reasons = verdict_reasons(complaint, failed_reasons(checks))
        trusted = self.settings.review_mode == "hybrid" and views.is_trusted_complainant(session, complaint.account_id)
        if outcome == APPROVED and automatic_outcome(self.settings.review_mode, checks, trusted) is None:
            complaint.await_reviewer()
            review.await_reviewer()
            return
        self._conclude(complaint, review, outcome, reasons)

    def _conclude(self, complaint: Complaint, review: Review, outcome: str, reasons: list[dict],
                  reviewer_id: str | None = None) -> None:
        statement = statement_of_reasons(outcome, reasons, reviewer_id, datetime.now(timezone.utc).isoformat())
        complaint.conclude(outcome, reasons, statement)
        review.decide(outcome, [*reasons, as_reason(statement)], reviewer_id=reviewer_id,
                      verdict=verdict(complaint, outcome))

    def conclude_by_reviewer(self, complaint_id: str, outcome: str, reasons: list[dict], reviewer_id: str) -> str:
        """A reviewer's decision on the complaint materials becomes the verdict; returns the review id."""
        complaint, review = self.repository.get(UUID(complaint_id)), self._review(complaint_id)
        if not complaint.is_open or review is None or review.is_decided:
            raise ComplaintDecided("This complaint is no longer open.",
                           {"status": complaint.status})
        self._conclude(complaint, review, outcome, reasons, reviewer_id)
        self.save_or_conflict(complaint, review)
        return str(review.id)
