"""Complaints filed at the rights service as its inbox would deliver them, without a broker."""

from __future__ import annotations

from types import SimpleNamespace

from shared.events.payloads import ComplaintFiled, IdentitySubmitted, Party
from shared.kit.inbox import Delivery
from shared.kit.runtime import Service


def deliver_complaint(
    service: Service, right_id: str, n: int, account_id: str, filed_at: str = "2026-11-28T00:00:00Z"
) -> str:
    """Hand the rights service's inbox handler complaint number `n`, backed by `right_id`."""
    complaint_id = f"c0ffee00-0000-0000-0000-{n:012d}"
    filed = ComplaintFiled(
        complaint_id=complaint_id,
        account_id=account_id,
        identity_id="identity-1",
        right_id=right_id,
        right_type="trademark",
        infringement_type="counterfeit_goods",
        targets=[],
        description="d",
        evidence=[],
        requested_action="takedown",
        filed_at=filed_at,
    )
    service.handler(None, Delivery(None, SimpleNamespace(id=f"event-{complaint_id}"), filed))
    return complaint_id


def deliver_identity(
    service: Service,
    account_id: str,
    identity_id: str = "identity-1",
    holder_name: str = "张三",
    revision: int = 1,
) -> None:
    """Hand the rights service's inbox handler the IdentitySubmitted of `account_id`'s identity."""
    holder = Party(
        kind="individual",
        name=holder_name,
        document_type="resident_id",
        document_number_masked="110***********002X",
        fingerprint="f" * 64,
    )
    submitted = IdentitySubmitted(
        identity_id=identity_id,
        account_id=account_id,
        revision=revision,
        role="holder",
        holder=holder,
        agent=None,
        submitted_at="2026-11-01T00:00:00Z",
    )
    with service.app.transaction() as session:  # as the inbox hands it over: inside its transaction
        service.handler(
            session,
            Delivery(None, SimpleNamespace(id=f"identity-{identity_id}-{revision}"), submitted),
        )
