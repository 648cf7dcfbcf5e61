"""Identity's reviewer queue: the shared queue for identities, and disputes of a
squatted document number.

A dispute waits as material_type `identity_dispute`: a task row made when the Dispute is recorded,
in the same transaction. Its decision is the application's conclude_dispute. Nobody reviews a
dispute of their own, or one against their account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.identity.domain.model import Dispute
from shared.review.errors import ReviewerConflict
from shared.review.queue import ReviewQueue
from shared.review.tables import PENDING, review_tasks, task_id_of

DISPUTE = "identity_dispute"


class IdentityReviewQueue(ReviewQueue):
    """Identity's reviewer queue: identities (the shared behaviour) and disputes (material_type
    identity_dispute), whose decision is conclude_dispute's."""

    def __init__(self, app: Any) -> None:
        super().__init__(app, ("identity", DISPUTE))

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)
        if isinstance(domain_event, Dispute.Submitted):
            dispute_id = str(domain_event.originator_id)
            session.execute(
                insert(review_tasks).values(
                    task_id=task_id_of(DISPUTE, dispute_id, 1),
                    material_type=DISPUTE,
                    material_id=dispute_id,
                    material_revision=1,
                    checks=[],
                    status=PENDING,
                    created_at=domain_event.timestamp.isoformat(),
                )
            )

    def _refuse_own(self, task: Any, reviewer_id: str) -> None:
        """Besides the disputer, the account the dispute is against never decides it."""
        super()._refuse_own(task, reviewer_id)
        if task.material_type == DISPUTE:
            dispute = self.app.found(Dispute, task.material_id, "DISPUTE_NOT_FOUND")
            reservation = self.app.disputed_reservation(dispute)
            if reviewer_id in {dispute.held_by, getattr(reservation, "account_id", None)}:
                raise ReviewerConflict(
                    "You cannot review a dispute against your own account: "
                    "another reviewer decides it."
                )

    def conclude(
        self, session: Session, task: Any, outcome: str, reasons: list[dict], reviewer_id: str
    ) -> str:
        if task.material_type == DISPUTE:
            return self.app.conclude_dispute(
                session, task.material_id, outcome, reasons, reviewer_id
            )
        return super().conclude(session, task, outcome, reasons, reviewer_id)
