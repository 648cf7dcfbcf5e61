"""The rights service layer: registering, amending and reading rights."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, desc, func, select
from sqlalchemy.orm import Session

from services.rights.domain import admission
from services.rights.domain.errors import IdentityNotUsable, InvalidRight, RightLocked
from services.rights.domain.model import EXPIRED, REMINDER_DAYS, Right
from services.rights.domain.submission import Submission
from shared.events.payloads import IdentitySubmitted
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env, upsert
from shared.review.domain import ReviewableMaterial
from shared.review.queue import QueuedReviews

read_models = MetaData()
right_list = Table(  # "my rights"
    "rights_overview", read_models,
    Column("right_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("right_type", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("valid_until", String(10), nullable=True),  # ISO date, compared as text
)
known_identities = Table(  # whom each identity proves to be the right holder, from IdentitySubmitted
    "known_identities", read_models,
    Column("identity_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("role", String(10), nullable=False),
    Column("holder_name", String(200), nullable=False),
)


def mine(account_id: str, right_type: str | None, status: str | None):
    query = select(right_list).where(right_list.c.account_id == account_id)
    if right_type:
        query = query.where(right_list.c.right_type == right_type)
    return query.where(right_list.c.status == status) if status else query


IDENTITY_WAIT_SECONDS = 5.0  # an identity submitted a moment ago is on its way (IdentitySubmitted)
STEP_FIELDS = ("revision", "review_id", "outcome", "reasons", "days_left", "valid_until")


def step_detail(domain_event: object) -> dict:
    """What a step says: a new revision, a review's outcome and reasons, a reminder."""
    return {name: getattr(domain_event, name) for name in STEP_FIELDS if hasattr(domain_event, name)}


class RightsApplication(QueuedReviews, ServiceApplication):
    read_models = read_models
    reviewed_materials = ("right",)

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.today = date.today  # a setting of tests, like identity's clock
        self.identity_wait_seconds = IDENTITY_WAIT_SECONDS
        super().__init__(env or event_store_env(settings))

    def admit(self, fields: dict) -> None:
        """Refuse at once (422, the first problem's code; all of them in details) what is plainly invalid."""
        problems = admission.problems(Submission.from_fields(fields), self.today())
        if problems:
            details = {"problems": [p.as_dict() for p in problems]}
            raise InvalidRight(problems[0].message, details, code=problems[0].code)

    def note_identity(self, session: Session, submitted: IdentitySubmitted) -> None:
        """Remember an identity's holder (the latest revision wins; a redelivered older one changes nothing)."""
        known = session.execute(select(known_identities.c.revision)
                                .where(known_identities.c.identity_id == submitted.identity_id)).scalar()
        if known is None or known < submitted.revision:
            upsert(session, known_identities, "identity_id", {
                "identity_id": submitted.identity_id, "account_id": submitted.account_id,
                "revision": submitted.revision, "role": submitted.role, "holder_name": submitted.holder.name})

    def known_identity(self, identity_id: str) -> dict | None:
        """{identity_id, account_id, revision, role, holder_name}, or None before its IdentitySubmitted."""
        with self.engine.connect() as connection:
            row = connection.execute(select(known_identities)
                                     .where(known_identities.c.identity_id == identity_id)).first()
        return None if row is None else row._asdict()

    def identity_holder(self, identity_id: str) -> str | None:
        identity = self.known_identity(identity_id)
        return None if identity is None else identity["holder_name"]

    def usable_identity(self, account_id: str, identity_id: str) -> dict | None:
        """The account's identity a right may name; None while unknown here; 409 if it is someone else's."""
        identity = self.known_identity(identity_id)
        if identity is not None and identity["account_id"] != account_id:
            raise IdentityNotUsable("A right names an identity of the registering account.",
                           {"identity_id": identity_id, "reason": "not_yours"})
        return identity

    def register(self, account_id: str, **fields: object) -> str:
        right = Right(account_id=account_id, **fields)
        self.save(right)
        return str(right.id)

    def editable_right(self, account_id: str, right_id: str) -> Right:
        """The account's right if it may change (after a rejection); else 404 or 409 RIGHT_LOCKED."""
        right = self.right(account_id, right_id)
        if not right.is_editable:
            raise RightLocked("A submitted right can change only after a rejection.",
                           {"status": right.status})
        return right

    def amend(self, account_id: str, right_id: str, **fields: object) -> Right:
        right = self.editable_right(account_id, right_id)
        right.amend(**fields)
        self.save(right)
        return right

    def sweep_expiry(self, today: date) -> int:
        """Remind holders of rights ending within 30 days and expire those that ended; returns changes."""
        horizon = (today + timedelta(days=REMINDER_DAYS)).isoformat()
        query = (select(right_list.c.right_id).where(right_list.c.status != EXPIRED)
                 .where(right_list.c.valid_until.is_not(None)).where(right_list.c.valid_until <= horizon))
        with self.engine.connect() as connection:
            right_ids = list(connection.execute(query).scalars())
        changed = 0
        for right_id in right_ids:
            right = self.get_or_none(right_id)
            expired = right.expire(today)
            reminded = right.remind_expiry(today)
            if expired or reminded:
                self.save(right)
                changed += 1
        return changed

    def right(self, account_id: str, right_id: str) -> Right:
        return self.owned(Right, right_id, account_id, "RIGHT_NOT_FOUND")

    def history(self, right: Right) -> list[dict]:
        """Every step of the right with its time, from its own events (reviews with their reasons)."""
        return self.steps(right.id, step_detail)

    def my_rights(self, account_id: str, right_type: str | None, status: str | None, limit: int,
                  offset: int) -> tuple[list[dict], int]:
        """One page of the account's rights, newest first, and how many match in all."""
        matching = mine(account_id, right_type, status)
        page = matching.order_by(desc(right_list.c.submitted_at)).limit(limit).offset(offset)
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
            return [row._asdict() for row in connection.execute(page)], total

    def project(self, domain_event: object, session: Session) -> None:
        """Keep "my rights" in step with each right's events (and the reviewer queue with Review events)."""
        super().project(domain_event, session)
        if not isinstance(domain_event, ReviewableMaterial.Event):
            return
        right = self.repository.get(domain_event.originator_id)
        upsert(session, right_list, "right_id", {
            "right_id": str(right.id), "account_id": right.account_id, "right_type": right.right_type,
            "title": right.title, "status": right.status, "revision": right.revision,
            "submitted_at": right.created_on, "valid_until": right.valid_until})
