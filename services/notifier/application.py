"""The notifier's service layer: commands from events and from the mailer, each
in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from services.notifier.adapters import read_models
from services.notifier.domain.address_book import BoundAddress, Complainant, language_or_default
from services.notifier.domain.notification import (
    ABOUT_A_COMPLAINT,
    EMAIL_CODE,
    REJECTED_MATERIAL,
    RIGHT_EXPIRING,
    VERDICT,
    Letter,
    Notification,
)
from shared.kit.keys import verification_code
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication


class NotifierApplication(ServiceApplication):
    """Keeps the address book and the notifications; events and read model are saved together.

    Called from the inbox, the commands run inside its transaction, so a redelivered event, a
    crash or a rollback never leaves a notification without its row or its inbox record.
    """

    read_models = read_models.read_models

    def __init__(
        self, env: dict[str, str] | None = None, email_code_key: bytes | None = None
    ) -> None:
        super().__init__(env)
        # the `email-codes` key identity derives codes with (both from IPP_SECRET_KEY); by default
        # this deployment's, from the environment like every setting
        self.email_code_key = email_code_key or Settings(service="notifier").key("email-codes")

    def request_email_code(
        self,
        key: str,
        account_id: str,
        email: str,
        request_id: str | None,
        expires_at: datetime,
        correlation_id: str | None = None,
        code: str = "",
    ) -> None:
        """Owe the address a mail with the verification code of identity's request `request_id`
        (once per `key`, the event's id). Only the request id is kept: the code is derived when the
        mail is written. `code` is for an event published before request ids, which carried it."""
        content = {"request_id": request_id} if request_id else {"code": code}
        self._owe(
            EMAIL_CODE,
            key,
            account_id,
            account_id,
            {**content, "expires_at": expires_at.isoformat()},
            correlation_id,
            key,
            email,
        )

    def bind_address(self, account_id: str, email: str, language: str) -> None:
        """Learn where an account gets its mail, and address what was waiting for it."""
        with self.transaction() as session:
            if self._get(BoundAddress.create_id(account_id)) is not None:
                return  # bound once, never changed
            self._save(BoundAddress(account_id=account_id, email=email, language=language))
            self._resolve(read_models.waiting_for_account(session, account_id))

    def record_complainant(
        self, complaint_id: str, account_id: str, target_urls: list[str]
    ) -> None:
        """Learn who filed a complaint, and address its verdict if that was waiting."""
        with self.transaction() as session:
            if self._get(Complainant.create_id(complaint_id)) is not None:
                return
            self._save(
                Complainant(
                    complaint_id=complaint_id, account_id=account_id, target_urls=target_urls
                )
            )
            self._resolve(read_models.waiting_for_complainant(session, complaint_id))

    def notify_verdict(
        self, complaint_id: str, content: dict, correlation_id: str | None, causation_id: str | None
    ) -> None:
        """Owe the complainant the verdict; it waits until both complainant and
        address are known."""
        self._owe_complainant(
            VERDICT, complaint_id, complaint_id, content, correlation_id, causation_id
        )

    def notify_material_rejected(
        self,
        material_type: str,
        complaint_id: str,
        material_id: str,
        content: dict,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        """Owe the complainant one email per rejected identity or right of a
        complaint: what to fix."""
        self._owe_complainant(
            REJECTED_MATERIAL[material_type],
            f"{complaint_id}/{material_id}",
            complaint_id,
            content,
            correlation_id,
            causation_id,
        )

    def notify_right_expiring(
        self,
        right_id: str,
        account_id: str,
        content: dict,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        """Owe the holder a reminder that a right ends soon: once per right and end of validity."""
        self._owe(
            RIGHT_EXPIRING,
            f"{right_id}/{content['valid_until']}",
            right_id,
            account_id,
            content,
            correlation_id,
            causation_id,
        )

    def resolve_waiting(self, after: str = "", limit: int = 200) -> str:
        """Address waiting notifications the address book can address after all;
        returns the next cursor.

        The commands above already do this as events arrive. This sweep covers what they cannot see:
        two replicas binding an address and attributing a verdict at the same time, each before the
        other committed (with PostgreSQL's read committed, neither sees the other's row).
        """
        with self.transaction() as session:
            waiting = read_models.waiting(session, after, limit)
            self._resolve(waiting)
        return str(waiting[-1]) if len(waiting) == limit else ""

    def claim_due(self, now: float, limit: int, lease: float) -> list[uuid.UUID]:
        """The pending notifications whose (next) attempt is due, claimed for `lease` seconds."""
        with self.transaction() as session:
            return read_models.claim_due(session, now, limit, lease)

    def letter(self, notification_id: uuid.UUID) -> Letter | None:
        """What to send for a notification, or None when there is nothing (left) to send."""
        notification = self.notification(notification_id)
        if notification is None or notification.is_finished or not notification.recipient:
            return None
        context = dict(notification.content)
        if notification.kind == EMAIL_CODE and context.get("request_id"):
            context["code"] = verification_code(self.email_code_key, context.pop("request_id"))
        if notification.kind == VERDICT and not context.get("targets"):
            complainant = self._get(Complainant.create_id(notification.subject_id))
            urls = complainant.target_urls if complainant else []
            context["targets"] = [{"url": url, "action": "none"} for url in urls]
        return Letter(
            notification.id,
            notification.kind,
            notification.recipient,
            notification.language,
            context,
        )

    def record_sent(self, notification_id: uuid.UUID) -> None:
        self._conclude(notification_id, lambda n: n.mark_sent())

    def record_deferred(self, notification_id: uuid.UUID, error: str, now: float) -> None:
        self._conclude(notification_id, lambda n: n.defer(error, now))

    def record_failed(self, notification_id: uuid.UUID, error: str) -> None:
        self._conclude(notification_id, lambda n: n.mark_failed(error))

    def notifications_about(self, subject_id: str) -> list[dict]:
        """The notifications about one subject, with masked addresses only."""
        with self.engine.connect() as connection:
            return read_models.about(connection, subject_id)

    def complainant_of(self, complaint_id: str) -> str | None:
        """The account that filed a complaint, once ComplaintFiled has told the notifier."""
        complainant = self._get(Complainant.create_id(complaint_id))
        return complainant.account_id if complainant is not None else None

    def notification(self, notification_id: uuid.UUID) -> Notification | None:
        found = self._get(notification_id)
        return found if isinstance(found, Notification) else None

    def _conclude(
        self, notification_id: uuid.UUID, outcome: Callable[[Notification], None]
    ) -> None:
        with self.transaction():
            notification = self.notification(notification_id)
            if notification is not None and not notification.is_finished:
                outcome(notification)
                self._save(notification)

    def _resolve(self, notification_ids: list[uuid.UUID]) -> None:
        """Attribute and address waiting notifications from the address book, as far as it knows."""
        changed = []
        for notification in filter(None, map(self.notification, notification_ids)):
            before = notification.version
            if notification.account_id is None and notification.kind in ABOUT_A_COMPLAINT:
                complainant = self._get(Complainant.create_id(notification.subject_id))
                if complainant is not None:
                    notification.attribute_to(complainant.account_id)
            address = (
                self._get(BoundAddress.create_id(notification.account_id))
                if notification.account_id
                else None
            )
            if address is not None:
                notification.address(address.email, address.language)
            if notification.version != before:
                changed.append(notification)
        if changed:
            self._save(*changed)

    def _owe_complainant(
        self,
        kind: str,
        key: str,
        complaint_id: str,
        content: dict,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        with self.transaction():
            complainant = self._get(Complainant.create_id(complaint_id))
            self._owe(
                kind,
                key,
                complaint_id,
                complainant.account_id if complainant else None,
                content,
                correlation_id,
                causation_id,
            )

    def _owe(
        self,
        kind: str,
        key: str,
        subject_id: str,
        account_id: str | None,
        content: dict,
        correlation_id: str | None,
        causation_id: str | None,
        recipient: str | None = None,
    ) -> None:
        """Record the notification (kind, key) unless it exists; addressed now if the
        address book can."""
        with self.transaction():
            if self._get(Notification.create_id(kind, key)) is not None:
                return
            address = self._get(BoundAddress.create_id(account_id)) if account_id else None
            self._save(
                Notification(
                    kind=kind,
                    key=key,
                    subject_id=subject_id,
                    account_id=account_id,
                    recipient=recipient or (address.email if address else None),
                    language=address.language if address else language_or_default(None),
                    content=content,
                    correlation_id=correlation_id,
                    causation_id=causation_id,
                )
            )

    def _get(self, aggregate_id: uuid.UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _save(self, *aggregates: Any) -> None:
        with self.transaction() as session:
            self.save(*aggregates)
            for aggregate in aggregates:
                if isinstance(aggregate, Notification):
                    read_models.record(session, aggregate)
