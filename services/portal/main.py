"""Wires the portal: bootstrap(settings) -> Service (HTTP only; it calls the services' APIs)."""

from __future__ import annotations

from services.portal.entrypoints import pages
from shared.kit.runtime import Service
from shared.kit.settings import Settings


def bootstrap(settings: Settings) -> Service:
    return Service(settings=settings, app=None, routers=[pages.router])
