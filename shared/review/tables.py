"""The reviewer queue's tables and how a task reads: one row per (material, revision), the
complaints waiting on it, and the live claim. A read model of the service's own Review events
(shared/review/queue.py), in the database of each service that reviews (its Alembic revisions
make these tables)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

_NAMESPACE = uuid.UUID("5b0e3f7c-2d1a-4c8e-9a63-0f4f3e2b9d11")
PENDING, DECIDED = "pending", "decided"

queue_tables = MetaData()
review_tasks = Table(
    "review_tasks",
    queue_tables,
    Column("task_id", String(36), primary_key=True),
    Column("material_type", String(20), nullable=False),
    Column("material_id", String(64), nullable=False),
    Column("material_revision", Integer, nullable=False),
    Column("checks", JSON, nullable=False),
    Column(
        "status", String(20), nullable=False, index=True
    ),  # pending, decided, or a closing status
    Column("created_at", String(40), nullable=False),
    Column("decision", JSON, nullable=True),
)
waiting_reviews = Table(
    "review_task_waiting",
    queue_tables,
    Column("review_id", String(36), primary_key=True),
    Column("task_id", String(36), nullable=False, index=True),
    Column("complaint_id", String(64), nullable=False),
    Column("pending", Boolean, nullable=False),
)
task_claims = Table(  # the live claim on a task (migrations: services/<service>/migrations/)
    "review_task_claims",
    queue_tables,
    Column("task_id", String(36), primary_key=True),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_until", Float, nullable=False),  # epoch seconds
)


def task_id_of(material_type: str, material_id: str, revision: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{material_type}/{material_id}/{revision}"))


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def epoch_of(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def task_view(session: Session, task: Any, now: float, deadline_seconds: float) -> dict:
    """A task as reviewers see it: what waits on it, who holds it, and when it falls due."""
    complaint_ids = session.execute(
        select(waiting_reviews.c.complaint_id).where(waiting_reviews.c.task_id == task.task_id)
    ).scalars()
    claim = session.execute(
        select(task_claims).where(task_claims.c.task_id == task.task_id)
    ).first()
    pending = task.status == PENDING
    live = claim is not None and pending and claim.claimed_until > now
    due = epoch_of(task.created_at) + deadline_seconds
    return {
        "review_id": task.task_id,
        "material_type": task.material_type,
        "material_id": task.material_id,
        "material_revision": task.material_revision,
        "complaint_ids": sorted(complaint_ids),
        "checks": task.checks,
        "status": task.status,
        "created_at": task.created_at,
        "deadline_at": rfc3339(due),
        "overdue": pending and now > due,
        "claimed_by": claim.claimed_by if live else None,
        "claimed_until": rfc3339(claim.claimed_until) if live else None,
        "decision": task.decision,
    }
