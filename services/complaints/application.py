"""The complaints service layer: filing, the review cascade's process manager, and queries."""

from __future__ import annotations

import uuid
from datetime import date
from functools import singledispatchmethod
from uuid import UUID

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, desc, select, update
from sqlalchemy.orm import Session

from services.complaints.domain import targets as target_rules
from services.complaints.domain.checks import complaint_checks
from services.complaints.domain.model import INFRINGEMENT_TYPES, Complaint, verdict, verdict_reasons
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, ReviewDecided, RightRegistered
from shared.kit.http import ApiError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env, upsert
from shared.review.domain import Check, Review, automatic_outcome, failed_reasons

read_models = MetaData()
known_rights = Table(  # what complaints knows of rights, from RightRegistered and ReviewDecided(right)
    "known_rights", read_models,
    Column("right_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("identity_id", String(36), nullable=False),
    Column("right_type", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("valid_until", Date, nullable=True),
)
complaint_list = Table(  # "my complaints"
    "complaint_list", read_models,
    Column("complaint_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("right_id", String(36), nullable=False),
    Column("status", String(20), nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False),
)


class ComplaintsApplication(ServiceApplication):
    read_models = read_models

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        super().__init__(env or event_store_env(settings))

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
            raise ApiError(409, "RIGHT_NOT_USABLE", f"This right cannot back a complaint ({why}).",
                           {"right_id": right_id, "reason": why})
        return right._asdict()

    def file(self, account_id: str, right: dict, infringement_type: str, urls: list[str], description: str,
             evidence: list[dict]) -> str:
        allowed = INFRINGEMENT_TYPES[right["right_type"]]
        if infringement_type not in allowed:
            raise ApiError(422, "INVALID_INFRINGEMENT_TYPE", f"Choose one of {', '.join(allowed)}.")
        try:
            targets = target_rules.parse_targets(urls, self.settings.marketplace_host_list)
        except target_rules.InvalidTarget as exc:
            raise ApiError(422, "INVALID_TARGET", f"{exc.url} is {exc.why}.",
                           {"url": exc.url, "reason": exc.why}) from exc
        except ValueError as exc:
            raise ApiError(422, "TOO_MANY_TARGETS", str(exc)) from exc
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
            raise ApiError(409, "COMPLAINT_DECIDED", "Only a complaint not yet decided can be withdrawn.",
                           {"status": complaint.status})
        complaint.withdraw()
        self.save(complaint)
        return complaint

    # -- the cascade (called by the inbox, inside its transaction) ---------------------------

    @singledispatchmethod
    def on_event(self, payload: object, event: CloudEvent, session: Session) -> None:
        """Events complaints does not act on are ignored."""

    @on_event.register
    def _(self, payload: RightRegistered, event: CloudEvent, session: Session) -> None:
        with session.no_autoflush:
            current = session.execute(select(known_rights.c.revision)
                                      .where(known_rights.c.right_id == payload.right_id)).scalar()
        if current is not None and current >= payload.revision:
            return
        upsert(session, known_rights, "right_id", {
            "right_id": payload.right_id, "account_id": payload.account_id, "identity_id": payload.identity_id,
            "right_type": payload.right_type, "revision": payload.revision, "status": "submitted",
            "valid_until": payload.valid_until})

    @on_event.register
    def _(self, payload: ComplaintFiled, event: CloudEvent, session: Session) -> None:
        """Our own consumer of ComplaintFiled: open the review of the complaint materials."""
        if self._review(payload.complaint_id) is not None:
            return
        complaint = self.repository.get(UUID(payload.complaint_id))
        checks = complaint_checks(complaint, self.settings.marketplace_host_list)
        review = Review(complaint_id=payload.complaint_id, material_type="complaint",
                        material_id=payload.complaint_id, material_revision=1,
                        checks=[c.as_dict() for c in checks], correlation_id=payload.complaint_id,
                        causation_id=event.id)
        if complaint.is_open:
            complaint.start_review()
        self._try_decide(complaint, review)
        self.save(review, complaint)

    @on_event.register
    def _(self, payload: ReviewDecided, event: CloudEvent, session: Session) -> None:
        if payload.material_type == "right" and payload.outcome == "rejected":
            session.execute(update(known_rights).where(known_rights.c.right_id == payload.material_id)
                            .where(known_rights.c.revision == payload.material_revision).values(status="rejected"))
        if payload.material_type == "complaint":
            return  # our own verdict
        complaint = self.get_or_none(payload.complaint_id)
        if not isinstance(complaint, Complaint):
            return  # not a complaint of this service
        review = {"review_id": payload.review_id, "outcome": payload.outcome,
                  "reasons": [r.model_dump() for r in payload.reasons],
                  "decided_at": payload.decided_at.isoformat(), "material_revision": payload.material_revision,
                  "reused_decision_id": payload.reused_decision_id}
        if not complaint.record_review(payload.material_type, review):
            return
        own = self._review(payload.complaint_id)
        if own is not None:
            self._try_decide(complaint, own)
        self.save(complaint, own)

    def _review(self, complaint_id: str) -> Review | None:
        return self.get_or_none(Review.create_id(complaint_id, "complaint"))

    def _try_decide(self, complaint: Complaint, review: Review) -> None:
        """Once identity and right are decided, decide the complaint itself: the verdict."""
        if review.is_decided or not complaint.is_open or not complaint.materials_decided:
            return
        checks = [Check.from_dict(c) for c in review.checks]
        outcome, reasons = verdict_reasons(complaint, failed_reasons(checks))
        if outcome == "approved" and automatic_outcome(self.settings.review_mode, checks) is None:
            return  # manual review of the complaint materials (reviewer queue: a later issue)
        complaint.conclude(outcome, reasons)
        review.decide(outcome, reasons, verdict=verdict(complaint, outcome))

    # -- read models and queries -------------------------------------------------------------

    @singledispatchmethod
    def project(self, domain_event: object, session: Session) -> None:
        """Keep "my complaints" in step with the complaint's events."""

    @project.register
    def _(self, domain_event: Complaint.Filed, session: Session) -> None:
        upsert(session, complaint_list, "complaint_id", {
            "complaint_id": str(domain_event.originator_id), "account_id": domain_event.account_id,
            "right_id": domain_event.right_id, "status": "submitted", "filed_at": domain_event.timestamp})

    @project.register(Complaint.ReviewStarted)
    @project.register(Complaint.Decided)
    @project.register(Complaint.Withdrawn)
    def _(self, domain_event: Complaint.Event, session: Session) -> None:
        status = {Complaint.ReviewStarted: "under_review", Complaint.Withdrawn: "withdrawn"}.get(
            type(domain_event)) or ("upheld" if getattr(domain_event, "outcome", "") == "approved" else "rejected")
        session.execute(update(complaint_list)
                        .where(complaint_list.c.complaint_id == str(domain_event.originator_id))
                        .values(status=status))

    def complaint(self, account_id: str, complaint_id: str) -> Complaint:
        return self.owned(Complaint, complaint_id, account_id, "COMPLAINT_NOT_FOUND")

    def timeline(self, complaint: Complaint) -> list[dict]:
        """Every step of the complaint with its time, from its own events."""
        steps = []
        for domain_event in self.events.get(complaint.id):
            step = {"step": type(domain_event).__name__, "at": domain_event.timestamp.isoformat()}
            if isinstance(domain_event, Complaint.MaterialReviewed):
                step.update(material=domain_event.material_type, outcome=domain_event.review["outcome"])
            if isinstance(domain_event, Complaint.Decided):
                step.update(outcome=domain_event.outcome)
            steps.append(step)
        return steps

    def my_complaints(self, account_id: str, status: str | None, limit: int, offset: int) -> list[dict]:
        query = select(complaint_list).where(complaint_list.c.account_id == account_id)
        if status:
            query = query.where(complaint_list.c.status == status)
        query = query.order_by(desc(complaint_list.c.filed_at)).limit(limit).offset(offset)
        with self.engine.connect() as connection:
            return [row._asdict() for row in connection.execute(query)]
