"""Wires the complaints service: bootstrap(settings) -> Service."""

from __future__ import annotations

from services.complaints.adapters.publication import to_public
from services.complaints.application import ComplaintsApplication
from services.complaints.entrypoints import events, filing, http
from services.complaints.entrypoints.http import STATUSES
from shared.kit.blobs import BlobStore
from shared.kit.http.files import files_router
from shared.kit.migrations import migrate
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.review.entrypoints.http import review_router

# the reviewer routes, built once: they read the queue from the app serving the request
REVIEWS = review_router(("complaint",), http.under_review)


def build(
    settings: Settings, application: ComplaintsApplication | None = None
) -> ComplaintsApplication:
    """The complaints application on its database at the newest revision: the one
    place migrations run."""
    app = application or ComplaintsApplication(settings, blobs=BlobStore.of(settings))
    migrate(app.engine, "complaints")
    return app


def bootstrap(settings: Settings, application: ComplaintsApplication | None = None) -> Service:
    app = build(settings, application)
    routers = [
        filing.router,
        http.router,
        REVIEWS,
        files_router(app.blobs),
    ]
    return Service(
        statuses=STATUSES,
        settings=settings,
        app=app,
        routers=routers,
        mapping=to_public,
        consumes=events.subscriptions.topics,
        handler=events.subscriptions.bind(app),
        state={"application": app},
    )
