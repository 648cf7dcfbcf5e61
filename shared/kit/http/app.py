"""A service as a FastAPI app and a process: its routes, errors and health, its backbone
under one lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from shared.kit.auth import TokenVerifier
from shared.kit.http import health_router, install_error_handlers
from shared.kit.logs import configure_logging, log
from shared.kit.runtime import Backbone, Service, supervise
from shared.kit.settings import Settings


def create_http_app(service: Service) -> FastAPI:
    settings = service.settings
    backbone = Backbone(service)

    verifier = service.verifier or TokenVerifier.of_identity(settings.identity_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await backbone.start()
        if (
            service.app is not None
        ):  # a service that serves signed-in accounts follows sign-outs (not the portal)
            backbone.tasks += [
                asyncio.create_task(supervise(name, loop), name=name)
                for name, loop in verifier.loops(settings.revocation_poll_seconds).items()
            ]
        log.info("service.started", port=settings.port, bootstrap=settings.kafka_bootstrap)
        try:
            yield
        finally:
            await backbone.stop()

    http = FastAPI(title=f"IPP {settings.service}", version="1.0", lifespan=lifespan)
    install_error_handlers(
        http,
        settings.max_body_bytes,
        settings.max_upload_bytes + 1024 * 1024,
        statuses=service.statuses,
    )
    http.include_router(health_router(backbone.checks()))
    for router in service.routers:
        http.include_router(router)
    http.state.settings = settings
    http.state.backbone = backbone
    http.state.verifier = verifier
    for key, value in service.state.items():
        setattr(http.state, key, value)
    return http


def serve(service_name: str, bootstrap: Callable[[Settings], Service]) -> None:
    """The process entry point shared by every service: `python -m services.<name>`."""
    settings = Settings(service=service_name)
    configure_logging(service_name)
    http = create_http_app(bootstrap(settings))
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from loopback on its own;
    # who is a proxy is IPP_TRUSTED_PROXIES' decision alone (shared/kit/clients.py)
    uvicorn.run(
        http,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
