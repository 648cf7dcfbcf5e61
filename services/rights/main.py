"""Wires the rights service: bootstrap(settings) -> Service."""

from __future__ import annotations

from services.rights.adapters.publication import to_public
from services.rights.application import RightsApplication
from services.rights.domain.checks import complaint_checks, right_checks
from services.rights.entrypoints import events, http
from services.rights.entrypoints.expiry import expiry_schedule
from services.rights.entrypoints.http import STATUSES
from shared.kit.blobs import BlobStore
from shared.kit.http.files import files_router
from shared.kit.migrations import migrate
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.review.entrypoints.http import review_router
from shared.review.process import MaterialReviewer

# the reviewer routes, built once: they read the queue from the app serving the request
REVIEWS = review_router(("right",), http.under_review)


def build(settings: Settings, application: RightsApplication | None = None) -> RightsApplication:
    """The rights application on its database at the newest revision: the one
    place migrations run."""
    app = application or RightsApplication(settings, blobs=BlobStore.of(settings))
    migrate(app.engine, "rights")
    return app


def bootstrap(settings: Settings, application: RightsApplication | None = None) -> Service:
    app = build(settings, application)
    reviewer = MaterialReviewer(
        app,
        "right",
        settings.review_mode,
        lambda c: c.right_id,
        lambda right: right_checks(right, app.today(), app.identity_holder(right.identity_id)),
        lambda right, _: complaint_checks(right, app.today()),
    )
    routers = [http.router, REVIEWS, files_router(app.blobs)]
    return Service(
        statuses=STATUSES,
        settings=settings,
        app=app,
        routers=routers,
        mapping=to_public,
        consumes=events.subscriptions.topics,
        handler=events.subscriptions.bind(events.Context(app, reviewer)),
        state={"application": app},
        loops={"expiry": expiry_schedule(app, settings.expiry_sweep_seconds)},
    )
