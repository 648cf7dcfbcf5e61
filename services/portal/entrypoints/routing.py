"""PortalRoute: what every portal page gets around it, and the page a person
understands when it fails."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from services.portal.adapters.api import ApiFailure
from services.portal.entrypoints import error_pages
from services.portal.entrypoints.headers import secure
from services.portal.entrypoints.web import SID_COOKIE, NotSignedIn, csrf_ok, set_cookie
from shared.kit.logs import log

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PortalRoute(APIRoute):
    """Every portal route: a random session id per browser (what CSRF tokens are tied to), a fresh
    one whenever the browser signs in or out (web.rotate_sid), the CSRF check of every form post,
    instead of a page that fails the page that says why (see `answer`), and the security headers on
    every answer (headers.py)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            request.state.new_sid, request.state.rotate_sid = secrets.token_urlsafe(24), False
            response = await answer(request, handler)
            if request.state.rotate_sid or not request.cookies.get(SID_COOKIE):
                set_cookie(request, response, SID_COOKIE, request.state.new_sid)
            return secure(request, response)

        return handle


async def answer(request: Request, handler: Handler) -> Response:
    """The page; or sign-in again (no or a lapsed session), "not found" (404/403 from a service),
    "temporarily unavailable" (a 5xx or no answer), "incomplete" (unreadable input), else "something
    went wrong" (logged)."""
    try:
        if request.method == "POST" and not csrf_ok(
            request, str((await request.form()).get("csrf") or "")
        ):
            return error_pages.expired(request)
        return await handler(request)
    except NotSignedIn:
        return error_pages.back_to_sign_in(request)
    except ApiFailure as failure:
        return error_pages.for_failure(request, failure)
    except RequestValidationError:
        return error_pages.incomplete(request)
    except HTTPException as exc:  # Starlette's, e.g. a malformed multipart body
        return error_pages.incomplete(
            request, exc.status_code if 400 <= exc.status_code < 500 else 400
        )
    except Exception:
        log.exception("portal.page_failed", method=request.method, path=request.url.path)
        return error_pages.broken(request)
