"""Wires the portal: bootstrap(settings) -> Service (HTTP only; it calls the services' APIs)."""

from __future__ import annotations

import httpx

from services.portal.entrypoints import (
    account,
    auth,
    complaints,
    disputes,
    files,
    not_found,
    pages,
    reviews,
    rights,
    static,
)
from shared.kit.runtime import Service
from shared.kit.settings import Settings


def bootstrap(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Service:
    """The portal; `transport` carries its calls to the services (the network unless a
    test passes a fake)."""
    routers = [
        auth.router,
        account.router,
        disputes.router,
        rights.router,
        complaints.router,
        reviews.router,
        files.router,
        pages.router,
        static.router,
        not_found.router,
    ]  # not_found last: it answers every URL no other route does
    return Service(settings=settings, app=None, routers=routers, state={"api_transport": transport})
