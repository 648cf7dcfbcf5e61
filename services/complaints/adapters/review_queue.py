"""The complaints' reviewer queue: the shared queue, whose decision on a complaint is the verdict.

A task waits once identity and right are approved and the complaint's own checks hold (manual mode, and
hybrid for complainants without a good record). Withdrawing the complaint closes its task. A task pending
longer than the review deadline is `overdue` in the listing and counted in `ipp_review_tasks_overdue`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.complaints.domain.model import Complaint
from shared.kit.http import ApiError
from shared.review.domain import REJECTED
from shared.review.queue import ReviewQueue, review_tasks, task_id_of, task_view, waiting_reviews
from shared.review.reasons import check_reasons

MATERIAL = "complaint"
WITHDRAWN = "withdrawn"
OVERDUE = Gauge("ipp_review_tasks_overdue", "Review tasks pending longer than the review deadline",
                ["material_type"])


def task_of(complaint_id: str) -> str:
    return task_id_of(MATERIAL, complaint_id, 1)


class ComplaintReviewQueue(ReviewQueue):
    def __init__(self, app: Any, deadline_hours: float) -> None:
        super().__init__(app)
        self.deadline_seconds = deadline_hours * 3600
        OVERDUE.labels(MATERIAL).set_function(self.overdue_count)

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)
        if isinstance(domain_event, Complaint.Withdrawn):
            self._close(session, str(domain_event.originator_id))

    def _close(self, session: Session, complaint_id: str) -> None:
        """A withdrawn complaint leaves nothing for a reviewer to decide."""
        task_id = task_of(complaint_id)
        session.execute(update(review_tasks).where(review_tasks.c.task_id == task_id,
                                                   review_tasks.c.status == "pending").values(status=WITHDRAWN))
        session.execute(update(waiting_reviews).where(waiting_reviews.c.task_id == task_id).values(pending=False))

    def is_overdue(self, created_at: str, now: float) -> bool:
        return now - datetime.fromisoformat(created_at).timestamp() > self.deadline_seconds

    def tasks(self, status: str = "pending", reviewer_id: str | None = None) -> list[dict]:
        """The shared listing, each task flagged `overdue` when pending past the deadline."""
        now = self.clock()
        return [{**task, "overdue": task["status"] == "pending" and self.is_overdue(task["created_at"], now)}
                for task in super().tasks(status, reviewer_id)]

    def overdue_count(self) -> int:
        now = self.clock()
        with self.app.engine.connect() as connection:
            created = connection.execute(select(review_tasks.c.created_at)
                                         .where(review_tasks.c.status == "pending")).scalars().all()
        return sum(self.is_overdue(c, now) for c in created)

    def complaint_of(self, task_id: str) -> str:
        """The id of the complaint a task is about."""
        with self.app.engine.connect() as connection:
            complaint_id = connection.execute(select(review_tasks.c.material_id)
                                              .where(review_tasks.c.task_id == task_id)).scalar()
        if complaint_id is None:
            raise ApiError(404, "REVIEW_NOT_FOUND", "No such review task.")
        return complaint_id

    def _decidable_task(self, session: Session, task_id: str) -> Any:
        task = session.execute(select(review_tasks).where(review_tasks.c.task_id == task_id)).first()
        if task is not None and task.status == WITHDRAWN:
            raise ApiError(409, "COMPLAINT_WITHDRAWN", "The complainant withdrew this complaint.")
        return self._pending_task(session, task_id)

    def decide(self, task_id: str, reviewer_id: str, outcome: str, reasons: list[dict]) -> dict:
        """The reviewer's decision on the complaint materials: the complaint's verdict."""
        if outcome == REJECTED and not reasons:
            raise ApiError(422, "REASONS_REQUIRED", "A rejection states its reasons: the complainant sees them.")
        now = self.clock()
        with self.app.transaction() as session:
            task = self._decidable_task(session, task_id)
            check_reasons(MATERIAL, reasons, {c["code"] for c in task.checks or []})
            self._take_claim(session, task_id, reviewer_id, now)
            decision_id = self.app.conclude_by_reviewer(task.material_id, outcome, reasons, reviewer_id)
            decision = {"outcome": outcome, "reasons": reasons, "reviewer_id": reviewer_id,
                        "decision_id": decision_id, "decided_at": datetime.now(timezone.utc).isoformat()}
            session.execute(update(review_tasks).where(review_tasks.c.task_id == task_id)
                            .values(status="decided", decision=decision))
            row = session.execute(select(review_tasks).where(review_tasks.c.task_id == task_id)).one()
            return {**task_view(session, row, now), "overdue": False}
