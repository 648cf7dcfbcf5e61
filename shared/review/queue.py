"""A service's reviewer queue: one task per (material, revision) collecting every complaint waiting on it.

The queue is a read model fed by the service's own Review events, in the transaction that records them.
A reviewer claims a task (for CLAIM_SECONDS; others neither see nor decide it meanwhile), then decides it
with reasons from the catalogue (shared/review/reasons.py) or the task's check codes. The decision decides
every waiting Review (one ReviewDecided per complaint, each recording who, when and why) and is recorded
on the material, so later complaints reuse it.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.kit.http import ApiError
from shared.review.domain import REJECTED, Review
from shared.review.reasons import check_reasons

CLAIM_SECONDS = 30 * 60

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
task_claims = Table(  # a table of its own: queues created before claims existed need no migration
    "review_task_claims", queue_tables,
    Column("task_id", String(36), primary_key=True),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_until", Float, nullable=False),  # epoch seconds
)


def task_id_of(material_type: str, material_id: str, revision: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{material_type}/{material_id}/{revision}"))


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def task_view(session: Session, task: Any, now: float | None = None) -> dict:
    complaint_ids = session.execute(select(waiting_reviews.c.complaint_id)
                                    .where(waiting_reviews.c.task_id == task.task_id)).scalars()
    claim = session.execute(select(task_claims).where(task_claims.c.task_id == task.task_id)).first()
    live = claim is not None and task.status == "pending" and (now is None or claim.claimed_until > now)
    return {"review_id": task.task_id, "material_type": task.material_type, "material_id": task.material_id,
            "material_revision": task.material_revision, "complaint_ids": sorted(complaint_ids),
            "checks": task.checks, "status": task.status, "created_at": task.created_at,
            "claimed_by": claim.claimed_by if live else None,
            "claimed_until": rfc3339(claim.claimed_until) if live else None,
            "decision": task.decision}


class ReviewQueue:
    """The queue of one service's application (a ServiceApplication whose Review events it projects)."""

    def __init__(self, app: Any, claim_seconds: float = CLAIM_SECONDS) -> None:
        self.app, self.claim_seconds = app, claim_seconds
        self.clock = getattr(app, "clock", None) or time.time
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

    def tasks(self, status: str = "pending", reviewer_id: str | None = None) -> list[dict]:
        """Tasks by status; for a reviewer, the pending ones others have a live claim on are left out."""
        now = self.clock()
        with self.app.transaction() as session:
            query = select(review_tasks).where(review_tasks.c.status == status).order_by(review_tasks.c.created_at)
            if reviewer_id is not None and status == "pending":
                claimed_by_others = select(task_claims.c.task_id).where(
                    task_claims.c.claimed_by != reviewer_id, task_claims.c.claimed_until > now)
                query = query.where(review_tasks.c.task_id.not_in(claimed_by_others))
            return [task_view(session, row, now) for row in session.execute(query).all()]

    def _pending_task(self, session: Session, task_id: str) -> Any:
        task = session.execute(select(review_tasks).where(review_tasks.c.task_id == task_id)
                               .with_for_update()).first()  # serialises claims and decisions (PostgreSQL)
        if task is None:
            raise ApiError(404, "REVIEW_NOT_FOUND", "No such review task.")
        if task.status != "pending":
            raise ApiError(409, "REVIEW_ALREADY_DECIDED", "This review task is already decided.")
        return task

    def _take_claim(self, session: Session, task_id: str, reviewer_id: str, now: float) -> float:
        """Claim (or extend one's own claim on) a task unless another reviewer holds a live claim: one atomic
        statement, an insert that on conflict takes over only one's own or a lapsed claim."""
        until = now + self.claim_seconds
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        row = {"task_id": task_id, "claimed_by": reviewer_id, "claimed_until": until}
        session.execute(dialect.insert(task_claims).values(**row).on_conflict_do_update(
            index_elements=["task_id"], set_={"claimed_by": reviewer_id, "claimed_until": until},
            where=or_(task_claims.c.claimed_by == reviewer_id, task_claims.c.claimed_until <= now)))
        holder = session.execute(select(task_claims).where(task_claims.c.task_id == task_id)).one()
        if holder.claimed_by != reviewer_id:
            raise ApiError(409, "REVIEW_CLAIMED_BY_OTHER", "Another reviewer has claimed this task.",
                           {"claimed_by": holder.claimed_by, "claimed_until": rfc3339(holder.claimed_until)})
        return until

    def claim(self, task_id: str, reviewer_id: str) -> dict:
        """Reserve a pending task for one reviewer for claim_seconds; claiming again extends it."""
        now = self.clock()
        with self.app.transaction() as session:
            self._pending_task(session, task_id)
            until = self._take_claim(session, task_id, reviewer_id, now)
            return {"review_id": task_id, "claimed_by": reviewer_id, "claimed_until": rfc3339(until)}

    def decide(self, task_id: str, reviewer_id: str, outcome: str, reasons: list[dict]) -> dict:
        """Decide every complaint waiting on the task, and the material's current revision with them.

        Only the reviewer holding the claim may decide; an unclaimed (or lapsed) task is claimed implicitly.
        """
        if outcome == REJECTED and not reasons:
            raise ApiError(422, "REASONS_REQUIRED", "A rejection states its reasons: the complainant sees them.")
        now = self.clock()
        with self.app.transaction() as session:
            task = self._pending_task(session, task_id)
            check_reasons(task.material_type, reasons, {c["code"] for c in task.checks or []})
            self._take_claim(session, task_id, reviewer_id, now)
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
            decided = session.execute(update(review_tasks).where(
                review_tasks.c.task_id == task_id, review_tasks.c.status == "pending",
            ).values(status="decided", decision=decision)).rowcount
            if not decided:
                raise ApiError(409, "REVIEW_ALREADY_DECIDED", "This review task is already decided.")
            self.app.save(*reviews, material)
            return task_view(session, session.execute(select(review_tasks)
                                                      .where(review_tasks.c.task_id == task_id)).one(), now)


class QueuedReviews:
    """Mixin for a ServiceApplication whose materials may wait for a human reviewer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review_queue = ReviewQueue(self)

    def project(self, domain_event: Any, session: Session) -> None:
        super().project(domain_event, session)  # type: ignore[misc]
        self.review_queue.project(domain_event, session)
