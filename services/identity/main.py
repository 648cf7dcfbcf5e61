"""Wires the identity service: bootstrap(settings) -> Service."""

from __future__ import annotations

from services.identity.adapters.publication import to_public
from services.identity.application import IdentityApplication
from services.identity.domain.checks import identity_checks
from services.identity.entrypoints import http
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.blobs import BlobStore, files_router
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.review.process import CONSUMES, MaterialReviewer


def bootstrap(settings: Settings) -> Service:
    app = IdentityApplication(settings)
    app.blobs = BlobStore(settings.service_dir / "blobs", settings.max_upload_bytes)
    signer = TokenSigner(settings.service_dir / "jwt-ed25519.pem")
    reviewer = MaterialReviewer(app, "identity", settings.review_mode, lambda c: c.identity_id, identity_checks)
    return Service(
        settings=settings, app=app, routers=[http.router, files_router(app.blobs)], mapping=to_public,
        consumes=CONSUMES, handler=reviewer.handle,
        state={"application": app, "signer": signer},
        verifier=TokenVerifier(public_key=signer.public_key),
    )
