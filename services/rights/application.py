"""The rights service layer: registering, amending and reading rights."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.rights.adapters import read_models as views
from services.rights.adapters.read_models import read_models
from services.rights.domain import admission
from services.rights.domain.errors import IdentityNotUsable, InvalidRight, RightLocked
from services.rights.domain.model import REMINDER_DAYS, Right
from services.rights.domain.submission import Submission
from shared.events.payloads import IdentitySubmitted
from shared.kit.blobs import BlobStore
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.domain import ReviewableMaterial
from shared.review.queue import ReviewQueue

IDENTITY_WAIT_SECONDS = 5.0  # an identity submitted a moment ago is on its way (IdentitySubmitted)
STEP_FIELDS = ("revision", "review_id", "outcome", "reasons", "days_left", "valid_until")


def step_detail(domain_event: object) -> dict:
    """What a step says: a new revision, a review's outcome and reasons, a reminder."""
    return {
        name: getattr(domain_event, name) for name in STEP_FIELDS if hasattr(domain_event, name)
    }


class RightsApplication(ServiceApplication):
    read_models = read_models

    def __init__(
        self,
        settings: Settings,
        env: dict[str, str] | None = None,
        blobs: BlobStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.blobs = blobs or BlobStore.of(settings)  # uploaded documents, encrypted at rest
        self.settings = settings
        self.clock = (
            clock  # seconds since the epoch, as identity's and complaints' (tests set their own)
        )
        self.identity_wait_seconds = IDENTITY_WAIT_SECONDS
        super().__init__(env or event_store_env(settings))
        self.review_queue = ReviewQueue(self, ("right",))

    def today(self) -> date:
        """The day it is here, by the application's clock."""
        return date.fromtimestamp(self.clock())

    def admit(self, fields: dict) -> None:
        """Refuse at once (422, the first problem's code; all of them in details) what
        is plainly invalid."""
        problems = admission.problems(Submission.from_fields(fields), self.today())
        if problems:
            details = {"problems": [p.as_dict() for p in problems]}
            raise InvalidRight(problems[0].message, details, code=problems[0].code)

    def note_identity(self, session: Session, submitted: IdentitySubmitted) -> None:
        """Remember an identity's holder (the latest revision wins; a redelivered older one
        changes nothing)."""
        views.note_identity(session, submitted)

    def known_identity(self, identity_id: str) -> dict | None:
        """{identity_id, account_id, revision, role, holder_name}, or None before its
        IdentitySubmitted."""
        with self.engine.connect() as connection:
            return views.known_identity(connection, identity_id)

    def identity_holder(self, identity_id: str) -> str | None:
        identity = self.known_identity(identity_id)
        return None if identity is None else identity["holder_name"]

    def usable_identity(self, account_id: str, identity_id: str) -> dict | None:
        """The account's identity a right may name; None while unknown here; 409 if it
        is someone else's."""
        identity = self.known_identity(identity_id)
        if identity is not None and identity["account_id"] != account_id:
            raise IdentityNotUsable(
                "A right names an identity of the registering account.",
                {"identity_id": identity_id, "reason": "not_yours"},
            )
        return identity

    def register(self, account_id: str, **fields: object) -> str:
        right = Right(account_id=account_id, **fields)
        self.save(right)
        return str(right.id)

    def editable_right(self, account_id: str, right_id: str) -> Right:
        """The account's right if it may change (after a rejection); else 404 or
        409 RIGHT_LOCKED."""
        right = self.right(account_id, right_id)
        if not right.is_editable:
            raise RightLocked(
                "A submitted right can change only after a rejection.", {"status": right.status}
            )
        return right

    def amend(self, account_id: str, right_id: str, **fields: object) -> Right:
        right = self.editable_right(account_id, right_id)
        right.amend(**fields)
        self.save(right)
        return right

    def sweep_expiry(self, today: date) -> int:
        """Remind holders of rights ending within 30 days and expire those that
        ended; returns changes."""
        horizon = (today + timedelta(days=REMINDER_DAYS)).isoformat()
        with self.engine.connect() as connection:
            right_ids = views.ending_by(connection, horizon)
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
        """Every step of the right with its time, from its own events (reviews
        with their reasons)."""
        return self.steps(right.id, step_detail)

    def my_rights(
        self, account_id: str, right_type: str | None, status: str | None, limit: int, offset: int
    ) -> tuple[list[dict], int]:
        """One page of the account's rights, newest first, and how many match in all."""
        with self.engine.connect() as connection:
            return views.my_rights(connection, account_id, right_type, status, limit, offset)

    def project(self, domain_event: object, session: Session) -> None:
        """Keep "my rights" in step with each right's events (and the reviewer queue
        with Review events)."""
        self.review_queue.project(domain_event, session)
        if not isinstance(domain_event, ReviewableMaterial.Event):
            return
        views.record(session, self.repository.get(domain_event.originator_id))
