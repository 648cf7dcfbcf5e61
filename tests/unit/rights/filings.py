"""Complaints filed at the rights service as its inbox would deliver them, without a broker."""

from __future__ import annotations

from types import SimpleNamespace

from shared.events.payloads import ComplaintFiled
from shared.kit.inbox import Delivery
from shared.kit.runtime import Service


def deliver_complaint(service: Service, right_id: str, n: int, account_id: str,
                      filed_at: str = "2026-11-28T00:00:00Z") -> str:
    """Hand the rights service's inbox handler complaint number `n`, backed by `right_id`."""
    complaint_id = f"c0ffee00-0000-0000-0000-{n:012d}"
    filed = ComplaintFiled(complaint_id=complaint_id, account_id=account_id, identity_id="identity-1",
                           right_id=right_id, right_type="trademark", infringement_type="counterfeit_goods",
                           targets=[], description="d", evidence=[], requested_action="takedown", filed_at=filed_at)
    service.handler(None, Delivery(None, SimpleNamespace(id=f"event-{complaint_id}"), filed))
    return complaint_id
