"""Wires the complaints service: bootstrap(settings) -> Service."""

from __future__ import annotations

import os
from collections.abc import Mapping

from services.complaints.adapters.publication import to_public
from services.complaints.application import DEFAULT_DEADLINE_HOURS, ComplaintsApplication
from services.complaints.entrypoints import events, filing, http
from shared.kit.blobs import BlobStore, files_router
from shared.kit.runtime import Service
from shared.kit.settings import Settings
from shared.review.http import review_router


def review_deadline_hours(environ: Mapping[str, str] = os.environ) -> float:
    """IPP_REVIEW_DEADLINE_HOURS: how long a complaint may wait for a reviewer before it is overdue."""
    return float(environ.get("IPP_REVIEW_DEADLINE_HOURS") or DEFAULT_DEADLINE_HOURS)


def bootstrap(settings: Settings, application: ComplaintsApplication | None = None) -> Service:
    app = application or ComplaintsApplication(settings, review_deadline_hours=review_deadline_hours())
    app.blobs = BlobStore(settings.service_dir / "blobs", settings.max_upload_bytes)
    routers = [filing.router, http.router, review_router(("complaint",)), files_router(app.blobs)]
    return Service(settings=settings, app=app, routers=routers, mapping=to_public,
                   consumes=events.CONSUMES, handler=events.handler(app), state={"application": app})
