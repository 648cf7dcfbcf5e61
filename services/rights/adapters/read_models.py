"""Rights' read models: "my rights" (also what the expiry sweep reads) and the identities it has
heard of, with their queries."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, desc, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.rights.domain.model import EXPIRED, Right
from shared.events.payloads import IdentitySubmitted
from shared.kit.store import upsert
from shared.review.tables import queue_tables

read_models = MetaData()
right_list = Table(  # "my rights"
    "rights_overview",
    read_models,
    Column("right_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("right_type", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("valid_until", String(10), nullable=True),  # ISO date, compared as text
)
known_identities = (
    Table(  # whom each identity proves to be the right holder, from IdentitySubmitted
        "known_identities",
        read_models,
        Column("identity_id", String(36), primary_key=True),
        Column("account_id", String(36), nullable=False),
        Column("revision", Integer, nullable=False),
        Column("role", String(10), nullable=False),
        Column("holder_name", String(200), nullable=False),
    )
)


def mine(account_id: str, right_type: str | None, status: str | None):
    query = select(right_list).where(right_list.c.account_id == account_id)
    if right_type:
        query = query.where(right_list.c.right_type == right_type)
    return query.where(right_list.c.status == status) if status else query


def note_identity(session: Session, submitted: IdentitySubmitted) -> None:
    """Remember an identity's holder (the latest revision wins; a redelivered older one
    changes nothing)."""
    known = session.execute(
        select(known_identities.c.revision).where(
            known_identities.c.identity_id == submitted.identity_id
        )
    ).scalar()
    if known is None or known < submitted.revision:
        upsert(
            session,
            known_identities,
            "identity_id",
            {
                "identity_id": submitted.identity_id,
                "account_id": submitted.account_id,
                "revision": submitted.revision,
                "role": submitted.role,
                "holder_name": submitted.holder.name,
            },
        )


def known_identity(connection: Connection, identity_id: str) -> dict | None:
    """{identity_id, account_id, revision, role, holder_name}, or None before its
    IdentitySubmitted."""
    row = connection.execute(
        select(known_identities).where(known_identities.c.identity_id == identity_id)
    ).first()
    return None if row is None else row._asdict()


def ending_by(connection: Connection, horizon: str) -> list[str]:
    """The rights not yet expired whose validity ends on or before `horizon` (an ISO date)."""
    query = (
        select(right_list.c.right_id)
        .where(right_list.c.status != EXPIRED)
        .where(right_list.c.valid_until.is_not(None))
        .where(right_list.c.valid_until <= horizon)
    )
    return list(connection.execute(query).scalars())


def my_rights(
    connection: Connection,
    account_id: str,
    right_type: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict], int]:
    """One page of the account's rights, newest first, and how many match in all."""
    matching = mine(account_id, right_type, status)
    page = matching.order_by(desc(right_list.c.submitted_at)).limit(limit).offset(offset)
    total = connection.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    return [row._asdict() for row in connection.execute(page)], total


def record(session: Session, right: Right) -> None:
    """Write the right's current state to "my rights", in the transaction that saved its events."""
    upsert(
        session,
        right_list,
        "right_id",
        {
            "right_id": str(right.id),
            "account_id": right.account_id,
            "right_type": right.right_type,
            "title": right.title,
            "status": right.status,
            "revision": right.revision,
            "submitted_at": right.created_on,
            "valid_until": right.valid_until,
        },
    )


# every table of this service's database besides the kit's: what its migrations make
# (shared/kit/migrations.py)
SCHEMA: tuple[MetaData, ...] = (read_models, queue_tables)
