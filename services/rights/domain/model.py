"""The Right aggregate: submitted once, locked, amendable only after a rejection."""

from __future__ import annotations

from datetime import date, timedelta

from eventsourcing.domain import event

from shared.review.domain import ReviewableMaterial

REMINDER_DAYS = 30
EXPIRED = "expired"


class Right(ReviewableMaterial):
    """A trademark, copyright or patent an account asserts, with its documents."""

    @event("Registered")
    def __init__(
        self,
        account_id: str,
        identity_id: str,
        right_type: str,
        title: str,
        registration_number: str,
        holder_name: str,
        valid_from: str,
        valid_until: str | None,
        details: dict,
        documents: list[dict],
    ) -> None:
        self.account_id = account_id
        self.identity_id = identity_id
        self.right_type = right_type
        self.title = title
        self.registration_number = registration_number
        self.holder_name = holder_name
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.details = details
        self.documents = documents

    reminded_until = None  # the end of validity a reminder was sent for

    def remind_expiry(self, today: date) -> bool:
        """Announce, once per end of validity, that the right ends within REMINDER_DAYS."""
        ends = date.fromisoformat(self.valid_until) if self.valid_until else None
        if ends is None or self.reminded_until == self.valid_until or self.status == EXPIRED:
            return False
        if not today <= ends <= today + timedelta(days=REMINDER_DAYS):
            return False
        self._expiry_reminded(
            account_id=self.account_id,
            title=self.title,
            registration_number=self.registration_number,
            valid_until=self.valid_until,
            days_left=(ends - today).days,
        )
        return True

    @event("ExpiryReminded")
    def _expiry_reminded(
        self,
        account_id: str,
        title: str,
        registration_number: str,
        valid_until: str,
        days_left: int,
    ) -> None:
        self.reminded_until = valid_until

    def expire(self, today: date) -> bool:
        """A right whose validity has ended is expired: it backs no new complaint."""
        if (
            self.status == EXPIRED
            or not self.valid_until
            or date.fromisoformat(self.valid_until) >= today
        ):
            return False
        self._expired()
        return True

    @event("Expired")
    def _expired(self) -> None:
        self.status = EXPIRED

    def amend(self, **fields: object) -> None:
        """Only a rejected right may change; the change is a new revision, reviewed afresh."""
        if not self.is_editable:
            raise ValueError("right is locked")
        self._amended(account_id=self.account_id, revision=self.revision + 1, **fields)

    @event("Amended")
    def _amended(
        self,
        account_id: str,
        revision: int,
        identity_id: str,
        right_type: str,
        title: str,
        registration_number: str,
        holder_name: str,
        valid_from: str,
        valid_until: str | None,
        details: dict,
        documents: list[dict],
    ) -> None:
        self.identity_id = identity_id
        self.right_type = right_type
        self.title = title
        self.registration_number, self.holder_name = registration_number, holder_name
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.details = details
        self.documents = documents
        self.revision = revision
        self.status = "submitted"
        self.reasons = []
