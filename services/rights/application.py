"""The rights service layer: registering, amending and reading rights."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, desc, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.rights.domain.model import Right
from shared.kit.http import ApiError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.domain import ReviewableMaterial

read_models = MetaData()
right_list = Table(  # "my rights"
    "right_list", read_models,
    Column("right_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("right_type", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)


class RightsApplication(ServiceApplication):
    read_models = read_models

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        super().__init__(env or event_store_env(settings))

    def register(self, account_id: str, **fields: object) -> str:
        right = Right(account_id=account_id, **fields)
        self.save(right)
        return str(right.id)

    def amend(self, account_id: str, right_id: str, **fields: object) -> Right:
        right = self.right(account_id, right_id)
        if not right.is_editable:
            raise ApiError(409, "RIGHT_LOCKED", "A submitted right can change only after a rejection.",
                           {"status": right.status})
        right.amend(**fields)
        self.save(right)
        return right

    def right(self, account_id: str, right_id: str) -> Right:
        try:
            right = self.repository.get(UUID(right_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise ApiError(404, "RIGHT_NOT_FOUND", "No such right.") from exc
        if not isinstance(right, Right) or right.account_id != account_id:
            raise ApiError(404, "RIGHT_NOT_FOUND", "No such right.")
        return right

    def my_rights(self, account_id: str, right_type: str | None, status: str | None, limit: int,
                  offset: int) -> list[dict]:
        query = select(right_list).where(right_list.c.account_id == account_id)
        if right_type:
            query = query.where(right_list.c.right_type == right_type)
        if status:
            query = query.where(right_list.c.status == status)
        query = query.order_by(desc(right_list.c.submitted_at)).limit(limit).offset(offset)
        with self.engine.connect() as connection:
            return [row._asdict() for row in connection.execute(query)]

    def project(self, domain_event: object, session: Session) -> None:
        """Keep "my rights" in step with each right's events."""
        if not isinstance(domain_event, ReviewableMaterial.Event):
            return
        right_id = str(domain_event.originator_id)
        if isinstance(domain_event, Right.Registered):
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.execute(dialect.insert(right_list).values(
                right_id=right_id, account_id=domain_event.account_id, right_type=domain_event.right_type,
                title=domain_event.title, status="submitted", revision=1,
                submitted_at=domain_event.timestamp).on_conflict_do_nothing())
            return
        right = self.repository.get(domain_event.originator_id)
        session.execute(update(right_list).where(right_list.c.right_id == right_id).values(
            status=right.status, revision=right.revision, title=right.title, right_type=right.right_type))
