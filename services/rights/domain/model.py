"""The Right aggregate: submitted once, locked, amendable only after a rejection."""

from __future__ import annotations

from eventsourcing.domain import event

from shared.review.domain import ReviewableMaterial


class Right(ReviewableMaterial):
    """A trademark, copyright or patent an account asserts, with its documents."""

    @event("Registered")
    def __init__(self, account_id: str, identity_id: str, right_type: str, title: str, registration_number: str,
                 holder_name: str, valid_from: str, valid_until: str | None, details: dict,
                 documents: list[dict]) -> None:
        self.account_id, self.identity_id, self.right_type = account_id, identity_id, right_type
        self.title, self.registration_number, self.holder_name = title, registration_number, holder_name
        self.valid_from, self.valid_until, self.details, self.documents = valid_from, valid_until, details, documents

    def amend(self, **fields: object) -> None:
        """Only a rejected right may change; the change is a new revision, reviewed afresh."""
        if not self.is_editable:
            raise ValueError("right is locked")
        self._amended(account_id=self.account_id, revision=self.revision + 1, **fields)

    @event("Amended")
    def _amended(self, account_id: str, revision: int, identity_id: str, right_type: str, title: str,
                 registration_number: str, holder_name: str, valid_from: str, valid_until: str | None,
                 details: dict, documents: list[dict]) -> None:
        self.identity_id, self.right_type, self.title = identity_id, right_type, title
        self.registration_number, self.holder_name = registration_number, holder_name
        self.valid_from, self.valid_until, self.details, self.documents = valid_from, valid_until, details, documents
        self.revision, self.status, self.reasons = revision, "submitted", []
