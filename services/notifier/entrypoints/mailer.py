"""The mailer loop: sends the notifications that are due through SMTP and records each outcome."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from prometheus_client import Counter

from services.notifier.adapters.smtp import (
    PermanentFailure,
    SmtpServer,
    SmtpSession,
    TransientFailure,
)
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.domain.address_book import redact_addresses
from shared.kit.faults import backoff, unavailable
from shared.kit.logs import log
from shared.kit.runtime import Loop
from shared.kit.store import CommitWakeup

DELIVERIES = Counter(
    "ipp_notifications_total", "Notification delivery attempts by outcome", ["kind", "result"]
)


class Mailer:
    """Sends each ready notification through SMTP, then records it Sent, Failed or deferred.

    Exactly-once effect, with one window. A notification is recorded before it is sent and marked
    Sent after the server accepted it. If the server accepted the message but Sent is not recorded
    (the process dies, the database is unreachable, or the server's reply to DATA is lost), the
    claim's lease runs out and the message is sent a second time. Both copies carry the same
    Message-ID, derived from the notification id, so the duplicate is recognisable (and a mail
    store that deduplicates on Message-ID drops it).

    A database that stops answering keeps that window to one message: recording Sent waits for
    it as long as it takes (nobody can claim the message meanwhile, and giving up would make the
    second copy certain), and a batch stops at an outcome the database would not take rather
    than send the rest of its claims into the same silence (SQLite still reads under a writer's
    lock). A message that fails for its own reasons does not stop the others.
    """

    def __init__(
        self,
        app: NotifierApplication,
        server: SmtpServer,
        composer: EmailComposer,
        batch: int = 10,
        poll_seconds: float = 2.0,  # for messages that fall due; commits wake it at once
        clock: Callable[[], float] = time.time,
        lease: float | None = None,
    ) -> None:
        self.app = app
        self.server = server
        self.composer = composer
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.clock = clock
        # a claim outlives the slowest batch, so no other replica takes a message still being sent
        self.lease = lease or batch * server.timeout + 60.0

    async def run(self) -> None:
        """The service loop: deliver what is due, then wait for a commit or the next poll."""
        wakeup = CommitWakeup(self.app)
        while True:
            wakeup.arm()
            if await self.deliver_due() < self.batch:
                await wakeup.wait(self.poll_seconds)

    async def deliver_due(self, now: float | None = None) -> int:
        """One step: claim the notifications due at `now` and send each; returns how
        many were claimed."""
        now = self.clock() if now is None else now
        claimed = await asyncio.to_thread(self.app.claim_due, now, self.batch, self.lease)
        if not claimed:
            return 0
        async with self.server.session() as smtp:
            for position, notification_id in enumerate(claimed):
                try:
                    await self.deliver(notification_id, now, smtp)
                except Exception as exc:  # its lease brings it back
                    silent = unavailable(exc)  # then the rest wait for their leases too
                    log.error(
                        "mailer.delivery_crashed",
                        notification_id=str(notification_id),
                        error=redact_addresses(repr(exc)),
                        left_claimed=len(claimed) - position - 1 if silent else 0,
                    )
                    if silent:
                        break
        return len(claimed)

    async def deliver(self, notification_id: uuid.UUID, now: float, smtp: SmtpSession) -> None:
        letter = await asyncio.to_thread(self.app.letter, notification_id)
        if letter is None:
            return
        if letter.expired(now):
            await self._failed(letter.kind, notification_id, "expired before it could be sent")
            return
        try:
            await smtp.send(self.composer.compose(letter))
        except TransientFailure as exc:
            await asyncio.to_thread(self.app.record_deferred, notification_id, str(exc), now)
            DELIVERIES.labels(letter.kind, "deferred").inc()
            log.warning(
                "mailer.deferred",
                notification_id=str(notification_id),
                error=redact_addresses(str(exc)),
            )
        except PermanentFailure as exc:
            await self._failed(letter.kind, notification_id, str(exc))
        else:
            await self._record_sent(notification_id)
            DELIVERIES.labels(letter.kind, "sent").inc()
            log.info("mailer.sent", notification_id=str(notification_id), kind=letter.kind)

    async def _record_sent(self, notification_id: uuid.UUID) -> None:
        """The server has the message: record it, waiting out a database that does not answer
        (giving up would let the lease run out and the message go out again)."""
        attempt = 0
        while True:
            try:
                await asyncio.to_thread(self.app.record_sent, notification_id)
                return
            except Exception as exc:
                if not unavailable(exc):
                    raise
                attempt += 1
                log.warning(
                    "mailer.recording_sent_waits",
                    notification_id=str(notification_id),
                    attempt=attempt,
                )
                await asyncio.sleep(backoff(attempt))

    async def _failed(self, kind: str, notification_id: uuid.UUID, error: str) -> None:
        await asyncio.to_thread(self.app.record_failed, notification_id, error)
        DELIVERIES.labels(kind, "failed").inc()
        log.error(
            "mailer.failed", notification_id=str(notification_id), error=redact_addresses(error)
        )


def waiting_sweep(app: NotifierApplication, interval: float = 60.0, page: int = 200) -> Loop:
    """A service loop that pages through waiting notifications and addresses any the
    address book can."""

    async def run() -> None:
        cursor = ""
        while True:
            if not cursor:  # a full pass is done: rest before the next
                await asyncio.sleep(interval)
            cursor = await asyncio.to_thread(app.resolve_waiting, cursor, page)

    return run
