"""The complaints service layer: filing, the review cascade's process manager, and queries."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from eventsourcing.persistence import IntegrityError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.complaints.adapters import read_models as views
from services.complaints.adapters.read_models import known_rights, read_models
from services.complaints.adapters.review_queue import ComplaintReviewQueue
from services.complaints.cascade import ComplaintCascade
from services.complaints.domain import targets as target_rules
from services.complaints.domain.errors import (
    ComplaintChanged,
    ComplaintDecided,
    InvalidInfringementType,
    InvalidTarget,
    InvalidTargetsCsv,
    NoTargets,
    RightNotUsable,
    TooManyTargets,
)
from services.complaints.domain.model import Complaint
from shared.events.targets_csv import UnreadableCsv, csv_rows
from shared.events.vocabulary import INFRINGEMENT_TYPES
from shared.kit.errors import ServiceError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env


def invalid_target(exc: target_rules.InvalidTarget) -> ServiceError:
    where = f"Row {exc.row}: " if exc.row else ""
    return InvalidTarget(f"{where}{exc.url or '(empty)'} is {exc.why}.",
                    {"row": exc.row, "url": exc.url, "reason": exc.why})


def step_detail(domain_event: object) -> dict:
    """What a timeline step says: which material was reviewed, the outcome, who decided."""
    if isinstance(domain_event, Complaint.MaterialReviewed):
        return {"material": domain_event.material_type, "outcome": domain_event.review["outcome"]}
    if isinstance(domain_event, Complaint.Decided):
        decided_by = ((domain_event.statement or {}).get("decided_by") or {}).get("kind")
        return {"outcome": domain_event.outcome, "decided_by": decided_by}
    return {}


class ComplaintsApplication(ComplaintCascade, ServiceApplication):
    read_models = read_models

    def __init__(self, settings: Settings, env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings, self.clock = settings, clock
        super().__init__(env or event_store_env(settings))
        self.review_queue = ComplaintReviewQueue(self)

    # -- commands ------------------------------------------------------------------------

    def usable_right(self, account_id: str, right_id: str) -> dict | None:
        """The right if this account may complain with it; None while complaints has not heard of it."""
        with self.engine.connect() as connection:
            right = connection.execute(select(known_rights).where(known_rights.c.right_id == right_id)).first()
        if right is None:
            return None
        why = None
        if right.account_id != account_id:
            why = "not_yours"
        elif right.status == "rejected":
            why = "rejected"
        elif right.valid_until is not None and right.valid_until < date.today():
            why = "expired"
        if why:
            raise RightNotUsable(f"This right cannot back a complaint ({why}).",
                           {"right_id": right_id, "reason": why})
        return right._asdict()

    def targets_from_csv(self, content: bytes) -> list[target_rules.Target]:
        """The targets of an uploaded CSV file; an error names the file's row."""
        try:
            return target_rules.parse_rows(csv_rows(content), self.settings.marketplace_host_list)
        except UnreadableCsv as exc:
            raise InvalidTargetsCsv(f"The targets file cannot be read: {exc}.") from exc
        except target_rules.InvalidTarget as exc:
            raise invalid_target(exc) from exc
        except target_rules.TooManyTargets as exc:
            raise TooManyTargets(str(exc)) from exc

    def file(self, account_id: str, right: dict, infringement_type: str, urls: list[str], description: str,
             evidence: list[dict]) -> str:
        allowed = INFRINGEMENT_TYPES[right["right_type"]]
        if infringement_type not in allowed:
            raise InvalidInfringementType(f"Choose one of {', '.join(allowed)}.")
        try:
            targets = target_rules.parse_targets(urls, self.settings.marketplace_host_list)
        except target_rules.InvalidTarget as exc:
            raise invalid_target(exc) from exc
        except target_rules.TooManyTargets as exc:
            raise TooManyTargets(str(exc)) from exc
        if not targets:
            raise NoTargets("Name at least one listing.")
        complaint_id = str(uuid.uuid4())
        complaint = Complaint(
            complaint_id=complaint_id, account_id=account_id, identity_id=right["identity_id"],
            right_id=right["right_id"], right_type=right["right_type"], infringement_type=infringement_type,
            targets=[t.as_dict(complaint_id) for t in targets], description=description, evidence=evidence)
        self.save(complaint)
        return complaint_id

    def withdraw(self, account_id: str, complaint_id: str) -> Complaint:
        complaint = self.complaint(account_id, complaint_id)
        if not complaint.is_open:
            raise ComplaintDecided("Only a complaint not yet decided can be withdrawn.",
                           {"status": complaint.status})
        complaint.withdraw()
        self.save_or_conflict(complaint)
        return complaint

    def save_or_conflict(self, *aggregates: Any) -> None:
        """Save; a concurrent change of the same complaint (a withdrawal racing a verdict) is a 409."""
        try:
            self.save(*aggregates)
        except IntegrityError as exc:
            raise ComplaintChanged("The complaint changed meanwhile; reload it.") from exc

    # -- read models and queries -------------------------------------------------------------

    def project(self, domain_event: object, session: Session) -> None:
        views.project(domain_event, session)
        self.review_queue.project(domain_event, session)

    def complaint(self, account_id: str, complaint_id: str) -> Complaint:
        return self.owned(Complaint, complaint_id, account_id, "COMPLAINT_NOT_FOUND")

    def timeline(self, complaint: Complaint) -> list[dict]:
        """Every step of the complaint with its time, from its own events."""
        return self.steps(complaint.id, step_detail)

    def my_complaints(self, account_id: str, status: str | None = None, right_id: str | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        with self.engine.connect() as connection:
            return views.my_complaints(connection, account_id, status, right_id, limit, offset)
