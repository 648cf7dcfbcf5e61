"""The kit's HTTP side: JSON errors with stable codes, bounded bodies, health, readiness
and metrics endpoints.

The rest of the door is here too: `auth` (the signed-in principal as a dependency), `clients` (who
is asking, behind which proxies), `files` (uploads), `app` (a service's FastAPI app and process).
Nothing else in the kit imports FastAPI."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.kit import errors
from shared.kit.faults import RETRY_AFTER_SECONDS, NotMoving, unavailable
from shared.kit.logs import log

REQUESTS = Counter("ipp_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("ipp_http_request_seconds", "HTTP request latency", ["method", "route"])


# the kit's kinds of refusal and their statuses; a service's own table
# (Service.statuses) is read first
STATUSES: dict[type[errors.ServiceError], int] = {
    errors.Invalid: 422,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.TooLarge: 413,
    errors.UnsupportedMedia: 415,
    errors.TooMany: 429,
    errors.Unavailable: 503,
}


def status_of(
    error: errors.ServiceError, statuses: dict[type[errors.ServiceError], int] | None = None
) -> int:
    """The status of a refusal: the nearest of its classes in `statuses`, then
    in the kit's table."""
    tables = (statuses or {}, STATUSES)
    for kind in type(error).__mro__:
        for table in tables:
            if kind in table:
                return table[kind]
    return 400


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    error: errors.ServiceError, statuses: dict[type[errors.ServiceError], int] | None = None
) -> JSONResponse:
    """A refusal as the JSON error contract, with Retry-After when it says when to try again."""
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return JSONResponse(
        error_body(error.code, error.message, error.details),
        status_code=status_of(error, statuses),
        headers=headers,
    )


def _clean(errors: list[dict]) -> list[dict]:
    # never echo submitted values back: they may be personal numbers
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors
    ]


def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """An outage is 503 with Retry-After (the client tries again); anything else is our fault,
    logged, a JSON 500."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    if unavailable(exc):
        log.warning("http.unavailable", route=route, error=repr(exc)[:300])
        body = error_body(
            "SERVICE_UNAVAILABLE", "The service cannot answer right now; try again shortly."
        )
        return JSONResponse(
            body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    log.error("http.unexpected", route=route, exc_info=exc)
    return JSONResponse(
        error_body("INTERNAL_ERROR", "Something went wrong on our side; it has been logged."),
        status_code=500,
    )


def install_error_handlers(
    app: FastAPI,
    max_body_bytes: int = 1024 * 1024,
    max_multipart_bytes: int = 11 * 1024 * 1024,
    statuses: dict[type[errors.ServiceError], int] | None = None,
) -> None:
    @app.exception_handler(errors.ServiceError)
    async def _refused(_: Request, exc: errors.ServiceError) -> JSONResponse:
        return error_response(exc, statuses)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("VALIDATION_FAILED", "The request is not valid.", _clean(exc.errors())),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "NOT_FOUND",
            405: "METHOD_NOT_ALLOWED",
            401: "UNAUTHENTICATED",
            403: "FORBIDDEN",
        }
        code = codes.get(exc.status_code, "HTTP_ERROR")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    app.add_middleware(Measured)
    app.add_middleware(
        BoundedBodies, max_body_bytes=max_body_bytes, max_multipart_bytes=max_multipart_bytes
    )


def _has_unstorable_text(value: object) -> bool:
    """A NUL or a lone surrogate anywhere in the JSON value's strings (keys too)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_unstorable_text(k) or _has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(v) for v in value)
    return False


class Measured:
    """Counts and times each request by route and status, and answers what the handlers let
    escape: an outage as 503 with Retry-After, anything else as a logged JSON 500 (here rather
    than Starlette's 500 handler, which re-raises after answering). Plain ASGI: Starlette's
    `@app.middleware("http")` runs every request through a task group and memory streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        answered = False

        async def sending(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if answered:  # too late to answer otherwise: the server closes the connection
                raise
            response = unexpected(Request(scope), exc)
            status = response.status_code
            await response(scope, receive, send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, status).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


class BoundedBodies:
    """At the door, before any handler: a body over its limit is 413 REQUEST_TOO_LARGE (multipart
    uploads have their own, larger limit), and JSON text no UTF-8 store or Kafka record can hold as
    text (a lone surrogate `\\ud800`, or a NUL, which PostgreSQL refuses) is 422 INVALID_TEXT: never
    a request accepted whose events can never be stored or published."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_multipart_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_multipart_bytes = max_multipart_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"")
        limit = (
            self.max_multipart_bytes
            if content_type.startswith(b"multipart/")
            else self.max_body_bytes
        )
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        if declared is not None and not content_type.startswith(b"application/json"):
            await self.app(
                scope, receive, send
            )  # framed by its length, which h11 enforces: nothing to count
            return
        received, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            received += message.get("body", b"")
            more = message.get("more_body", False)
            if len(received) > limit:
                await self._too_large(scope, receive, send, limit)
                return
        body = bytes(received)
        if (b"\\u0000" in body or b"\\ud" in body.lower()) and self._unstorable(body):
            await self._refuse(
                scope,
                receive,
                send,
                422,
                "INVALID_TEXT",
                "The text contains a NUL character or a "
                "lone UTF-16 surrogate (e.g. \\ud800), which no store can keep as text.",
            )
            return
        await self.app(scope, _replay(body), send)

    @staticmethod
    def _unstorable(body: bytes) -> bool:
        try:
            return _has_unstorable_text(json.loads(body))
        except (ValueError, RecursionError):
            return False  # not JSON: the route says so

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        await self._refuse(
            scope,
            receive,
            send,
            413,
            "REQUEST_TOO_LARGE",
            f"The body may be at most {limit} bytes.",
        )

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        response: Response = JSONResponse(error_body(code, message), status_code=status)
        if b"text/html" in dict(scope["headers"]).get(
            b"accept", b""
        ):  # a person's browser posting a form
            page = (
                f"<!doctype html><meta charset=utf-8><title>{status}</title>"
                f"<h1>{message}</h1><p>{code}</p>"
            )
            response = HTMLResponse(page, status_code=status)
        REQUESTS.labels(scope["method"], "unmatched", status).inc()
        await response(scope, receive, send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def health_router(checks: dict[str, Callable[[], Awaitable[None]]]) -> APIRouter:
    """/healthz (alive), /readyz (every dependency answers), /metrics (Prometheus)."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        results = {}
        for name, check in checks.items():
            try:
                await check()
                results[name] = "ok"
            except NotMoving as exc:
                results[name] = f"not moving: {exc}"
            except Exception as exc:  # any failure means not ready; say which
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": results},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
