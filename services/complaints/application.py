"""The complaints service layer: filing, the review cascade's process manager, and queries.

The review cascade's process manager: the complaint waits for the identity and right decisions,
then its own review decides the verdict, automatically or through the reviewer queue."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy.orm import Session

from services.complaints.adapters import read_models as views
from services.complaints.adapters.read_models import read_models
from services.complaints.adapters.review_queue import ComplaintReviewQueue
from services.complaints.domain import targets as target_rules
from services.complaints.domain.checks import complaint_checks
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
from services.complaints.domain.model import Complaint, verdict, verdict_reasons
from services.complaints.domain.statement import as_reason, statement_of_reasons
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, ReviewDecided, RightRegistered
from shared.events.targets_csv import UnreadableCsv, csv_rows
from shared.events.vocabulary import INFRINGEMENT_TYPES
from shared.kit.blobs import BlobStore
from shared.kit.errors import ServiceError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.domain import APPROVED, Check, Review, automatic_outcome, failed_reasons


def invalid_target(exc: target_rules.InvalidTarget) -> ServiceError:
    where = f"Row {exc.row}: " if exc.row else ""
    return InvalidTarget(
        f"{where}{exc.url or '(empty)'} is {exc.why}.",
        {"row": exc.row, "url": exc.url, "reason": exc.why},
    )


def step_detail(domain_event: object) -> dict:
    """What a timeline step says: which material was reviewed, the outcome, who decided."""
    if isinstance(domain_event, Complaint.MaterialReviewed):
        return {"material": domain_event.material_type, "outcome": domain_event.review["outcome"]}
    if isinstance(domain_event, Complaint.Decided):
        decided_by = ((domain_event.statement or {}).get("decided_by") or {}).get("kind")
        return {"outcome": domain_event.outcome, "decided_by": decided_by}
    return {}


class ComplaintsApplication(ServiceApplication):
    read_models = read_models

    def __init__(
        self,
        settings: Settings,
        env: dict[str, str] | None = None,
        blobs: BlobStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.blobs = blobs or BlobStore.of(settings)  # uploaded documents, encrypted at rest
        self.settings, self.clock = settings, clock
        super().__init__(env or event_store_env(settings))
        self.review_queue = ComplaintReviewQueue(self)

    # -- commands ------------------------------------------------------------------------

    def usable_right(self, account_id: str, right_id: str) -> dict | None:
        """The right if this account may complain with it; None while complaints
        has not heard of it."""
        with self.engine.connect() as connection:
            right = views.known_right(connection, right_id)
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
            raise RightNotUsable(
                f"This right cannot back a complaint ({why}).",
                {"right_id": right_id, "reason": why},
            )
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

    def file(
        self,
        account_id: str,
        right: dict,
        infringement_type: str,
        urls: list[str],
        description: str,
        evidence: list[dict],
    ) -> str:
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
            complaint_id=complaint_id,
            account_id=account_id,
            identity_id=right["identity_id"],
            right_id=right["right_id"],
            right_type=right["right_type"],
            infringement_type=infringement_type,
            targets=[t.as_dict(complaint_id) for t in targets],
            description=description,
            evidence=evidence,
        )
        self.save(complaint)
        return complaint_id

    def withdraw(self, account_id: str, complaint_id: str) -> Complaint:
        complaint = self.complaint(account_id, complaint_id)
        if not complaint.is_open:
            raise ComplaintDecided(
                "Only a complaint not yet decided can be withdrawn.", {"status": complaint.status}
            )
        complaint.withdraw()
        self.save_or_conflict(complaint)
        return complaint

    def save_or_conflict(self, *aggregates: Any) -> None:
        """Save; a concurrent change of the same complaint (a withdrawal racing a
        verdict) is a 409."""
        try:
            self.save(*aggregates)
        except IntegrityError as exc:
            raise ComplaintChanged("The complaint changed meanwhile; reload it.") from exc

    # -- the review cascade's process manager: what it does with the events it consumes (inside the
    # inbox's transaction) and with a reviewer's decision on a complaint

    def note_right(self, session: Session, right: RightRegistered) -> None:
        """Remember a right (its holder, its number) for the complaints that will name it."""
        views.note_right(session, right)

    def open_review(self, session: Session, payload: ComplaintFiled, event: CloudEvent) -> None:
        """Our own consumer of ComplaintFiled: open the review of the complaint materials."""
        if self._review(payload.complaint_id) is not None:
            return
        complaint = self.repository.get(UUID(payload.complaint_id))
        checks = complaint_checks(complaint, self.settings.marketplace_host_list)
        review = Review(
            complaint_id=payload.complaint_id,
            material_type="complaint",
            material_id=payload.complaint_id,
            material_revision=1,
            checks=[c.as_dict() for c in checks],
            correlation_id=payload.complaint_id,
            causation_id=event.id,
        )
        if complaint.is_open:
            complaint.start_review()
        self._try_decide(complaint, review, session)
        self.save(review, complaint)

    def record_review(self, session: Session, payload: ReviewDecided) -> None:
        """A material's decision (identity, right) joins its complaint, which may now be decided."""
        if payload.material_type == "right" and payload.outcome == "rejected":
            views.reject_right(session, payload.material_id, payload.material_revision)
        if payload.material_type == "complaint":
            return  # our own verdict
        complaint = self.get_or_none(payload.complaint_id)
        if not isinstance(complaint, Complaint):
            return  # not a complaint of this service
        review = {
            "review_id": payload.review_id,
            "outcome": payload.outcome,
            "reasons": [r.model_dump() for r in payload.reasons],
            "decided_at": payload.decided_at.isoformat(),
            "material_revision": payload.material_revision,
            "reused_decision_id": payload.reused_decision_id,
        }
        if not complaint.record_review(payload.material_type, review):
            return
        own = self._review(payload.complaint_id)
        if own is not None:
            self._try_decide(complaint, own, session)
        self.save(complaint, own)

    def _review(self, complaint_id: str) -> Review | None:
        return self.get_or_none(Review.create_id(complaint_id, "complaint"))

    def _try_decide(self, complaint: Complaint, review: Review, session: Session) -> None:
        """Once identity and right are decided, decide the complaint itself (the verdict), or, when
        the mode leaves an approval to a person, put it in front of a reviewer."""
        if (
            review.is_decided
            or review.waiting
            or not complaint.is_open
            or not complaint.materials_decided
        ):
            return
        checks = [Check.from_dict(c) for c in review.checks]
        outcome, reasons = verdict_reasons(complaint, failed_reasons(checks))
        trusted = self.settings.review_mode == "hybrid" and views.is_trusted_complainant(
            session, complaint.account_id
        )
        if (
            outcome == APPROVED
            and automatic_outcome(self.settings.review_mode, checks, trusted) is None
        ):
            complaint.await_reviewer()
            review.await_reviewer()
            return
        self._conclude(complaint, review, outcome, reasons)

    def _conclude(
        self,
        complaint: Complaint,
        review: Review,
        outcome: str,
        reasons: list[dict],
        reviewer_id: str | None = None,
    ) -> None:
        statement = statement_of_reasons(
            outcome, reasons, reviewer_id, datetime.now(timezone.utc).isoformat()
        )
        complaint.conclude(outcome, reasons, statement)
        review.decide(
            outcome,
            [*reasons, as_reason(statement)],
            reviewer_id=reviewer_id,
            verdict=verdict(complaint, outcome),
        )

    def conclude_by_reviewer(
        self, complaint_id: str, outcome: str, reasons: list[dict], reviewer_id: str
    ) -> str:
        """A reviewer's decision on the complaint materials becomes the verdict;
        returns the review id."""
        complaint, review = self.repository.get(UUID(complaint_id)), self._review(complaint_id)
        if not complaint.is_open or review is None or review.is_decided:
            raise ComplaintDecided(
                "This complaint is no longer open.", {"status": complaint.status}
            )
        self._conclude(complaint, review, outcome, reasons, reviewer_id)
        self.save_or_conflict(complaint, review)
        return str(review.id)

    # -- read models and queries -------------------------------------------------------------

    def project(self, domain_event: object, session: Session) -> None:
        views.project(domain_event, session)
        self.review_queue.project(domain_event, session)

    def complaint(self, account_id: str, complaint_id: str) -> Complaint:
        return self.owned(Complaint, complaint_id, account_id, "COMPLAINT_NOT_FOUND")

    def timeline(self, complaint: Complaint) -> list[dict]:
        """Every step of the complaint with its time, from its own events."""
        return self.steps(complaint.id, step_detail)

    def my_complaints(
        self,
        account_id: str,
        status: str | None = None,
        right_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        with self.engine.connect() as connection:
            return views.my_complaints(connection, account_id, status, right_id, limit, offset)
