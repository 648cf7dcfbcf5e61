"""The complaints' reviewer queue: the shared queue, whose decision on a complaint is the verdict.

A task waits once identity and right are approved and the complaint's own checks hold (manual mode,
and hybrid for complainants without a good record). Withdrawing the complaint closes its task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.complaints.domain.model import Complaint
from shared.review.queue import ReviewQueue, task_id_of

MATERIAL = "complaint"
WITHDRAWN = "withdrawn"


def task_of(complaint_id: str) -> str:
    return task_id_of(MATERIAL, complaint_id, 1)


class ComplaintReviewQueue(ReviewQueue):
    closed = {WITHDRAWN: ("COMPLAINT_WITHDRAWN", "The complainant withdrew this complaint.")}

    def __init__(self, app: Any) -> None:
        super().__init__(app, (MATERIAL,))

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)
        if isinstance(domain_event, Complaint.Withdrawn):  # nothing left for a reviewer to decide
            self.close(session, task_of(str(domain_event.originator_id)), WITHDRAWN)

    def conclude(
        self, session: Session, task: Any, outcome: str, reasons: list[dict], reviewer_id: str
    ) -> str:
        """The reviewer's decision on the complaint materials: the complaint's verdict."""
        return self.app.conclude_by_reviewer(task.material_id, outcome, reasons, reviewer_id)
