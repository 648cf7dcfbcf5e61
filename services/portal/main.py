"""Wires the portal: bootstrap(settings) -> Service (HTTP only; it calls the services' APIs)."""

from __future__ import annotations

from services.portal.entrypoints import account, auth, complaints, files, pages, reviews, rights
from shared.kit.runtime import Service
from shared.kit.settings import Settings


def bootstrap(settings: Settings) -> Service:
    routers = [auth.router, account.router, rights.router, complaints.router, reviews.router, files.router,
               pages.router]
    return Service(settings=settings, app=None, routers=routers)
