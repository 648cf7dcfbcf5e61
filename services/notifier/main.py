"""The notifier's wiring: the one place that builds its store, mailer, inbox handler and routes."""

from __future__ import annotations

from services.notifier.adapters.public_events import public_events
from services.notifier.adapters.smtp import SmtpServer
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.entrypoints import dev_mailbox
from services.notifier.entrypoints.events import subscriptions
from services.notifier.entrypoints.http import STATUSES, router
from services.notifier.entrypoints.mailer import Mailer, waiting_sweep
from shared.kit.migrations import migrate
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.kit.store import event_store_env


def build(settings: Settings) -> NotifierApplication:
    """The notifier application on its database at the newest revision: the one
    place migrations run."""
    app = NotifierApplication(
        env=event_store_env(settings), email_code_key=settings.key("email-codes")
    )
    migrate(app.engine, "notifier")
    return app


def bootstrap(settings: Settings) -> Service:
    """The notifier as the runtime runs it: inbox → application → mailer loop → outbox."""
    app = build(settings)
    mailer = Mailer(
        app,
        SmtpServer.from_url(settings.smtp_url),
        EmailComposer(settings.mail_from),
        lease=settings.mail_claim_seconds,
    )
    return Service(
        statuses=STATUSES,
        settings=settings,
        app=app,
        routers=[router, dev_mailbox.router],
        mapping=public_events,
        consumes=subscriptions.topics,
        handler=subscriptions.bind(app),
        loops={"mailer": mailer.run, "waiting-sweep": waiting_sweep(app)},
        state={"notifier": app},
    )
