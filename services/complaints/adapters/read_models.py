"""Complaints' read models: the rights it may use, "my complaints" with their targets, and each
complainant's track record (hybrid review), with their queries. Tables added later are tables of
their own: no migration."""

from __future__ import annotations

from functools import singledispatch

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    desc,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.complaints.domain.model import Complaint
from services.complaints.domain.statement import targets_with_status
from services.complaints.domain.track_record import TRUST_WINDOW, is_trusted
from shared.events.payloads import RightRegistered
from shared.kit.store import upsert
from shared.review.tables import queue_tables

read_models = MetaData()
known_rights = (
    Table(  # what complaints knows of rights, from RightRegistered and ReviewDecided(right)
        "known_rights",
        read_models,
        Column("right_id", String(36), primary_key=True),
        Column("account_id", String(36), nullable=False),
        Column("identity_id", String(36), nullable=False),
        Column("right_type", String(20), nullable=False),
        Column("revision", Integer, nullable=False),
        Column("status", String(20), nullable=False),
        Column("valid_until", Date, nullable=True),
    )
)
complaint_list = Table(  # "my complaints"
    "complaint_list",
    read_models,
    Column("complaint_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("right_id", String(36), nullable=False),
    Column("status", String(20), nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False),
)
complaint_targets = Table(  # the targets of each listed complaint, for per-target status
    "complaint_targets",
    read_models,
    Column("complaint_id", String(36), primary_key=True),
    Column("targets", JSON, nullable=False),
)
complainant_record = Table(  # every verdict per account: the hybrid mode's track record
    "complainant_record",
    read_models,
    Column("complaint_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("upheld", Boolean, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)
STATUS_AFTER = {Complaint.ReviewStarted: "under_review", Complaint.Withdrawn: "withdrawn"}


def note_right(session: Session, payload: RightRegistered) -> None:
    """Remember a right complaints may be asked to use (a redelivered or older revision
    changes nothing)."""
    with session.no_autoflush:
        current = session.execute(
            select(known_rights.c.revision).where(known_rights.c.right_id == payload.right_id)
        ).scalar()
    if current is not None and current >= payload.revision:
        return
    upsert(
        session,
        known_rights,
        "right_id",
        {
            "right_id": payload.right_id,
            "account_id": payload.account_id,
            "identity_id": payload.identity_id,
            "right_type": payload.right_type,
            "revision": payload.revision,
            "status": "submitted",
            "valid_until": payload.valid_until,
        },
    )


def reject_right(session: Session, right_id: str, revision: int) -> None:
    """A reviewer rejected this revision of the right: no complaint may use it."""
    session.execute(
        update(known_rights)
        .where(known_rights.c.right_id == right_id)
        .where(known_rights.c.revision == revision)
        .values(status="rejected")
    )


def known_right(connection: Connection, right_id: str):
    """What complaints knows of a right (a row of known_rights), or None before
    its RightRegistered."""
    return connection.execute(
        select(known_rights).where(known_rights.c.right_id == right_id)
    ).first()


@singledispatch
def project(domain_event: object, session: Session) -> None:
    """Keep the read models in step with one newly recorded complaint event."""


@project.register
def _(domain_event: Complaint.Filed, session: Session) -> None:
    complaint_id = str(domain_event.originator_id)
    upsert(
        session,
        complaint_list,
        "complaint_id",
        {
            "complaint_id": complaint_id,
            "account_id": domain_event.account_id,
            "right_id": domain_event.right_id,
            "status": "submitted",
            "filed_at": domain_event.timestamp,
        },
    )
    upsert(
        session,
        complaint_targets,
        "complaint_id",
        {"complaint_id": complaint_id, "targets": domain_event.targets},
    )


@project.register(Complaint.ReviewStarted)
@project.register(Complaint.Withdrawn)
def _(domain_event: Complaint.Event, session: Session) -> None:
    set_status(session, str(domain_event.originator_id), STATUS_AFTER[type(domain_event)])


@project.register
def _(domain_event: Complaint.Decided, session: Session) -> None:
    complaint_id, upheld = str(domain_event.originator_id), domain_event.outcome == "approved"
    set_status(session, complaint_id, "upheld" if upheld else "rejected")
    account_id = session.execute(
        select(complaint_list.c.account_id).where(complaint_list.c.complaint_id == complaint_id)
    ).scalar_one()
    upsert(
        session,
        complainant_record,
        "complaint_id",
        {
            "complaint_id": complaint_id,
            "account_id": account_id,
            "upheld": upheld,
            "decided_at": domain_event.timestamp,
        },
    )


def set_status(session: Session, complaint_id: str, status: str) -> None:
    session.execute(
        update(complaint_list)
        .where(complaint_list.c.complaint_id == complaint_id)
        .values(status=status)
    )


def is_trusted_complainant(connection: Connection | Session, account_id: str) -> bool:
    """Whether this account's track record lets hybrid mode approve its complaints automatically."""
    latest = (
        connection.execute(
            select(complainant_record.c.upheld)
            .where(complainant_record.c.account_id == account_id)
            .order_by(desc(complainant_record.c.decided_at))
            .limit(TRUST_WINDOW)
        )
        .scalars()
        .all()
    )
    return is_trusted(list(latest))


def my_complaints(
    connection: Connection,
    account_id: str,
    status: str | None,
    right_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict], int]:
    """A page of the account's complaints, newest first, each target with its
    status; and the total."""
    where = [complaint_list.c.account_id == account_id]
    if status:
        where.append(complaint_list.c.status == status)
    if right_id:
        where.append(complaint_list.c.right_id == right_id)
    total = connection.execute(
        select(func.count()).select_from(complaint_list).where(*where)
    ).scalar_one()
    query = (
        select(complaint_list, complaint_targets.c.targets)
        .outerjoin(
            complaint_targets, complaint_targets.c.complaint_id == complaint_list.c.complaint_id
        )
        .where(*where)
        .order_by(desc(complaint_list.c.filed_at), desc(complaint_list.c.complaint_id))
        .limit(limit)
        .offset(offset)
    )
    rows = [row._asdict() for row in connection.execute(query)]
    for row in rows:
        row["targets"] = targets_with_status(row["targets"] or [], row["status"])
    return rows, total


# every table of this service's database besides the kit's: what its migrations make
# (shared/kit/migrations.py)
SCHEMA: tuple[MetaData, ...] = (read_models, queue_tables)
