"""Identity submissions: an account proves who it is, or (an agency) whom it acts for, one identity each."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.identity.domain import documents
from services.identity.domain.model import Identity, Reservation
from shared.kit.http import ApiError


class IdentitySubmissions:
    """The identity commands and queries of IdentityApplication."""

    key: bytes

    def party(self, kind: str, name: str, document_type: str, number: str, docs: list[dict], **extra: str) -> dict:
        """A party as stored: the raw number stays inside this service (encrypted at rest)."""
        number = documents.normalise(number)
        return {"kind": kind, "name": name, "document_type": document_type, "number": number,
                "masked": documents.mask(number), "fingerprint": documents.fingerprint(number, self.key),
                "documents": docs, **extra}

    def submit_identity(self, account_id: str, role: str, holder: dict, agent: dict | None,
                        authorization_document: dict | None) -> str:
        account = self.account(account_id)
        if not account.email:
            raise ApiError(409, "EMAIL_NOT_BOUND", "Bind an email first: results are sent there.")
        identity = Identity(account_id=account_id, role=role, holder=holder, agent=agent,
                            authorization_document=authorization_document)
        account.add_identity(str(identity.id))
        self._save_with_claims(account_id, identity, account)
        return str(identity.id)

    def resubmit_identity(self, account_id: str, identity_id: str, role: str, holder: dict, agent: dict | None,
                          authorization_document: dict | None) -> None:
        identity = self.identity(account_id, identity_id)
        if not identity.is_editable:
            raise ApiError(409, "IDENTITY_LOCKED", "A submitted identity can change only after a rejection.",
                           {"status": identity.status})
        identity.resubmit(role=role, holder=holder, agent=agent, authorization_document=authorization_document)
        self._save_with_claims(account_id, identity)

    def _save_with_claims(self, account_id: str, identity: Identity, *others: object) -> None:
        """Save with a reservation of every document number not yet claimed by this account."""
        claims = []
        for party in identity.parties():
            owner = self._claimed_account("document", party["number"])
            if owner is not None and str(owner.id) != account_id:
                raise ApiError(409, "DOCUMENT_ALREADY_REGISTERED",
                               "This document number is already registered by another account.",
                               {"document_number_masked": party["masked"]})
            if owner is None and party["fingerprint"] not in {c.fingerprint for c in claims}:
                claims.append(Reservation(kind="document", fingerprint=party["fingerprint"], account_id=account_id))
        try:
            self.save(*claims, identity, *others)
        except IntegrityError as exc:
            raise ApiError(409, "DOCUMENT_ALREADY_REGISTERED",
                           "This document number is already registered by another account.") from exc

    def identity(self, account_id: str, identity_id: str) -> Identity:
        try:
            identity = self.repository.get(UUID(identity_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise ApiError(404, "IDENTITY_NOT_FOUND", "No such identity.") from exc
        if not isinstance(identity, Identity) or identity.account_id != account_id:
            raise ApiError(404, "IDENTITY_NOT_FOUND", "No such identity.")
        return identity

    def identities(self, account_id: str) -> list[Identity]:
        return [self.identity(account_id, i) for i in self.account(account_id).identity_ids]
