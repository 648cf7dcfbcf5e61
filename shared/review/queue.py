"""A service's reviewer queue: one task per (material, revision) collecting every
complaint waiting on it.

The queue is a read model fed by the service's own Review events, in the transaction that records
them. A reviewer claims a task (for CLAIM_SECONDS; others neither see nor decide it meanwhile), then
decides it with reasons from the catalogue (shared/review/reasons.py) or the task's check codes.
What a decision does is the `conclude` hook: by default it decides every waiting Review (one
ReviewDecided per complaint, each recording who, when and why) and records the decision on the
material, so later complaints reuse it. A task pending past the review deadline
(IPP_REVIEW_DEADLINE_HOURS) is `overdue` in the listing and counted in `ipp_review_tasks_overdue`; a
service may close a task without a decision (`close`, e.g. a withdrawal). Nobody reviews their own:
a reviewer whose account owns a task's material (the material's `account_id`: their identity, right,
or a complaint they filed) neither sees it pending nor claims or decides it (409 REVIEWER_CONFLICT).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from prometheus_client import Gauge
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.review.domain import REJECTED, Review
from shared.review.errors import (
    ReasonsRequired,
    ReviewAlreadyDecided,
    ReviewClaimedByOther,
    ReviewClosed,
    ReviewerConflict,
    ReviewNotFound,
)
from shared.review.reasons import check_reasons
from shared.review.tables import (
    DECIDED,
    PENDING,
    epoch_of,
    queue_tables,
    review_tasks,
    rfc3339,
    task_claims,
    task_id_of,
    task_view,
    waiting_reviews,
)

__all__ = [
    "CLAIM_SECONDS",
    "ReviewQueue",
    "queue_tables",
    "review_tasks",
    "task_id_of",
]

CLAIM_SECONDS = 30 * 60
OWNERS_KEPT = (
    65536  # material id -> owning account, remembered (an aggregate's account never changes)
)
OVERDUE = Gauge(
    "ipp_review_tasks_overdue",
    "Review tasks pending longer than the review deadline",
    ["material_type"],
)


class ReviewQueue:
    """The queue of one service's application (a ServiceApplication whose Review
    events it projects)."""

    closed: dict[
        str, tuple[str, str]
    ] = {}  # closing status -> (error code, message) for a late decision

    def __init__(
        self, app: Any, material_types: tuple[str, ...], claim_seconds: float = CLAIM_SECONDS
    ) -> None:
        self.app, self.claim_seconds = app, claim_seconds
        self.clock = getattr(app, "clock", None) or time.time
        self.deadline_seconds = app.settings.review_deadline_hours * 3600
        self._owners: dict[str, str] = {}
        for material_type in material_types:
            OVERDUE.labels(material_type).set_function(
                lambda m=material_type: self.overdue_count(m)
            )

    @singledispatchmethod
    def project(self, domain_event: object, session: Session) -> None:
        """Keep the queue in step with one newly recorded event."""

    @project.register
    def _(self, domain_event: Review.AwaitingReviewer, session: Session) -> None:
        task_id = task_id_of(
            domain_event.material_type, domain_event.material_id, domain_event.material_revision
        )
        if (
            session.execute(
                select(review_tasks.c.task_id).where(review_tasks.c.task_id == task_id)
            ).first()
            is None
        ):
            session.execute(
                insert(review_tasks).values(
                    task_id=task_id,
                    material_type=domain_event.material_type,
                    material_id=domain_event.material_id,
                    material_revision=domain_event.material_revision,
                    checks=domain_event.checks,
                    status=PENDING,
                    created_at=domain_event.timestamp.isoformat(),
                )
            )
        session.execute(
            insert(waiting_reviews).values(
                review_id=str(domain_event.originator_id),
                task_id=task_id,
                complaint_id=domain_event.complaint_id,
                pending=True,
            )
        )

    @project.register
    def _(self, domain_event: Review.Decided, session: Session) -> None:
        session.execute(
            update(waiting_reviews)
            .where(waiting_reviews.c.review_id == str(domain_event.originator_id))
            .values(pending=False)
        )

    def close(self, session: Session, task_id: str, status: str) -> None:
        """Take a pending task off the queue without a decision (`status` is one of `closed`)."""
        session.execute(
            update(review_tasks)
            .where(review_tasks.c.task_id == task_id, review_tasks.c.status == PENDING)
            .values(status=status)
        )
        session.execute(
            update(waiting_reviews)
            .where(waiting_reviews.c.task_id == task_id)
            .values(pending=False)
        )

    def owner_of(self, material_id: str) -> str | None:
        """The account whose material this is (its `account_id`), or None; services whose materials
        say it otherwise override this."""
        owner = self._owners.get(material_id)
        if owner is None:
            owner = getattr(self.app.get_or_none(material_id), "account_id", None)
            if owner is not None:
                if len(self._owners) >= OWNERS_KEPT:
                    self._owners.clear()
                self._owners[material_id] = owner
        return owner

    def _refuse_own(self, task: Any, reviewer_id: str) -> None:
        if self.owner_of(task.material_id) == reviewer_id:
            raise ReviewerConflict(
                "You cannot review your own material or a complaint you "
                "filed: another reviewer decides it."
            )

    def view(self, session: Session, task: Any, now: float) -> dict:
        return task_view(session, task, now, self.deadline_seconds)

    def tasks(
        self,
        status: str = PENDING,
        reviewer_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict]:
        """Tasks by status, oldest first; for a reviewer, the pending ones others have a live claim
        on, and those of their own material, are left out."""
        return self.page(status, reviewer_id, limit, offset)[0]

    def page(
        self,
        status: str = PENDING,
        reviewer_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        """One page of `tasks`, and how many there are in all."""
        now = self.clock()
        with self.app.transaction() as session:
            query = select(review_tasks).where(review_tasks.c.status == status)
            if reviewer_id is not None and status == PENDING:
                claimed_by_others = select(task_claims.c.task_id).where(
                    task_claims.c.claimed_by != reviewer_id, task_claims.c.claimed_until > now
                )
                query = query.where(review_tasks.c.task_id.not_in(claimed_by_others))
                candidates = session.execute(
                    query.with_only_columns(review_tasks.c.task_id, review_tasks.c.material_id)
                ).all()
                own = [
                    task_id
                    for task_id, material_id in candidates
                    if self.owner_of(material_id) == reviewer_id
                ]
                if own:
                    query = query.where(review_tasks.c.task_id.not_in(own))
            total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = session.execute(
                query.order_by(review_tasks.c.created_at, review_tasks.c.task_id)
                .limit(limit)
                .offset(offset)
            ).all()
            return [self.view(session, row, now) for row in rows], total

    def task(self, task_id: str) -> dict:
        """One task in any status; 404 REVIEW_NOT_FOUND."""
        with self.app.transaction() as session:
            row = session.execute(
                select(review_tasks).where(review_tasks.c.task_id == task_id)
            ).first()
            if row is None:
                raise ReviewNotFound("No such review task.")
            return self.view(session, row, self.clock())

    def overdue_count(self, material_type: str) -> int:
        now = self.clock()
        with self.app.engine.connect() as connection:
            created = (
                connection.execute(
                    select(review_tasks.c.created_at).where(
                        review_tasks.c.status == PENDING,
                        review_tasks.c.material_type == material_type,
                    )
                )
                .scalars()
                .all()
            )
        return sum(now > epoch_of(c) + self.deadline_seconds for c in created)

    def _pending_task(self, session: Session, task_id: str) -> Any:
        task = session.execute(
            select(review_tasks).where(review_tasks.c.task_id == task_id).with_for_update()
        ).first()  # serialises claims and decisions (PostgreSQL)
        if task is None:
            raise ReviewNotFound("No such review task.")
        if task.status in self.closed:
            code, message = self.closed[task.status]
            raise ReviewClosed(message, code=code)
        if task.status != PENDING:
            raise ReviewAlreadyDecided("This review task is already decided.")
        return task

    def _take_claim(self, session: Session, task_id: str, reviewer_id: str, now: float) -> float:
        """Claim (or extend one's own claim on) a task unless another reviewer holds a live
        claim: one atomic statement, an insert that on conflict takes over only one's own
        or a lapsed claim."""
        until = now + self.claim_seconds
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        row = {"task_id": task_id, "claimed_by": reviewer_id, "claimed_until": until}
        session.execute(
            dialect.insert(task_claims)
            .values(**row)
            .on_conflict_do_update(
                index_elements=["task_id"],
                set_={"claimed_by": reviewer_id, "claimed_until": until},
                where=or_(
                    task_claims.c.claimed_by == reviewer_id, task_claims.c.claimed_until <= now
                ),
            )
        )
        holder = session.execute(select(task_claims).where(task_claims.c.task_id == task_id)).one()
        if holder.claimed_by != reviewer_id:
            raise ReviewClaimedByOther(
                "Another reviewer has claimed this task.",
                {"claimed_by": holder.claimed_by, "claimed_until": rfc3339(holder.claimed_until)},
            )
        return until

    def claim(self, task_id: str, reviewer_id: str) -> dict:
        """Reserve a pending task for one reviewer for claim_seconds; claiming again extends it."""
        now = self.clock()
        with self.app.transaction() as session:
            self._refuse_own(self._pending_task(session, task_id), reviewer_id)
            until = self._take_claim(session, task_id, reviewer_id, now)
            return {
                "review_id": task_id,
                "claimed_by": reviewer_id,
                "claimed_until": rfc3339(until),
            }

    def conclude(
        self, session: Session, task: Any, outcome: str, reasons: list[dict], reviewer_id: str
    ) -> str:
        """What a decision does; returns the decision's id. Here: decide every complaint waiting on
        the task, and the material's revision with them (so later complaints reuse the decision)."""
        waiting = (
            session.execute(
                select(waiting_reviews.c.review_id).where(
                    waiting_reviews.c.task_id == task.task_id, waiting_reviews.c.pending.is_(True)
                )
            )
            .scalars()
            .all()
        )
        reviews = [self.app.repository.get(UUID(review_id)) for review_id in sorted(waiting)]
        material = self.app.repository.get(UUID(task.material_id))
        for review in reviews:
            review.decide(outcome, reasons, reviewer_id=reviewer_id)
        decision_id = str(reviews[0].id) if reviews else task.task_id
        material.record_decision(decision_id, task.material_revision, outcome, reasons)
        self.app.save(*reviews, material)
        return decision_id

    def decide(self, task_id: str, reviewer_id: str, outcome: str, reasons: list[dict]) -> dict:
        """Decide a pending task. Only the reviewer holding the claim may, never the material's
        owner; an unclaimed (or lapsed) task is claimed implicitly. Everything the decision does
        commits in one transaction, or nothing does."""
        if outcome == REJECTED and not reasons:
            raise ReasonsRequired("A rejection states its reasons: the complainant sees them.")
        now = self.clock()
        with self.app.transaction() as session:
            task = self._pending_task(session, task_id)
            self._refuse_own(task, reviewer_id)
            check_reasons(task.material_type, reasons, {c["code"] for c in task.checks or []})
            self._take_claim(session, task_id, reviewer_id, now)
            decision_id = self.conclude(session, task, outcome, reasons, reviewer_id)
            decision = {
                "outcome": outcome,
                "reasons": reasons,
                "reviewer_id": reviewer_id,
                "decision_id": decision_id,
                "decided_at": datetime.now(timezone.utc).isoformat(),
            }
            decided = session.execute(
                update(review_tasks)
                .where(
                    review_tasks.c.task_id == task_id,
                    review_tasks.c.status == PENDING,
                )
                .values(status=DECIDED, decision=decision)
            ).rowcount
            if not decided:
                raise ReviewAlreadyDecided("This review task is already decided.")
            return self.view(
                session,
                session.execute(
                    select(review_tasks).where(review_tasks.c.task_id == task_id)
                ).one(),
                now,
            )
