"""Wires the identity service: bootstrap(settings) -> Service."""

from __future__ import annotations

from services.identity.adapters.publication import to_public
from services.identity.adapters.review_queue import DISPUTE
from services.identity.adapters.revocations import Revocations
from services.identity.adapters.signing_keys import KeyFile
from services.identity.application import IdentityApplication
from services.identity.domain.checks import complaint_checks, identity_checks
from services.identity.entrypoints import disputes, events, http, identities, sessions
from services.identity.entrypoints.http import STATUSES
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.blobs import BlobStore
from shared.kit.http.files import files_router
from shared.kit.migrations import migrate
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.review.entrypoints.http import review_router
from shared.review.process import MaterialReviewer

# the reviewer routes, built once: they read the queue from the app serving the request
REVIEWS = review_router(("identity", DISPUTE), disputes.under_review)


def build(
    settings: Settings, application: IdentityApplication | None = None
) -> IdentityApplication:
    """The identity application on its database at the newest revision: the one
    place migrations run."""
    app = application or IdentityApplication(settings, blobs=BlobStore.of(settings))
    migrate(app.engine, "identity")
    return app


def bootstrap(settings: Settings, application: IdentityApplication | None = None) -> Service:
    app = build(settings, application)
    signer = TokenSigner(KeyFile.of(settings))
    revocations = Revocations(app.engine)
    reviewer = MaterialReviewer(
        app,
        "identity",
        settings.review_mode,
        lambda c: c.identity_id,
        identity_checks,
        lambda identity, c: complaint_checks(identity, c.right_type),
    )
    return Service(
        statuses=STATUSES,
        settings=settings,
        app=app,
        mapping=to_public,
        consumes=events.subscriptions.topics,
        handler=events.subscriptions.bind(reviewer),
        routers=[
            http.router,
            sessions.router,
            disputes.router,
            identities.router,  # /disputes before /{identity_id}
            REVIEWS,
            files_router(app.blobs),
        ],
        state={"application": app, "signer": signer, "revocations": revocations},
        verifier=TokenVerifier(
            keys=lambda kid: signer.public_keys().get(kid), revoked=revocations.is_revoked
        ),
    )
