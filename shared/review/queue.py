"""A service's reviewer queue: one task per (material, revision) collecting every complaint waiting on it.

The queue is a read model fed by the service's own Review events, in the transaction that records them.
A reviewer's decision decides every waiting Review (one ReviewDecided per complaint) and is recorded on
the material, so later complaints reuse it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.orm import Session

from shared.kit.http import ApiError
from shared.review.domain import REJECTED, Review

_NAMESPACE = uuid.UUID("5b0e3f7c-2d1a-4c8e-9a63-0f4f3e2b9d11")
queue_tables = MetaData()
review_tasks = Table(
    "review_tasks", queue_tables,
    Column("task_id", String(36), primary_key=True),
    Column("material_type", String(20), nullable=False),
    Column("material_id", String(64), nullable=False),
    Column("material_revision", Integer, nullable=False),
    Column("checks", JSON, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("decision", JSON, nullable=True),
)
waiting_reviews = Table(
    "review_task_waiting", queue_tables,
    Column("review_id", String(36), primary_key=True),
    Column("task_id", String(36), nullable=False, index=True),
    Column("complaint_id", String(64), nullable=False),
    Column("pending", Boolean, nullable=False),
)


def task_id_of(material_type: str, material_id: str, revision: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{material_type}/{material_id}/{revision}"))


def task_view(session: Session, task: Any) -> dict:
    complaint_ids = session.execute(select(waiting_reviews.c.complaint_id)
                                    .where(waiting_reviews.c.task_id == task.task_id)).scalars()
    return {"review_id": task.task_id, "material_type": task.material_type, "material_id": task.material_id,
            "material_revision": task.material_revision, "complaint_ids": sorted(complaint_ids),
            "checks": task.checks, "status": task.status, "created_at": task.created_at,
            "decision": task.decision}


class ReviewQueue:
    """The queue of one service's application (a ServiceApplication whose Review events it projects)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        queue_tables.create_all(app.engine)

    @singledispatchmethod
    def project(self, domain_event: object, session: Session) -> None:
        """Keep the queue in step with one newly recorded event."""

    @project.register
    def _(self, domain_event: Review.AwaitingReviewer, session: Session) -> None:
        task_id = task_id_of(domain_event.material_type, domain_event.material_id, domain_event.material_revision)
        if session.execute(select(review_tasks.c.task_id).where(review_tasks.c.task_id == task_id)).first() is None:
            session.execute(insert(review_tasks).values(
                task_id=task_id, material_type=domain_event.material_type, material_id=domain_event.material_id,
                material_revision=domain_event.material_revision, checks=domain_event.checks, status="pending",
                created_at=domain_event.timestamp.isoformat()))
        session.execute(insert(waiting_reviews).values(review_id=str(domain_event.originator_id), task_id=task_id,
                                                       complaint_id=domain_event.complaint_id, pending=True))

    @project.register
    def _(self, domain_event: Review.Decided, session: Session) -> None:
        session.execute(update(waiting_reviews).where(waiting_reviews.c.review_id == str(domain_event.originator_id))
                        .values(pending=False))

    def tasks(self, status: str = "pending") -> list[dict]:
        with self.app.transaction() as session:
            rows = session.execute(select(review_tasks).where(review_tasks.c.status == status)
                                   .order_by(review_tasks.c.created_at)).all()
            return [task_view(session, row) for row in rows]

    def decide(self, task_id: str, reviewer_id: str, outcome: str, reasons: list[dict]) -> dict:
        """Decide every complaint waiting on the task, and the material's current revision with them."""
        if outcome == REJECTED and not reasons:
            raise ApiError(422, "REASONS_REQUIRED", "A rejection states its reasons: the complainant sees them.")
        with self.app.transaction() as session:
            task = session.execute(select(review_tasks).where(review_tasks.c.task_id == task_id)).first()
            if task is None:
                raise ApiError(404, "REVIEW_NOT_FOUND", "No such review task.")
            if task.status != "pending":
                raise ApiError(409, "REVIEW_ALREADY_DECIDED", "This review task is already decided.")
            waiting = session.execute(select(waiting_reviews.c.review_id).where(
                waiting_reviews.c.task_id == task_id, waiting_reviews.c.pending.is_(True))).scalars().all()
            reviews = [self.app.repository.get(UUID(review_id)) for review_id in sorted(waiting)]
            material = self.app.repository.get(UUID(task.material_id))
            for review in reviews:
                review.decide(outcome, reasons, reviewer_id=reviewer_id)
            decision_id = str(reviews[0].id) if reviews else task_id
            material.record_decision(decision_id, task.material_revision, outcome, reasons)
            decision = {"outcome": outcome, "reasons": reasons, "reviewer_id": reviewer_id, "decision_id": decision_id,
                        "decided_at": datetime.now(timezone.utc).isoformat()}
            session.execute(update(review_tasks).where(review_tasks.c.task_id == task_id)
                            .values(status="decided", decision=decision))
            self.app.save(*reviews, material)
            return task_view(session, session.execute(select(review_tasks)
                                                      .where(review_tasks.c.task_id == task_id)).one())


class QueuedReviews:
    """Mixin for a ServiceApplication whose materials may wait for a human reviewer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review_queue = ReviewQueue(self)

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)  # type: ignore[misc]
        self.review_queue.project(domain_event, session)
