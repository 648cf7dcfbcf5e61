"""Disputes of a squatted document number: the way back for a real owner whose number another account holds.

The disputer states why the number is theirs and uploads evidence; the dispute waits in identity's reviewer
queue as material_type `identity_dispute` (a task row made when the Dispute is recorded, in the same
transaction). A reviewer's `approved` upholds it: the reservation is released, with the first right to it the
disputer's for IPP_RESERVATION_TTL, and the holding account's identities that are not approved are rejected
with reason DOCUMENT_DISPUTED (their owner sees why; complaints waiting on them are decided with it). An approved
identity stays approved, but no longer holds the number. `rejected` dismisses the dispute and changes nothing.
Nobody reviews a dispute of their own, or one against their account.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError
from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.identity.domain import documents, limits
from services.identity.domain.errors import EmailNotBound, NothingToDispute, ReservationChanged
from services.identity.domain.model import Dispute, DisputeList, Reservation
from shared.review.domain import APPROVED
from shared.review.errors import ReviewerConflict
from shared.review.queue import ReviewQueue
from shared.review.tables import PENDING, review_tasks, task_id_of

DISPUTE = "identity_dispute"
DISPUTED = {"code": "DOCUMENT_DISPUTED",
            "message": "Another account showed a reviewer that this document number is theirs: this identity no "
                       "longer holds it."}


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


class IdentityDisputes:
    """The dispute commands and queries of IdentityApplication (a base of IdentitySubmissions, whose reservation
    methods they use)."""

    def submit_dispute(self, account_id: str, document_type: str, number: str, statement: str,
                       evidence: list[dict]) -> str:
        """A dispute of `number`, held by another account; 409 NOTHING_TO_DISPUTE when none holds it. Every try
        counts (limits.DISPUTES_PER_ACCOUNT): both answers tell whether the number is registered."""
        if not self.account(account_id).email:
            raise EmailNotBound("Bind an email first: results are sent there.")
        self.throttle.claim(limits.DISPUTES_PER_ACCOUNT, account_id)
        number = documents.normalise(number)
        fingerprint, masked = documents.fingerprint(number, self.key), documents.mask(number)
        statement = re.sub(re.escape(number), masked, statement, flags=re.IGNORECASE)  # reviewers see it masked
        reservation = self.get_or_none(Reservation.create_id("document", fingerprint))
        holder = None if reservation is None else self.reservation_holder(reservation, self.clock())
        if holder is None or holder == account_id:
            raise NothingToDispute("No other account holds this document number: submit your "
                           "identity instead.")
        for attempt in (1, 2):  # two disputes of one account at once: its list changed, so once more
            dispute = Dispute(account_id=account_id, document_type=document_type, fingerprint=fingerprint,
                              masked=masked, statement=statement, evidence=evidence,
                              held_by=holder, submitted_at=when(self.clock()))
            listed = self.get_or_none(DisputeList.create_id(account_id)) or DisputeList(account_id=account_id)
            listed.add(str(dispute.id))
            try:
                self.save(dispute, listed)
                return str(dispute.id)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def disputes(self, account_id: str) -> list[Dispute]:
        listed = self.get_or_none(DisputeList.create_id(account_id))
        return [self.dispute(account_id, i) for i in (listed.dispute_ids if listed else [])]

    def dispute(self, account_id: str, dispute_id: str) -> Dispute:
        return self.owned(Dispute, dispute_id, account_id, "DISPUTE_NOT_FOUND")

    def disputed_reservation(self, dispute: Dispute) -> Reservation | None:
        return self.get_or_none(Reservation.create_id("document", dispute.fingerprint))

    def conclude_dispute(self, session: Session, dispute_id: str, outcome: str, reasons: list[dict],
                         reviewer_id: str) -> str:
        """A reviewer's decision on a dispute (in the transaction of the decision); returns the decision's id."""
        dispute = self.found(Dispute, dispute_id, "DISPUTE_NOT_FOUND")
        now, released = self.clock(), []
        reservation = self.disputed_reservation(dispute)
        if outcome == APPROVED and reservation is not None and \
                self.reservation_holder(reservation, now) != dispute.account_id:
            squatting = self.claimants(reservation, ("submitted", "under_review"))
            reservation.release(for_account_id=dispute.account_id, at=now)
            released.append(reservation)
            for identity in squatting:
                self.turn_down(session, identity, [DISPUTED], dispute_id, reviewer_id)
        dispute.decide(outcome=outcome, reasons=reasons, reviewer_id=reviewer_id, decided_at=when(now))
        try:
            self.save(dispute, *released)
        except (IntegrityError, sqlalchemy.exc.IntegrityError) as exc:
            raise ReservationChanged("The document number's reservation changed meanwhile: "
                           "decide again.") from exc
        return dispute_id

    # the application and IdentitySubmissions provide these
    key: bytes
    throttle: Any
    clock: Any


class IdentityReviewQueue(ReviewQueue):
    """Identity's reviewer queue: identities (the shared behaviour) and disputes (material_type identity_dispute),
    whose decision is conclude_dispute's."""

    def __init__(self, app: Any) -> None:
        super().__init__(app, ("identity", DISPUTE))

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)
        if isinstance(domain_event, Dispute.Submitted):
            dispute_id = str(domain_event.originator_id)
            session.execute(insert(review_tasks).values(
                task_id=task_id_of(DISPUTE, dispute_id, 1), material_type=DISPUTE, material_id=dispute_id,
                material_revision=1, checks=[], status=PENDING, created_at=domain_event.timestamp.isoformat()))

    def _refuse_own(self, task: Any, reviewer_id: str) -> None:
        """Besides the disputer, the account the dispute is against never decides it."""
        super()._refuse_own(task, reviewer_id)
        if task.material_type == DISPUTE:
            dispute = self.app.found(Dispute, task.material_id, "DISPUTE_NOT_FOUND")
            reservation = self.app.disputed_reservation(dispute)
            if reviewer_id in {dispute.held_by, getattr(reservation, "account_id", None)}:
                raise ReviewerConflict("You cannot review a dispute against your own account: "
                               "another reviewer decides it.")

    def conclude(self, session: Session, task: Any, outcome: str, reasons: list[dict], reviewer_id: str) -> str:
        if task.material_type == DISPUTE:
            return self.app.conclude_dispute(session, task.material_id, outcome, reasons, reviewer_id)
        return super().conclude(session, task, outcome, reasons, reviewer_id)
