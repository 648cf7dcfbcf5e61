"""Wires the complaints service: bootstrap(settings) -> Service."""

from __future__ import annotations

from services.complaints.adapters.publication import to_public
from services.complaints.application import ComplaintsApplication
from services.complaints.entrypoints import events, http
from shared.kit.blobs import BlobStore, files_router
from shared.kit.runtime import Service
from shared.kit.settings import Settings


def bootstrap(settings: Settings) -> Service:
    app = ComplaintsApplication(settings)
    app.blobs = BlobStore(settings.service_dir / "blobs", settings.max_upload_bytes)
    return Service(settings=settings, app=app, routers=[http.router, files_router(app.blobs)], mapping=to_public,
                   consumes=events.CONSUMES, handler=events.handler(app), state={"application": app})
